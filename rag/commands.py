"""The CLI's commands, kept apart from argument parsing. Library errors become :class:`UserError`."""

from __future__ import annotations

import argparse
import json
import sys

from rag.config import Config


from rag.errors import UserError  # noqa: F401 - re-exported: the commands' one error type


def _retriever(cfg: Config, progress: bool = True):
    from rag.embed import EmbedderError, get_embedder
    from rag.indexer import IndexingError, ensure_default_index
    from rag.retrieve import Retriever
    from rag.store import StoreError

    try:
        get_embedder(cfg.embedder, cfg.threads)  # a bad --embedder fails before any indexing
        ensure_default_index(cfg, progress=progress)
        retriever = Retriever.open(cfg)
    except (StoreError, EmbedderError, IndexingError) as exc:
        raise UserError(str(exc)) from None
    _note_outdated(cfg, retriever.store.manifest)
    return retriever


def _note_outdated(cfg: Config, manifest: dict) -> None:
    """One line on stderr when the index works with keywords of an older version (a Milvus index)."""
    from rag.store import keywords_outdated

    note = keywords_outdated(manifest)
    if note:
        print(f"note: index '{cfg.index_name}': {note}", file=sys.stderr)


def cmd_index(args: argparse.Namespace, cfg: Config) -> int:
    from rag.embed import EmbedderError
    from rag.indexer import IndexingError, build_index

    if not args.paths and not args.remove and not args.rebuild:
        from rag.store import Store

        if not Store.exists(cfg.index_path):
            raise UserError("give files or folders to index, e.g.: rag index data/")
    try:
        summary = build_index(args.paths, cfg, rebuild=args.rebuild, remove=args.remove, progress=not args.quiet)
    except (IndexingError, EmbedderError) as exc:
        raise UserError(str(exc)) from None
    for err in summary.errors:
        print(f"skipped {err}", file=sys.stderr)
    for line in summary.lines():
        print(line)
    return 0


def _question(text: str, cfg: Config) -> str:
    """A question or query from the command line, checked as every shell checks it (not empty, not
    longer than ``max_question_chars``); ``-`` reads it from standard input (for long or scripted input)."""
    from rag.assistant import QuestionError, check_question

    if text == "-":
        limit = cfg.max_question_chars * 4 + 4  # UTF-8 takes at most 4 bytes a character
        data = sys.stdin.buffer.read(limit)
        try:
            text = data.decode("utf-8-sig", errors="strict" if len(data) < limit else "ignore")
        except UnicodeDecodeError as exc:
            raise UserError(f"standard input is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                            f"{exc.start})") from None
    try:
        return check_question(text, cfg.max_question_chars)
    except QuestionError as exc:
        raise UserError(str(exc)) from None


def cmd_search(args: argparse.Namespace, cfg: Config) -> int:
    args.query = _question(args.query, cfg)
    r = _retriever(cfg)
    timings: dict = {}
    hits = r.search(args.query, k=cfg.top_k, mode=args.mode, doc=args.doc, section=args.section, timings=timings)
    if args.json:
        out = {"query": args.query, "mode": args.mode, "index": cfg.index_name, "timings": timings,
               "results": [h.to_dict() for h in hits]}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("no results" + (" (check --doc/--section filters)" if args.doc or args.section else ""))
        return 0
    for n, h in enumerate(hits, 1):
        c = h.chunk
        where = f"{c.doc_path}:{c.line_start}-{c.line_end}" + (f" p.{c.page_start}" if c.page_start else "")
        print(f"[{n}] score {h.score:.4f}  {where}")
        if c.section:
            print("    " + " > ".join(c.section))
        print("    " + c.text.replace("\n", "\n    "))
        print()
    return 0


def cmd_info(args: argparse.Namespace, cfg: Config) -> int:
    from rag.store import Store, StoreError

    try:
        store = Store.load(cfg.index_path)
    except StoreError as exc:
        raise UserError(str(exc)) from None
    m = store.manifest
    if args.json:
        print(json.dumps(m, ensure_ascii=False, indent=1))
        return 0
    print(f"index:    {cfg.index_name} ({cfg.index_path})")
    print(f"embedder: {m['embedder']['name']} (dim {m['embedder']['dim']})")
    profile = m.get("profile") if isinstance(m.get("profile"), dict) else {}
    print(f"profile:  {profile.get('name') or '(none recorded: general, gov-report for the bundled sample)'}")
    print(f"chunker:  target {m['chunker']['chunk_size']} chars, overlap {m['chunker']['overlap_sentences']} sentence(s)")
    print(f"built:    {m.get('built_at')}; {m.get('n_chunks')} chunks from {len(m.get('files', {}))} file(s)")
    _note_outdated(cfg, m)
    for path, f in sorted(m.get("files", {}).items()):
        print(f"  {f['chunks']:5d} chunks  {f['title'][:40]}  ({path})")
    return 0


