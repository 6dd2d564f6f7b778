"""What the offline answerer knows of the whole corpus: term IDF, whether a term occurs at all, the
documents' "this year", the English bridge and the manifest (for the domain profile).

Computed once per store and shared by every answerer over it (the web UI and the API make an answerer per
request). A small corpus is read whole: IDF is substring document frequency, so any string has one. A large
one (:data:`FULL_SCAN_AT` chunks or more, where a pass over every text per question would be O(N)) answers
from the keyword index instead: a term's document frequency is that of its rarest BM25 token, and the
"this year" count is the number of chunks that name each year.

>>> stats = CorpusStats(["2023年收入增长", "2024年收入预计", "2024年支出"])
>>> stats.idf("收入") < stats.idf("支出")
True
>>> stats.in_corpus("支出"), stats.in_corpus("债务")
(True, False)
>>> stats.current_year
2024
"""

from __future__ import annotations

import math
import threading
import weakref
from typing import Callable, Iterable

from rag.lexicon import YEAR_NIAN

FULL_SCAN_AT = 50_000  # chunks from which the statistics come from the keyword index, not a pass over the texts
IDF_CACHE = 100_000  # terms whose IDF is remembered (a server lives long: the cache starts over when full)
YEARS = range(1000, 2100)  # the years a dated year word can name (rag.lexicon.YEAR_NIAN)


class CorpusStats:
    """Corpus-wide statistics for the answerer. ``texts``: every chunk's text as the answerer reads it (a
    small corpus; ``year_texts``, if given, are read for "this year" instead); or ``doc_freq``/``n``/``tokenize``
    (a large one). :meth:`of` picks for a store."""

    def __init__(self, texts: Iterable[str] | None = None, bridge: dict | None = None, manifest: dict | None = None,
                 doc_freq: Callable[[str], int | None] | None = None, n: int = 0, tokenize=None,
                 current_year: int | None = None, year_texts: Iterable[str] | None = None):
        self.bridge = bridge if bridge is not None else {}
        self.manifest = manifest
        self._cache: dict[str, float] = {}
        self._lock = threading.Lock()
        if texts is not None:
            self._texts = list(texts)
            self._n = len(self._texts)
            self._corpus = "\n".join(self._texts)
            self._doc_freq = None
            self.current_year = (_current_year(self._texts if year_texts is None else year_texts)
                                 if current_year is None else current_year)
        else:
            self._texts, self._corpus = [], None
            self._n = n
            self._doc_freq, self._tokenize = doc_freq, tokenize
            self.current_year = current_year

    @classmethod
    def of(cls, store) -> "CorpusStats":
        """The statistics of ``store`` (a :class:`rag.store.StoreBase`), computed on first use and cached
        for the store's lifetime."""
        try:
            weakref.ref(store)
        except TypeError:  # a stand-in object (tests): nothing to cache against
            return cls._compute(store)
        with _OF_LOCK:
            got = _BY_STORE.get(store)
            if got is None:
                got = cls._compute(store)
                _BY_STORE[store] = got
            return got

    @classmethod
    def _compute(cls, store) -> "CorpusStats":
        manifest = getattr(store, "manifest", None)
        bridge = getattr(store, "bridge", None)
        n = getattr(store, "n_chunks", 0)
        if n >= FULL_SCAN_AT and store.doc_freq("") is not None:  # (None: the backend can't count cheaply)
            from rag.tokenize import tokenize

            # chunks naming each year (a number token: "2024年" is tokenised 2024 / 年)
            counts = {y: store.doc_freq(str(y)) or 0 for y in YEARS}
            return cls(bridge=bridge, manifest=manifest, doc_freq=store.doc_freq, n=n,
                       tokenize=tokenize, current_year=_latest_common(counts))
        chunks = list(store.chunks)
        return cls([c.embed_text() for c in chunks], bridge, manifest, year_texts=[c.text for c in chunks])

    def idf(self, term: str) -> float:
        """log((N + 1) / (df + 0.5)) of ``term`` (a term in no chunk gets the highest value)."""
        got = self._cache.get(term)
        if got is None:
            if self._doc_freq is None:
                df = sum(1 for t in self._texts if term in t)
            else:
                dfs = [self._doc_freq(tok) or 0 for tok in set(self._tokenize(term))] or [0]
                df = min(dfs)
            got = math.log((self._n + 1) / (df + 0.5))
            with self._lock:
                if len(self._cache) >= IDF_CACHE:
                    self._cache.clear()
                self._cache[term] = got
        return got

    def in_corpus(self, term: str) -> bool:
        """Whether any chunk uses ``term``."""
        if self._corpus is not None:
            return term in self._corpus
        return self.idf(term) < math.log((self._n + 1) / 0.5)


_BY_STORE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_OF_LOCK = threading.Lock()


def _current_year(texts: Iterable[str]) -> int | None:
    """The documents' 'this year': the latest of the two years the passages name most (for 去年/今年)."""
    counts: dict[int, int] = {}
    for t in texts:
        for y in YEAR_NIAN.findall(t):
            counts[int(y)] = counts.get(int(y), 0) + 1
    return _latest_common(counts)


def _latest_common(counts: dict[int, int]) -> int | None:
    counts = {y: c for y, c in counts.items() if c}
    if not counts:
        return None
    return max(sorted(counts, key=lambda y: -counts[y])[:2])
