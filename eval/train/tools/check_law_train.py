#!/usr/bin/env python3
"""Checks eval/train/law-train.jsonl against eval/corpora/law-train/*.md.

For every row:
  - required fields are present and well-typed; ids are unique;
  - answerable rows: each answer_fact occurs verbatim in the gold_quote
    (for a list-valued gold_quote: in at least one of its parts), and each
    gold_quote (part) occurs verbatim in eval/corpora/law-train/<report>.md;
  - unanswerable rows: answer_facts == [], gold_quote == "", and a valid
    nearmiss_kind.
Prints failures, then counts by law / lang / type (and near-miss kind).
Exit status 1 if anything failed.

Usage: python3 check_law_train.py [path/to/law-train.jsonl]
"""
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
TRAIN = HERE.parents[1]
CORPUS = TRAIN.parent / "corpora" / "law-train"
KINDS = {"sibling_term", "other_period", "modifier_bound", "attribute_not_stated",
         "different_entity", "finer_granularity", "comparison_or_cause_not_stated"}
TYPES = {"number", "date", "entity", "list", "other", "unanswerable"}


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else TRAIN / "law-train.jsonl"
    laws = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.md") if p.stem != "README"}
    errors = []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON: {e}")

    seen = set()
    for n, r in rows:
        rid = r.get("id", f"<line {n}>")
        def err(msg):
            errors.append(f"{rid}: {msg}")
        for k in ("id", "lang", "question", "answer_facts", "gold_quote", "report", "type"):
            if k not in r:
                err(f"missing field {k}")
        if rid in seen:
            err("duplicate id")
        seen.add(rid)
        if not str(rid).startswith("lt-"):
            err("id does not start with lt-")
        if r.get("lang") not in ("zh", "en"):
            err(f"bad lang {r.get('lang')!r}")
        if r.get("type") not in TYPES:
            err(f"bad type {r.get('type')!r}")
        text = laws.get(r.get("report"))
        if text is None:
            err(f"no law file for report {r.get('report')!r}")
            continue
        facts = r.get("answer_facts", [])
        quote = r.get("gold_quote", "")
        parts = quote if isinstance(quote, list) else [quote]
        if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
            err("answer_facts is not a list of strings")
            continue
        if not all(isinstance(p, str) for p in parts):
            err("gold_quote is not a string or list of strings")
            continue
        if r.get("type") == "unanswerable":
            if facts:
                err("unanswerable row has answer_facts")
            if quote != "":
                err("unanswerable row has a gold_quote")
            if r.get("nearmiss_kind") not in KINDS:
                err(f"bad nearmiss_kind {r.get('nearmiss_kind')!r}")
            continue
        if "nearmiss_kind" in r:
            err("answerable row has nearmiss_kind")
        if not facts:
            err("answerable row has no answer_facts")
        if not any(parts):
            err("answerable row has empty gold_quote")
        for p in parts:
            if p and p not in text:
                err(f"gold_quote not in {r['report']}.md: {p[:40]}...")
        for f in facts:
            if not f.strip():
                err("empty fact")
            elif not any(f in p for p in parts):
                err(f"fact not in gold_quote: {f}")
            elif f not in text:
                err(f"fact not in law text: {f}")
        if r.get("lang") == "zh" and not any("\u4e00" <= c <= "\u9fff" for c in r["question"]):
            err("zh question has no Han characters")

    for e in errors:
        print("FAIL", e)

    rs = [r for _, r in rows]
    ans = [r for r in rs if r.get("type") != "unanswerable"]
    una = [r for r in rs if r.get("type") == "unanswerable"]
    print(f"rows {len(rs)}: answerable {len(ans)}, unanswerable {len(una)}")
    def show(title, counter):
        print(title + ": " + ", ".join(f"{k}={v}" for k, v in sorted(counter.items())))
    show("by law", Counter(r["report"] for r in rs))
    show("by lang", Counter(r["lang"] for r in rs))
    show("answerable by lang", Counter(r["lang"] for r in ans))
    show("unanswerable by lang", Counter(r["lang"] for r in una))
    show("by type", Counter(r["type"] for r in rs))
    show("by law x lang x answerable", Counter(
        f"{r['report']}/{r['lang']}/{'u' if r['type'] == 'unanswerable' else 'a'}" for r in rs))
    show("nearmiss_kind", Counter(r.get("nearmiss_kind") for r in una))
    print(f"errors: {len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
