"""Storing: FAISS (inner product on normalised vectors) + bm25s keyword index + chunk JSONL + manifest.

Nothing is pickled: FAISS' own format, bm25s' ``.npy``/JSON files (loaded with ``allow_pickle=False``)
and JSON. Writes are atomic: a new index is written into a temporary sibling folder and renamed into
place, so a crash never leaves a half-written index and the previous one stays usable.

Only what is recognisably this tool's is ever replaced or removed (see :meth:`Store.inspect`): an index
folder holds the files :meth:`Store.save` writes (``manifest.json``, ``chunks.jsonl``, ``dense.faiss``,
``bridge.json`` and the bm25s folders ``bm25/``, ``gloss/``) and its manifest carries ``"tool": "rag-zh"``
(manifests written before that key existed are recognised by their shape). A file, a symbolic link, a
folder holding anything else, or a lone ``manifest.json`` this tool did not write is never touched; a
damaged index (our files, but no readable manifest of ours) is replaced only by an explicit rebuild.

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

import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from rag.bridge import build_bridge, build_gloss, gloss_words
from rag.config import ConfigError, check_index_name
from rag.tokenize import tokenize
from rag.types import Chunk

FORMAT_VERSION = 2
# bumped whenever tokenisation or the glossary changes: the keyword indexes of an older index are rebuilt from its
# chunks when it is opened (about a second for the sample corpus; the dense vectors are kept) and saved back
KEYWORDS_VERSION = 3
FILES = ("manifest.json", "chunks.jsonl", "dense.faiss", "bridge.json")
# the manifest's marker: this folder is an index written by this tool
TOOL = "rag-zh"
# what save() writes into an index folder: FILES and two bm25s folders holding only <name>.index.npy/.json files
OWN_DIRS = ("bm25", "gloss")
_OWN_IN_DIRS = re.compile(r"^[A-Za-z0-9_.\-]+\.index\.(?:npy|json)$")
# written by file browsers, not by users: removed along with an index, never a reason to refuse
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

# lock files this thread holds (-> depth), so that a writer holding an index's lock can call save/load/recover
# of the same index without deadlocking on its own flock (flock is per open file description)
_held: dict[tuple[str, int], int] = {}


def _lock_file(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


@contextmanager
def index_lock(path: str | Path, wait: bool = True, on_wait: Callable[[], None] | None = None) -> Iterator[bool]:
    """An exclusive advisory lock shared by every process writing ``path`` (``.<name>.lock`` next to it).

    Yields True once held; with ``wait`` off, yields False at once when another process (or thread) holds it.
    ``on_wait`` is called before blocking when the lock is busy. Re-entrant within one thread.
    """
    path = Path(path)
    lock_file = _lock_file(path)
    key = (os.path.join(os.path.realpath(lock_file.parent), lock_file.name), threading.get_ident())
    if _held.get(key):
        _held[key] += 1
        try:
            yield True
        finally:
            _held[key] -= 1
        return
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform (Windows): writers are not serialised
        yield True
        return

    with open(lock_file, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                yield False
                return
            if on_wait is not None:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        _held[key] = 1
        try:
            yield True
        finally:
            del _held[key]
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_stamp(manifest: Any) -> str:
    if not isinstance(manifest, dict):
        return ""
    return str(manifest.get("build_id") or manifest.get("built_at", ""))


def _read_json(path: Path) -> Any:
    """The parsed JSON of ``path``, or None when it is missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _stamp_on_disk(path: Path) -> str | None:
    manifest = _read_json(path / "manifest.json")
    return None if manifest is None else _build_stamp(manifest)


def is_own_manifest(manifest: Any) -> bool:
    """True for a manifest this tool wrote: it carries ``"tool": "rag-zh"``, or (written before that key
    existed) it has the keys every manifest of :meth:`Store.build` has.

    >>> is_own_manifest({"tool": "rag-zh"}), is_own_manifest({"name": "my-web-app", "version": 2})
    (True, False)
    """
    if not isinstance(manifest, dict):
        return False
    if "tool" in manifest:
        return manifest["tool"] == TOOL
    return (isinstance(manifest.get("format_version"), int) and isinstance(manifest.get("embedder"), dict)
            and "n_chunks" in manifest and ("build_id" in manifest or "built_at" in manifest))


