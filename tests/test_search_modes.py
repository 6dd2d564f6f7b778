"""Search modes on a small inline corpus (five one-section documents of an invented district): keyword
search finds an exact rare token, dense search a paraphrase that shares no word with its passage,
hybrid both (and the closest-sentence ranking); hybrid scores are the weighted reciprocal-rank fusion of the
rankings it reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.config import Config
from rag.indexer import build_index
from rag.retrieve import Retriever
from tests.corpus import write_docs

DOCS = {
    "pumps.txt": "青湖区设备台账\n\n一、编号说明\n水泵机组编号QX7731，安装于东郊泵站。\n",
    "pricing.txt": "青湖区文件汇编\n\n一、文件规定\n该文件规定了供水价格的调整办法和听证程序。\n",
    "greening.txt": "青湖区绿化简报\n\n一、绿化\n全区新增绿化植树12万株，新建街心绿地40处。\n",
    "roads.txt": "青湖区交通简报\n\n一、道路\n全区新建城市道路86公里，改造背街小巷120条。\n",
    "schools.txt": "青湖区教育简报\n\n一、学校\n全区新建中小学校9所，新增学位1.2万个。\n",
}
RARE_TOKEN = "QX7731"  # in pumps.txt only
PARAPHRASE = "学生有多少个新座位？"  # schools.txt's 新增学位, in other words: no word in common


@pytest.fixture(scope="module")
def modes_retriever(tmp_path_factory) -> Retriever:
    root = tmp_path_factory.mktemp("search-modes")
    docs = write_docs(root / "docs", DOCS)
    cfg = Config(index_dir=root / "indexes", index_name="modes")
    build_index([docs], cfg, progress=False)
    return Retriever.open(cfg)


def names(hits) -> list[str]:
    return [Path(h.chunk.doc_path).name for h in hits]


def test_keyword_mode_finds_an_exact_rare_token(modes_retriever):
    hits = modes_retriever.search(RARE_TOKEN, k=5, mode="bm25")
    assert names(hits)[0] == "pumps.txt"
    assert set(names(hits)) == {"pumps.txt"}  # keyword search returns only passages holding a query term
    assert names(modes_retriever.search(RARE_TOKEN, k=5, mode="hybrid"))[0] == "pumps.txt"


def test_dense_mode_finds_a_paraphrase_keywords_cannot(modes_retriever):
    assert modes_retriever.search(PARAPHRASE, k=5, mode="bm25") == []  # no shared word: nothing to match
    dense = modes_retriever.search(PARAPHRASE, k=5, mode="dense")
    assert names(dense)[0] == "schools.txt" and len(dense) == 5  # dense search ranks every passage
    assert names(modes_retriever.search(PARAPHRASE, k=5, mode="hybrid"))[0] == "schools.txt"


def test_hybrid_scores_fuse_the_ranks_of_both_modes(modes_retriever):
    """Each hybrid hit carries its rank in the dense, the keyword and the closest-sentence ranking; its score
    is dense_weight / (rrf_k + dense rank) + bm25_weight / (rrf_k + keyword rank) + sentence_weight /
    (rrf_k + sentence rank), and the ranks are the positions the single rankings give."""
    cfg = modes_retriever.cfg
    if cfg.fusion != "rrf":
        pytest.skip(f"fusion is {cfg.fusion!r}, not rank fusion")
    query = "全区新建了多少公里城市道路？"  # no year: no year penalty
    hybrid = modes_retriever.search(query, k=5, mode="hybrid")
    dense = [h.chunk.chunk_id for h in modes_retriever.search(query, k=len(modes_retriever.store.chunks), mode="dense")]
    bm25 = [h.chunk.chunk_id for h in modes_retriever.search(query, k=len(modes_retriever.store.chunks), mode="bm25")]
    near = [i for i, _ in modes_retriever.sentence_ranking(modes_retriever.prepare(query), max(cfg.candidates, 5))]
    assert near, "the index has no sentence ranking"
    assert names(hybrid)[0] == "roads.txt"
    for h in hybrid:
        cid = h.chunk.chunk_id
        assert h.dense_rank == dense.index(cid) + 1
        assert h.bm25_rank == (bm25.index(cid) + 1 if cid in bm25 else None)
        expected = cfg.dense_weight / (cfg.rrf_k + h.dense_rank)
        if h.bm25_rank:
            expected += cfg.bm25_weight / (cfg.rrf_k + h.bm25_rank)
        ids = [c.chunk_id for c in modes_retriever.store.chunks]
        rank = h.extras.get("sentence_rank")
        assert rank == ([ids[i] for i in near].index(cid) + 1 if cid in [ids[i] for i in near] else None)
        if rank:
            expected += cfg.sentence_weight / (cfg.rrf_k + rank)
        assert h.score == pytest.approx(expected)
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)


def test_unknown_mode_is_refused(modes_retriever):
    with pytest.raises(ValueError, match="unknown mode 'nope'"):
        modes_retriever.search("x", mode="nope")


def test_dense_spread_needs_fifty_passages(modes_retriever):
    """Five passages are too few to tell how far the closest one stands out of the rest: no spread (the
    answerer reads its fitted stand-in)."""
    assert all("dense_spread" not in h.extras for h in modes_retriever.search("全区新建了多少公里城市道路？", k=5))


def test_hits_carry_how_far_the_closest_passage_stands_out(tmp_path):
    """With 50 or more passages every hybrid or dense hit carries the dense ranking's spread (the closest score
    minus the 10th's, the mean's and the 50th's: the topic model's evidence), measured on the store's own
    scores of the passages a search doesn't rank down (title lines, front matter), whatever the number of
    candidates configured; keyword search and a filtered search have none."""
    from rag.retrieve import dense_spread
    from rag.store import FLAG_FRONT

    docs = dict(DOCS)
    things = ["路灯", "公厕", "停车位", "公交站", "垃圾站", "菜市场", "健身点", "充电桩", "消防栓", "报刊亭"]
    for i in range(60):
        docs[f"extra{i}.txt"] = f"青湖区设施简报第{i}期\n\n一、设施\n第{i % 6 + 1}街道新增{things[i % 10]}{i * 7 + 3}个。\n"
    root = write_docs(tmp_path / "docs", docs)
    cfg = Config(index_dir=tmp_path / "indexes", index_name="spread")
    build_index([root], cfg, progress=False)
    retriever = Retriever.open(cfg)
    question = "全区新建了多少公里城市道路？"
    qvec = retriever.embedder.embed_query(retriever.prepare(question).text)
    raw = retriever.dense_hits(qvec, cfg.candidates)
    flags = retriever.store.flags(np.array([i for i, _ in raw], dtype=np.int64))
    assert any(f & FLAG_FRONT for f in flags), "no title chunk among the candidates"
    expected = dense_spread([s for (_, s), f in zip(raw, flags) if not f & FLAG_FRONT])
    assert expected is not None
    for mode in ("hybrid", "dense"):
        hits = retriever.search(question, k=5, mode=mode)
        assert {h.extras.get("dense_spread") for h in hits} == {expected}
    s10, s_mean, s_last = expected
    assert 0.0 <= s10 <= s_last and 0.0 <= s_mean <= s_last
    few = Retriever.open(cfg.replace(candidates=10))
    assert {h.extras.get("dense_spread") for h in few.search(question, k=5)} == {expected}
    assert all("dense_spread" not in h.extras for h in retriever.search("道路", k=5, mode="bm25"))
    assert all("dense_spread" not in h.extras for h in retriever.search(question, k=5, doc="roads.txt"))


def test_a_small_corpus_refuses_off_topic_questions_and_answers_its_own(tmp_path):
    """Too few passages for a spread (title chunks among them): the topic model reads its fitted stand-in and
    still refuses a question about something else, in either language, and answers the corpus' own."""
    from rag.assistant import Assistant

    docs = dict(DOCS)
    for i, (thing, n) in enumerate([("路灯", 310), ("公厕", 14), ("停车位", 2600), ("公交站", 45), ("垃圾站", 19),
                                    ("菜市场", 6), ("健身点", 33)]):
        docs[f"extra{i}.txt"] = f"青湖区设施简报{i}\n\n一、设施\n全区新增{thing}{n}个。\n"
    root = write_docs(tmp_path / "docs", docs)
    cfg = Config(index_dir=tmp_path / "indexes", index_name="small")
    build_index([root], cfg, progress=False)
    assistant = Assistant(cfg)
    assert all("dense_spread" not in h.extras for h in assistant.retrieve("全区新增了多少个路灯？"))
    for off_topic in ("光合作用发生在细胞的哪个部位？", "Who won the 1998 World Cup final?"):
        assert assistant.ask(off_topic).refused, off_topic
    got = assistant.ask("全区新增了多少个路灯？")
    assert not got.refused and "310" in got.answer, got.answer
