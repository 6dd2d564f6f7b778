"""``rag eval``: load question sets, run each on its index, print the summary, write results/summary/report files.

One question-file argument keeps the single-set layout of ``--out``; several sets, or a suite file, get a
folder per set plus a summary table:

>>> per_set_layout(["eval/dev.jsonl"], 1), per_set_layout(["q.jsonl=docs/"], 1), per_set_layout(["ext.toml"], 1)
(False, False, True)
>>> per_set_layout(["a.jsonl", "b.jsonl"], 2)
True
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from rag.config import PROJECT_ROOT, Config


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                             text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (out.stdout.strip() + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def make_answerer(args: argparse.Namespace, cfg: Config, retriever) -> Any:
    """The answer backend, or None for retrieval-only runs (the answer layer is optional)."""
    if getattr(args, "retrieval_only", False):
        return None
    from rag.assistant import Assistant

    try:
        return Assistant(cfg, retriever)
    except Exception as exc:  # LLMError (bad backend settings): one line
        from rag.errors import UserError

        raise UserError(str(exc).splitlines()[0]) from None


def run_eval(args: argparse.Namespace, cfg: Config, open_retriever: Callable[..., Any]) -> int:
    """Evaluate every SET of ``args.questions`` (see :mod:`rag.evaluation.suite`).

    One question-file argument (with or without ``=CORPUS``) keeps the single-set layout: ``--out`` gets
    results.jsonl, summary.json, report.md and report.png, and the console the per-group tables. Several sets,
    or any suite file, get one such folder per set under ``--out`` plus ``summary.md`` and ``summary.json``
    (one row per set, split by language), and the console that table.
    """
    from rag.errors import UserError
    from rag.evaluation.suite import SuiteError, resolve_sets

    raw = args.questions if isinstance(args.questions, (list, tuple)) else [args.questions]
    raw = [str(a) for a in raw]
    split = getattr(args, "split", None)
    try:
        specs = resolve_sets(raw)
    except SuiteError as exc:
        raise UserError(str(exc)) from None
    loaded = [_load_set(spec, args, split) for spec in specs]
    if not per_set_layout(raw, len(specs)):
        return _run_single(*loaded[0], args, cfg, open_retriever)
    return _run_many(loaded, args, cfg, open_retriever, split)


def per_set_layout(raw: list[str], n_sets: int) -> bool:
    """Whether results go one folder per set (several sets, or any suite file) rather than into --out itself."""
    from rag.evaluation.suite import is_suite

    return n_sets != 1 or any(is_suite(a) for a in raw)


def _load_set(spec, args: argparse.Namespace, split: str | None) -> tuple:
    """(spec, questions of the chosen split, malformed-line errors, questions in the file, split used)."""
    from rag.errors import UserError
    from rag.evaluation.dataset import QuestionFileError, in_split, load_questions

    try:
        questions, errors = load_questions(spec.questions)
    except QuestionFileError as exc:
        raise UserError(str(exc)) from None
    for e in errors:
        print(f"{spec.label}: {e}" + ("" if args.strict else " (skipped)"), file=sys.stderr)
    if errors and args.strict:
        raise UserError(f"{len(errors)} malformed line(s) in {spec.label} (--strict)")
    if not questions:
        raise UserError(f"no valid questions in {spec.label}")
    chosen = split or spec.split
    n_in_file = len(questions)
    questions = in_split(questions, chosen, spec.split_by)
    if not questions:
        raise UserError(f"no questions of {spec.label} fall in split '{chosen}' (split by {spec.split_by}, "
                        f"{n_in_file} questions in the file)")
    return spec, questions, errors, n_in_file, chosen


def _open(spec, cfg: Config, open_retriever: Callable[..., Any], progress: bool) -> tuple[Config, Any]:
    """The config and retriever a set runs on: the configured index, or its corpus' own index (built or
    brought up to date first; incremental, so an unchanged corpus costs a moment)."""
    if spec.corpus is None:
        return cfg, open_retriever(cfg, progress=progress)
    from rag.errors import UserError
    from rag.config import ConfigError
    from rag.embed import EmbedderError
    from rag.evaluation.suite import corpus_index_name
    from rag.indexer import IndexingError, build_index
    from rag.store import StoreError

    set_cfg = cfg.replace(index_name=corpus_index_name(spec.corpus, cfg.embedder, spec.profile),
                          **({"profile": spec.profile} if spec.profile else {}))
    try:
        built = build_index([spec.corpus], set_cfg, progress=progress)
    except (IndexingError, EmbedderError, StoreError, ConfigError) as exc:
        raise UserError(f"indexing {spec.corpus}: {str(exc).splitlines()[0]}") from None
    except OSError as exc:
        raise UserError(f"indexing {spec.corpus}: {exc.strerror or type(exc).__name__}") from None
    for err in built.errors:
        print(f"skipped {err}", file=sys.stderr)
    if progress:
        for line in built.lines():
            print(line, file=sys.stderr)
    return set_cfg, open_retriever(set_cfg, progress=progress)


def _summary(spec, questions_n: int, chosen: str | None, errors: list, records: list[dict], args: argparse.Namespace,
             set_cfg: Config, retriever, answerer, commit: str | None) -> dict[str, Any]:
    from rag.evaluation.runner import summarise

    summary = {
        "questions_file": spec.label,
        "index": set_cfg.index_name,
        "mode": args.mode,
        "backend": getattr(answerer, "name", None) or "none (retrieval only)",
        "config": {k: str(v) for k, v in vars(set_cfg).items()},
        "manifest": {k: v for k, v in retriever.store.manifest.items() if k != "files"},
        "git_commit": commit,
        "skipped_lines": [str(e) for e in errors],
        "groups": summarise(records),
    }
    if spec.corpus is not None:
        summary["corpus"] = str(spec.corpus)
    if chosen:
        summary.update(split=chosen, split_by=spec.split_by, questions_in_file=questions_n)
    return summary


def _read_old(path: Path) -> dict:
    from rag.errors import UserError

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"--compare: can't read {path} ({exc})") from None


def _run_single(spec, questions: list, errors: list, n_in_file: int, chosen: str | None, args: argparse.Namespace,
                cfg: Config, open_retriever: Callable[..., Any]) -> int:
    from rag.evaluation import report
    from rag.evaluation.runner import run

    old = _read_old(args.compare / "summary.json") if args.compare else None
    set_cfg, retriever = _open(spec, cfg, open_retriever, progress=not args.quiet)
    answerer = make_answerer(args, set_cfg, retriever)
    records = run(questions, retriever, args.mode, answerer, progress=not args.quiet)
    summary = _summary(spec, n_in_file, chosen, errors, records, args, set_cfg, retriever, answerer, git_commit())
    if args.out:
        write_outputs(args.out, records, summary)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
    else:
        print(report.console_summary(summary["groups"]))
        if args.out:
            print(f"\nwrote {args.out}/results.jsonl, summary.json, report.md, report.png")
    if old is not None:
        print("\nchanges against " + str(args.compare) + ":\n" + report.compare(summary, old),
              file=sys.stderr if args.json else sys.stdout)
    return 0


def _run_many(loaded: list[tuple], args: argparse.Namespace, cfg: Config, open_retriever: Callable[..., Any],
              split: str | None) -> int:
    from rag.errors import UserError
    from rag.evaluation import report
    from rag.evaluation.runner import headline_rows, run

    olds: dict[str, dict] = {}
    if args.compare:
        if not args.compare.is_dir():
            raise UserError(f"--compare: {args.compare} is not a folder of earlier results")
        for spec, *_ in loaded:
            if (args.compare / spec.name / "summary.json").is_file():
                olds[spec.name] = _read_old(args.compare / spec.name / "summary.json")
        if not olds:
            raise UserError(f"--compare: {args.compare} has no results for any of these sets "
                            f"({', '.join(s.name for s, *_ in loaded)}; expected {args.compare}/<set>/summary.json)")
    commit = git_commit()
    combined: dict[str, Any] = {"mode": args.mode, "backend": None, "git_commit": commit, "split": split, "sets": {}}
    opened: str | None = None  # the index open now: consecutive sets on one corpus share it
    set_cfg, retriever, answerer = cfg, None, None
    summaries: dict[str, dict] = {}
    for spec, questions, errors, n_in_file, chosen in loaded:
        key = f"{spec.corpus.resolve()}\n{spec.profile or ''}" if spec.corpus is not None else ""
        if opened != key:
            retriever = answerer = None  # release the previous index before opening the next
            set_cfg, retriever = _open(spec, cfg, open_retriever, progress=not args.quiet)
            answerer = make_answerer(args, set_cfg, retriever)
            opened = key
        records = run(questions, retriever, args.mode, answerer, progress=not args.quiet, name=spec.name)
        summary = _summary(spec, n_in_file, chosen, errors, records, args, set_cfg, retriever, answerer, commit)
        summary["set"] = spec.name
        summaries[spec.name] = summary
        if args.out:
            write_outputs(args.out / spec.name, records, summary)
        combined["backend"] = summary["backend"]
        combined["sets"][spec.name] = {
            "questions_file": spec.label, "corpus": str(spec.corpus) if spec.corpus is not None else None,
            "index": set_cfg.index_name, "split": chosen, "split_by": spec.split_by, "n": len(records),
            "n_in_file": n_in_file, "skipped_lines": len(errors),
            "langs": sorted({r["lang"] for r in records if r["lang"]}), "rows": headline_rows(records),
            "groups": summary["groups"]}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "summary.json").write_text(json.dumps(combined, ensure_ascii=False, indent=1), encoding="utf-8")
        (args.out / "summary.md").write_text(report.suite_markdown(combined), encoding="utf-8")
    if args.json:
        print(json.dumps(combined, ensure_ascii=False, indent=1))
    else:
        print(report.render_text(report.suite_table(combined["sets"])))
        if args.out:
            print(f"\nwrote {args.out}/summary.md, summary.json and per set {args.out}/<set>/results.jsonl, "
                  "summary.json, report.md, report.png")
    if args.compare:
        stream = sys.stderr if args.json else sys.stdout
        for name, summary in summaries.items():
            if name in olds:
                print(f"\nchanges against {args.compare / name}:\n" + report.compare(summary, olds[name]), file=stream)
            else:
                print(f"\nno earlier results for set {name} in {args.compare}", file=stream)
    return 0


def write_outputs(out: Path, records: list[dict], summary: dict) -> None:
    from rag.evaluation import report

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(report.markdown_report(summary, records), encoding="utf-8")
    report.chart(summary, out / "report.png")
