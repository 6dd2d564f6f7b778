"""The markdown report lists refusals (with the answerer's reason) and wrong answers for diagnosis."""

from __future__ import annotations

from rag.evaluation.report import markdown_report


def _rec(id_, type_, refused, facts_correct=None, reason="", answer="…"):
    metrics = {} if facts_correct is None else {"facts_correct": facts_correct}
    return {"id": id_, "lang": "zh", "type": type_, "question": f"问题{id_}|?", "answer": answer,
            "refused": refused, "refusal_reason": reason, "answer_facts": ["42亿元"], "metrics": metrics,
            "gold_chunks": [], "rank": None, "gold_quote": [], "retrieved": []}


def test_refusals_and_wrong_answers_are_listed():
    summary = {"questions_file": "q.jsonl", "index": "x", "mode": "hybrid", "backend": "offline",
               "manifest": {"n_chunks": 1, "embedder": {"name": "e"}},
               "groups": {"overall": {"n": 4}}}
    records = [_rec("a", "unanswerable", True, reason="other-kind"),
               _rec("b", "number", True, facts_correct=0, reason="weak"),
               _rec("c", "number", False, facts_correct=0, answer="错的"),
               _rec("d", "unanswerable", False, answer="不该回答"),
               _rec("e", "number", False, facts_correct=1)]
    md = markdown_report(summary, records)
    assert "| a | zh | unanswerable | refused (right) | other-kind |" in md
    assert "| b | zh | number | **false refusal** | weak |" in md
    assert "问题a\\|?" in md  # a pipe in a question doesn't break the table
    wrong = md[md.index("## Wrong answers"):]
    assert "**d**" in wrong and "expected a refusal" in wrong and "**c**" in wrong and "`42亿元`" in wrong
    assert "**e**" not in md and "**b**" not in wrong
