"""CorpusStats: computed once per store; a large store answers from its keyword index without reading
every chunk."""

from __future__ import annotations

import math

import pytest

from rag.answer import corpus as corpus_mod
from rag.answer.corpus import CorpusStats
from rag.types import Chunk


def _chunk(i: int, text: str) -> Chunk:
    return Chunk(f"c{i}", "d1", "青湖年报", "q.md", ["青湖年报"], text, 0, len(text), 1, 1)


class SmallStore:
    def __init__(self, texts):
        self.chunks = [_chunk(i, t) for i, t in enumerate(texts)]
        self.bridge, self.manifest = {}, {}
        self.reads = 0

    @property
    def n_chunks(self):
        return len(self.chunks)

    def doc_freq(self, token):
        return None


class BigStore:
    """A store too big to scan: iterating its chunks fails the test; doc_freq comes from a token table."""

    def __init__(self, dfs: dict[str, int], n: int):
        self.dfs, self.n_chunks = dfs, n
        self.bridge, self.manifest = {"water": ["水"]}, {"profile": None}

    @property
    def chunks(self):
        raise AssertionError("a large store's chunks must not be read whole")

    def doc_freq(self, token):
        return self.dfs.get(token, 0)


def test_stats_are_computed_once_per_store():
    store = SmallStore(["2023年青湖区供水45万吨", "2024年青湖区新建水厂3座", "2024年污水处理率96%"])
    a, b = CorpusStats.of(store), CorpusStats.of(store)
    assert a is b
    assert a.current_year == 2024 and a.in_corpus("水厂") and not a.in_corpus("机场")
    assert a.idf("青湖区") < a.idf("水厂")
    assert CorpusStats.of(SmallStore(["x"])) is not a


def test_a_large_store_uses_token_document_frequencies(monkeypatch):
    monkeypatch.setattr(corpus_mod, "FULL_SCAN_AT", 100)
    store = BigStore({"年": 900, "2023": 400, "2024": 300, "2019": 5, "水厂": 3, "供水": 50}, n=1000)
    stats = CorpusStats.of(store)
    assert stats.current_year == 2024  # the later of the two most named years
    assert stats.idf("水厂") == pytest.approx(math.log(1001 / 3.5))
    assert stats.idf("新建水厂") > stats.idf("水厂")  # the rarest token decides (新建: in no chunk)
    assert stats.in_corpus("供水") and not stats.in_corpus("机场")
    assert stats.bridge == {"water": ["水"]}
