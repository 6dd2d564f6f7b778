"""Question-set loading: schema, malformed lines with line numbers."""

from __future__ import annotations

import json

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
