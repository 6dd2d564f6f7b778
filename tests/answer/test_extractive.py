"""The offline answerer on a small index of invented reports (江岚市, tests/answer/conftest.py): figures,
citations, language, refusals."""

from __future__ import annotations

import pytest

from rag.answer.corpus import CorpusStats
from rag.answer.extractive import OfflineAnswerer


# (not named "retriever": that is the sample-index fixture of tests/conftest.py, whose tests are slow)
@pytest.fixture(scope="module")
def searcher(jianglan_retriever):
    return jianglan_retriever


@pytest.fixture(scope="module")
def answerer(searcher):
    return OfflineAnswerer(CorpusStats.of(searcher.store), searcher.cfg.refusal_threshold)


def ask(answerer, searcher, q):
    return answerer.answer(q, searcher.search(q, k=5))


def test_chinese_answer_holds_the_figure_and_cites_it(answerer, searcher):
    a = ask(answerer, searcher, "2024年江岚全市的一般公共预算收入预计有多少？")
    assert not a.refused and a.lang == "zh"
    assert "455亿元" in a.answer and "6.3%" in a.answer
    assert a.citations and "455亿元" in a.citations[0].text
    assert f"[{a.citations[0].n}]" in a.answer
    assert "455亿元" in a.citations[0].sentence


def test_year_agreement_picks_the_2023_figure(answerer, searcher):
    q = "江岚全市2023年的一般公共预算收入有多少？"
    a = ask(answerer, searcher, q)
    assert "428亿元" in a.answer and "455" not in a.answer
    # the answerer's own year check, not the retrieval order: the 2024 passage shown first still loses
    hits = sorted(searcher.search(q, k=5), key=lambda h: "455亿元" not in h.chunk.text)
    assert "455亿元" in hits[0].chunk.text and "428亿元" not in hits[0].chunk.text
    a = answerer.answer(q, hits)
    assert "428亿元" in a.answer and "455" not in a.answer


def test_scope_agreement_municipal_vs_citywide(answerer, searcher):
    a = ask(answerer, searcher, "江岚的市级一般公共预算收入在2023年有多少？")
    assert "157亿元" in a.answer and "428" not in a.answer


def test_english_answer_frames_chinese_evidence(answerer, searcher):
    a = ask(answerer, searcher, "What is the 2024 target for new urban jobs?")
    assert a.lang == "en" and not a.refused
    assert a.answer.startswith("According to")
    assert "5.2万人" in a.answer
    assert a.citations and all(f"[{c.n}]" in a.answer for c in a.citations)


def test_english_figures_rendered_and_kept_verbatim(answerer, searcher):
    a = ask(answerer, searcher, "What city-wide general public budget revenue does the 2024 budget expect?")
    assert "455亿元" in a.answer and "45.5 billion yuan" in a.answer
    assert not a.unsupported


def test_refusal_for_an_unrelated_question(answerer, searcher):
    a = ask(answerer, searcher, "火星探测器的着陆时间是哪一天？")
    assert a.refused and a.citations == []
    assert "无法回答" in a.answer
    b = ask(answerer, searcher, "Who won the football world cup final?")
    assert b.refused and "do not contain" in b.answer


def test_every_citation_points_at_a_shown_passage(answerer, searcher):
    for q in ("新增托育机构托位多少个？", "How much natural gas did Jianglan produce in 2023?"):
        hits = searcher.search(q, k=5)
        a = answerer.answer(q, hits)
        ids = [h.chunk.chunk_id for h in hits]
        assert a.citations, q
        for c in a.citations:
            assert 1 <= c.n <= len(hits) and c.chunk_id == ids[c.n - 1]


@pytest.mark.parametrize("question, fact, wrong", [
    # the figure must follow the term: not "每万元地区生产总值建设用地使用面积下降4.5%" (a land-use intensity)
    ("江岚市2023年的地区生产总值是多少？", "4862.3亿元", "4.5%"),
    # no scope named: the whole city (428亿元), not the municipal level (157亿元)
    ("How much general public budget revenue did Jianglan collect in 2023?", "428亿元", "157亿元"),
])
def test_headline_figures(answerer, searcher, question, fact, wrong):
    a = ask(answerer, searcher, question)
    assert fact in a.answer and wrong not in a.answer


def test_quantity_answer_is_trimmed_to_its_clause(answerer, searcher):
    a = ask(answerer, searcher, "江岚市2023年的地区生产总值是多少？")
    assert "外部需求" not in a.answer  # the sentence's preamble is cut
    assert len(a.answer) < 60


def test_sentence_without_a_year_takes_its_paragraphs_year(answerer):
    """"其中，…" continues the previous sentence: for a 2024 question the 2023 paragraph's figures lose to
    the 2024 ones even though the 2023 sentence matches the question's words better."""
    from rag.types import Chunk, Hit

    def hit(cid, text):
        return Hit(Chunk(cid, "d", "预算报告", "d.txt", ["预算报告", "（四）科技投入"], text, 0, len(text), 1, 1), 1.0)

    hits = [hit("a", "2023年，全市科技专项资金支出96亿元。其中，基础研究投入31亿元，成果转化投入65亿元。"),
            hit("b", "2024年，全市科技专项资金安排基础研究34亿元，成果转化安排70亿元。")]
    a = answerer.analyse("2024年全市基础研究投入多少？")
    cands = answerer.candidates(a, hits)
    by_text = {c.sentence: c for c in cands}
    assert by_text["其中，基础研究投入31亿元，成果转化投入65亿元。"].years == frozenset({"2023"})
    assert cands[0].hit.chunk.chunk_id == "b"


def test_multi_part_question_gets_a_sentence_per_part(answerer, searcher):
    a = ask(answerer, searcher, "江岚市政府债务余额在2023年末有多少？一般债务和专项债务又各有多少？")
    assert all(f in a.answer for f in ("1360亿元", "472亿元", "888亿元")), a.answer
    # both sentences come from one passage: its citation carries both, so the UI highlights both
    cited = {s for c in a.citations for s in c.sentences}
    assert any("1360亿元" in s for s in cited) and any("472亿元" in s for s in cited)
    assert not any("1360亿元" in s and "472亿元" in s for s in cited)  # two sentences, not one
    # a part with nothing of its own ("增长了多少？") adds no sentence: the first part's answers it
    b = ask(answerer, searcher, "江岚的市级交通运输支出在2023年有多少？较上年增长了多少？")
    assert "27亿元" in b.answer and "38.5%" in b.answer and len(b.citations) == 1
