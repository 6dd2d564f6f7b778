"""Storing: FAISS (inner product on normalised vectors) + bm25s keyword index + chunk JSONL + manifest.

Nothing is pickled: FAISS' own format, bm25s' ``.npy``/JSON files (loaded with ``allow_pickle=False``)
and JSON. Writes are atomic: a new index is written into a temporary sibling folder and renamed into
place, so a crash never leaves a half-written index and the previous one stays usable.

>>> import numpy as np
>>> from rag.types import Chunk
>>> c = Chunk("c1", "d", "t", "p", [], "全市收入增长", 0, 6, 1, 1)
>>> s = Store.build([c], np.ones((1, 4), np.float32) / 2, {"embedder": {"name": "x", "dim": 4}})
>>> s.dense_search(np.ones(4, np.float32) / 2, 1)[0][0]
0
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rag.bridge import build_bridge, build_gloss, gloss_words
from rag.tokenize import tokenize
from rag.types import Chunk

FORMAT_VERSION = 2
# bumped whenever tokenisation or the glossary changes: the keyword indexes of an older index are rebuilt from its
# chunks when it is opened (about a second for the sample corpus; the dense vectors are kept) and saved back
KEYWORDS_VERSION = 3
FILES = ("manifest.json", "chunks.jsonl", "dense.faiss", "bridge.json")


@contextmanager
def _index_lock(path: Path, wait: bool = True):
    """An exclusive advisory lock shared by every process writing ``path`` (yields False when
    ``wait`` is off and another process holds it)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform (Windows): writers are not serialised
        yield True
        return

    with open(path.parent / f".{path.name}.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_stamp(manifest: dict[str, Any]) -> str:
    return str(manifest.get("build_id") or manifest.get("built_at", ""))


def _stamp_on_disk(path: Path) -> str | None:
    try:
        return _build_stamp(json.loads((path / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError):
        return None


class StoreError(RuntimeError):
    """An index that is missing, incomplete, from another format version, or another embedder."""


class Store:
    """An opened index. Build with :meth:`build`, persist with :meth:`save`, open with :meth:`load`."""

    def __init__(self, chunks: list[Chunk], faiss_index: Any, bm25: Any, manifest: dict[str, Any],
                 bridge: dict[str, list[str]], gloss: Any = None):
        self.chunks = chunks
        self.faiss = faiss_index
        self.bm25 = bm25
        self.gloss = gloss  # BM25 over English glosses of each chunk's words
        self.manifest = manifest
        self.bridge = bridge
        self.vocab: dict[str, int] = dict(bm25.vocab_dict) if bm25 is not None else {}
        self.gloss_vocab: dict[str, int] = dict(gloss.vocab_dict) if gloss is not None else {}

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: list[Chunk], vectors: np.ndarray, manifest: dict[str, Any]) -> "Store":
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = int(manifest["embedder"]["dim"])
        index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        bm25, gloss, bridge = cls._keyword_parts(chunks)
        manifest = dict(manifest)
        manifest.update(format_version=FORMAT_VERSION, keywords_version=KEYWORDS_VERSION, n_chunks=len(chunks),
                        built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), build_id=uuid.uuid4().hex)
        return cls(chunks, index, bm25, manifest, bridge, gloss)

    @staticmethod
    def _keyword_parts(chunks: list[Chunk]) -> tuple[Any, Any, dict[str, list[str]]]:
        """The Chinese BM25 index, the English-gloss BM25 index and the EN->ZH bridge of ``chunks``."""
        import bm25s

        if not chunks:
            return None, None, {}
        corpus_tokens = [tokenize(c.embed_text()) or ["<empty>"] for c in chunks]
        bm25 = bm25s.BM25()
        bm25.index(corpus_tokens, show_progress=False)
        df: dict[str, int] = {}
        for toks in corpus_tokens:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        bridge = build_bridge(df.keys(), df)
        token_gloss, glossary = build_gloss(df.keys())
        gloss = bm25s.BM25()
        gloss.index([gloss_words(toks, c.text, token_gloss, glossary) or ["<empty>"]
                     for toks, c in zip(corpus_tokens, chunks)], show_progress=False)
        return bm25, gloss, bridge

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path, if_unchanged_since: str | None = None) -> bool:
        """Write atomically: temp folder -> rename; the old index is removed only after the swap.

        Writers of one index take turns (an exclusive lock on ``.<name>.lock`` next to it). With
        ``if_unchanged_since`` (the build stamp of the manifest read) the save is skipped, returning False, when
        another writer holds the lock or has replaced the index since then: nothing newer is overwritten.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _index_lock(path, wait=if_unchanged_since is None) as locked:
            if not locked:
                return False
            if if_unchanged_since is not None and _stamp_on_disk(path) != if_unchanged_since:
                return False
            self._save_locked(path)
            return True

    def _save_locked(self, path: Path) -> None:
        import faiss

        for stale in path.parent.glob(f".{path.name}.tmp-*"):  # left by a killed build (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
                for c in self.chunks:
                    f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
            faiss.write_index(self.faiss, str(tmp / "dense.faiss"))
            if self.bm25 is not None:
                self.bm25.save(str(tmp / "bm25"), show_progress=False)
                self.gloss.save(str(tmp / "gloss"), show_progress=False)
            (tmp / "bridge.json").write_text(json.dumps(self.bridge, ensure_ascii=False), encoding="utf-8")
            # the manifest is written last: its presence marks a complete index
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            for f in tmp.rglob("*"):
                if f.is_file():
                    with open(f, "rb") as fh:
                        os.fsync(fh.fileno())
            old = None
            if path.exists():
                old = path.parent / f".{path.name}.old-{os.getpid()}-{time.time_ns()}"
                os.rename(path, old)
            os.rename(tmp, path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def recover(path: str | Path) -> None:
        """If a crash hit between the two renames of :meth:`save`, put the previous index back."""
        path = Path(path)
        if path.exists() or not path.parent.exists():
            return
        if not any(path.parent.glob(f".{path.name}.old-*")):
            return
        try:
            with _index_lock(path):  # a writer between its two renames finishes first
                if not path.exists():
                    Store._recover_locked(path)
        except OSError:  # no lock file possible (read-only folder): nobody can be writing there
            if not path.exists():
                Store._recover_locked(path)

    @staticmethod
    def _recover_locked(path: Path) -> None:
        olds = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime)
        for old in reversed(olds):
            if (old / "manifest.json").exists():
                os.rename(old, path)
                return

    @staticmethod
    def exists(path: str | Path) -> bool:
        Store.recover(path)
        return (Path(path) / "manifest.json").is_file()

    @classmethod
    def load(cls, path: str | Path, embedder_name: str | None = None) -> "Store":
        """Open an index; with ``embedder_name``, refuse one built by another embedder."""
        import bm25s
        import faiss

        path = Path(path)
        cls.recover(path)
        mf = path / "manifest.json"
        if not mf.is_file():
            raise StoreError(f"no index at {path} (build one with: rag index PATH --index {path.name})")
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{mf}: unreadable manifest ({exc})") from None
        if manifest.get("format_version") != FORMAT_VERSION:
            raise StoreError(f"{path}: index format {manifest.get('format_version')} is not {FORMAT_VERSION}; rebuild it")
        built_with = manifest.get("embedder", {}).get("name")
        if embedder_name is not None and built_with != embedder_name:
            spec = manifest.get("embedder", {}).get("spec") or "<the embedder it was built with>"
            raise StoreError(f"index '{path.name}' was built with embedder '{built_with}', not '{embedder_name}': "
                             f"use --embedder {spec} or rebuild it: rag index PATH --index {path.name} --rebuild")
        try:
            chunks = [Chunk.from_dict(json.loads(line)) for line in
                      (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
            index = faiss.read_index(str(path / "dense.faiss"))
            bm25 = bm25s.BM25.load(str(path / "bm25"), allow_pickle=False, show_progress=False) if chunks else None
            gloss = bm25s.BM25.load(str(path / "gloss"), allow_pickle=False, show_progress=False) if chunks else None
            bridge = json.loads((path / "bridge.json").read_text(encoding="utf-8"))
        except Exception as exc:  # corrupt or tampered files: one clear line
            raise StoreError(f"{path}: damaged index ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); rebuild it") from None
        if index.ntotal != len(chunks) or index.d != manifest["embedder"]["dim"]:
            raise StoreError(f"{path}: damaged index (vectors and chunks disagree); rebuild it")
        if manifest.get("keywords_version", 1) < KEYWORDS_VERSION:  # built by an older tokenizer/glossary
            bm25, gloss, bridge = cls._keyword_parts(chunks)
            store = cls(chunks, index, bm25, dict(manifest, keywords_version=KEYWORDS_VERSION), bridge, gloss)
            # persist so the next start doesn't pay for it (about a second): only if no one else is writing
            # this index and it is still the one we read; a read-only or busy index still works from memory
            try:
                store.save(path, if_unchanged_since=_build_stamp(manifest))
            except Exception:  # noqa: BLE001 - a failed write-back must never fail a read
                pass
            return store
        return cls(chunks, index, bm25, manifest, bridge, gloss)

    # -- search primitives ------------------------------------------------------------------
    def vectors(self) -> np.ndarray:
        if self.faiss.ntotal == 0:
            return np.zeros((0, self.faiss.d), np.float32)
        return self.faiss.reconstruct_n(0, self.faiss.ntotal)

    def dense_search(self, qvec: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.faiss.ntotal == 0:
            return []
        k = min(k, self.faiss.ntotal)
        scores, ids = self.faiss.search(np.asarray(qvec, np.float32).reshape(1, -1), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def bm25_scores(self, weighted_tokens: dict[str, float], gloss: bool = False) -> np.ndarray:
        """Sum of per-token BM25 scores, each scaled by its weight (unknown tokens ignored);
        ``gloss`` searches the English-gloss index instead of the Chinese one."""
        model, vocab = (self.gloss, self.gloss_vocab) if gloss else (self.bm25, self.vocab)
        scores = np.zeros(len(self.chunks), np.float32)
        if model is None:
            return scores
        for tok, w in weighted_tokens.items():
            if tok in vocab and w > 0:
                scores += w * model.get_scores([tok])
        return scores
