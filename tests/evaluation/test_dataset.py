"""Question-set loading: schema, malformed lines with line numbers; deterministic splits by document."""

from __future__ import annotations

import json

import pytest

from rag.evaluation.dataset import load_questions, parse_lines


def test_dev_set_loads(tmp_path):
    from rag.config import PROJECT_ROOT

    qs, errors = load_questions(PROJECT_ROOT / "eval" / "dev.jsonl")
    assert len(qs) == 60 and not errors
    assert sum(q.lang == "zh" for q in qs) == 30
    multi = [q for q in qs if len(q.quotes) > 1]
    assert multi and all(q.answerable for q in multi)
    assert all(not q.answerable for q in qs if q.type == "unanswerable")


def test_malformed_lines_are_reported_with_numbers():
    good = {"id": "a", "lang": "en", "question": "Q?", "answer_facts": ["1"], "gold_quote": ["x", "y"],
            "report": "plan", "type": "number", "extra": 1}
    lines = [json.dumps(good), "", "{not json", json.dumps({"id": "b", "lang": "zh"}),
             json.dumps({**good, "id": "c", "lang": "fr"}), json.dumps({**good, "id": "d", "gold_quote": 5}),
             json.dumps(good), json.dumps([1, 2])]
    qs, errors = parse_lines(lines)
    assert [q.id for q in qs] == ["a"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [
        (3, "invalid"), (4, "missing"), (5, "'lang'"), (6, "'gold_quote'"), (7, "duplicate"), (8, "not")]
    assert qs[0].quotes == ["x", "y"]


def test_split_of_is_deterministic_and_keeps_a_document_in_one_split():
    from collections import Counter

    from rag.evaluation.dataset import SPLITS, Question, split_of

    qs = [Question(f"q{i}", "zh", "?", report=f"doc{i % 300}") for i in range(1200)]
    again = [Question(q.id, "en", "another question", report=q.report) for q in qs]
    assert [split_of(q) for q in qs] == [split_of(q) for q in again]  # only the document counts
    by_doc: dict[str, set] = {}
    for q in qs:
        by_doc.setdefault(q.report, set()).add(split_of(q))
    assert all(len(s) == 1 for s in by_doc.values())  # no document in two splits
    share = Counter(next(iter(s)) for s in by_doc.values())
    assert set(share) == set(SPLITS)
    assert 0.5 < share["train"] / 300 < 0.7 and 0.12 < share["val"] / 300 < 0.28 and 0.12 < share["test"] / 300 < 0.28
    # by id: questions of one document spread over the splits (for sets that share a few documents)
    assert len({split_of(q, by="id") for q in qs if q.report == "doc0"}) > 1
    assert split_of(Question("x", "zh", "?"), by="document") == split_of(Question("x", "zh", "?"), by="id")


def test_document_comes_from_report_article_or_title_and_filters_a_split():
    from rag.evaluation.dataset import in_split, split_of

    rec = {"lang": "zh", "question": "?", "answer_facts": ["1"], "gold_quote": "1"}
    lines = [json.dumps({**rec, "id": "a", "report": "R"}), json.dumps({**rec, "id": "b", "article": "Art"}),
             json.dumps({**rec, "id": "c", "title": "标题"}), json.dumps({**rec, "id": "d"})]
    qs, errors = parse_lines(lines)
    assert not errors and [q.document for q in qs] == ["R", "Art", "标题", ""]
    for split in ("train", "val", "test"):
        assert [q.id for q in in_split(qs, split)] == [q.id for q in qs if split_of(q) == split]
    assert in_split(qs, None) == qs
    with pytest.raises(ValueError):
        in_split(qs, "dev")
