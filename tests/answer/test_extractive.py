"""The offline answerer on the real sample index: figures, citations, language, refusals."""

from __future__ import annotations

import pytest

from rag.answer.extractive import OfflineAnswerer


@pytest.fixture(scope="module")
def answerer(retriever):
    return OfflineAnswerer(retriever.store, retriever.cfg.refusal_threshold)


def ask(answerer, retriever, q):
    return answerer.answer(q, retriever.search(q, k=5))


def test_chinese_answer_holds_the_figure_and_cites_it(answerer, retriever):
    a = ask(answerer, retriever, "2024年全市一般公共预算收入预计是多少？")
    assert not a.refused and a.lang == "zh"
    assert "2587亿元" in a.answer and "6%" in a.answer
    assert a.citations and "2587亿元" in a.citations[0].text
    assert f"[{a.citations[0].n}]" in a.answer
    assert "2587亿元" in a.citations[0].sentence


def test_year_agreement_picks_the_2023_figure(answerer, retriever):
    a = ask(answerer, retriever, "2023年全市一般公共预算收入是多少？")
    assert "2441亿元" in a.answer and "2587" not in a.answer


def test_scope_agreement_municipal_vs_citywide(answerer, retriever):
    a = ask(answerer, retriever, "2023年市级一般公共预算收入是多少？")
    assert "827亿元" in a.answer


def test_english_answer_frames_chinese_evidence(answerer, retriever):
    a = ask(answerer, retriever, "What is the 2024 target for the surveyed urban unemployment rate?")
    assert a.lang == "en" and not a.refused
    assert a.answer.startswith("According to")
    assert "5.5%" in a.answer
    assert a.citations and all(f"[{c.n}]" in a.answer for c in a.citations)


def test_english_figures_rendered_and_kept_verbatim(answerer, retriever):
    a = ask(answerer, retriever, "How much city-wide general public budget revenue is expected in 2024?")
    assert "2587亿元" in a.answer and "258.7 billion yuan" in a.answer
    assert not a.unsupported


def test_refusal_for_an_unrelated_question(answerer, retriever):
    a = ask(answerer, retriever, "火星探测器的着陆时间是哪一天？")
    assert a.refused and a.citations == []
    assert "无法回答" in a.answer
    b = ask(answerer, retriever, "Who won the football world cup final?")
    assert b.refused and "do not contain" in b.answer


def test_every_citation_points_at_a_shown_passage(answerer, retriever):
    for q in ("新增婴幼儿托位多少个？", "How many invention patents per 10,000 people did Chongqing have?"):
        hits = retriever.search(q, k=5)
        a = answerer.answer(q, hits)
        ids = [h.chunk.chunk_id for h in hits]
        for c in a.citations:
            assert 1 <= c.n <= len(hits) and c.chunk_id == ids[c.n - 1]


@pytest.mark.parametrize("question, fact, wrong", [
    # the figure must follow the term: not "每亿元地区生产总值生产安全事故死亡人数0.019" (a death rate)
    ("2023年重庆地区生产总值是多少？", "30145.79亿元", "0.019"),
    # no scope named: the whole city (2441亿元), not the municipal level (827亿元)
    ("How much general public budget revenue did Chongqing collect in 2023?", "2441亿元", "827亿元"),
])
def test_headline_figures(answerer, retriever, question, fact, wrong):
    a = ask(answerer, retriever, question)
    assert fact in a.answer and wrong not in a.answer


def test_quantity_answer_is_trimmed_to_its_clause(answerer, retriever):
    a = ask(answerer, retriever, "2023年重庆地区生产总值是多少？")
    assert "国际环境" not in a.answer  # the sentence's preamble is cut
    assert len(a.answer) < 60


def test_sentence_without_a_year_takes_its_paragraphs_year(answerer):
    """"其中，…" continues the previous sentence: for a 2024 question the 2023 paragraph's figures lose to
    the 2024 ones even though the 2023 sentence matches the question's words better."""
    from rag.types import Chunk, Hit

    def hit(cid, text):
        return Hit(Chunk(cid, "d", "预算报告", "d.txt", ["预算报告", "（五）政府债务"], text, 0, len(text), 1, 1), 1.0)

    hits = [hit("a", "2023年，全市政府债务还本付息支出1899亿元。其中，偿还本金1536亿元，兑付利息363亿元。"),
            hit("b", "2024年，全市政府债务偿还本金安排1149亿元，利息支出安排404亿元。")]
    a = answerer.analyse("2024年全市政府债务偿还本金多少？")
    cands = answerer.candidates(a, hits)
    by_text = {c.sentence: c for c in cands}
    assert by_text["其中，偿还本金1536亿元，兑付利息363亿元。"].years == frozenset({"2023"})
    assert cands[0].hit.chunk.chunk_id == "b"


def test_multi_part_question_gets_a_sentence_per_part(answerer, retriever):
    a = ask(answerer, retriever, "2023年底全市政府债务余额是多少？其中一般债务余额和专项债务余额分别是多少？")
    assert all(f in a.answer for f in ("12258亿元", "3714亿元", "8544亿元")), a.answer
    # both sentences come from one passage: its citation carries both, so the UI highlights both
    cited = {s for c in a.citations for s in c.sentences}
    assert any("12258亿元" in s for s in cited) and any("3714亿元" in s for s in cited)
    # a part with nothing of its own ("增长了多少？") adds no sentence: the first part's answers it
    b = ask(answerer, retriever, "2023年市级住房保障支出是多少？比上年增长了多少？")
    assert "59亿元" in b.answer and "154.8%" in b.answer and len(b.citations) == 1