def _assistant(cfg: Config):
    from rag.assistant import Assistant

    retriever = _retriever(cfg)
    try:
        return Assistant(cfg, retriever)
    except Exception as exc:  # LLMError and friends: one line
        raise UserError(str(exc).splitlines()[0]) from None


def _print_answer(ans, stream_text: bool = False) -> None:
    """Human-readable answer: text (already streamed or printed now), then sources."""
    if not stream_text:
        print(ans.answer)
    if ans.unsupported:
        print("\n⚠ not supported by the cited passages: " + " | ".join(ans.unsupported))
    if ans.refused:
        print("\nclosest passages:" if ans.lang == "en" else "\n最接近的段落：")
        for n, h in enumerate(ans.passages[:3], 1):
            c = h.chunk
            print(f"  [{n}] {' > '.join(c.section[-2:])} ({c.doc_path}:{c.line_start}-{c.line_end})")
            print("      " + c.text[:120].replace("\n", " ") + ("…" if len(c.text) > 120 else ""))
        return
    print("\nsources:" if ans.lang == "en" else "\n来源：")
    for c in ans.citations:
        where = f"{c.doc_path}:{c.line_start}-{c.line_end}" + (f" p.{c.page}" if c.page else "")
        print(f"  [{c.n}] {' > '.join(c.section)} ({where})")
        for sent in c.sentences or ([c.sentence] if c.sentence else []):
            print(f"      “{sent}”")


def _ask_once(assistant, question: str, history, as_json: bool) -> object:
    from rag.answer.types import Answer

    if as_json:
        ans = assistant.ask(question, history)
        print(json.dumps(ans.to_dict(), ensure_ascii=False, indent=1))
        return ans
    ans = None
    streamed: list[str] = []
    for event in assistant.stream(question, history):
        if isinstance(event, Answer):
            ans = event
        else:
            streamed.append(event)
            print(event, end="", flush=True)
    if streamed:
        print()
        if "".join(streamed).strip() != ans.answer.strip():
            # the citation check changed what was streamed (a dangling [n] dropped, or an answer the
            # passages don't support refused): the checked answer is the one that counts
            print("\n— checked answer —" if ans.lang == "en" else "\n——核对后的回答——")
            streamed = []
    _print_answer(ans, stream_text=bool(streamed))
    return ans


def _run_llm(fn):
    try:
        return fn()
    except UserError:
        raise
    except Exception as exc:
        from rag.answer.llm import LLMError

        if isinstance(exc, LLMError):
            raise UserError(str(exc)) from None
        raise


def cmd_ask(args: argparse.Namespace, cfg: Config) -> int:
    args.question = _question(args.question, cfg)
    assistant = _assistant(cfg)
    _run_llm(lambda: _ask_once(assistant, args.question, (), args.json))
    return 0


def cmd_chat(args: argparse.Namespace, cfg: Config) -> int:
    assistant = _assistant(cfg)
    history: list[tuple[str, str]] = []
    print(f"rag chat ({assistant.name}; index '{cfg.index_name}'). Ask in Chinese or English; empty line quits.")
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            print()
            break
        except UnicodeDecodeError:
            print("error: that line is not UTF-8 text (check the terminal's encoding)", file=sys.stderr)
            continue
        if not question:
            break
        try:
            question = _question(question, cfg)
            ans = _run_llm(lambda: _ask_once(assistant, question, history, False))
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        if ans.standalone_question != question:
            print(f"(understood as: {ans.standalone_question})")
        history.append((ans.standalone_question, ans.answer))
    return 0


def cmd_serve(args: argparse.Namespace, cfg: Config) -> int:
    from rag.ui import serve_command

    return serve_command(args, cfg)


def cmd_eval(args: argparse.Namespace, cfg: Config) -> int:
    from rag.evaluation.cli import run_eval

    return _run_llm(lambda: run_eval(args, cfg, _retriever))


COMMANDS = {"index": cmd_index, "search": cmd_search, "info": cmd_info, "eval": cmd_eval, "ask": cmd_ask,
            "chat": cmd_chat, "serve": cmd_serve}


def run_command(args: argparse.Namespace, cfg: Config) -> int:
    return COMMANDS[args.cmd](args, cfg)
