"""What every index store shares: the index folder's safety rules, its manifest, its lock, and the interface
the retriever searches through (:class:`StoreBase`).

An index is a folder ``<index_dir>/<name>/`` holding a manifest (``"tool": "rag-zh"``) and the files of its
backend: the local one (:class:`rag.store.Store`: FAISS, BM25 arrays, chunk texts) or, for the Milvus backend
(:mod:`rag.backends.milvus`), only the manifest and the English-Chinese bridge, the chunks living in a Milvus
collection the manifest names. Writes are atomic (a temporary sibling folder renamed into place), writers take
turns under :func:`index_lock`, and only what is recognisably this tool's is ever replaced or removed
(:meth:`StoreBase.inspect`).

>>> is_own_manifest({"tool": "rag-zh"}), is_own_manifest({"name": "my-web-app", "version": 2})
(True, False)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from rag.config import ConfigError, check_index_name
from rag.errors import UserError
from rag.types import Chunk

# index formats this version reads: 2 (chunk texts in chunks.jsonl, flat FAISS) and 3 (chunk texts in SQLite
# and an approximate FAISS index for big indexes; the Milvus backend); a small local index is still written as 2
FORMAT_VERSION = 2
FORMAT_VERSIONS = (2, 3)
# every file a backend writes into an index folder (the local backend writes a subset, the Milvus backend
# manifest.json and bridge.json only)
FILES = ("manifest.json", "chunks.jsonl", "dense.faiss", "bridge.json", "chunks.sqlite", "vectors.npy", "flags.npy")
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


class StoreError(UserError, RuntimeError):
    """An index that is missing, incomplete, from another format version, or another embedder, or a store
    that can't be reached: one line for the user (a :class:`rag.errors.UserError`, so every shell shows it as
    such even when it is raised mid-search)."""




# public names of the helpers above, for the store modules built on this one
build_stamp = _build_stamp
read_json = _read_json
remove_own = _remove_own
hint_name = _hint_name
check_manifest = _check_manifest

# per-chunk flags the retriever ranks by (uint8): front matter, and the chunk's script being English
FLAG_FRONT, FLAG_EN = 1, 2


def flags_of(chunks: Sequence[Chunk]) -> np.ndarray:
    """The flags of each chunk (:data:`FLAG_FRONT` | :data:`FLAG_EN`)."""
    from rag.tokenize import script_of

    return np.array([(FLAG_FRONT if c.front_matter else 0) | (FLAG_EN if script_of(c.text) == "en" else 0)
                     for c in chunks], dtype=np.uint8)


def majority_lang(flags: np.ndarray) -> str:
    """The script most chunks are in ("zh" for an empty index)."""
    n_en = int(np.count_nonzero(np.asarray(flags) & FLAG_EN))
    return "en" if n_en > len(flags) - n_en else "zh"


def matches(doc: str | None, section: str | None, doc_id: str, doc_title: str, doc_path: str,
            sections: Sequence[str]) -> bool:
    """The ``--doc`` / ``--section`` filters: the document's id or title, or part of its path; part of one
    heading of the section path."""
    if doc and doc not in (doc_id, doc_title) and doc not in doc_path:
        return False
    if section and not any(section in s for s in sections):
        return False
    return True


class StoreBase:
    """An opened index, whatever its backend. The retriever uses only the methods below; ``chunks`` (a
    sequence of :class:`Chunk`, read on demand by big indexes) is for callers that walk the whole index.

    Subclasses implement :meth:`write_files` (what :meth:`save` puts into the new index folder) and the search
    primitives. The folder rules (:meth:`inspect`, :meth:`save`, :meth:`recover`, :meth:`open_manifest`) are
    the same for every backend."""

    manifest: dict[str, Any]
    bridge: dict[str, list[str]]
    chunks: Sequence[Chunk]

    # -- search primitives (ids are chunk numbers, 0..n-1 for the local backend) ------------------------
    def dense_search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` nearest chunks by inner product, best first; only ``allowed`` ids when given."""
        raise NotImplementedError

    def keyword_scores(self, tokens: dict[str, float], gloss: bool = False, limit: int = 0
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of the chunks the weighted ``tokens`` match (Chinese BM25, or with ``gloss`` the
        English-gloss BM25). A backend may return only its best ``limit`` (the local one returns all)."""
        raise NotImplementedError

    def keyword_top(self, tokens: dict[str, float], gloss: bool = False, limit: int = 0, top: int = 0
                    ) -> tuple[np.ndarray, np.ndarray, float]:
        """:meth:`keyword_scores` plus a bound: (ids, scores, bound), no chunk outside ``ids`` scoring above
        ``bound``; a store may return only its best ``top`` (0: all; bound 0 = complete)."""
        ids, scores = self.keyword_scores(tokens, gloss=gloss, limit=limit)
        return ids, scores, 0.0

    def keyword_scores_for(self, tokens: dict[str, float], ids: np.ndarray, gloss: bool = False) -> np.ndarray:
        """Exact keyword scores of chunks ``ids`` (ascending); only stores whose :meth:`keyword_top` bounds."""
        raise NotImplementedError

    def flags(self, ids: np.ndarray) -> np.ndarray:
        """:data:`FLAG_FRONT` / :data:`FLAG_EN` of each id."""
        raise NotImplementedError

    @property
    def majority_lang(self) -> str:
        raise NotImplementedError

    @property
    def n_chunks(self) -> int:
        """How many chunks the index holds (from its manifest: nothing is read)."""
        n = self.manifest.get("n_chunks")
        return int(n) if isinstance(n, int) else len(self.chunks)

    def doc_freq(self, token: str) -> int | None:
        """How many chunks hold BM25 token ``token`` (None when the backend can't tell cheaply): an IDF source
        that needs no pass over the chunk texts."""
        return None

    def get_chunks(self, ids: Sequence[int]) -> list[Chunk]:
        """The chunks of ``ids``, in that order."""
        raise NotImplementedError

    def allowed_ids(self, doc: str | None, section: str | None) -> np.ndarray | None:
        """Ids passing the ``--doc`` / ``--section`` filters (None when there is no filter)."""
        raise NotImplementedError

    def vectors(self) -> np.ndarray:
        raise NotImplementedError

    def write_files(self, folder: Path) -> None:
        """Write this store's files (everything but the manifest) into the new index folder ``folder``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release open files and connections (the store stays usable for what is already in memory)."""

    # -- the index folder -------------------------------------------------------------------------
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
        state, detail = StoreBase.inspect(path)
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
        for stale in path.parent.glob(f".{path.name}.tmp-*"):  # left by a killed build (we hold the lock)
            _remove_own(stale)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            self.write_files(tmp)
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
                    StoreBase._recover_locked(path)
        except OSError:  # no lock file possible (read-only folder): nobody can be writing there
            if not path.exists():
                StoreBase._recover_locked(path)

    @staticmethod
    def _recover_locked(path: Path) -> None:
        olds = sorted(path.parent.glob(f".{path.name}.old-*"), key=lambda p: p.stat().st_mtime)
        for old in reversed(olds):
            if _is_real_dir(old) and is_own_manifest(_read_json(old / "manifest.json")):
                os.rename(old, path)
                return

    @staticmethod
    def exists(path: str | Path) -> bool:
        StoreBase.recover(path)
        return (Path(path) / "manifest.json").is_file()

    @staticmethod
    def rebuild_hint(path: Path) -> str:
        return f"rebuild it: rag index PATH --index {_hint_name(path)} --rebuild"

    @classmethod
    def open_manifest(cls, path: str | Path, embedder_name: str | None = None) -> dict[str, Any]:
        """The checked manifest of the index at ``path``; with ``embedder_name``, refuse one built by another
        embedder. Every problem is one :class:`StoreError` line (missing, damaged, of another format or
        embedder, not an index at all)."""
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
        rebuild_hint = cls.rebuild_hint(path)
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
        if isinstance(manifest, dict) and manifest.get("format_version") not in FORMAT_VERSIONS:
            raise StoreError(f"{path}: index format {manifest.get('format_version')} is not one this version "
                             f"reads ({', '.join(map(str, FORMAT_VERSIONS))}); {rebuild_hint}")
        problem = _check_manifest(manifest)
        if problem:
            raise StoreError(f"{path}: damaged index ({problem}); {rebuild_hint}")
        built_with = manifest["embedder"]["name"]
        if embedder_name is not None and built_with != embedder_name:
            spec = manifest["embedder"].get("spec") or "<the embedder it was built with>"
            raise StoreError(f"index '{path.name}' was built with embedder '{built_with}', not '{embedder_name}': "
                             f"use --embedder {spec} or {rebuild_hint}")
        return manifest

    @staticmethod
    def read_bridge(path: Path) -> dict[str, list[str]]:
        """``bridge.json`` of the index at ``path`` (ValueError/OSError when malformed)."""
        bridge = json.loads((path / "bridge.json").read_text(encoding="utf-8"))
        if not (isinstance(bridge, dict) and all(isinstance(v, list) and all(isinstance(w, str) for w in v)
                                                 for v in bridge.values())):
            raise ValueError("bridge.json is not an object of word lists")
        return bridge


def backend_of(manifest: dict[str, Any] | None) -> str:
    """The backend an index was written by: "local" unless its manifest names another."""
    store = manifest.get("store") if isinstance(manifest, dict) else None
    return str(store.get("backend") or "local") if isinstance(store, dict) else "local"
