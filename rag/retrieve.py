"""Retrieving: hybrid dense (FAISS) + BM25 search fused with weighted reciprocal rank fusion.

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

import time
from dataclasses import dataclass, field

import numpy as np

from rag.bridge import expand, query_gloss_words, set_profile_terms
from rag.config import Config
from rag.embed import Embedder, get_embedder
from rag.profile import Profile, index_profile
from rag.store import Store
from rag.tokenize import script_of, tokenize, years_in
from rag.types import Hit

MODES = ("hybrid", "dense", "bm25")


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

    def __init__(self, store: Store, embedder: Embedder, cfg: Config, profile: Profile | None = None):
        self.store = store
        self.embedder = embedder
        self.cfg = cfg
        # the domain profile: given, else the config's, else the one the index was built with
        self.profile = profile or index_profile(store.manifest, cfg.profile)
        self._chunk_lang = np.array([script_of(c.text) for c in store.chunks])
        self._front = np.array([c.front_matter for c in store.chunks], dtype=bool)
        # years named by each chunk's section headings (not the document title, which often names two):
        # "一、2023年工作回顾" vs "二、2024年工作安排"
        self._section_years = [frozenset(y for h in c.section[1:] for y in years_in(h)) for c in store.chunks]
        langs, counts = np.unique(self._chunk_lang, return_counts=True) if len(store.chunks) else ([], [])
        self._majority = str(langs[int(np.argmax(counts))]) if len(langs) else "zh"

    @classmethod
    def open(cls, cfg: Config) -> "Retriever":
        """Open the index of ``cfg`` with its domain profile (``cfg.profile``, else the one recorded in the
        index); :class:`rag.store.StoreError` or :class:`rag.profile.ProfileError` (one line) if it can't."""
        embedder = get_embedder(cfg.embedder, cfg.threads)
        profile = index_profile(Store.read_manifest(cfg.index_path), cfg.profile)
        with profile.bridge_terms():  # an index of an older keyword version is re-keyed with its profile
            store = Store.load(cfg.index_path, embedder.name)
        # callers that don't know the profile (the citation check of LLM answers) use its glossary
        set_profile_terms(profile.glossary(), profile.en_stop)
        return cls(store, embedder, cfg, profile)

    def prepare(self, text: str) -> Query:
        text = text[: max(1, self.cfg.max_question_chars)]
        lang = script_of(text)
        tokens: dict[str, float] = {}
        for t in tokenize(text):
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
        if not doc and not section:
            return None
        mask = np.ones(len(self.store.chunks), dtype=bool)
        for i, c in enumerate(self.store.chunks):
            if doc and doc not in (c.doc_id, c.doc_title) and doc not in c.doc_path:
                mask[i] = False
            elif section and not any(section in s for s in c.section):
                mask[i] = False
        return mask

    def dense_ranking(self, q: Query, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        qvec = self.embedder.embed_query(q.text)
        hits = self.store.dense_search(qvec, len(self.store.chunks) if mask is not None else n * 2)
        factor = self._hub_factor(q)
        out = [(i, s * factor[i]) for i, s in hits if mask is None or mask[i]]
        out.sort(key=lambda x: -x[1])
        return out[:n]

    def _hub_factor(self, q: Query) -> np.ndarray:
        """Score multipliers: front matter, and (for a query in the corpus' minority script) the few
        chunks in the query's own script, act as hubs that match every query: rank them down."""
        hub = self._front.copy()
        if q.lang != self._majority:
            hub |= self._chunk_lang != self._majority
        return np.where(hub, self.cfg.lang_mismatch_penalty, 1.0)

    def bm25_ranking(self, q: Query, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = self.store.bm25_scores(q.tokens)
        if q.gloss_tokens:
            # English question: Chinese keywords from the bridge + the English-gloss index, each scaled
            # to its best score so neither dominates
            gloss = self.store.bm25_scores(q.gloss_tokens, gloss=True)
            scores = scores / (scores.max() or 1.0) + gloss / (gloss.max() or 1.0)
        scores = scores * self._hub_factor(q)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[:n]
        return [(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def search(self, text: str, k: int | None = None, mode: str = "hybrid", doc: str | None = None,
               section: str | None = None, timings: dict | None = None) -> list[Hit]:
        """Top ``k`` chunks for ``text``. ``mode``: hybrid, dense or bm25."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
        k = k or self.cfg.top_k
        t0 = time.perf_counter()
        text = text[: max(1, self.cfg.max_question_chars)]  # bounded tokenizing, bridging and year matching
        q = self.prepare(text)
        mask = self._allowed(doc, section)
        n = max(self.cfg.candidates, k)
        dense = self.dense_ranking(q, n, mask) if mode in ("hybrid", "dense") else []
        sparse = self.bm25_ranking(q, n, mask) if mode in ("hybrid", "bm25") else []
        dense_rank = {i: r for r, (i, _) in enumerate(dense, 1)}
        bm25_rank = {i: r for r, (i, _) in enumerate(sparse, 1)}
        if mode == "dense":
            fused = dict(dense)
        elif mode == "bm25":
            fused = dict(sparse)
        elif self.cfg.fusion == "zscore":
            fused = _zscore_fuse(dense, sparse, self.cfg.zscore_dense_weight)
        else:
            fused = {}
            for ranks, w in ((dense_rank, self.cfg.dense_weight), (bm25_rank, self.cfg.bm25_weight)):
                for i, r in ranks.items():
                    fused[i] = fused.get(i, 0.0) + w / (self.cfg.rrf_k + r)
        years = set(years_in(text))
        if years and self.cfg.year_mismatch_penalty != 1.0:
            # a question about 2023 and a passage under a heading about 2024 only: rank it down
            for i in fused:
                if self._section_years[i] and not (self._section_years[i] & years):
                    # subtract rather than multiply: z-score and dense scores can be negative
                    fused[i] -= (1.0 - self.cfg.year_mismatch_penalty) * abs(fused[i])
        order = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        if timings is not None:
            timings["retrieve_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        return [Hit(self.store.chunks[i], fused[i], dense_rank.get(i), bm25_rank.get(i)) for i in order]


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
