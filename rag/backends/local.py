"""Parts of the local store that scale: chunk texts in SQLite (read on demand) and the dense index (exact
FAISS flat, or an approximate IVF index with exact re-ranking for big indexes).

Layouts (chosen by size, recorded in the manifest under ``"store"``):

- ``jsonl`` (up to :data:`LARGE_AT` chunks, index format 2, as before): ``chunks.jsonl`` read whole, FAISS
  ``IndexFlatIP`` (exact);
- ``sqlite`` (from :data:`LARGE_AT` chunks, format 3): ``chunks.sqlite`` (one row per chunk, read by id when a
  hit is shown), ``flags.npy`` (per-chunk front-matter/script flags, memory-mapped), ``vectors.npy`` (the float32
  vectors, memory-mapped) and ``dense.faiss``, an ``IndexIVFScalarQuantizer`` (8-bit codes in memory, about a
  quarter of the vectors' size) whose candidates are re-scored exactly from ``vectors.npy``; its ``nprobe`` is
  tuned at build time to a recall@10 of :data:`TARGET_RECALL` against exact search, and the measured recall is
  recorded.

>>> import numpy as np
>>> v = np.eye(4, dtype=np.float32)
>>> DenseIndex.build(v).search(v[2], 1)
[(2, 1.0)]
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from rag.backends.base import matches
from rag.types import Chunk

LARGE_AT = 50_000  # chunks from which an index uses the sqlite layout and an approximate dense index
# recall against exact search the IVF nprobe is tuned to at build time: @10, and @50 (the retriever's candidates)
TARGET_RECALL = 0.97
TARGET_RECALL_50 = 0.95
_COLUMNS = ("chunk_id", "doc_id", "doc_title", "doc_path", "section", "text", "char_start", "char_end",
            "line_start", "line_end", "page_start", "page_end", "front_matter")
_BATCH = 2000
_EXACT_SUBSET = 50_000  # a filtered dense search over at most this many chunks is exact


# -- chunk texts in SQLite ---------------------------------------------------------------------------------

def write_chunks(path: Path, chunks: Iterable[Chunk]) -> int:
    """Write ``chunks`` (ids 0, 1, ... in order) to a new SQLite file; returns how many."""
    con = sqlite3.connect(str(path))
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")  # the caller fsyncs the finished file
        con.execute(f"CREATE TABLE chunks (id INTEGER PRIMARY KEY, {', '.join(_COLUMNS)})")
        n = 0
        batch: list[tuple] = []
        sql = f"INSERT INTO chunks VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"
        for c in chunks:
            batch.append((n, c.chunk_id, c.doc_id, c.doc_title, c.doc_path,
                          json.dumps(c.section, ensure_ascii=False), c.text, c.char_start, c.char_end,
                          c.line_start, c.line_end, c.page_start, c.page_end, int(c.front_matter)))
            n += 1
            if len(batch) >= 10_000:
                con.executemany(sql, batch)
                batch.clear()
        if batch:
            con.executemany(sql, batch)
        con.execute("CREATE INDEX chunks_chunk_id ON chunks (chunk_id)")
        con.commit()
        return n
    finally:
        con.close()


def _row_chunk(row: Sequence[Any]) -> Chunk:
    rec = dict(zip(_COLUMNS, row))
    rec["section"] = json.loads(rec["section"]) if isinstance(rec["section"], str) else rec["section"]
    rec["front_matter"] = bool(rec["front_matter"]) if rec["front_matter"] in (0, 1) else rec["front_matter"]
    return Chunk.from_dict(rec)  # ValueError on a malformed row


class ChunkTable(Sequence[Chunk]):
    """The chunks of a ``chunks.sqlite``, read on demand (a sequence: ``len``, ``[i]``, iteration).

    The file is opened read-only and immutable (an index folder is never changed in place, only replaced), with
    one connection shared by the threads of a process under a lock."""

    def __init__(self, path: Path, n: int | None = None):
        """Open ``path``; ``n``: the number of chunks when known (the manifest's; checked against the last id,
        which costs no scan, where counting would read the whole table)."""
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.path.name} is missing")
        uri = self.path.resolve().as_uri() + "?mode=ro&immutable=1"
        self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            last = self._con.execute("SELECT max(id) FROM chunks").fetchone()[0]
        self._n = 0 if last is None else int(last) + 1
        if n is not None and n != self._n:
            raise ValueError(f"{self.path.name} holds {self._n} chunks, the manifest says {n}")
        self._cols = ", ".join(_COLUMNS)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return self.get_many(range(*i.indices(self._n)))
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("chunk index out of range")
        return self.get_many([i])[0]

    def __iter__(self) -> Iterator[Chunk]:
        for start in range(0, self._n, _BATCH):
            with self._lock:
                rows = self._con.execute(f"SELECT {self._cols} FROM chunks WHERE id >= ? AND id < ? ORDER BY id",
                                         (start, start + _BATCH)).fetchall()
            yield from (_row_chunk(r) for r in rows)

    def get_many(self, ids: Iterable[int]) -> list[Chunk]:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        got: dict[int, Chunk] = {}
        for s in range(0, len(ids), 500):
            part = sorted(set(ids[s:s + 500]))
            with self._lock:
                rows = self._con.execute(f"SELECT id, {self._cols} FROM chunks WHERE id IN "
                                         f"({', '.join('?' * len(part))})", part).fetchall()
            got.update((r[0], _row_chunk(r[1:])) for r in rows)
        try:
            return [got[i] for i in ids]
        except KeyError as exc:
            raise IndexError(f"chunk {exc.args[0]} is not in {self.path.name}") from None

    def by_chunk_id(self, chunk_id: str) -> Chunk | None:
        with self._lock:
            row = self._con.execute(f"SELECT {self._cols} FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return _row_chunk(row) if row else None

    def filter_ids(self, doc: str | None, section: str | None) -> np.ndarray:
        """Ids of the chunks passing the ``--doc`` / ``--section`` filters (one scan of the table's small
        columns, the texts are not read)."""
        where, args = [], []
        if doc:
            where.append("(doc_id = ? OR doc_title = ? OR instr(doc_path, ?) > 0)")
            args += [doc, doc, doc]
        if section and section == json.dumps(section, ensure_ascii=False)[1:-1]:  # no JSON escapes in it
            where.append("instr(section, ?) > 0")
            args.append(section)
        sql = "SELECT id, doc_id, doc_title, doc_path, section FROM chunks"
        with self._lock:
            rows = self._con.execute(sql + (" WHERE " + " AND ".join(where) if where else ""), args).fetchall()
        return np.array([r[0] for r in rows if matches(doc, section, r[1], r[2], r[3], json.loads(r[4]))],
                        dtype=np.int64)

    def close(self) -> None:
        with self._lock:
            self._con.close()


# -- the dense index -----------------------------------------------------------------------------------

def _nlist(n: int) -> int:
    """IVF lists for ``n`` vectors: about 4 sqrt(n), a power of two (1024 at 100k, 4096 at 1M)."""
    return int(2 ** round(np.log2(max(16.0, 4 * np.sqrt(n)))))


class DenseIndex:
    """Inner-product search over normalised vectors: ``flat`` (exact) or ``ivf`` (IVF, 8-bit codes, candidates
    re-scored exactly from the float32 vectors, read on demand: :mod:`rag.backends.filearray`)."""

    def __init__(self, index: Any, vectors: np.ndarray | None = None, nprobe: int = 0,
                 info: dict[str, Any] | None = None):
        self.index = index
        self._vectors = vectors  # the ivf kind's exact vectors (memory-mapped when loaded)
        self.nprobe = int(nprobe)
        self.info = dict(info or {"kind": self.kind})

    @property
    def kind(self) -> str:
        return "flat" if self._vectors is None else "ivf"

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def d(self) -> int:
        return int(self.index.d)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "flat", dim: int | None = None, seed: int = 0,
              queries: np.ndarray | None = None) -> "DenseIndex":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        d = int(dim or vectors.shape[1])
        if kind == "flat":
            index = faiss.IndexFlatIP(d)
            if len(vectors):
                index.add(vectors)
            return cls(index)
        n = len(vectors)
        nlist = max(1, min(_nlist(n), n // 40))  # faiss wants 39+ training points per list
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist, faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        rng = np.random.default_rng(seed)
        train = vectors[np.sort(rng.choice(n, size=min(n, 40 * nlist), replace=False))]
        index.train(train)
        del train
        for s in range(0, n, 200_000):
            index.add(vectors[s:s + 200_000])
        out = cls(index, vectors, nprobe=1)
        out.info = {"kind": "ivf", "nlist": nlist, "codes": "sq8", "rerank": "exact"}
        out.tune(rng, queries)
        return out

    def tune(self, rng: np.random.Generator, queries: np.ndarray | None = None, n_queries: int = 200) -> None:
        """The smallest nprobe reaching :data:`TARGET_RECALL` recall@10 and :data:`TARGET_RECALL_50` recall@50
        against exact search, on ``queries`` (query embeddings of text from the corpus, see
        :func:`rag.indexer.build_index`), else on queries made of the indexed vectors (sums of two plus noise,
        normalised); records nprobe and the recalls measured in :attr:`info`."""
        v = self._vectors
        n, d = v.shape
        if queries is None or not len(queries):
            pick = rng.integers(0, n, size=(n_queries, 2))
            q = v[pick[:, 0]] + v[pick[:, 1]] + rng.normal(0, 0.05, size=(n_queries, d)).astype(np.float32)
            source = f"{n_queries} sums of indexed vectors"
        else:
            q, source = np.asarray(queries, np.float32), f"{len(queries)} query embeddings"
        q = (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)
        truth = exact_topk(v, q, 50)
        nprobe = 8
        while True:
            self.nprobe = nprobe
            got = [[i for i, _ in self.search(qq, 50)] for qq in q]
            r10 = float(np.mean([len(set(g[:10]) & set(t[:10])) / 10 for g, t in zip(got, truth)]))
            r50 = float(np.mean([len(set(g) & set(t)) / 50 for g, t in zip(got, truth)]))
            if (r10 >= TARGET_RECALL and r50 >= TARGET_RECALL_50) or nprobe >= self.info["nlist"]:
                break
            nprobe *= 2
        self.info.update(nprobe=nprobe, tuned_recall_at_10=round(r10, 4), tuned_recall_at_50=round(r50, 4),
                         tuned_on=source)

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        n = self.ntotal
        if n == 0 or k <= 0:
            return []
        q = np.asarray(q, np.float32).reshape(1, -1)
        if self._vectors is None:  # flat: exact
            if allowed is not None:  # (a small index: score all, keep the allowed, as before)
                keep = np.zeros(n, bool)
                keep[allowed] = True
                scores, ids = self.index.search(q, n)
                return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0 and keep[i]][:k]
            scores, ids = self.index.search(q, min(k, n))
            return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        if allowed is not None and len(allowed) <= _EXACT_SUBSET:
            cand = np.sort(np.asarray(allowed, np.int64))
        else:
            import faiss

            params = faiss.SearchParametersIVF(nprobe=self.nprobe)
            if allowed is not None:
                params.sel = faiss.IDSelectorBatch(np.asarray(allowed, np.int64))
            _, ids = self.index.search(q, min(n, max(2 * k, 100)), params=params)
            cand = np.sort(ids[0][ids[0] >= 0])
        if not len(cand):
            return []
        exact = self._vectors[cand] @ q[0]  # re-score exactly (only these rows are read from vectors.npy)
        top = np.argsort(-exact, kind="stable")[:k]
        return [(int(cand[i]), float(exact[i])) for i in top]

    def vectors(self) -> np.ndarray:
        if self._vectors is not None:
            return np.asarray(self._vectors)
        if self.ntotal == 0:
            return np.zeros((0, self.d), np.float32)
        return self.index.reconstruct_n(0, self.ntotal)

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(folder / "dense.faiss"))
        if self._vectors is not None:
            np.save(folder / "vectors.npy", np.asarray(self._vectors, np.float32), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, info: dict[str, Any] | None = None) -> "DenseIndex":
        import faiss

        info = dict(info or {"kind": "flat"})
        index = faiss.read_index(str(folder / "dense.faiss"))
        if info.get("kind") == "ivf":
            from rag.backends.filearray import FileArray

            vectors = FileArray(folder / "vectors.npy")  # re-scoring reads its few rows (pread), nothing stays resident
            if vectors.shape != (index.ntotal, index.d) or vectors.dtype != np.float32:
                raise ValueError("vectors.npy and dense.faiss disagree")
            return cls(index, vectors, int(info.get("nprobe") or 32), info)
        return cls(index, None, 0, info)


def exact_topk(vectors: np.ndarray, queries: np.ndarray, k: int, block: int = 100_000) -> list[list[int]]:
    """Exact top-``k`` ids by inner product of each query (blocked over the vectors: bounded memory)."""
    best_s = np.full((len(queries), 0), -np.inf, np.float32)
    best_i = np.zeros((len(queries), 0), np.int64)
    for s in range(0, len(vectors), block):
        sc = queries @ np.asarray(vectors[s:s + block]).T
        ids = np.broadcast_to(np.arange(s, s + sc.shape[1]), sc.shape)
        all_s = np.concatenate([best_s, sc], axis=1)
        all_i = np.concatenate([best_i, ids], axis=1)
        top = np.argsort(-all_s, axis=1, kind="stable")[:, :k]
        best_s = np.take_along_axis(all_s, top, axis=1)
        best_i = np.take_along_axis(all_i, top, axis=1)
    return best_i.tolist()
