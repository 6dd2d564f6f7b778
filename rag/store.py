"""Storing: the index store behind one interface, with backends chosen by config (``cfg.store``).

- ``local`` (default, :class:`Store`): FAISS (inner product on normalised vectors) + BM25 keyword arrays
  (bm25s' file layout, memory-mapped, queried by posting list) + chunk texts + manifest, all in the index
  folder. Small indexes keep the layout of index format 2 (``chunks.jsonl`` read whole, exact FAISS flat);
  from :data:`rag.backends.local.LARGE_AT` chunks an index is written as format 3: chunk texts in SQLite read
  on demand, per-chunk flags and vectors memory-mapped, an approximate FAISS IVF index with exact re-ranking
  (see :mod:`rag.backends.local`). Nothing per query is proportional to the number of chunks.
- ``milvus`` (:mod:`rag.backends.milvus`, ``pip install -e '.[milvus]'``): chunks, vectors and Milvus' own BM25
  in a Milvus collection; Milvus Lite embedded when the URI is a file path, a Milvus server or cluster when it
  is ``http://host:19530``. The index folder keeps the manifest and the English-Chinese bridge.

:meth:`Store.load` opens either (the manifest says which); :meth:`Store.build` builds either.

Nothing is pickled: FAISS' own format, ``.npy`` (loaded with ``allow_pickle=False``), SQLite and JSON. Writes
are atomic: a new index is written into a temporary sibling folder and renamed into place, so a crash never
leaves a half-written index and the previous one stays usable.

Only what is recognisably this tool's is ever replaced or removed (see :meth:`Store.inspect`): an index
folder holds the files :meth:`Store.save` writes (``manifest.json``, ``chunks.jsonl`` or ``chunks.sqlite``,
``dense.faiss``, ``vectors.npy``, ``flags.npy``, ``bridge.json`` and the BM25 folders ``bm25/``, ``gloss/``)
and its manifest carries ``"tool": "rag-zh"`` (manifests written before that key existed are recognised by
their shape). A file, a symbolic link, a folder holding anything else, or a lone ``manifest.json`` this tool
did not write is never touched; a damaged index (our files, but no readable manifest of ours) is replaced
only by an explicit rebuild.

Writers of one index take turns under :meth:`Store.lock` (re-entrant within a thread); readers never lock.

>>> import numpy as np
>>> from rag.types import Chunk
>>> c = Chunk("c1", "d", "t", "p", [], "全市收入增长", 0, 6, 1, 1)
>>> s = Store.build([c], np.ones((1, 4), np.float32) / 2, {"embedder": {"name": "x", "dim": 4}})
>>> s.dense_search(np.ones(4, np.float32) / 2, 1)[0][0]
0
>>> s.manifest["tool"]
'rag-zh'
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from rag.backends.base import (FILES, FLAG_EN, FLAG_FRONT, FORMAT_VERSIONS, OS_LITTER, OWN_DIRS, TOOL, StoreBase,
                               StoreError, backend_of, build_stamp, flags_of, index_lock, is_own_manifest,
                               majority_lang, matches)
from rag.backends.base import remove_own as _remove_own  # noqa: F401 - the name tests and callers use
from rag.backends.keyword import KeywordIndex
from rag.backends.local import LARGE_AT, ChunkTable, DenseIndex, write_chunks
from rag.bridge import build_bridge, build_gloss, gloss_words
from rag.tokenize import tokenize
from rag.types import Chunk

__all__ = ["Store", "StoreError", "StoreBase", "index_lock", "is_own_manifest", "open_store_backend",
           "FORMAT_VERSION", "FORMAT_VERSIONS", "KEYWORDS_VERSION", "FILES", "OWN_DIRS", "OS_LITTER", "TOOL",
           "BACKENDS", "FLAG_EN", "FLAG_FRONT", "keywords_outdated"]

FORMAT_VERSION = 2  # written for small local indexes (readable by earlier versions); big ones and Milvus: 3
LARGE_FORMAT_VERSION = 3
# bumped whenever tokenisation or the glossary changes: the keyword indexes of an older index are rebuilt from its
# chunks when it is opened (about a second for the sample corpus; the dense vectors are kept), with the profile it
# records, and saved back (kept in memory only when that profile can't be read). A Milvus index's keywords live in
# its collection: it is re-keyed by the next `rag index` of it (every row rewritten, vectors from the cache), and
# until then it works with its old keywords and says so (:func:`keywords_outdated`)
KEYWORDS_VERSION = 4  # 4: demonstratives with a measure word are stopwords
BACKENDS = ("local", "milvus")


def keywords_outdated(manifest: dict[str, Any]) -> str | None:
    """A one-line note when the index of ``manifest`` was keyed by an older tokenizer or glossary (only a Milvus
    index stays so once opened: a local one is re-keyed when it is opened), else None.

    >>> keywords_outdated({"keywords_version": KEYWORDS_VERSION}) is None
    True
    >>> keywords_outdated({"keywords_version": 1}).startswith("its keyword index is of an older version")
    True
    """
    version = manifest.get("keywords_version", 1)
    if not isinstance(version, int) or version >= KEYWORDS_VERSION:
        return None
    return (f"its keyword index is of an older version ({version}, now {KEYWORDS_VERSION}): `rag index` of the "
            f"same files refreshes it (the vectors are kept)")


def open_store_backend(name: str):
    """The store class of backend ``name`` ("local" or "milvus"); :class:`StoreError` (one line) when it is
    unknown or its extra is not installed."""
    if name in ("", "local"):
        return Store
    if name == "milvus":
        try:
            from rag.backends.milvus import MilvusStore
        except ImportError:
            raise StoreError("the Milvus store needs: pip install -e '.[milvus]'") from None
        return MilvusStore
    raise StoreError(f"unknown store {name!r} (use one of {', '.join(BACKENDS)})")


def keyword_parts(chunks: Sequence[Chunk]) -> tuple[list[list[str]], list[list[str]], dict[str, list[str]]]:
    """Per chunk its BM25 tokens and its English-gloss words, and the EN->ZH bridge of the vocabulary (with
    the glossary of the profile in effect, see :func:`rag.bridge.profile_terms`)."""
    corpus_tokens = [tokenize(c.embed_text()) or ["<empty>"] for c in chunks]
    df: dict[str, int] = {}
    for toks in corpus_tokens:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    bridge = build_bridge(df.keys(), df)
    token_gloss, glossary = build_gloss(df.keys())
    gloss = [gloss_words(toks, c.text, token_gloss, glossary) or ["<empty>"] for toks, c in zip(corpus_tokens, chunks)]
    return corpus_tokens, gloss, bridge


def keyword_parts_streamed(chunks: Sequence[Chunk], block: int = 20_000) -> tuple[KeywordIndex, KeywordIndex,
                                                                                dict[str, list[str]]]:
    """:func:`keyword_parts` for a big index, in bounded memory: chunks are tokenised block by block into token-id
    arrays (no list of every chunk's words), and both BM25 indexes are written to a temporary folder (removed
    when the process ends; :meth:`Store.save` links or copies the files). Same tokens, gloss words and bridge."""
    import atexit
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="rag-keywords-"))
    atexit.register(shutil.rmtree, scratch, True)
    vocab: dict[str, int] = {}
    blocks: list[tuple[np.ndarray, np.ndarray]] = []
    df_ids = np.zeros(0, np.int64)
    for b0 in range(0, len(chunks), block):
        ids: list[int] = []
        lens: list[int] = []
        for c in chunks[b0:b0 + block]:
            toks = tokenize(c.embed_text()) or ["<empty>"]
            lens.append(len(toks))
            ids.extend(vocab.setdefault(t, len(vocab)) for t in toks)
        arr, ln = np.asarray(ids, np.int32), np.asarray(lens, np.int64)
        blocks.append((arr, ln))
        docs = np.repeat(np.arange(len(ln)), ln)
        pairs = np.unique(docs.astype(np.int64) * (1 << 31) + arr) & ((1 << 31) - 1)  # (doc, token) once
        counts = np.bincount(pairs, minlength=len(vocab))
        df_ids = np.concatenate([df_ids, np.zeros(len(vocab) - len(df_ids), np.int64)]) + counts
    words = list(vocab)
    df = {w: int(df_ids[i]) for i, w in enumerate(words)}
    bridge = build_bridge(df.keys(), df)
    token_gloss, glossary = build_gloss(df.keys())
    bm25 = KeywordIndex.from_blocks(blocks, vocab, scratch / "bm25")
    # gloss words of a chunk: its tokens' glosses (a bag: gloss_words' order does not matter to BM25) and the
    # glossary's words for the glossary terms in its text
    gvocab: dict[str, int] = {}
    per_token = [[gvocab.setdefault(g, len(gvocab)) for g in token_gloss.get(w, ())] for w in words]
    g_len = np.array([len(x) for x in per_token], np.int64)
    g_flat = np.fromiter((i for x in per_token for i in x), np.int64, count=int(g_len.sum()))
    g_start = np.concatenate([[0], np.cumsum(g_len)[:-1]])
    term_ids = [(zh, [gvocab.setdefault(g, len(gvocab)) for g in ws]) for zh, ws in glossary]
    empty = gvocab.setdefault("<empty>", len(gvocab))

    def gloss_blocks():
        for (arr, ln), b0 in zip(blocks, range(0, len(chunks), block)):
            sel_len = g_len[arr]
            offs = np.repeat(g_start[arr] - np.concatenate([[0], np.cumsum(sel_len)[:-1]]), sel_len)
            flat = g_flat[np.arange(int(sel_len.sum())) + offs]
            per_doc = np.bincount(np.repeat(np.arange(len(ln)), ln), weights=sel_len, minlength=len(ln)).astype(np.int64)
            starts = np.concatenate([[0], np.cumsum(per_doc)[:-1]])
            out_ids: list[np.ndarray] = []
            out_len: list[int] = []
            for j, c in enumerate(chunks[b0:b0 + len(ln)]):
                seg = flat[starts[j]:starts[j] + per_doc[j]]
                extra = [i for zh, wid in term_ids if zh in c.text for i in wid]
                if extra:
                    seg = np.concatenate([seg, np.asarray(extra, np.int64)])
                if not len(seg):
                    seg = np.asarray([empty], np.int64)
                out_ids.append(seg)
                out_len.append(len(seg))
            yield np.concatenate(out_ids).astype(np.int32), np.asarray(out_len, np.int64)

    gloss = KeywordIndex.from_blocks(gloss_blocks(), gvocab, scratch / "gloss")
    return bm25, gloss, bridge


class Store(StoreBase):
    """An opened local index. Build with :meth:`build`, persist with :meth:`save`, open with :meth:`load`.

    ``chunks`` is a list (small indexes) or a :class:`rag.backends.local.ChunkTable` read on demand (big ones);
    ``faiss`` the FAISS index; ``bm25`` / ``gloss`` the keyword indexes."""

    def __init__(self, chunks: Sequence[Chunk], faiss_index: Any, bm25: Any, manifest: dict[str, Any],
                 bridge: dict[str, list[str]], gloss: Any = None, flags: np.ndarray | None = None):
        self.chunks = chunks
        self.dense = faiss_index if isinstance(faiss_index, DenseIndex) else DenseIndex(faiss_index)
        self.bm25 = bm25 if bm25 is None or isinstance(bm25, KeywordIndex) else _from_bm25s(bm25)
        self.gloss = gloss if gloss is None or isinstance(gloss, KeywordIndex) else _from_bm25s(gloss)
        self.manifest = manifest
        self.bridge = bridge
        self._flags = flags
        self._majority: str | None = None
        self._source: Path | None = None  # the folder this store was loaded from (its files are reused on save)

    @property
    def faiss(self) -> Any:
        """The FAISS index (``ntotal``, ``d``, ``search``)."""
        return self.dense.index

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab if self.bm25 is not None else {}

    @property
    def gloss_vocab(self) -> dict[str, int]:
        return self.gloss.vocab if self.gloss is not None else {}

    @property
    def large(self) -> bool:
        """True for the layout of big indexes (chunk texts in SQLite, approximate dense index)."""
        return isinstance(self.chunks, ChunkTable) or self.dense.kind != "flat"

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: Sequence[Chunk], vectors: np.ndarray, manifest: dict[str, Any], store: str = "local",
              uri: str = "", large: bool | None = None,
              keywords: tuple[Any, Any, dict[str, list[str]]] | None = None,
              tune_queries: np.ndarray | None = None) -> "StoreBase":
        """A new index of ``chunks`` and their ``vectors`` (in memory until :meth:`save`).

        ``store``: the backend ("local", or "milvus" at ``uri``). ``large``: the local layout (None: by size,
        from :data:`rag.backends.local.LARGE_AT` chunks). ``keywords``: precomputed (BM25 index, gloss index,
        bridge) instead of tokenising the chunks (benchmarks that synthesise big corpora). ``tune_queries``:
        query vectors the approximate dense index of a big index is tuned on (see
        :meth:`rag.backends.local.DenseIndex.tune`)."""
        manifest = dict(manifest)
        manifest.update(tool=TOOL, keywords_version=KEYWORDS_VERSION, n_chunks=len(chunks),
                        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), build_id=uuid.uuid4().hex)
        if store not in ("", "local"):
            backend = open_store_backend(store)
            # (keywords: for Milvus, precomputed token and gloss-word lists per chunk and the bridge)
            toks, gloss, bridge = keywords if keywords is not None else keyword_parts(chunks)
            manifest["format_version"] = LARGE_FORMAT_VERSION
            return backend.build(chunks, vectors, manifest, toks, gloss, bridge, uri=uri)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        large = len(chunks) >= LARGE_AT if large is None else large
        dim = int(manifest["embedder"]["dim"])
        dense = DenseIndex.build(vectors.reshape(-1, dim), "ivf" if large and len(chunks) else "flat", dim,
                                 queries=tune_queries)
        if keywords is not None:
            bm25, gloss, bridge = keywords
        else:
            bm25, gloss, bridge = cls._keyword_parts(chunks, large)
        manifest["format_version"] = LARGE_FORMAT_VERSION if large else FORMAT_VERSION
        manifest["store"] = {"backend": "local", "layout": "sqlite" if large else "jsonl", "dense": dense.info}
        return cls(chunks, dense, bm25, manifest, bridge, gloss)

    @staticmethod
    def is_large(n_chunks: int) -> bool:
        """Whether an index of ``n_chunks`` gets the big-index layout (see :data:`LARGE_AT`)."""
        return n_chunks >= LARGE_AT

    @staticmethod
    def _keyword_parts(chunks: Sequence[Chunk], large: bool = False) -> tuple[Any, Any, dict[str, list[str]]]:
        """The Chinese BM25 index, the English-gloss BM25 index and the EN->ZH bridge of ``chunks`` (for a big
        index streamed block by block into temporary files, see :func:`keyword_parts_streamed`)."""
        if not len(chunks):
            return None, None, {}
        if large:
            return keyword_parts_streamed(chunks)
        toks, gloss, bridge = keyword_parts(chunks)
        return KeywordIndex.build(toks), KeywordIndex.build(gloss), bridge

    def with_manifest(self, manifest: dict[str, Any]) -> "Store":
        """This index with another manifest (nothing rebuilt: :meth:`save` reuses the files it was loaded from)."""
        other = Store(self.chunks, self.dense, self.bm25, manifest, self.bridge, self.gloss, self._flags)
        other._source = self._source
        return other

    # -- persistence ----------------------------------------------------------------------
    lock = staticmethod(index_lock)

    def save(self, path: str | Path, if_unchanged_since: str | None = None, rebuild: bool = False) -> bool:
        """Write atomically: temp folder -> rename; the old index is removed only after the swap.

        Writers of one index take turns (:meth:`lock`, re-entrant: a caller may already hold it). With
        ``if_unchanged_since`` (the build stamp of the manifest read) the save is skipped, returning False, when
        another writer holds the lock or has replaced the index since then: nothing newer is overwritten.
        Raises :class:`StoreError` when ``path`` holds something this tool may not replace
        (:meth:`check_replaceable`; ``rebuild`` allows replacing a damaged index of ours).
        """
        return StoreBase.save(self, path, if_unchanged_since=if_unchanged_since, rebuild=rebuild)

    def write_files(self, tmp: Path) -> None:
        src = self._source
        if src is not None and self.large and src.is_dir():
            # a big index saved again unchanged but for its manifest: link its immutable files (no copy)
            for name in ("chunks.sqlite", "dense.faiss", "vectors.npy", "flags.npy"):
                _link_or_copy(src / name, tmp / name)
            for d in OWN_DIRS:
                if (src / d).is_dir():
                    (tmp / d).mkdir()
                    for f in (src / d).iterdir():
                        _link_or_copy(f, tmp / d / f.name)
            return
        if self.large:
            write_chunks(tmp / "chunks.sqlite", self.chunks)
            np.save(tmp / "flags.npy", self.flags_all(), allow_pickle=False)
        else:
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in self.chunks:
                    f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
        self.dense.save(tmp)
        if self.bm25 is not None:
            self.bm25.save(tmp / "bm25")
            self.gloss.save(tmp / "gloss")

    @classmethod
    def load(cls, path: str | Path, embedder_name: str | None = None, store: str = "") -> "StoreBase":
        """Open an index (local or Milvus: its manifest says which); with ``embedder_name``, refuse one built by
        another embedder; with ``store``, refuse one of another backend. Every problem is one
        :class:`StoreError` line (missing, damaged, of another format or embedder, not an index at all)."""
        path = Path(path)
        manifest = cls.open_manifest(path, embedder_name)
        backend = backend_of(manifest)
        rebuild_hint = cls.rebuild_hint(path)
        if store and store != backend:
            raise StoreError(f"index '{path.name}' is stored in {backend}, not {store}: use --store {backend}, or "
                             f"rebuild it there: rag index PATH --index {path.name} --store {store} --rebuild")
        if backend != "local":
            return open_store_backend(backend).load(path, manifest)
        layout = (manifest.get("store") or {}).get("layout", "jsonl")
        dense_info = (manifest.get("store") or {}).get("dense") or {"kind": "flat"}
        try:
            flags = None
            if layout == "sqlite":
                chunks: Sequence[Chunk] = ChunkTable(path / "chunks.sqlite", manifest.get("n_chunks"))
                flags = np.load(path / "flags.npy", mmap_mode="r", allow_pickle=False)
                if flags.shape != (len(chunks),) or flags.dtype != np.uint8:
                    raise ValueError("flags.npy and chunks.sqlite disagree")
            else:
                chunks = [Chunk.from_dict(json.loads(line)) for line in
                          (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
            dense = DenseIndex.load(path, dense_info)
            bm25 = KeywordIndex.load(path / "bm25") if len(chunks) else None
            gloss = KeywordIndex.load(path / "gloss") if len(chunks) else None
            if bm25 is not None and not layout == "sqlite":
                bm25.vocab, gloss.vocab  # a small index: read (and check) its vocabularies now
            bridge = cls.read_bridge(path)
        except Exception as exc:  # corrupt or tampered files: one clear line
            raise StoreError(f"{path}: damaged index ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}); {rebuild_hint}") from None
        if (dense.ntotal != len(chunks) or dense.d != manifest["embedder"]["dim"]
                or (bm25 is not None and (bm25.num_docs != len(chunks) or gloss.num_docs != len(chunks)))):
            raise StoreError(f"{path}: damaged index (vectors and chunks disagree); {rebuild_hint}")
        if manifest.get("keywords_version", 1) < KEYWORDS_VERSION:  # built by an older tokenizer/glossary
            # re-keyed with the profile the index was built with (its glossary feeds the English bridge), whoever
            # opens it: `rag index` and `rag info` open an index without knowing its profile
            from rag.profile import ProfileError, index_profile

            try:
                profile = index_profile(manifest)
                profile.glossary()  # read now: an unreadable glossary is a ProfileError here, not a traceback
                terms = profile.bridge_terms()
            except ProfileError:  # its profile can't be read: re-keyed as the caller reads it, in memory only
                terms = None
            with terms if terms is not None else contextlib.nullcontext():
                bm25, gloss, bridge = cls._keyword_parts(chunks, layout == "sqlite")
            store_ = cls(chunks, dense, bm25, dict(manifest, keywords_version=KEYWORDS_VERSION, tool=TOOL), bridge,
                         gloss, flags)
            # persist so the next start doesn't pay for it (about a second): only if no one else is writing
            # this index and it is still the one we read; a read-only or busy index still works from memory
            try:
                if terms is not None:
                    store_.save(path, if_unchanged_since=build_stamp(manifest))
            except Exception:  # noqa: BLE001 - a failed write-back must never fail a read
                pass
            return store_
        out = cls(chunks, dense, bm25, manifest, bridge, gloss, flags)
        out._source = path
        return out

    def close(self) -> None:
        if isinstance(self.chunks, ChunkTable):
            self.chunks.close()

    # -- search primitives ------------------------------------------------------------------
    def vectors(self) -> np.ndarray:
        return self.dense.vectors()

    def dense_search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        return self.dense.search(qvec, k, allowed)

    def keyword_scores(self, tokens: dict[str, float], gloss: bool = False, limit: int = 0
                       ) -> tuple[np.ndarray, np.ndarray]:
        model = self.gloss if gloss else self.bm25
        if model is None:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return model.scores(tokens)

    def keyword_top(self, tokens: dict[str, float], gloss: bool = False, limit: int = 0, top: int = 0
                    ) -> tuple[np.ndarray, np.ndarray, float]:
        model = self.gloss if gloss else self.bm25
        if model is None:
            return np.zeros(0, np.int64), np.zeros(0, np.float32), 0.0
        if not top:
            ids, scores = model.scores(tokens)
            return ids, scores, 0.0
        return model.top_scores(tokens, top)

    def keyword_scores_for(self, tokens: dict[str, float], ids: np.ndarray, gloss: bool = False) -> np.ndarray:
        model = self.gloss if gloss else self.bm25
        return np.zeros(len(ids), np.float32) if model is None else model.scores_for(tokens, ids)

    def doc_freq(self, token: str) -> int | None:
        if self.bm25 is None:
            return 0
        i = self.bm25.vocab.get(token)
        if i is None or i >= len(self.bm25.indptr) - 1:
            return 0
        return int(self.bm25.indptr[i + 1] - self.bm25.indptr[i])

    def bm25_scores(self, weighted_tokens: dict[str, float], gloss: bool = False) -> np.ndarray:
        """Sum of per-token BM25 scores over all chunks, each scaled by its weight (unknown tokens ignored);
        ``gloss`` searches the English-gloss index instead of the Chinese one. O(chunks): for small callers;
        the retriever uses :meth:`keyword_scores`."""
        model = self.gloss if gloss else self.bm25
        if model is None:
            return np.zeros(len(self.chunks), np.float32)
        return model.dense_scores(weighted_tokens)

    def flags_all(self) -> np.ndarray:
        if self._flags is None:
            self._flags = flags_of(self.chunks)
        return self._flags

    def flags(self, ids: np.ndarray) -> np.ndarray:
        return np.asarray(self.flags_all()[np.asarray(ids, np.int64)], dtype=np.uint8)

    @property
    def majority_lang(self) -> str:
        if self._majority is None:
            self._majority = majority_lang(self.flags_all())
        return self._majority

    def get_chunks(self, ids: Iterable[int]) -> list[Chunk]:
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.get_many(ids)
        return [self.chunks[int(i)] for i in ids]

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        """The chunk with ``chunk_id`` (an indexed lookup for big indexes), or None."""
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.by_chunk_id(chunk_id)
        return next((c for c in self.chunks if c.chunk_id == chunk_id), None)

    def allowed_ids(self, doc: str | None, section: str | None) -> np.ndarray | None:
        if not doc and not section:
            return None
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.filter_ids(doc, section)
        return np.array([i for i, c in enumerate(self.chunks)
                         if matches(doc, section, c.doc_id, c.doc_title, c.doc_path, c.section)], dtype=np.int64)


def _link_or_copy(src: Path, dst: Path) -> None:
    if not src.exists():
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _from_bm25s(model: Any) -> KeywordIndex:
    """A :class:`KeywordIndex` over the arrays of a ``bm25s.BM25`` object (same scores)."""
    s = model.scores
    return KeywordIndex(np.asarray(s["data"]), np.asarray(s["indices"]), np.asarray(s["indptr"]),
                        int(s["num_docs"]), dict(model.vocab_dict))
