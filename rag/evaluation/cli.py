"""``rag eval``: load questions, run, print the summary, write results/summary/report files."""

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
        from rag.commands import UserError

        raise UserError(str(exc).splitlines()[0]) from None


def run_eval(args: argparse.Namespace, cfg: Config, open_retriever: Callable[[Config], Any]) -> int:
    from rag.commands import UserError
    from rag.evaluation import report
    from rag.evaluation.dataset import QuestionFileError, load_questions
    from rag.evaluation.runner import run, summarise

    try:
        questions, errors = load_questions(args.questions)
    except QuestionFileError as exc:
        raise UserError(str(exc)) from None
    for e in errors:
        print(f"{args.questions}: {e}" + ("" if args.strict else " (skipped)"), file=sys.stderr)
    if errors and args.strict:
        raise UserError(f"{len(errors)} malformed line(s) in {args.questions} (--strict)")
    if not questions:
        raise UserError(f"no valid questions in {args.questions}")
    old = None
    if args.compare:
        try:
            old = json.loads((args.compare / "summary.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"--compare: can't read {args.compare / 'summary.json'} ({exc})") from None

    retriever = open_retriever(cfg, progress=not args.quiet)
    answerer = make_answerer(args, cfg, retriever)
    records = run(questions, retriever, args.mode, answerer, progress=not args.quiet)
    summary = {
        "questions_file": str(args.questions),
        "index": cfg.index_name,
        "mode": args.mode,
        "backend": getattr(answerer, "name", None) or "none (retrieval only)",
        "config": {k: str(v) for k, v in vars(cfg).items()},
        "manifest": {k: v for k, v in retriever.store.manifest.items() if k != "files"},
        "git_commit": git_commit(),
        "skipped_lines": [str(e) for e in errors],
        "groups": summarise(records),
    }
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


def write_outputs(out: Path, records: list[dict], summary: dict) -> None:
    from rag.evaluation import report

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "report.md").write_text(report.markdown_report(summary, records), encoding="utf-8")
    report.chart(summary, out / "report.png")
