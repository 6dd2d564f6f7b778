"""Sentence vectors for the offline answerer: how close each candidate sentence is to the question in meaning.

The answerer's candidates are the sentences of the retrieved passages (:func:`passage_sentences`). Their
passage embeddings are computed when an index is built (:meth:`SentenceVectors.add_chunks`, called by the
indexer) and kept in the index folder's vector cache (SQLite, keyed by embedder and text hash: the same cache
that spares re-embedding unchanged chunks), so answering a question only looks them up. A sentence the cache
lacks (an index built before sentence vectors existed, a deleted cache) is embedded when first needed, at most
``max_new`` per question, and cached. The dense similarity is one of the fitted selector's features
(:mod:`rag.answer.selector`): it lets an English question find the Chinese sentence that answers it when no
word of the two matches.

The same vectors rank passages for retrieval (:class:`SentenceRanking`): a passage scores as its sentence
closest to the question, so a question that paraphrases one sentence of a long passage finds it even when
the passage as a whole is about more.

>>> passage_sentences("长江是亚洲第一长河。全长6300公里。\\n长江")
['长江是亚洲第一长河。', '全长6300公里。']
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from rag.chunk import split_sentences
from rag.embed import Embedder, VectorCache

MIN_CHARS = 4  # shorter pieces (a bare heading word) are never candidates


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage as the answerer reads them: line by line, split after 。！？； (stripped,
    at least :data:`MIN_CHARS` characters)."""
    out = []
    for line in text.split("\n"):
        for s0, s1 in split_sentences(line):
            sent = line[s0:s1].strip()
            if len(sent) >= MIN_CHARS:
                out.append(sent)
    return out


def sentences_of(texts: Iterable[str]) -> list[str]:
    """The distinct sentences of passages ``texts`` (:func:`passage_sentences`), in order."""
    return list(dict.fromkeys(s for t in texts for s in passage_sentences(t)))


class SentenceVectors:
    """Passage vectors of sentences, from ``cache`` (a :class:`rag.embed.VectorCache`) or embedded on demand."""

    def __init__(self, embedder: Embedder, cache: VectorCache | None = None, max_new: int = 40):
        self.embedder = embedder
        self.cache = cache
        self.max_new = max_new
        self._lock = threading.Lock()  # one SQLite connection, shared by the server's threads
        self._recent: dict[str, np.ndarray] = {}

    def vectors(self, sentences: Sequence[str], embed_missing: bool = True) -> list[np.ndarray | None]:
        """The vector of each sentence (None where missing and not embedded: over ``max_new``)."""
        recent = self._recent
        want = list(dict.fromkeys(s for s in sentences if s not in recent))
        if want and self.cache is not None:
            found = self._lookup(want)
            for s in want:
                v = found.get(VectorCache.key(s))
                if v is not None:
                    self._remember(s, v)
        missing = [s for s in dict.fromkeys(sentences) if s not in self._recent][:self.max_new if embed_missing else 0]
        if missing:
            vecs = self.embedder.embed_passages(missing)
            self._store({VectorCache.key(s): v for s, v in zip(missing, vecs)})
            for s, v in zip(missing, vecs):
                self._remember(s, v)
        return [recent.get(s) for s in sentences]

    def similarities(self, question: str, sentences: Sequence[str]) -> list[float | None]:
        """Cosine similarity of the question (query embedding) and each sentence (None: no vector)."""
        if not sentences:
            return []
        q = self.embedder.embed_query(question)
        return [None if v is None else float(np.dot(v, q)) for v in self.vectors(sentences)]

    def add_chunks(self, texts: Iterable[str], batch_size: int = 16,
                   progress: Callable[[int], None] | None = None) -> int:
        """Embed the sentences of passages ``texts`` that the cache lacks (index time); returns how many
        were embedded."""
        return self.add(sentences_of(texts), batch_size, progress)

    def add(self, sents: Sequence[str], batch_size: int = 16, progress: Callable[[int], None] | None = None) -> int:
        """Embed the sentences the cache lacks; returns how many were embedded. ``progress(n)`` is called
        with the number of sentences done (found in the cache, then after each batch)."""
        if self.cache is None:
            return 0
        found = self._lookup(list(sents))
        todo = [s for s in sents if VectorCache.key(s) not in found]
        if progress and len(sents) - len(todo):
            progress(len(sents) - len(todo))
        todo.sort(key=len, reverse=True)  # batches of similar lengths
        for b in range(0, len(todo), batch_size):
            part = todo[b:b + batch_size]
            vecs = self.embedder.embed_passages(part)
            self._store({VectorCache.key(s): v for s, v in zip(part, vecs)})
            if progress:
                progress(len(part))
        return len(todo)

    def _lookup(self, sentences: list[str]) -> dict[str, np.ndarray]:
        """Cached vectors of ``sentences`` by text hash (none when the cache can't be read)."""
        try:
            with self._lock:
                return self.cache.get_many(self.embedder.name, sentences)
        except sqlite3.Error:
            return {}

    def _store(self, items: dict[str, np.ndarray]) -> None:
        """Add vectors to the cache; a cache another process holds locked, or a read-only one, is skipped
        (the vectors are only a cache: they are recomputed when missing)."""
        if self.cache is None:
            return
        try:
            with self._lock:
                self.cache.put_many(self.embedder.name, items)
        except sqlite3.Error:
            pass

    def _remember(self, sentence: str, vec: np.ndarray) -> None:
        with self._lock:
            if len(self._recent) >= 4096:
                self._recent.pop(next(iter(self._recent)), None)
            self._recent[sentence] = np.asarray(vec, np.float32)


