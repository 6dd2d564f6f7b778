"""Check the blind5 question files (standard library only).

    python3 eval/blind5/tools/check.py            # checks eval/blind5/*.jsonl
    BLIND5_DIR=<copy> python3 .../check.py        # checks a copy (e.g. a deliberately corrupted one)

Prints every problem found and the counts; exits 1 if there is any error.
"""
import hashlib
import json
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BLIND5, CORPORA, PROJECT, doc_path  # noqa: E402

FILES = {  # file -> (corpus, id prefix, expected counts {(kind, lang): n})
    "cmrc.jsonl": ("cmrc", "b5-cm", {("a", "zh"): 30, ("u", "zh"): 15}),
    "xquad.jsonl": ("xquad", "b5-xq", {("a", "zh"): 20, ("a", "en"): 15, ("u", "zh"): 8, ("u", "en"): 7}),
    "judicial.jsonl": ("judicial5", "b5-ji", {("a", "zh"): 15, ("a", "en"): 15, ("u", "zh"): 5, ("u", "en"): 5}),
}
REQUIRED = ["id", "lang", "question", "answer_facts", "gold_quote", "report", "type"]
ANSWER_TYPES = {"number", "date", "person", "place", "entity", "span", "list", "description", "condition"}
KINDS = {"sibling_term", "other_period", "modifier_bound", "attribute_not_stated", "different_entity",
         "finer_granularity", "comparison_or_cause_not_stated"}
JUDICIAL5_BLOBS = {  # file -> git blob of its source file in LawRefBook/Laws@2f4c5c2 (copied byte for byte)
    "private-lending.md": "3dd7a87ce94339d737e9317e76e41e83dd53a572",
    "personal-injury.md": "4245ab499f86e1c39769706d939fa2cb241457e7",
    "road-traffic-accident.md": "1778be1b960697385c0a3b6c238171ea55ee4774",
    "labor-dispute-1.md": "53616609468184e7ad8e86c079fa46033359a4e8",
    "medical-damage.md": "2fc425bef8be33482d9a0083a6e7dec9f2b41b98",
    "prepaid-consumption.md": "2d556c3b3d58117479c2db82c5dabdc0f6eea071",
    "food-drug-punitive.md": "947be4470e737eaf52085581518d186f52dc5038",
    "marriage-family-1.md": "19426fa31691f3978c71aada594c58fe43d2eb8f",
}

errors = []


def err(msg):
    errors.append(msg)
    print("ERROR:", msg)


def squash(s):
    return re.sub(r"\s+", "", s)


def check_judicial5_sources():
    folder = CORPORA["judicial5"]
    present = sorted(f for f in os.listdir(folder) if f.endswith(".md") and f != "README.md")
    if present != sorted(JUDICIAL5_BLOBS):
        err(f"judicial5: corpus files {present} != expected {sorted(JUDICIAL5_BLOBS)}")
    for name, blob in JUDICIAL5_BLOBS.items():
        try:
            data = open(os.path.join(folder, name), "rb").read()
        except OSError as e:
            err(f"judicial5: cannot read {name}: {e}")
            continue
        got = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        if got != blob:
            err(f"judicial5/{name}: git blob {got} != source blob {blob}")


def earlier_cmrc_reports():
    """Every `report` of the earlier sealed sets (eval/blind*/*.jsonl other than blind5)."""
    evald = os.path.join(PROJECT, "eval")
    used = set()
    for d in os.listdir(evald):
        if not d.startswith("blind") or d == "blind5" or not os.path.isdir(os.path.join(evald, d)):
            continue
        for f in os.listdir(os.path.join(evald, d)):
            if f.endswith(".jsonl"):
                for line in open(os.path.join(evald, d, f), encoding="utf-8"):
                    if line.strip():
                        used.add(str(json.loads(line).get("report")))
    return used


def main():
    check_judicial5_sources()
    earlier = earlier_cmrc_reports()
    all_ids, all_questions = Counter(), Counter()
    summary = []
    for fname, (corpus, prefix, expected) in FILES.items():
        path = os.path.join(BLIND5, fname)
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
            if corpus == "cmrc" and report in earlier:
                err(f"{where}: passage {report} is already used by an earlier blind set")
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
