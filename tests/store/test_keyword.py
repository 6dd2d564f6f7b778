"""The BM25 keyword index: bm25s' scores exactly, bm25s' files both ways, work per query = postings."""

from __future__ import annotations

import random

import numpy as np
import pytest

from rag.backends.keyword import KeywordIndex


def _corpus(seed: int = 1, n: int = 800) -> list[list[str]]:
    rnd = random.Random(seed)
    words = [f"词{i}" for i in range(200)]
    return [[rnd.choice(words[: rnd.randint(3, 200)]) for _ in range(rnd.randint(1, 40))] for _ in range(n)]


def _bm25s_scores(model, weighted: dict[str, float], n: int) -> np.ndarray:
    """What the retriever computed before: w * bm25s.get_scores([tok]) summed token by token."""
    out = np.zeros(n, np.float32)
    for tok, w in weighted.items():
        if tok in model.vocab_dict and w > 0:
            out += w * model.get_scores([tok])
    return out


def test_scores_equal_bm25s_bit_for_bit(tmp_path):
    bm25s = pytest.importorskip("bm25s")
    docs = _corpus()
    ref = bm25s.BM25()
    ref.index(docs, show_progress=False)
    mine = KeywordIndex.build(docs)
    mine.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")  # memory-mapped
    theirs = bm25s.BM25.load(str(tmp_path / "kw"), allow_pickle=False, show_progress=False)  # our files in bm25s
    rnd = random.Random(2)
    for _ in range(100):
        q = {f"词{rnd.randrange(220)}": rnd.choice([1.0, 0.5, 0.577]) for _ in range(rnd.randint(1, 6))}
        want = _bm25s_scores(ref, q, len(docs))
        assert np.array_equal(mine.dense_scores(q), want)
        assert np.array_equal(loaded.dense_scores(q), want)
        assert np.array_equal(_bm25s_scores(theirs, q, len(docs)), want)
        ids, s = loaded.scores(q)
        assert np.array_equal(ids, np.nonzero(want)[0]) and np.array_equal(s, want[ids])


def test_a_query_reads_only_its_tokens_postings(tmp_path):
    docs = [["收入"] if i % 1000 == 0 else ["支出", "增长"] for i in range(20_000)]
    idx = KeywordIndex.build(docs)
    idx.save(tmp_path / "kw")
    loaded = KeywordIndex.load(tmp_path / "kw")
    assert loaded.data.bytes_read == loaded.indices.bytes_read == 0  # nothing read until a query asks
    ids, scores = loaded.scores({"收入": 1.0, "没有": 1.0})
    assert ids.tolist() == list(range(0, 20_000, 1000)) and (scores > 0).all()
    # exactly the 20 postings of 收入 (4-byte ids and scores), of 40,020 in all
    assert loaded.indices.bytes_read == loaded.data.bytes_read == 20 * 4


def test_empty_documents_and_unknown_tokens():
    idx = KeywordIndex.build([[], ["甲"], []])
    assert idx.num_docs == 3
    assert idx.scores({"乙": 1.0})[0].size == 0
    assert idx.scores({"甲": 1.0})[0].tolist() == [1]


def test_built_block_by_block_on_disk_equals_in_memory(tmp_path):
    docs = _corpus(seed=3, n=1500) + [[]]
    mem = KeywordIndex.build(docs)
    vocab = mem.vocab
    ids = [np.array([vocab[t] for t in d], np.int64) for d in docs]
    blocks = [(np.concatenate(ids[s:s + 200]), np.array([len(x) for x in ids[s:s + 200]])) for s in range(0, len(ids), 200)]
    disk = KeywordIndex.from_blocks(blocks, vocab, tmp_path / "kw", pass_pairs=997)
    assert [p.name for p in tmp_path.iterdir()] == ["kw"]  # the scratch folder is gone
    assert np.array_equal(np.asarray(disk.indptr), mem.indptr)
    assert np.array_equal(np.asarray(disk.indices), mem.indices) and np.array_equal(np.asarray(disk.data), mem.data)
    disk.save(tmp_path / "copy")  # linked
    assert np.array_equal(np.asarray(KeywordIndex.load(tmp_path / "copy").data), mem.data)


def test_top_scores_bound_what_they_leave_out():
    """The best k documents with exact scores, and no document left out scores above the bound; exact
    scores of any documents by binary search in the posting lists."""
    docs = _corpus(seed=5, n=3000)
    idx = KeywordIndex.build(docs)
    rnd = random.Random(7)
    for _ in range(200):
        q = {f"词{rnd.randrange(200)}": rnd.choice([1.0, 0.5]) for _ in range(rnd.randint(2, 6))}
        full = idx.dense_scores(q)
        ids, s, bound = idx.top_scores(q, 50)
        assert np.array_equal(s, full[ids]) and np.all(np.diff(ids) > 0)
        outside = np.delete(full, ids)
        assert len(ids) >= min(50, np.count_nonzero(full))
        assert not len(outside) or outside.max() <= bound
        assert s.min(initial=np.inf) >= bound
        assert np.array_equal(idx.scores_for(q, np.arange(3000)), full)
