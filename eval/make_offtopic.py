"""Write the off-topic question sets ``eval/offtopic/<corpus>.jsonl``: questions of one kind of document asked of
the corpus of another kind (a Wikipedia question asked of three laws, a law question asked of a government
gazette), every one of them unanswerable there.

    python eval/make_offtopic.py          # rewrite eval/offtopic/*.jsonl (deterministic)

A user asks a tool about something its documents don't cover at all more often than about a near miss; the
near-miss sets don't measure it. Off-topic questions are made, not written: the genres share no subject, so no
question of one is answered by the other (checked by reading a sample of 40 answers of the offline answerer,
none right). Only public or training sets are used as questions and as corpora, never a sealed set nor a
corpus of one (eval/corpora/law, company-report).

Each record keeps the id of its source question; its ``report`` is the source's document (its ``report``,
``article`` or ``title``) for the sets split by document (XQuAD, CMRC) and empty for those split by id (the
gazette's sets, law-train), so
``rag eval --split`` and ``eval/fit_selector.py`` put an off-topic question in the split of its source question
and no question is in one split as a source and in another as an off-topic question.

>>> keep("xq-zh-56beb4343aeaaa14008c925b", 6) in (True, False)
True
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rag.evaluation.dataset import parse_record  # noqa: E402

SHARED = ROOT.parent / "shared"
OUT = ROOT / "eval" / "offtopic"

# source sets: (name, files, split by, keep one in EVERY)
SOURCES = {
    "xquad": ([SHARED / "ext" / "xquad-public" / "xquad-zh.jsonl", SHARED / "ext" / "xquad-public" / "xquad-en.jsonl"],
              "document", 6),
    "cmrc": ([SHARED / "ext" / "cmrc-trial" / "cmrc-trial.jsonl"], "document", 6),
    "gazette": ([ROOT / "eval" / f for f in ("dev.jsonl", "heldout.jsonl", "probe.jsonl", "final.jsonl")], "id", 1),
    "law-train": ([ROOT / "eval" / "train" / "law-train.jsonl"], "id", 1),
}
# target corpus -> the source sets asked of it (never one of its own genre)
TARGETS = {
    "law-train": ["xquad", "cmrc", "gazette"],
    "gazette": ["xquad", "cmrc", "law-train"],
    "xquad": ["gazette", "law-train"],
    "cmrc": ["gazette", "law-train"],
}
# the corpora, relative to the project folder (as in the suites)
CORPORA = {
    "law-train": "eval/corpora/law-train",
    "gazette": "data/cq-gov-gazette-2024-03.txt",
    "xquad": "../shared/ext/xquad-public/corpus",
    "cmrc": "../shared/ext/cmrc-trial/corpus",
}


def keep(qid: str, every: int) -> bool:
    """A deterministic one-in-``every`` sample by the question id."""
    return every <= 1 or int.from_bytes(hashlib.sha1(qid.encode("utf-8")).digest()[:4], "big") % every == 0


def records(target: str) -> list[dict]:
    out = []
    for source in TARGETS[target]:
        files, by, every = SOURCES[source]
        for f in files:
            for line in f.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                rec = json.loads(line)
                if not str(rec.get("question", "")).strip() or not keep(rec["id"], every):
                    continue
                # the source's document as the split reads it (XQuAD names it in "article", CMRC in "title")
                document = parse_record(rec).document if by == "document" else ""
                out.append({"id": rec["id"], "lang": rec.get("lang", "zh"), "question": rec["question"],
                            "answer_facts": [], "gold_quote": "", "report": document,
                            "type": "unanswerable", "nearmiss_kind": "off_topic", "source": source})
    return out


def main() -> int:
    absent = [str(f) for files, _, _ in SOURCES.values() for f in files if not f.exists()]
    if absent:
        print(f"make_offtopic: source question file not found: {absent[0]} (the public sets go in ../shared/ext "
              "beside the project)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    for target in TARGETS:
        recs = records(target)
        path = OUT / f"{target}.jsonl"
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
        tmp.replace(path)
        print(f"{path.relative_to(ROOT)}: {len(recs)} questions asked of {CORPORA[target]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
