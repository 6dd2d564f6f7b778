"""The big-index layout of the local store (chunk texts in SQLite, flags memory-mapped, vectors and postings read
on demand, IVF dense index), forced on a small inline corpus: the same results as the small layout, nothing per query that reads
every chunk, the same safety rules."""

from __future__ import annotations

import dataclasses
import json
import pickle

import numpy as np
import pytest

import rag.store as store_mod
from rag.backends.local import ChunkTable
from rag.config import Config
from rag.indexer import build_index
from rag.retrieve import Retriever
from rag.store import Store, StoreError
from tests.corpus import write_docs

DOCS = {
    "water.txt": "青湖区水务年报\n\n一、供水\n青湖区2024年新建水厂3座，日供水能力达到45万吨。农村自来水普及率达到98%。\n\n"
                 "二、污水处理\n污水处理率提高到96%，新建污水管网120公里。\n\n三、防洪\n完成堤防加固工程18处，长度共计36公里。\n",
    "budget.txt": "松山市财政预算报告\n\n一、2023年预算执行情况\n全市一般公共预算收入412亿元，增长7.5%。税收收入298亿元。\n\n"
                  "二、2024年预算安排\n全市一般公共预算收入预计430亿元，增长4.4%。教育支出安排86亿元，增长6%。\n\n"
                  "三、市级预算\n市级一般公共预算收入预计150亿元。市级教育支出安排21亿元。\n",
    "transport.md": "# 交通发展\n\n## 轨道交通\n\n全年新开通地铁线路2条，运营里程达到210公里。\n\n## 公交\n\n"
                    "新增新能源公交车600辆，公交分担率提升到55%。\n\nAnnual ridership reached 1.2 billion passengers.\n",
}
QUERIES = ["2024年新建水厂多少座？", "教育支出安排多少？", "市级一般公共预算收入预计是多少", "地铁运营里程",
           "How many water plants were built in 2024?", "What is the education spending for 2024?",
           "How long is the metro network?", "sewage treatment rate"]


@pytest.fixture(scope="module")
def two_layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp("layouts")
    docs = write_docs(root / "docs", DOCS)
    small = Config(index_dir=root / "idx", index_name="small")
    build_index([docs], small, progress=False)
    large = Config(index_dir=root / "idx", index_name="large")
    mp = pytest.MonkeyPatch()
    mp.setattr(store_mod, "LARGE_AT", 1)  # every index is "big"
    try:
        build_index([docs], large, progress=False)
    finally:
        mp.undo()
    return small, large, docs


def _ranked(r: Retriever, q: str, **kw) -> list[tuple[str, float]]:
    """Ids and scores (to 5 digits: FAISS and numpy sum float32 products in different orders)."""
    return [(h.chunk.chunk_id, round(h.score, 5)) for h in r.search(q, k=5, **kw)]


def test_big_layout_files_and_manifest(two_layouts):
    _, large, _ = two_layouts
    path = large.index_path
    names = {p.name for p in path.iterdir()}
    assert {"chunks.sqlite", "flags.npy", "vectors.npy", "dense.faiss", "bm25", "gloss", "bridge.json",
            "manifest.json"} == names
    m = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert m["format_version"] == 3 and m["store"]["layout"] == "sqlite"
    dense = m["store"]["dense"]
    # (recall on a dozen chunks says little: bench/bench_scale.py measures it at 100k and 1M)
    assert dense["kind"] == "ivf" and dense["nprobe"] >= 1 and dense["tuned_on"].endswith("query embeddings")
    assert Store.inspect(path) == ("index", "")
    for f in path.rglob("*"):
        if f.is_file():
            assert not f.read_bytes().startswith(b"\x80"), f
            if f.suffix == ".npy":
                np.load(f, allow_pickle=False)


