"""BM25 keyword index: built vectorised, stored in bm25s' file layout, read on demand, queried sparsely.

The scores are those of ``bm25s.BM25()`` (Lucene variant, k1=1.5, b=0.75, float32), computed with the same
float32 arithmetic, and the files are bm25s' own (``data.csc.index.npy``, ``indices.csc.index.npy``,
``indptr.csc.index.npy``, ``vocab.index.json``, ``params.index.json``), so an index written by bm25s reads
here and one written here reads in bm25s. What differs is the work:

- building takes token-id arrays (numpy sorts instead of a Python loop per document), so a million chunks
  take seconds once tokenised;
- loading opens the posting arrays to be read on demand (``pread``, not memory-mapped: a query copies in
  its own posting lists and nothing else stays resident) and reads the vocabulary on first use;
- a query reads the posting lists of its own tokens only: the cost is the number of postings of those
  tokens, never the number of chunks (bm25s allocates and scans a score per chunk).

>>> idx = KeywordIndex.build([["收入", "增长"], ["支出"], ["收入", "收入"]])
>>> ids, scores = idx.scores({"收入": 1.0})
>>> ids.tolist(), bool(scores[1] > scores[0])
([0, 2], True)
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

K1, B, DELTA = 1.5, 0.75, 0.5
FILES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy", "vocab.index.json",
         "params.index.json")
# below this share of postings per chunk a query accumulates over its candidates only; above, into one
# array of all chunks (both exact; the second is faster when a query's words occur nearly everywhere)
_SPARSE_SHARE = 0.25


class KeywordIndex:
    """A BM25 index over N documents (chunks): CSC arrays token -> (doc ids, scores) and a vocabulary."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, num_docs: int,
                 vocab: dict[str, int] | None = None, vocab_path: Path | None = None):
        self.data, self.indices, self.indptr = data, indices, indptr
        self.num_docs = int(num_docs)
        self._vocab = vocab
        self._vocab_path = vocab_path
        self._folder: Path | None = None  # the folder of its files, when it was loaded from one
        self._last: tuple | None = None  # (query, accumulated scores) of the last query

    # -- vocabulary (read on first use) ------------------------------------------------------
    @property
    def vocab(self) -> dict[str, int]:
        if self._vocab is None:
            v = json.loads(Path(self._vocab_path).read_text(encoding="utf-8")) if self._vocab_path else {}
            if not (isinstance(v, dict) and all(isinstance(i, int) for i in v.values())):
                raise ValueError("vocab.index.json is not an object of token ids")
            self._vocab = v
        return self._vocab

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def build(cls, docs: Iterable[Sequence[str]]) -> "KeywordIndex":
        """Index token lists (one per document; an empty one indexes nothing)."""
        vocab: dict[str, int] = {}
        lens: list[int] = []
        ids: list[int] = []
        for toks in docs:
            lens.append(len(toks))
            for t in toks:
                i = vocab.get(t)
                if i is None:
                    i = vocab[t] = len(vocab)
                ids.append(i)
        return cls.from_ids(np.asarray(ids, np.int64), np.asarray(lens, np.int64), vocab)

    @classmethod
    def from_ids(cls, token_ids: np.ndarray, doc_lens: np.ndarray, vocab: dict[str, int],
                 block: int = 1 << 22) -> "KeywordIndex":
        """Index ``token_ids`` (all documents' token ids, concatenated) split by ``doc_lens``.

        Works in blocks of about ``block`` tokens, so memory stays a few times the postings, not the tokens.
        """
        token_ids = np.asarray(token_ids)
        doc_lens = np.asarray(doc_lens, np.int64)
        n_docs, n_vocab = len(doc_lens), max(len(vocab), int(token_ids.max()) + 1 if len(token_ids) else 0)
        avg = float(doc_lens.mean()) if n_docs else 1.0
        ends = np.cumsum(doc_lens)
        pair_docs: list[np.ndarray] = []
        pair_toks: list[np.ndarray] = []
        pair_tf: list[np.ndarray] = []
        d0 = 0
        while d0 < n_docs:  # (doc, token) pairs with their term frequency, block by block of documents
            d1 = int(np.searchsorted(ends, (ends[d0 - 1] if d0 else 0) + block, side="right"))
            d1 = max(d1, d0 + 1)
            t0, t1 = (int(ends[d0 - 1]) if d0 else 0), int(ends[d1 - 1])
            docs = np.repeat(np.arange(d0, d1, dtype=np.int64), doc_lens[d0:d1])
            keys, tf = np.unique(docs * n_vocab + token_ids[t0:t1], return_counts=True)
            pair_docs.append((keys // n_vocab).astype(np.int32))
            pair_toks.append((keys % n_vocab).astype(np.int32))
            pair_tf.append(tf.astype(np.float32))
            d0 = d1
        docs_a = np.concatenate(pair_docs) if pair_docs else np.zeros(0, np.int32)
        toks_a = np.concatenate(pair_toks) if pair_toks else np.zeros(0, np.int32)
        tf_a = np.concatenate(pair_tf) if pair_tf else np.zeros(0, np.float32)
        del pair_docs, pair_toks, pair_tf
        df = np.bincount(toks_a, minlength=n_vocab)
        # bm25s: idf = log(1 + (N - df + 0.5) / (df + 0.5)) in float64 (math.log), stored as float32
        idf = np.zeros(n_vocab, np.float32)
        present = np.nonzero(df)[0]
        idf[present] = [math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in df[present].tolist()]
        # bm25s: idf * tf / (k1 * ((1 - b) + b * l_d / l_avg) + tf) in float64 (l_avg is a numpy float64, so
        # its float32 tf array is promoted), stored as float32
        norm = K1 * ((1 - B) + B * doc_lens.astype(np.float64) / avg)
        tf64 = tf_a.astype(np.float64)
        scores = idf[toks_a].astype(np.float64) * (tf64 / (norm[docs_a] + tf64))
        order = np.argsort(toks_a, kind="stable")  # CSC: by token, then document (the pairs are in doc order)
        indptr = np.zeros(n_vocab + 1, np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(scores.astype(np.float32)[order], docs_a[order], indptr, n_docs, dict(vocab))

    @classmethod
    def from_blocks(cls, blocks: Iterable[tuple[np.ndarray, np.ndarray]], vocab: dict[str, int], out: str | Path,
                    pass_pairs: int = 1 << 25) -> "KeywordIndex":
        """Index documents given block by block (``(token ids, doc lengths)`` of consecutive documents) straight
        into the bm25s files of folder ``out``, in bounded memory: the (document, token) pairs of each block go
        to a scratch folder beside ``out``, then the CSC arrays are written token range by token range
        (``pass_pairs`` pairs at a time). Same scores as :meth:`from_ids`; returns the index, read on demand."""
        import shutil
        import tempfile

        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".kw-build-", dir=out.parent))
        try:
            lens_parts: list[np.ndarray] = []
            n_vocab = len(vocab)
            n_blocks, d0 = 0, 0
            for token_ids, doc_lens in blocks:  # 1. (doc, token, tf) pairs of each block
                token_ids = np.asarray(token_ids, np.int64)
                doc_lens = np.asarray(doc_lens, np.int64)
                n_vocab = max(n_vocab, int(token_ids.max()) + 1 if len(token_ids) else 0)
                docs = np.repeat(np.arange(len(doc_lens), dtype=np.int64), doc_lens)
                keys, tf = np.unique(docs * (1 << 31) + token_ids, return_counts=True)
                np.save(scratch / f"d{n_blocks}.npy", (keys >> 31).astype(np.int32) + np.int32(d0))
                np.save(scratch / f"t{n_blocks}.npy", (keys & ((1 << 31) - 1)).astype(np.int32))
                np.save(scratch / f"f{n_blocks}.npy", tf.astype(np.float32))
                lens_parts.append(doc_lens)
                d0 += len(doc_lens)
                n_blocks += 1
            doc_lens = np.concatenate(lens_parts) if lens_parts else np.zeros(0, np.int64)
            n_docs = len(doc_lens)
            avg = float(doc_lens.mean()) if n_docs else 1.0
            norm = K1 * ((1 - B) + B * doc_lens.astype(np.float64) / avg)

            def arr(kind: str, b: int) -> np.ndarray:
                return np.load(scratch / f"{kind}{b}.npy", mmap_mode="r")

            df = np.zeros(n_vocab, np.int64)
            for b in range(n_blocks):
                df += np.bincount(arr("t", b), minlength=n_vocab)
            idf = np.zeros(n_vocab, np.float32)
            present = np.nonzero(df)[0]
            idf[present] = [math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in df[present].tolist()]
            for b in range(n_blocks):  # 2. each pair's score (as from_ids computes it)
                t, d, tf = arr("t", b), arr("d", b), np.asarray(arr("f", b), np.float64)
                np.save(scratch / f"s{b}.npy", (idf[t].astype(np.float64) * (tf / (norm[d] + tf))).astype(np.float32))
            indptr = np.zeros(n_vocab + 1, np.int64)
            np.cumsum(df, out=indptr[1:])
            total = int(indptr[-1])
            data = np.lib.format.open_memmap(out / FILES[0], mode="w+", dtype=np.float32, shape=(total,))
            indices = np.lib.format.open_memmap(out / FILES[1], mode="w+", dtype=np.int32, shape=(total,))
            t0 = 0
            while t0 < n_vocab:  # 3. CSC by token range: pairs of tokens [t0, t1), by token then document
                t1 = int(np.searchsorted(indptr, indptr[t0] + pass_pairs, side="right")) - 1
                t1 = min(max(t1, t0 + 1), n_vocab)
                toks, docs_, scores = [], [], []
                for b in range(n_blocks):
                    t = arr("t", b)
                    sel = np.flatnonzero((t >= t0) & (t < t1))
                    toks.append(np.asarray(t[sel]))
                    docs_.append(np.asarray(arr("d", b)[sel]))
                    scores.append(np.asarray(arr("s", b)[sel]))
                tt = np.concatenate(toks) if toks else np.zeros(0, np.int32)
                order = np.argsort(tt, kind="stable")  # blocks are in document order: stable keeps it
                lo, hi = int(indptr[t0]), int(indptr[t1])
                data[lo:hi] = np.concatenate(scores)[order]
                indices[lo:hi] = np.concatenate(docs_)[order]
                t0 = t1
            data.flush()
            indices.flush()
            del data, indices
            np.save(out / FILES[2], indptr, allow_pickle=False)
            cls._write_meta(out, vocab, n_docs)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return cls.load(out)

    # -- persistence -------------------------------------------------------------------------
    @staticmethod
    def _write_meta(folder: Path, vocab: dict[str, int], num_docs: int) -> None:
        vocab = dict(vocab)
        vocab.setdefault("", max(vocab.values(), default=-1) + 1)  # as bm25s writes it
        (folder / FILES[3]).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        params = {"k1": K1, "b": B, "delta": DELTA, "method": "lucene", "idf_method": "lucene",
                  "dtype": "float32", "int_dtype": "int32", "num_docs": num_docs, "version": "rag-zh",
                  "backend": "numpy"}
        (folder / FILES[4]).write_text(json.dumps(params), encoding="utf-8")

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        src = self._folder
        if src is not None and all((src / f).is_file() for f in FILES):  # on disk already: link (or copy) its files
            import os
            import shutil

            for f in FILES:
                try:
                    os.link(src / f, folder / f)
                except OSError:
                    shutil.copy2(src / f, folder / f)
            return
        np.save(folder / FILES[0], np.asarray(self.data), allow_pickle=False)
        np.save(folder / FILES[1], np.asarray(self.indices), allow_pickle=False)
        np.save(folder / FILES[2], np.asarray(self.indptr), allow_pickle=False)
        self._write_meta(folder, self.vocab, self.num_docs)

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True) -> "KeywordIndex":
        """Open the bm25s files of ``folder`` (``mmap``: the posting arrays are read on demand, see
        :mod:`rag.backends.filearray`, else whole; the vocabulary is read on first use).
        Raises ValueError/OSError on malformed files."""
        folder = Path(folder)
        if mmap:  # read on demand (pread: a query's posting lists are copied in, nothing stays resident)
            from rag.backends.filearray import FileArray

            data, indices = FileArray(folder / FILES[0]), FileArray(folder / FILES[1])
        else:
            data = np.load(folder / FILES[0], allow_pickle=False)
            indices = np.load(folder / FILES[1], allow_pickle=False)
        indptr = np.load(folder / FILES[2], allow_pickle=False)  # (one offset per token: read whole)
        params = json.loads((folder / FILES[4]).read_text(encoding="utf-8"))
        if not (isinstance(params, dict) and isinstance(params.get("num_docs"), int)):
            raise ValueError("params.index.json has no num_docs")
        if params.get("method", "lucene") != "lucene" or params.get("k1", K1) != K1 or params.get("b", B) != B:
            raise ValueError("keyword index of another BM25 variant")
        if data.ndim != 1 or indices.shape != data.shape or indptr.ndim != 1 or (len(indptr) and indptr[-1] != len(data)):
            raise ValueError("keyword index arrays disagree")
        if not (folder / FILES[3]).is_file():
            raise ValueError("vocab.index.json is missing")
        out = cls(data, indices, indptr, params["num_docs"], vocab_path=folder / FILES[3])
        out._folder = folder
        return out

    # -- querying ----------------------------------------------------------------------------
    def _postings(self, weighted: Mapping[str, float]) -> list[tuple[float, int, int]]:
        """(weight, start, end) of the posting list of each known token of ``weighted`` with a positive weight."""
        vocab, n = self.vocab, len(self.indptr) - 1
        out = []
        for tok, w in weighted.items():
            i = vocab.get(tok)
            if i is not None and w > 0 and i < n:
                out.append((w, int(self.indptr[i]), int(self.indptr[i + 1])))
        return out

    def scores(self, weighted: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """(document ids ascending, float32 scores) of every document some token of ``weighted`` occurs in:
        the sum of the tokens' BM25 scores, each scaled by its weight (unknown tokens ignored).

        The same float32 operations, in the same order, as summing ``w * bm25s.get_scores([tok])`` token by
        token: equal scores, not just close ones."""
        acc = self._accumulate(weighted)
        if isinstance(acc, tuple):
            return acc
        ids = np.flatnonzero(acc)  # (BM25 scores are positive: a matched chunk is never 0)
        return ids, acc[ids]

    def _accumulate(self, weighted: Mapping[str, float]) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """The scores as one array over all documents when the tokens' postings are many (cheaper then), else
        as (ids, scores) of the matching documents."""
        key = tuple(weighted.items())
        last = self._last
        if last is not None and last[0] == key:  # the same query again (a caller widening its candidates)
            return last[1]
        out = self._accumulate_new(weighted)
        self._last = (key, out)  # (one assignment: threads at worst recompute)
        return out

    def _accumulate_new(self, weighted: Mapping[str, float]) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        posts = self._postings(weighted)
        total = sum(e - s for _, s, e in posts)
        if not total:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if total > _SPARSE_SHARE * self.num_docs:  # the tokens occur nearly everywhere: one array of all chunks
            acc = np.zeros(self.num_docs, np.float32)
            for w, s, e in posts:
                acc[self.indices[s:e]] += w * self.data[s:e]
            return acc
        ids, inverse = np.unique(np.concatenate([self.indices[s:e] for _, s, e in posts]), return_inverse=True)
        acc = np.zeros(len(ids), np.float32)
        at = 0
        for w, s, e in posts:
            acc[inverse[at:at + e - s]] += w * self.data[s:e]
            at += e - s
        return ids.astype(np.int64), acc

    def top_scores(self, weighted: Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray, float]:
        """The best ``k`` documents of :meth:`scores` (more on ties), ids ascending, and a bound: no other
        document scores above it (0 when these are all the matching documents). The caller keeps its top n
        when the n-th, after its own adjustments (which only lower scores), still beats the bound, else it
        asks :meth:`scores`: exact either way, and the caller's work is then O(k), not O(matching documents)."""
        acc = self._accumulate(weighted)
        if isinstance(acc, tuple):
            ids, sc = acc
            if len(ids) <= 2 * k:
                return ids, sc, 0.0
        else:
            ids, sc = None, acc
            if len(sc) <= 2 * k:
                keep = np.flatnonzero(sc)
                return keep, sc[keep], 0.0
        m = len(sc)
        part = np.partition(sc, [m - k - 1, m - k])
        kth, below = part[m - k], part[m - k - 1]  # the k-th best, and the (k+1)-th (>= anything left out)
        if kth <= 0:  # fewer than k documents match: all of them
            keep = np.flatnonzero(sc)
            return (keep if ids is None else ids[keep]), sc[keep], 0.0
        keep = np.flatnonzero(sc >= kth)
        return (keep if ids is None else ids[keep]), sc[keep], float(below if below < kth else kth)

    def _lookup(self, posts: list[tuple[float, int, int]], ids: np.ndarray) -> np.ndarray:
        """Exact scores of documents ``ids`` (ascending): each token's posting list is binary-searched, the
        contributions added in the same order, with the same float32 operations, as :meth:`scores` adds them."""
        acc = np.zeros(len(ids), np.float32)
        for w, s, e in posts:
            if e <= s or not len(ids):
                continue
            lst = self.indices[s:e]
            pos = np.searchsorted(lst, ids)
            pos_c = np.minimum(pos, e - s - 1)
            hit = np.flatnonzero((pos < e - s) & (np.asarray(lst[pos_c]) == ids))
            if len(hit):
                acc[hit] += w * np.asarray(self.data[s + pos_c[hit]])
        return acc

    def scores_for(self, weighted: Mapping[str, float], ids: np.ndarray) -> np.ndarray:
        """Exact scores of documents ``ids`` (ascending), reading no posting list whole."""
        return self._lookup(self._postings(weighted), np.asarray(ids, np.int64))

    def dense_scores(self, weighted: Mapping[str, float]) -> np.ndarray:
        """The scores of :meth:`scores` as one array over all documents (O(N): for tests and small callers)."""
        out = np.zeros(self.num_docs, np.float32)
        ids, s = self.scores(weighted)
        out[ids] = s
        return out
