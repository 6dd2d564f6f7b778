"""Check the blind4 question files (standard library only).

    python3 eval/blind4/tools/check.py            # checks eval/blind4/*.jsonl
    BLIND4_DIR=<copy> python3 .../check.py        # checks a copy (e.g. a deliberately corrupted one)

Prints every problem found and the counts; exits 1 if there is any error.
"""
import hashlib
import json
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BLIND4, CORPORA, doc_path  # noqa: E402

FILES = {  # file -> (corpus, id prefix, expected counts {(kind, lang): n})
    "cmrc.jsonl": ("cmrc", "b4-cm", {("a", "zh"): 30, ("u", "zh"): 15}),
    "xquad.jsonl": ("xquad", "b4-xq", {("a", "zh"): 20, ("a", "en"): 15, ("u", "zh"): 8, ("u", "en"): 7}),
    "law.jsonl": ("law4", "b4-law", {("a", "zh"): 15, ("a", "en"): 15, ("u", "zh"): 5, ("u", "en"): 5}),
}
REQUIRED = ["id", "lang", "question", "answer_facts", "gold_quote", "report", "type"]
ANSWER_TYPES = {"number", "date", "person", "place", "entity", "span", "list", "description", "condition"}
KINDS = {"sibling_term", "other_period", "modifier_bound", "attribute_not_stated", "different_entity",
         "finer_granularity", "comparison_or_cause_not_stated"}
LAW4_BLOBS = {  # file -> (git blob of the source file in LawRefBook/Laws@2f4c5c2, formatting changes to undo)
    "tourism-law.md": ("c237e805015773e18b7eb773051bad6e90f7550a", []),
    "social-insurance-law.md": ("2d817ef61c816e3727c8fd1031c2188a3010d4af", []),
    "minors-protection-law.md": ("c000b4a68e6870241641f3b1a34b5bd441636c9a", [
        ("## 第一章 总则", "## 第一章 总 则"), ("## 第九章 附则", "## 第九章 附 则"),
        ("<!-- INFO END -->\n\n", "<!-- INFO END -->\n\n\u200b\n\n")]),
}

errors = []


def err(msg):
    errors.append(msg)
    print("ERROR:", msg)


def squash(s):
    return re.sub(r"\s+", "", s)


def check_law4_sources():
    for name, (blob, undo) in LAW4_BLOBS.items():
        path = os.path.join(CORPORA["law4"], name)
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as e:
            err(f"law4: cannot read {name}: {e}")
            continue
        for new, old in undo:
            if text.count(new) != 1:
                err(f"law4/{name}: expected exactly one {new!r}")
            text = text.replace(new, old)
        if not text.endswith("\n"):
            err(f"law4/{name}: no final newline")
        data = text[:-1].encode("utf-8")
        got = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if got != blob:
            err(f"law4/{name}: git blob {got} != source blob {blob}")


def main():
    check_law4_sources()
    all_ids, all_questions = Counter(), Counter()
    summary = []
    for fname, (corpus, prefix, expected) in FILES.items():
        path = os.path.join(BLIND4, fname)
        counts, types, kinds, reports = Counter(), Counter(), Counter(), Counter()
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            err(f"{fname}: cannot read: {e}")
            continue
        for n, line in enumerate(lines, 1):
            where = f"{fname}:{n}"
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                err(f"{where}: bad JSON: {e}")
                continue
            missing = [k for k in REQUIRED if k not in d]
            if missing:
                err(f"{where}: missing fields {missing}")
                continue
            if corpus in ("cmrc", "xquad") and d.get("corpus") != corpus:
                err(f"{where}: corpus field should be {corpus!r}")
            qid, lang, typ = d["id"], d["lang"], d["type"]
            where = f"{fname}:{n} ({qid})"
            all_ids[qid] += 1
            all_questions[d["question"].strip()] += 1
            if lang not in ("zh", "en") or (corpus == "cmrc" and lang != "zh"):
                err(f"{where}: bad lang {lang!r}")
            kind = "u" if typ == "unanswerable" else "a"
            if not re.fullmatch(rf"{prefix}-{kind}-{lang}-\d\d", qid):
                err(f"{where}: id does not match {prefix}-{kind}-{lang}-NN")
            if not isinstance(d["question"], str) or len(d["question"].strip()) < 8:
                err(f"{where}: question too short")
            if lang == "zh" and not re.search(r"[\u4e00-\u9fff]", d["question"]):
                err(f"{where}: zh question has no Chinese")
            if lang == "en" and re.search(r"[\u4e00-\u9fff]", d["question"]):
                err(f"{where}: en question contains Chinese")
            report = d["report"]
            if not isinstance(report, str) or not os.path.isfile(doc_path(corpus, report)):
                err(f"{where}: no document for report {report!r}")
                continue
            text = open(doc_path(corpus, report), encoding="utf-8").read()
            flat = squash(text)
            facts, gold = d["answer_facts"], d["gold_quote"]
            counts[(kind, lang)] += 1
            reports[report] += 1
            if kind == "u":
                kinds[d.get("nearmiss_kind")] += 1
                if facts != [] or gold != "":
                    err(f"{where}: unanswerable must have answer_facts [] and gold_quote \"\"")
                if d.get("nearmiss_kind") not in KINDS:
                    err(f"{where}: bad nearmiss_kind {d.get('nearmiss_kind')!r}")
                continue
            types[typ] += 1
            if typ not in ANSWER_TYPES:
                err(f"{where}: bad type {typ!r}")
            if "nearmiss_kind" in d:
                err(f"{where}: answerable row carries nearmiss_kind")
            quotes = [gold] if isinstance(gold, str) else gold
            if not isinstance(quotes, list) or not quotes or not all(isinstance(q, str) and q.strip() for q in quotes):
                err(f"{where}: gold_quote must be a non-empty string or list of strings")
                continue
            if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and f.strip() for f in facts):
                err(f"{where}: answer_facts must be a non-empty list of strings")
                continue
            for q in quotes:
                if squash(q) not in flat:
                    err(f"{where}: gold quote not verbatim in {report}: {q[:40]!r}")
            for f in facts:
                if squash(f) not in flat:
                    err(f"{where}: fact not verbatim in {report}: {f!r}")
                elif not any(squash(f) in squash(q) for q in quotes):
                    err(f"{where}: fact {f!r} is not inside any gold quote")
        for k, want in expected.items():
            if counts[k] != want:
                err(f"{fname}: {k[0]}/{k[1]} count {counts[k]} != {want}")
        for k in counts:
            if k not in expected:
                err(f"{fname}: unexpected rows {k}")
        summary.append((fname, counts, types, kinds, reports))
    for qid, c in all_ids.items():
        if c > 1:
            err(f"duplicate id {qid} ({c}x)")
    for q, c in all_questions.items():
        if c > 1:
            err(f"duplicate question ({c}x): {q[:40]!r}")

    for fname, counts, types, kinds, reports in summary:
        print(f"\n{fname}: " + ", ".join(f"{k}-{l} {n}" for (k, l), n in sorted(counts.items()))
              + f"; total {sum(counts.values())}; documents {len(reports)}")
        print("  answerable types:", dict(types.most_common()))
        print("  near-miss kinds:", dict(kinds.most_common()))
    total = sum(sum(c.values()) for _, c, *_ in summary)
    print(f"\n{total} questions; {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