def test_same_results_as_the_small_layout(two_layouts):
    small, large, _ = two_layouts
    # the big layout has no sentence ranking (rag.sentences.RANKING_MAX_CHUNKS): compare dense + keywords
    small, large = (dataclasses.replace(c, sentence_weight=0.0) for c in (small, large))
    rs, rl = Retriever.open(small), Retriever.open(large)
    assert isinstance(rl.store.chunks, ChunkTable) and isinstance(rs.store.chunks, list)
    for q in QUERIES:
        for mode in ("hybrid", "dense", "bm25"):
            assert _ranked(rs, q, mode=mode) == _ranked(rl, q, mode=mode), (q, mode)
    for kw in ({"section": "市级"}, {"doc": "budget"}, {"doc": "松山市财政预算报告", "section": "2024"}, {"doc": "nothing"}):
        assert _ranked(rs, "教育支出", **kw) == _ranked(rl, "教育支出", **kw), kw


def test_a_search_never_walks_all_chunks(two_layouts, monkeypatch):
    _, large, _ = two_layouts
    r = Retriever.open(large)

    def refuse(*a, **k):
        raise AssertionError("a search read every chunk")

    monkeypatch.setattr(ChunkTable, "__iter__", refuse)
    monkeypatch.setattr(Store, "bm25_scores", refuse)
    monkeypatch.setattr(store_mod, "flags_of", refuse)  # (big indexes read flags.npy, memory-mapped)
    monkeypatch.setattr(pickle, "loads", refuse)
    for q in QUERIES:
        assert r.search(q, k=3)
    assert r.search("教育支出", k=3, section="市级")


def test_chunk_table_is_a_sequence(two_layouts):
    small, large, _ = two_layouts
    a, b = Store.load(small.index_path).chunks, Store.load(large.index_path).chunks
    assert len(a) == len(b) and list(a) == list(b) and a[-1] == b[-1] and b[1:3] == a[1:3]
    assert b.index(a[2]) == 2
    assert Store.load(large.index_path).chunk_by_id(a[1].chunk_id) == a[1]


def test_unchanged_reindex_relinks_and_a_damaged_table_is_one_line(two_layouts, tmp_path):
    _, large, docs = two_layouts
    before = Store.load(large.index_path)
    s = build_index([docs], large, progress=False)
    assert s.up_to_date
    after = Store.load(large.index_path)
    assert list(after.chunks) == list(before.chunks) and after.vectors().shape == before.vectors().shape
    # a damaged copy: its chunk table garbage
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(large.index_path, bad)
    (bad / "chunks.sqlite").write_bytes(b"not a database")
    with pytest.raises(StoreError, match=r"damaged index \(.*\); rebuild it: rag index PATH --index bad --rebuild") as e:
        Store.load(bad)
    assert "\n" not in str(e.value)
    (bad / "flags.npy").unlink()
    shutil.copy2(large.index_path / "chunks.sqlite", bad / "chunks.sqlite")
    with pytest.raises(StoreError, match="damaged index"):
        Store.load(bad)


def test_old_versions_see_a_rebuild_message(two_layouts, tmp_path):
    """An index of a format this version doesn't read names the command that rebuilds it."""
    small, _, _ = two_layouts
    import shutil

    other = tmp_path / "future"
    shutil.copytree(small.index_path, other)
    mf = other / "manifest.json"
    mf.write_text(json.dumps(dict(json.loads(mf.read_text(encoding="utf-8")), format_version=9)), encoding="utf-8")
    with pytest.raises(StoreError, match=r"index format 9 is not one this version reads \(2, 3\); rebuild it"):
        Store.load(other)


def test_milvus_without_the_extra_is_one_line(monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "pymilvus", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "rag.backends.milvus", raising=False)
    with pytest.raises(StoreError, match=r"^the Milvus store needs: pip install -e '\.\[milvus\]'$"):
        store_mod.open_store_backend("milvus")
    with pytest.raises(StoreError, match="unknown store 'nope'"):
        store_mod.open_store_backend("nope")