# indexes up to this many chunks get the sentence ranking, and at most this many sentences are held (their
# vectors in memory: 1.5 KB each)
RANKING_MAX_CHUNKS = 10_000
RANKING_MAX_SENTENCES = 60_000
RANKING_MIN_COVERAGE = 0.95  # the cache must hold this share of the sentences (else the ranking favours the few)


class SentenceRanking:
    """Passages ranked by their sentence closest to a query: every sentence's passage vector (from the index
    folder's vector cache, written when the index was built) and the passages that hold it.

    >>> r = SentenceRanking(np.eye(3, dtype=np.float32), [np.array([0]), np.array([0, 1]), np.array([2])])
    >>> r.ranking(np.array([0.1, 0.9, 0.2], np.float32), 2)
    [(0, 0.9), (1, 0.9)]
    >>> r.ranking(np.array([0.1, 0.9, 0.2], np.float32), 2, allowed=np.array([2]))
    [(2, 0.2)]
    """

    def __init__(self, vectors: np.ndarray, owners: list[np.ndarray]):
        self.vectors = vectors
        self.owners = owners
        # (sentence, passage) pairs, for filtered searches
        self._pair_sentence = np.repeat(np.arange(len(owners)), [len(o) for o in owners])
        self._pair_passage = np.concatenate(owners) if owners else np.zeros(0, np.int64)

    @classmethod
    def from_cache(cls, texts: Sequence[str], model: str, path: str | Path) -> "SentenceRanking | None":
        """The ranking of passages ``texts`` (their positions are the ids it returns) from the vectors cached
        for embedder ``model``; None when the cache is missing or unreadable, when it lacks more than 5% of
        their sentences (an index built before sentence vectors were cached: a ranking of the few would
        favour them), or when there are more than :data:`RANKING_MAX_SENTENCES`. Nothing is embedded here."""
        path = Path(path)
        if not path.is_file():
            return None
        holders: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for sent in passage_sentences(text):
                holders.setdefault(sent, []).append(i)
        if not holders or len(holders) > RANKING_MAX_SENTENCES:
            return None
        try:
            db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        except sqlite3.Error:
            return None
        try:
            keys = {VectorCache.key(sent): sent for sent in holders}
            found: dict[str, np.ndarray] = {}
            items = list(keys)
            for b in range(0, len(items), 500):
                part = items[b:b + 500]
                rows = db.execute(f"SELECT h, v FROM vec WHERE model=? AND h IN ({','.join('?' * len(part))})",
                                  [model, *part])
                found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        except sqlite3.Error:
            return None
        finally:
            db.close()
        if len(found) < RANKING_MIN_COVERAGE * len(keys):
            return None
        hs = list(found)
        return cls(np.vstack([found[h] for h in hs]), [np.asarray(holders[keys[h]], np.int64) for h in hs])

    def ranking(self, qvec: np.ndarray, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``n`` best passages (id, similarity of their closest sentence), best first; ``allowed``: only
        these ids."""
        sims = self.vectors @ np.asarray(qvec, np.float32)
        if allowed is not None:  # the sentences of the allowed passages only (numpy, not a loop over all)
            pairs = np.isin(self._pair_passage, allowed)
            sent, passage = self._pair_sentence[pairs], self._pair_passage[pairs]
            best: dict[int, float] = {}
            for k in np.argsort(-sims[sent], kind="stable"):
                i = int(passage[k])
                if i not in best:
                    best[i] = round(float(sims[sent[k]]), 6)
                    if len(best) >= n:
                        break
            return sorted(best.items(), key=lambda x: (-x[1], x[0]))
        best = {}
        width = min(len(sims), max(4 * n, 64))
        while True:
            top = np.argpartition(-sims, width - 1)[:width] if width < len(sims) else np.arange(len(sims))
            for j in top[np.argsort(-sims[top], kind="stable")]:
                for i in self.owners[j]:
                    best.setdefault(int(i), round(float(sims[j]), 6))
            if len(best) >= n or width >= len(sims):
                break
            best.clear()
            width = min(len(sims), width * 4)
        return sorted(best.items(), key=lambda x: (-x[1], x[0]))[:n]
