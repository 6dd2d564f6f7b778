"""Metrics on hand-made cases with known answers."""

from __future__ import annotations

import pytest

from rag.evaluation import metrics as M


def test_norm_handles_widths_separators_and_spaces():
    assert M.norm("１２,５８６.４ 亿元") == "12586.4亿元"
    assert M.norm("1,234,567") == "1234567"
    assert M.norm("（同比）增长６％") == "(同比)增长6%"
    assert M.norm("1,23") == "1,23"  # not a thousands separator


def test_quote_inside_one_chunk():
    chunks = ["全市教育支出148亿元，增长5%。", "市级教育支出41亿元。"]
    assert M.quote_holders(chunks, "市级教育 支出41亿元") == [1]
    assert M.quote_holders(chunks, "市级教育支出42亿元") == []


def test_quote_straddling_two_adjacent_chunks_counts_for_either():
    chunks = ["第一句。新建口袋", "公园58个。第三句。", "无关。"]
    holders = M.quote_holders(chunks, "新建口袋公园58个")
    assert holders == [0, 1]
    assert M.first_full_hit(["x", 1], [holders]) == 2
    assert M.first_full_hit([0], [holders]) == 1
    assert M.first_full_hit([2], [holders]) is None


def test_multi_quote_question_needs_all_quotes():
    holders = [["a"], ["b"]]
    assert M.first_full_hit(["a", "z", "b"], holders) == 3
    assert M.first_full_hit(["a", "z"], holders) is None
    s = M.retrieval_scores(3)
    assert s["hit@1"] == 0 and s["hit@3"] == 1 and s["hit@5"] == 1 and s["mrr@10"] == pytest.approx(1 / 3)
    assert M.retrieval_scores(None) == {"hit@1": 0, "hit@3": 0, "hit@5": 0, "hit@10": 0, "mrr@10": 0}


def test_answer_facts_with_digit_normalisation():
    facts = ["12586.4亿元", "5%"]
    assert M.answer_scores("GDP reached 12,586.4 亿元, up ５%.", facts) == {"facts_correct": 1.0, "fact_recall": 1.0}
    assert M.answer_scores("GDP reached 1.26 trillion yuan, up 5%.", facts) == {"facts_correct": 0.0, "fact_recall": 0.5}


def test_citation_metrics():
    quotes = ["社会资本投入215亿元，占比为38%"]
    facts = ["215", "38%"]
    cited = ["从投资主体看，社会资本投入215亿元，占比为38%。", "无关段落。", "其中215亿元用于……"]
    s = M.citation_scores(cited, quotes, facts)
    assert s["citation_correct"] == 1.0
    assert s["citation_precision"] == pytest.approx(2 / 3)
    assert M.citation_scores([], quotes, facts) == {"citation_correct": 0.0, "citation_precision": 0.0}


def test_percentile():
    assert M.percentile([10, 20, 30, 40], 50) == pytest.approx(25)
    assert M.percentile([5], 95) == 5
    assert M.percentile([], 50) == 0.0


def test_gold_holders_never_straddle_two_documents():
    """A quote made of the end of one document and the start of the next is held by no chunk."""
    from rag.evaluation.dataset import Question
    from rag.evaluation.runner import gold_holders
    from rag.types import Chunk

    class Store:
        chunks = [Chunk("a1", "A", "t", "a", [], "甲文档结尾部分", 0, 7, 1, 1),
                  Chunk("b1", "B", "t", "b", [], "乙文档开头部分", 0, 7, 1, 1),
                  Chunk("b2", "B", "t", "b", [], "乙文档第二段", 8, 14, 2, 2)]

    class R:
        store = Store()

    q = Question("x", "zh", "?", ["1"], ["结尾部分乙文档", "开头部分乙文档第二"])
    assert gold_holders(R(), q) == [[], ["b1", "b2"]]