def _is_real_dir(p: Path) -> bool:
    return p.is_dir() and not p.is_symlink()


def _is_real_file(p: Path) -> bool:
    return p.is_file() and not p.is_symlink()


def _foreign_entries(folder: Path) -> list[str]:
    """Entries of ``folder`` (relative names, sorted) that :meth:`Store.save` does not write."""
    out: list[str] = []
    for e in sorted(folder.iterdir()):
        if e.name in OS_LITTER:
            continue
        if e.name in FILES and _is_real_file(e):
            continue
        if e.name in OWN_DIRS and _is_real_dir(e):
            out.extend(f"{e.name}/{sub.name}" for sub in sorted(e.iterdir())
                       if sub.name not in OS_LITTER and not (_OWN_IN_DIRS.match(sub.name) and _is_real_file(sub)))
            continue
        out.append(e.name + ("/" if e.is_dir() else ""))
    return out


def _remove_own(folder: Path) -> bool:
    """Delete the files :meth:`Store.save` writes from ``folder``, then the folder if that left it empty.
    Anything else stays where it is (True when the folder is gone)."""
    if not _is_real_dir(folder):
        return False
    for e in folder.iterdir():
        try:
            if (e.name in FILES or e.name in OS_LITTER) and _is_real_file(e):
                e.unlink()
            elif e.name in OWN_DIRS and _is_real_dir(e):
                for sub in e.iterdir():
                    if (sub.name in OS_LITTER or _OWN_IN_DIRS.match(sub.name)) and _is_real_file(sub):
                        sub.unlink()
                e.rmdir()
        except OSError:
            pass
    try:
        folder.rmdir()
        return True
    except OSError:
        return False


def _hint_name(path: Path) -> str:
    """``path``'s name if it is a valid index name, else the placeholder NAME (never suggest an invalid name)."""
    try:
        return check_index_name(path.name)
    except ConfigError:
        return "NAME"


