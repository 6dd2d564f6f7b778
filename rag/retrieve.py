"""Retrieving: hybrid dense (FAISS) + BM25 search, and (local indexes up to 10,000 passages) passages ranked
by their sentence closest to the question, fused with weighted reciprocal rank fusion.

English questions get an offline lexical bridge (CC-CEDICT + the domain profile's glossary, built into the
index) so BM25 finds Chinese passages; chunks in the other script and non-prose front matter are ranked down
in dense search. The retriever carries the index's domain profile (:mod:`rag.profile`: the one the index was
built with, unless the config names one) for the answerer. A query is
read up to ``cfg.max_question_chars`` characters (the question limit of every shell), and the embedder
reads only its first :data:`rag.embed.QUERY_CHARS`, so even a huge query from a library caller is cheap.

>>> r = Retriever.open(Config())          # doctest: +SKIP
>>> r.search("2024年全市一般公共预算收入预计是多少？", k=1)[0].chunk.text[:20]   # doctest: +SKIP
'——全市一般公共预算收入预计2587亿元'
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.bridge import expand, query_gloss_words, set_profile_terms
from rag.config import Config
from rag.embed import Embedder, cache_file, get_embedder
from rag.profile import Profile, index_profile
from rag.sentences import RANKING_MAX_CHUNKS, SentenceRanking
from rag.store import FLAG_EN, FLAG_FRONT, Store, StoreBase
from rag.tokenize import script_of, tokenize, years_in
from rag.types import SPREAD, Chunk, Hit

MODES = ("hybrid", "dense", "bm25")
# a filtered dense search ranks every allowed chunk when there are at most this many (else the best 2n, and at
# least 2 * SPREAD_DEPTH)
FILTER_EXACT = 5000
# from this many chunks a hybrid search ranks keywords in a second thread (beside embedding + dense search)
PARALLEL_AT = 50_000
# keyword candidates ranked in full before the rest is bounded (see Retriever.bm25_ranking; 0: all of them)
KEYWORD_TOP = 200


@dataclass
class Query:
    """A prepared query: its text, script, and weighted BM25 tokens."""

    text: str
    lang: str
    tokens: dict[str, float] = field(default_factory=dict)
    bridged: list[tuple[str, float]] = field(default_factory=list)
    gloss_tokens: dict[str, float] = field(default_factory=dict)  # English stems for the gloss index


class Retriever:
    """Loads the index and embedder once; ``search`` is then cheap."""

    def __init__(self, store: StoreBase, embedder: Embedder, cfg: Config, profile: Profile | None = None):
        self.store = store
        self.embedder = embedder
        self.cfg = cfg
        # the domain profile: given, else the config's, else the one the index was built with
        self.profile = profile or index_profile(store.manifest, cfg.profile)
        # nothing here reads every chunk: per-chunk flags are read for the candidates of a query only
        self._majority = store.majority_lang
        self._filters: dict[tuple[str | None, str | None], np.ndarray | None] = {}
        self._sentences: SentenceRanking | None | bool = False  # False: not loaded yet (on the first search)
        self._sentences_lock = threading.Lock()

    @classmethod
    def open(cls, cfg: Config) -> "Retriever":
        """Open the index of ``cfg`` with its domain profile (``cfg.profile``, else the one recorded in the
        index); :class:`rag.store.StoreError` or :class:`rag.profile.ProfileError` (one line) if it can't."""
        embedder = get_embedder(cfg.embedder, cfg.threads)
        profile = index_profile(Store.read_manifest(cfg.index_path), cfg.profile)
        with profile.bridge_terms():  # (an index of an older keyword version is re-keyed with the profile it
            # records, this one only if that can't be read)
            store = Store.load(cfg.index_path, embedder.name, store=cfg.store)
        # callers that don't know the profile (the citation check of LLM answers) use its glossary
        set_profile_terms(profile.glossary(), profile.en_stop)
        return cls(store, embedder, cfg, profile)

    def prepare(self, text: str) -> Query:
        text = text[: max(1, self.cfg.max_question_chars)]
        lang = script_of(text)
        tokens: dict[str, float] = {}
        for t in tokenize(text):
            tokens[t] = max(tokens.get(t, 0.0), 1.0)
        # the profile's terms for the question's everyday words (老板: 用人单位) are searched for too
        for _, _, terms in self.profile.synonyms_in(text):
            for term in terms:
                for t in tokenize(term):
                    tokens[t] = max(tokens.get(t, 0.0), 1.0)
        bridged: list[tuple[str, float]] = []
        gloss: dict[str, float] = {}
        if lang == "en" and self.cfg.bridge:
            bridged = expand(text, self.store.bridge, self.profile.en_stop)
            for term, w in bridged:
                for t in tokenize(term):
                    tokens[t] = max(tokens.get(t, 0.0), w)
            gloss = {w: 1.0 for w in query_gloss_words(text, self.profile.en_stop)}
        return Query(text, lang, tokens, bridged, gloss)

    def _allowed(self, doc: str | None, section: str | None) -> np.ndarray | None:
        """Ids passing the filters (None: no filter), remembered for the last few filters asked."""
        if not doc and not section:
            return None
        key = (doc or None, section or None)
        if key not in self._filters:
            if len(self._filters) >= 32:
                self._filters.pop(next(iter(self._filters)))
            self._filters[key] = self.store.allowed_ids(doc, section)
        return self._filters[key]

    def dense_hits(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The store's closest chunks to ``qvec`` with their cosine scores, before any re-ranking: every allowed
        chunk when a filter leaves few (exact, as an unfiltered search of 2n is), else 2n and at least twice
        :data:`SPREAD_DEPTH` (room for the hub chunks the spread leaves out)."""
        k = len(allowed) if allowed is not None and len(allowed) <= FILTER_EXACT else max(n * 2, 2 * SPREAD_DEPTH)
        return self.store.dense_search(qvec, k, allowed)

    def dense_ranking(self, q: Query, n: int, allowed: np.ndarray | None = None,
                      qvec: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The top ``n`` of :meth:`dense_hits` after hub chunks (front matter, a minority script's own chunks)
        are ranked down."""
        return self._dense(q, n, allowed, qvec)[0]

    def _dense(self, q: Query, n: int, allowed: np.ndarray | None,
               qvec: np.ndarray | None) -> tuple[list[tuple[int, float]], tuple[float, float, float] | None]:
        """:meth:`dense_ranking` and the :func:`dense_spread` of the chunks no hub factor ranks down (a title
        line sits close to any question in its language; in a small corpus the ranked-down chunks would fill
        the tail); no spread under a filter (measured over the filter's chunks only, it would mean something
        else than the topic model was fitted on)."""
        hits = self.dense_hits(self.embedder.embed_query(q.text) if qvec is None else qvec, n, allowed)
        if not hits:
            return [], None
        hub = self._hubs(q, np.array([i for i, _ in hits], dtype=np.int64))
        spread = dense_spread([s for (_, s), h in zip(hits, hub) if not h]) if allowed is None else None
        factor = np.where(hub, self.cfg.lang_mismatch_penalty, 1.0)
        out = [(i, s * f) for (i, s), f in zip(hits, factor)]
        out.sort(key=lambda x: -x[1])
        return out[:n], spread

    def sentence_ranking(self, q: Query, n: int, allowed: np.ndarray | None = None,
                         qvec: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Chunks by their sentence closest to the query (empty when the index has no sentence ranking: off,
        a big or remote index, no cached sentence vectors); ``qvec``: the query's embedding, if known."""
        ranking = self._sentence_index()
        if ranking is None:
            return []
        hits = ranking.ranking(self.embedder.embed_query(q.text) if qvec is None else qvec, n, allowed)
        if not hits:
            return []
        factor = self._hub_factor(q, np.array([i for i, _ in hits], dtype=np.int64))
        out = [(i, s * f) for (i, s), f in zip(hits, factor)]
        out.sort(key=lambda x: -x[1])
        return out

    def warm(self) -> "Retriever":
        """Load now what the first search would load (the closest-sentence ranking, up to ~1 s on 10,000
        passages), so a server's request never pays for it."""
        self._sentence_index()
        return self

    def _sentence_index(self) -> SentenceRanking | None:
        if self._sentences is False:
            with self._sentences_lock:
                if self._sentences is False:
                    # the local store's small layout only: its chunks are in memory and its ids are their
                    # positions (a big layout or a Milvus collection has neither)
                    chunks = self.store.chunks if isinstance(self.store, Store) else None
                    small = (self.cfg.sentence_weight > 0 and isinstance(chunks, list)
                             and len(chunks) <= RANKING_MAX_CHUNKS)
                    self._sentences = (SentenceRanking.from_cache([c.text for c in chunks], self.embedder.name,
                                                                  cache_file(self.cfg.index_dir)) if small else None)
        return self._sentences or None

    def _hubs(self, q: Query, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` act as hubs that match every query: front matter, and (for a query in the corpus'
        minority script) the few chunks in the query's own script."""
        flags = self.store.flags(ids)
        hub = (flags & FLAG_FRONT) != 0
        if q.lang != self._majority:
            hub |= ((flags & FLAG_EN) != 0) != (self._majority == "en")
        return hub

    def _hub_factor(self, q: Query, ids: np.ndarray) -> np.ndarray:
        """Score multipliers of ``ids``: hubs (:meth:`_hubs`) are ranked down."""
        return np.where(self._hubs(q, ids), self.cfg.lang_mismatch_penalty, 1.0)

    def bm25_ranking(self, q: Query, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        limit = max(4 * n, 200)  # what a backend that ranks by itself (Milvus) returns; the local one returns all
        for top in ((max(KEYWORD_TOP, 2 * n), 16 * max(KEYWORD_TOP, 2 * n)) if allowed is None and KEYWORD_TOP else ()):
            # first the best chunks by raw score and a bound on the rest: kept when the n-th best, ranked down or
            # not, still beats any chunk left out (exact, see KeywordIndex.top_scores); else more, else all
            got = self._keyword_candidates(q, limit, top)
            if got is not None:
                ids, scores, bound = got
                ranked = self._rank_keyword(q, ids, scores, n, None)
                if not bound or (len(ranked) >= n and ranked[n - 1][1] > bound * (1 + 1e-6)):
                    return ranked
        ids, scores, _ = self._keyword_candidates(q, limit, 0)
        return self._rank_keyword(q, ids, scores, n, allowed)

    def _keyword_candidates(self, q: Query, limit: int, top: int) -> tuple[np.ndarray, np.ndarray, float] | None:
        """(ids, scores, bound): the keyword scores of candidate chunks (the best ``top``; 0: all) and what no
        other chunk exceeds (0: the candidates are every matching chunk); None when a bound can't be given."""
        store = self.store
        ids, scores, bound = store.keyword_top(q.tokens, limit=limit, top=top)
        if not q.gloss_tokens:
            return ids, scores, bound
        # English question: Chinese keywords from the bridge + the English-gloss index, each scaled to its
        # best score so neither dominates
        gids, gscores, gbound = store.keyword_top(q.gloss_tokens, gloss=True, limit=limit, top=top)
        if not bound and not gbound:
            ids, scores = _sum_scaled(ids, scores, gids, gscores, store.n_chunks)
            return ids, scores, 0.0
        union = np.union1d(ids, gids)
        a = store.keyword_scores_for(q.tokens, union)
        b = store.keyword_scores_for(q.gloss_tokens, union, gloss=True)
        a_max, b_max = a.max(initial=0), b.max(initial=0)
        if a_max <= bound or b_max <= gbound:  # a list's best may be a chunk left out: its scale is unknown
            return None
        return union, a / a_max + b / b_max, bound / float(a_max) + gbound / float(b_max)

    def _rank_keyword(self, q: Query, ids: np.ndarray, scores: np.ndarray, n: int,
                      allowed: np.ndarray | None) -> list[tuple[int, float]]:
        if not len(ids):
            return []
        if allowed is not None:
            keep = np.isin(ids, allowed)
            ids, scores = ids[keep], scores[keep]
        scores = scores * self._hub_factor(q, ids)
        order = _top(scores, n)  # ids ascending: ties go to the lower id, as before
        return [(int(ids[i]), float(scores[i])) for i in order if scores[i] > 0]

    def search(self, text: str, k: int | None = None, mode: str = "hybrid", doc: str | None = None,
               section: str | None = None, timings: dict | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``text``. ``mode``: hybrid, dense or bm25."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
        k = k or self.cfg.top_k
        t0 = time.perf_counter()
        text = text[: max(1, self.cfg.max_question_chars)]  # bounded tokenizing, bridging and year matching
        q = self.prepare(text)
        allowed = self._allowed(doc, section)
        n = max(self.cfg.candidates, k)
        if allowed is not None and not len(allowed):
            return []
        if mode == "hybrid" and self.store.n_chunks >= PARALLEL_AT:
            # a big index: keyword ranking in a second thread while the query is embedded and searched densely
            # (numpy, FAISS and the embedder release the GIL; 2 cores are 2 cores)
            pending = _pool().submit(self.bm25_ranking, q, n, allowed)
            dense, spread = self._dense(q, n, allowed, None)
            sparse = pending.result()
            near = []
        else:
            qvec = self.embedder.embed_query(q.text) if mode in ("hybrid", "dense") else None  # embedded once
            dense, spread = self._dense(q, n, allowed, qvec) if qvec is not None else ([], None)
            sparse = self.bm25_ranking(q, n, allowed) if mode in ("hybrid", "bm25") else []
            # the closest-sentence ranking takes part in rank fusion only
            near = (self.sentence_ranking(q, n, allowed, qvec)
                    if mode == "hybrid" and self.cfg.fusion == "rrf" else [])
        dense_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        bm25_rank = {i: r for r, (i, _) in enumerate(sparse, 1)}
        if mode == "dense":
            fused = dict(dense)
        elif mode == "bm25":
            fused = dict(sparse)
        elif self.cfg.fusion == "zscore":
            fused = _zscore_fuse(dense, sparse, self.cfg.zscore_dense_weight)
        else:
            fused = rrf_fuse([[i for i, _ in dense], [i for i, _ in sparse], [i for i, _ in near]], self.cfg.rrf_k,
                             (self.cfg.dense_weight, self.cfg.bm25_weight, self.cfg.sentence_weight))
        years = set(years_in(text))
        chunks: dict[int, Chunk] = {}
        if years and self.cfg.year_mismatch_penalty != 1.0 and fused:
            # a question about 2023 and a passage under a heading about 2024 only: rank it down
            chunks = dict(zip(fused, self.store.get_chunks(list(fused))))
            for i in fused:
                sy = section_years(chunks[i])
                if sy and not (sy & years):
                    # subtract rather than multiply: z-score and dense scores can be negative
                    fused[i] -= (1.0 - self.cfg.year_mismatch_penalty) * abs(fused[i])
        order = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        missing = [i for i in order if i not in chunks]
        chunks.update(zip(missing, self.store.get_chunks(missing)))
        if timings is not None:
            timings["retrieve_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        near_rank = {i: r for r, (i, _) in enumerate(near, 1)}
        return [Hit(chunks[i], fused[i], dense_rank.get(i), bm25_rank.get(i),
                    ({"sentence_rank": near_rank[i]} if i in near_rank else {})
                    | ({SPREAD: spread} if spread is not None else {})) for i in order]


SPREAD_DEPTH = 50  # the closest chunks a spread is measured over (the topic model was fitted at this depth):
# fewer (a small corpus) give no spread (the answerer then reads its fitted stand-in)


def dense_spread(scores: Sequence[float]) -> tuple[float, float, float] | None:
    """How the closest chunk stands out of the :data:`SPREAD_DEPTH` closest (``scores``: the store's cosine
    scores, before any re-ranking): its score minus the 10th's, the mean's and the 50th's; None with fewer
    than :data:`SPREAD_DEPTH` scores. The embedding's baseline similarity differs by corpus and by the question's
    language (an English question sits far from Chinese text on topic or not); how the top of the ranking
    stands out of its tail does not: a feature of the answerer's topic model
    (:func:`rag.answer.selector.topic_row`).

    >>> dense_spread([0.9] + [0.8] * 9 + [0.7] * 40)
    (0.1, 0.178, 0.2)
    >>> dense_spread([0.7] * 10 + [0.9] + [0.8] * 9 + [0.7] * 30 + [0.1] * 5)  # any order; the 50 closest
    (0.1, 0.178, 0.2)
    >>> dense_spread([0.9] + [0.8] * 48) is None  # too few to measure a tail
    True
    """
    if len(scores) < SPREAD_DEPTH:
        return None
    top = sorted((float(x) for x in scores), reverse=True)[:SPREAD_DEPTH]
    return (round(top[0] - top[9], 6), round(top[0] - float(np.mean(top)), 6), round(top[0] - top[-1], 6))


def rrf_fuse(rankings, k: float, weights=None) -> dict:
    """Weighted reciprocal rank fusion: each id scores the sum over rankings of ``w / (k + rank)``
    (ranks from 1; an id missing from a ranking gets nothing there). Returns {id: score}, in first-seen order.

    >>> f = rrf_fuse([["a", "b"], ["b", "c"]], k=60)
    >>> sorted(f, key=lambda i: -f[i])
    ['b', 'a', 'c']
    >>> rrf_fuse([["a"], ["a"]], k=0, weights=(1.0, 0.5))
    {'a': 1.5}
    """
    weights = weights or [1.0] * len(rankings)
    fused: dict = {}
    for ranking, w in zip(rankings, weights):
        for r, i in enumerate(ranking, 1):
            fused[i] = fused.get(i, 0.0) + w / (k + r)
    return fused


@lru_cache(maxsize=1)
def _pool():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="rag-keywords")


def _sum_scaled(ids: np.ndarray, scores: np.ndarray, gids: np.ndarray, gscores: np.ndarray,
                n_chunks: int) -> tuple[np.ndarray, np.ndarray]:
    """The union of two (ascending ids, float32 scores) rankings, each scaled to its best score, summed (a
    chunk missing from one counts 0 there): float32, as the sum of two whole-corpus arrays was."""
    a_max, b_max = (scores.max(initial=0) or 1.0), (gscores.max(initial=0) or 1.0)
    positional = (not len(ids) or ids[-1] < n_chunks) and (not len(gids) or gids[-1] < n_chunks)
    if positional and len(ids) + len(gids) > n_chunks // 4:  # long posting lists: arrays of all chunks are cheaper
        a = np.zeros(n_chunks, np.float32)
        b = np.zeros(n_chunks, np.float32)
        a[ids], b[gids] = scores, gscores
        union = np.flatnonzero((a > 0) | (b > 0))
        return union, a[union] / a_max + b[union] / b_max
    union = np.union1d(ids, gids)
    a = np.zeros(len(union), np.float32)
    b = np.zeros(len(union), np.float32)
    a[np.searchsorted(union, ids)] = scores
    b[np.searchsorted(union, gids)] = gscores
    return union, a / a_max + b / b_max


def _top(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` best scores, best first, ties in position order: what a stable argsort of
    ``-scores`` cut at ``n`` gives, without sorting every candidate."""
    if len(scores) <= 4 * n:
        return np.argsort(-scores, kind="stable")[:n]
    kth = np.partition(scores, len(scores) - n)[len(scores) - n]  # the n-th best score
    cand = np.flatnonzero(scores >= kth)  # (ties at the threshold included, in position order)
    return cand[np.argsort(-scores[cand], kind="stable")][:n]


def section_years(chunk: Chunk) -> frozenset[str]:
    """Years named by a chunk's section headings (not the document title, which often names two):
    "一、2023年工作回顾" vs "二、2024年工作安排"."""
    return frozenset(y for h in chunk.section[1:] for y in years_in(h))


def _zscore_fuse(dense: list[tuple[int, float]], sparse: list[tuple[int, float]], w_dense: float) -> dict[int, float]:
    """Sum of standardised scores over the candidate union (a missing score counts as the list's minimum)."""
    out: dict[int, float] = {}
    ids = {i for i, _ in dense} | {i for i, _ in sparse}
    for ranking, w in ((sparse, 1.0), (dense, w_dense)):
        if not ranking:
            continue
        vals = np.array([s for _, s in ranking], dtype=np.float64)
        mu, sd = vals.mean(), vals.std() or 1.0
        got = dict(ranking)
        floor = vals.min()
        for i in ids:
            out[i] = out.get(i, 0.0) + w * (got.get(i, floor) - mu) / sd
    return out