def test_streamed_keyword_indexes_equal_the_in_memory_ones(two_layouts):
    small, _, _ = two_layouts
    chunks = Store.load(small.index_path).chunks
    a_bm25, a_gloss, a_bridge = Store._keyword_parts(chunks)
    b_bm25, b_gloss, b_bridge = store_mod.keyword_parts_streamed(chunks, block=3)
    assert set(a_bridge) == set(b_bridge)
    for a, b in ((a_bm25, b_bm25), (a_gloss, b_gloss)):
        assert set(a.vocab) <= set(b.vocab)
        for tok in a.vocab:
            assert np.array_equal(a.dense_scores({tok: 1.0}), b.dense_scores({tok: 1.0})), tok


def test_bounded_keyword_candidates_give_the_exhaustive_ranking(two_layouts, monkeypatch):
    """Ranking the best few keyword candidates (bounding the rest) ranks exactly as ranking them all."""
    import rag.retrieve as retrieve_mod

    _, large, _ = two_layouts
    r = Retriever.open(large)
    queries = QUERIES + ["全市一般公共预算收入预计430亿元，增长4.4%", "新建 污水 管网 公里 供水 水厂 年报"]
    monkeypatch.setattr(retrieve_mod, "KEYWORD_TOP", 0)
    want = {(q, m): _ranked(r, q, mode=m) for q in queries for m in ("bm25", "hybrid")}
    monkeypatch.setattr(retrieve_mod, "KEYWORD_TOP", 1)
    for (q, m), ranked in want.items():
        assert _ranked(r, q, mode=m) == ranked, (q, m)


def test_bounded_keyword_ranking_on_many_matching_chunks(monkeypatch):
    """Hundreds of chunks matching the same words (some front matter, some English, ranked down): the best
    few by raw score plus a bound rank exactly as all of them; and when the bound can't be beaten, the
    retriever falls back to all of them."""
    import random

    import rag.retrieve as retrieve_mod
    from rag.types import Chunk

    rnd = random.Random(3)
    words = ["收入", "支出", "预算", "增长", "教育", "交通", "水厂", "污水", "管网", "公交"]
    chunks = []
    for i in range(400):
        en = i % 37 == 0
        text = (" ".join(rnd.choice(["revenue", "budget", "growth", "school"]) for _ in range(8)) if en
                else "".join(rnd.choice(words) for _ in range(rnd.randint(3, 30))) + "。")
        chunks.append(Chunk(f"c{i}", "d", "标题", "p", ["标题", f"第{i % 7}节"], text, 0, len(text), i + 1, i + 1,
                            front_matter=i % 50 == 0))
    vecs = np.random.default_rng(0).normal(size=(400, 8)).astype(np.float32)
    store = Store.build(chunks, vecs / np.linalg.norm(vecs, axis=1, keepdims=True),
                        {"embedder": {"name": "x", "dim": 8}}, large=True)
    cfg = Config(candidates=5)
    r = Retriever(store, None, cfg)
    for q in ["收入预算", "教育支出增长", "污水管网", "水厂", "budget revenue growth", "What was the school budget?"]:
        p = r.prepare(q)
        monkeypatch.setattr(retrieve_mod, "KEYWORD_TOP", 0)
        want = r.bm25_ranking(p, 5)
        monkeypatch.setattr(retrieve_mod, "KEYWORD_TOP", 1)
        assert r.bm25_ranking(p, 5) == want, q
        assert len(want) == 5


def test_ask_on_the_big_layout_reads_no_chunk_beyond_the_hits(two_layouts, monkeypatch):
    """A cited answer on a big index, with the answerer's corpus statistics from the keyword index (no pass
    over every chunk): the chunk table is only read for the hits."""
    from rag.answer import corpus as corpus_mod
    from rag.assistant import Assistant

    _, large, _ = two_layouts
    monkeypatch.setattr(corpus_mod, "FULL_SCAN_AT", 1)
    r = Retriever.open(large)
    monkeypatch.setattr(ChunkTable, "__iter__", lambda self: (_ for _ in ()).throw(AssertionError("read all")))
    a = Assistant(large, r)
    for q, want in (("2024年新建水厂多少座？", "3座"), ("How many water plants were built in 2024?", "3座")):
        ans = a.ask(q)
        assert not ans.refused and want in ans.answer and ans.citations, (q, ans.answer)
    assert a.offline.corpus.current_year == 2024