def _listing(names: list[str], n: int = 3) -> str:
    shown = ", ".join(names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def _check_manifest(m: Any) -> str | None:
    """Why ``m`` is not a well-formed manifest (of the current format), or None."""
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    if not isinstance(m, dict):
        return f"manifest.json holds a JSON {type(m).__name__}, not an object"
    emb = m.get("embedder")
    if not (isinstance(emb, dict) and isinstance(emb.get("name"), str) and emb["name"]
            and is_int(emb.get("dim")) and emb["dim"] > 0 and isinstance(emb.get("spec", ""), (str, type(None)))):
        return "manifest.json: 'embedder' is not {name, dim}"
    for key, kind in (("sources", list), ("files", dict), ("chunker", dict)):
        if key in m and not isinstance(m[key], kind):
            return f"manifest.json: '{key}' is not a JSON {'array' if kind is list else 'object'}"
    if not all(isinstance(s, str) for s in m.get("sources", [])):
        return "manifest.json: 'sources' holds a non-string"
    for fpath, f in m.get("files", {}).items():
        if not (isinstance(f, dict) and all(isinstance(f.get(k), str) for k in ("sha256", "doc_id", "title"))
                and is_int(f.get("chunks")) and all(is_int(f[k]) for k in ("size", "mtime_ns") if k in f)):
            return f"manifest.json: the entry of file {fpath!r} is malformed"
    for key in ("keywords_version", "n_chunks"):
        if key in m and not is_int(m[key]):
            return f"manifest.json: '{key}' is not an integer"
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
        manifest.update(tool=TOOL, format_version=FORMAT_VERSION, keywords_version=KEYWORDS_VERSION,
                        n_chunks=len(chunks), built_at=time.strftime("%Y-%m-%dT%H:%M:%S"), build_id=uuid.uuid4().hex)
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
    lock = staticmethod(index_lock)

    @staticmethod
    def inspect(path: str | Path) -> tuple[str, str]:
        """What is at ``path``, as (state, detail); the rule for what a write may replace:

        - ``"missing"``: nothing there, or an empty folder (nothing to lose);
        - ``"index"``: a folder holding only files :meth:`save` writes, with a manifest of ours;
        - ``"damaged"``: a folder holding only files :meth:`save` writes, some besides ``manifest.json``, but no
          readable manifest of ours (missing, truncated, or not this tool's): replaced only by a rebuild;
        - ``"foreign"``: anything else (a file, a symbolic link, a folder holding other files, a lone
          ``manifest.json`` this tool did not write): never replaced nor removed.

        Files of a file browser (``.DS_Store``...) are ignored.
        """
        path = Path(path)
        if path.is_symlink():
            return "foreign", "is a symbolic link"
        if not path.exists():
            return "missing", ""
        if not path.is_dir():
            return "foreign", "is a file, not an index folder"
        try:
            foreign = _foreign_entries(path)
            own = [e.name for e in path.iterdir() if e.name not in OS_LITTER]
        except OSError as exc:
            return "foreign", f"cannot be read ({exc.strerror or type(exc).__name__})"
        if foreign:
            return "foreign", f"holds files this tool did not write ({_listing(foreign)})"
        if not own:
            return "missing", "an empty folder"
        if is_own_manifest(_read_json(path / "manifest.json")):
            return "index", ""
        if own == ["manifest.json"]:
            return "foreign", "holds a manifest.json this tool did not write"
        why = "unreadable or not this tool's" if (path / "manifest.json").exists() else "missing"
        return "damaged", f"manifest.json is {why}"

    @staticmethod
    def check_replaceable(path: str | Path, rebuild: bool = False) -> None:
        """Raise :class:`StoreError` unless a write may replace what is at ``path`` (see :meth:`inspect`):
        nothing or an index of ours, or (with ``rebuild``) a damaged index of ours."""
        path = Path(path)
        state, detail = Store.inspect(path)
        if state == "foreign":
            raise StoreError(f"{path} {detail}: it is not an index of this tool, so nothing was changed; "
                             f"use another --index name or --index-dir, or move it away")
        if state == "damaged" and not rebuild:
            raise StoreError(f"{path}: damaged index ({detail}); rebuild it: "
                             f"rag index PATH --index {_hint_name(path)} --rebuild")

    @staticmethod
    def read_manifest(path: str | Path) -> dict[str, Any] | None:
        """The manifest of the index at ``path`` as written (no checks beyond being a JSON object), or None."""
        m = _read_json(Path(path) / "manifest.json")
        return m if isinstance(m, dict) else None

    def save(self, path: str | Path, if_unchanged_since: str | None = None, rebuild: bool = False) -> bool:
        """Write atomically: temp folder -> rename; the old index is removed only after the swap.

        Writers of one index take turns (:meth:`lock`, re-entrant: a caller may already hold it). With
        ``if_unchanged_since`` (the build stamp of the manifest read) the save is skipped, returning False, when
        another writer holds the lock or has replaced the index since then: nothing newer is overwritten.
        Raises :class:`StoreError` when ``path`` holds something this tool may not replace
        (:meth:`check_replaceable`; ``rebuild`` allows replacing a damaged index of ours).
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with index_lock(path, wait=if_unchanged_since is None) as locked:
            if not locked:
                return False
            if if_unchanged_since is not None and _stamp_on_disk(path) != if_unchanged_since:
                return False
            self.check_replaceable(path, rebuild=rebuild)
            self._save_locked(path)
            return True

    def _save_locked(self, path: Path) -> None:
        import faiss

        for stale in path.parent.glob(f".{path.name}.tmp-*"):  # left by a killed build (we hold the lock)
            _remove_own(stale)
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
            if path.exists():  # checked by check_replaceable under the same lock
                old = path.parent / f".{path.name}.old-{os.getpid()}-{time.time_ns()}"
                os.rename(path, old)
            os.rename(tmp, path)
            if old is not None:
                _remove_own(old)  # only our files: anything dropped in meanwhile stays in the .old folder
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)  # our own temporary folder

    @staticmethod
    def recover(path: str | Path) -> None:
        """If a crash hit between the two renames of :meth:`save`, put the previous index back."""
        path = Path(path)
        if path.exists() or path.is_symlink() or not path.parent.exists():
            return
        if not any(path.parent.glob(f".{path.name}.old-*")):
            return
        try:
            with index_lock(path):  # a writer between its two renames finishes first
                if not path.exists():
                    Store._recover_locked(path)
        except OSError:  # no lock file possible (read-only folder): nobody can be writing there
            if not path.exists():
                Store._recover_locked(path)

    @staticmethod
    def _recover_locked(path: Path) -> None:
        olds = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime)
        for old in reversed(olds):
            if _is_real_dir(old) and is_own_manifest(_read_json(old / "manifest.json")):
                os.rename(old, path)
                return

    @staticmethod
    def exists(path: str | Path) -> bool:
        Store.recover(path)
        return (Path(path) / "manifest.json").is_file()

    @classmethod
    def load(cls, path: str | Path, embedder_name: str | None = None) -> "Store":
        """Open an index; with ``embedder_name``, refuse one built by another embedder. Every problem is one
        :class:`StoreError` line (missing, damaged, of another format or embedder, not an index at all)."""
        import bm25s
        import faiss

        path = Path(path)
        cls.recover(path)
        name = _hint_name(path)
        mf = path / "manifest.json"
        if not mf.is_file():
            state, detail = cls.inspect(path)
            if state == "damaged":
                raise StoreError(f"{path}: damaged index ({detail}); "
                                 f"rebuild it: rag index PATH --index {name} --rebuild")
            if state == "foreign" and path.exists():
                raise StoreError(f"no index at {path}: it {detail}")
            raise StoreError(f"no index at {path} (build one with: rag index PATH --index {name})")
        rebuild_hint = f"rebuild it: rag index PATH --index {name} --rebuild"
        try:
            manifest, unreadable = json.loads(mf.read_text(encoding="utf-8")), None
        except (OSError, ValueError) as exc:
            manifest, unreadable = None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not is_own_manifest(manifest):
            state, detail = cls.inspect(path)
            if state == "foreign":  # e.g. someone else's manifest.json among other files
                raise StoreError(f"no index at {path}: it {detail}")
        if unreadable is not None:
            raise StoreError(f"{path}: damaged index (unreadable manifest.json: {unreadable}); {rebuild_hint}")
        if isinstance(manifest, dict) and manifest.get("format_version") != FORMAT_VERSION:
            raise StoreError(f"{path}: index format {manifest.get('format_version')} is not {FORMAT_VERSION}; "
                             f"{rebuild_hint}")
        problem = _check_manifest(manifest)
        if problem:
            raise StoreError(f"{path}: damaged index ({problem}); {rebuild_hint}")
        built_with = manifest["embedder"]["name"]
        if embedder_name is not None and built_with != embedder_name:
            spec = manifest["embedder"].get("spec") or "<the embedder it was built with>"
            raise StoreError(f"index '{path.name}' was built with embedder '{built_with}', not '{embedder_name}': "
                             f"use --embedder {spec} or {rebuild_hint}")
        try:
            chunks = [Chunk.from_dict(json.loads(line)) for line in
                      (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
            index = faiss.read_index(str(path / "dense.faiss"))
            bm25 = bm25s.BM25.load(str(path / "bm25"), allow_pickle=False, show_progress=False) if chunks else None
            gloss = bm25s.BM25.load(str(path / "gloss"), allow_pickle=False, show_progress=False) if chunks else None
            bridge = json.loads((path / "bridge.json").read_text(encoding="utf-8"))
            if not (isinstance(bridge, dict) and all(isinstance(v, list) and all(isinstance(w, str) for w in v)
                                                     for v in bridge.values())):
                raise ValueError("bridge.json is not an object of word lists")
        except Exception as exc:  # corrupt or tampered files: one clear line
            raise StoreError(f"{path}: damaged index ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''}); {rebuild_hint}") from None
        if index.ntotal != len(chunks) or index.d != manifest["embedder"]["dim"]:
            raise StoreError(f"{path}: damaged index (vectors and chunks disagree); {rebuild_hint}")
        if manifest.get("keywords_version", 1) < KEYWORDS_VERSION:  # built by an older tokenizer/glossary
            bm25, gloss, bridge = cls._keyword_parts(chunks)
            store = cls(chunks, index, bm25, dict(manifest, keywords_version=KEYWORDS_VERSION, tool=TOOL), bridge,
                        gloss)
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
