"""The web UI's shared state: one Retriever per index, serialised index writes, atomic swaps.

Readers (chat, passage look-ups) take a :class:`Retriever` snapshot from a dict under a short lock and
never wait for a write. Writers (uploads, deletions) hold one write lock, build the new index on disk
with :func:`rag.indexer.build_index` (which writes to a temp folder and renames it into place), open a
fresh Retriever, and only then swap it into the dict. A question already being answered finishes on
the old snapshot; the next one sees the new index. Nothing here imports Gradio.

Uploaded files are kept in ``<index_dir>/uploads/<index>/``; copies the index does not reference
(an upload killed mid-way, a file the indexer rejected) are removed when the engine starts and after
every upload (:meth:`Engine.clean_uploads`). Documents are shown by a path relative to the index's
sources, never by their server path:

>>> clean_name("report\u202etxt.exe")   # a right-to-left override would show "reportexe.txt"
'reporttxt.exe'
>>> doc_refs(["/srv/docs/a.txt", "/srv/docs/sub/b.md", "/srv/up/a.txt"], ["/srv/docs", "/srv/up/a.txt"])
{'/srv/docs/a.txt': 'docs/a.txt', '/srv/docs/sub/b.md': 'docs/sub/b.md', '/srv/up/a.txt': 'a.txt'}
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rag.config import RESERVED_NAMES, Config, ConfigError, check_index_name
from rag.load import SUPPORTED, LoadError, load_file
from rag.store import Store

# bidirectional formatting characters: a right-to-left override makes "x\u202etxt.exe" look like "xexe.txt"
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_name(name: str) -> str:
    """An uploaded file's stored name: its last path part without bidi controls, control characters
    or leading dots and spaces ("upload" if nothing is left)."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    name = BIDI_CONTROLS.sub("", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    return name.strip().lstrip(". ") or "upload"


def doc_refs(files: Iterable[str], sources: Iterable[str]) -> dict[str, str]:
    """Each indexed file's path relative to the index source it came from (a source folder's name,
    then the path inside it; a file given as a source: its name). Unique: a clash gets " (2)", " (3)"..."""
    srcs = sorted({str(s) for s in sources}, key=len, reverse=True)  # the deepest source first
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in sorted(files):
        p = Path(f)
        ref = p.name
        for s in srcs:
            sp = Path(s)
            if p == sp:
                break
            try:
                ref = str(Path(sp.name) / p.relative_to(sp))
                break
            except ValueError:
                continue
        base, n = ref, 1
        while ref in used:
            n += 1
            ref = f"{base} ({n})"
        used.add(ref)
        out[f] = ref
    return out


class EngineError(Exception):
    """A request the UI reports as one line (bad index name, nothing to delete...)."""


@dataclass
class Rejected:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass
class UploadResult:
    added: list[str] = field(default_factory=list)  # file names indexed (new or replaced)
    rejected: list[Rejected] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0


class Engine:
    """Thread-safe access to the indexes under ``cfg.index_dir`` for many concurrent sessions."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self._lock = threading.Lock()  # guards the dicts below; held only for lookups and swaps
        self._write_lock = threading.RLock()  # serialises index writes (and first opens)
        self._retrievers: dict[str, object] = {}
        self._llm_assistants: dict[tuple, object] = {}
        self._refs: dict[str, tuple[object, dict[str, str]]] = {}  # index -> (store, manifest key -> shown path)
        self.generation: dict[str, int] = {}  # bumped on every swap (tests and the UI use it)
        self.clean_uploads()

    # -- configuration -----------------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return Path(self.cfg.index_dir)

    def cfg_for(self, index: str | None = None, **changes) -> Config:
        return self.cfg.replace(index_name=index or self.cfg.index_name, **changes)

    def check_name(self, index: str) -> str:
        """``index`` stripped, if it is a valid index name (:func:`rag.config.check_index_name`)."""
        try:
            return check_index_name((index or "").strip())
        except ConfigError as exc:
            raise EngineError(str(exc)) from None

    def uploads_dir(self, index: str) -> Path:
        return self.index_dir / "uploads" / index

    def indexes(self) -> list[str]:
        """Names of the complete indexes under ``index_dir`` (plus any opened in memory)."""
        names = set(self._retrievers)
        if self.index_dir.is_dir():
            for p in self.index_dir.iterdir():
                if (p.is_dir() and not p.name.startswith(".") and p.name not in RESERVED_NAMES
                        and Store.exists(p) and Store.inspect(p)[0] == "index"):
                    names.add(p.name)
        return sorted(names, key=lambda n: (n != self.cfg.index_name, n))

    def exists(self, index: str) -> bool:
        if index in self._retrievers:
            return True
        try:
            self.check_name(index)
        except EngineError:
            return False
        return Store.exists(self.index_dir / index)

    # -- readers -----------------------------------------------------------------------------
    def retriever(self, index: str | None = None):
        """The current Retriever of ``index`` (opened on first use)."""
        index = index or self.cfg.index_name
        r = self._retrievers.get(index)
        if r is not None:
            return r
        from rag.retrieve import Retriever

        with self._write_lock:  # never open an index while it is being written
            r = self._retrievers.get(index)
            if r is None:
                self.check_name(index)
                r = Retriever.open(self.cfg_for(index)).warm()
                with self._lock:
                    self._retrievers[index] = r
                    self.generation[index] = self.generation.get(index, 0) + 1
        return r

    def assistant(self, index: str | None = None, k: int | None = None, llm: str | None = None):
        """An Assistant over the current snapshot of ``index``: cheap for the offline backend; LLM
        backends are cached per (index generation, k, backend) since creating a client may be slow."""
        from rag.assistant import Assistant

        index = index or self.cfg.index_name
        retriever = self.retriever(index)
        cfg = self.cfg_for(index, answer_passages=int(k) if k else None, llm=llm or None)
        if cfg.llm == "offline":
            return Assistant(cfg, retriever)
        key = (index, self.generation.get(index, 0), cfg.answer_passages, cfg.llm)
        a = self._llm_assistants.get(key)
        if a is None:
            a = Assistant(cfg, retriever)
            with self._lock:
                self._llm_assistants[key] = a
        return a

    def chunk(self, chunk_id: str, index: str | None = None):
        """Look a chunk up in the current index (for passage views outside the session's answers)."""
        try:
            store = self.retriever(index).store
        except Exception:
            return None
        for c in store.chunks:
            if c.chunk_id == chunk_id:
                return c
        return None

    def documents(self, index: str | None = None) -> list[dict]:
        """The files indexed in ``index``: ref (the path shown: relative to the index's sources), name,
        title, chunks, uploaded (a copy in the uploads folder), and path (the server path, the
        manifest key: never shown to a user)."""
        index = index or self.cfg.index_name
        if not self.exists(index):
            return []
        refs = self.refs(index)
        files = self.retriever(index).store.manifest.get("files", {})
        up = self.uploads_dir(index).resolve()
        out = []
        for path, f in sorted(files.items(), key=lambda kv: (kv[1].get("title", ""), refs.get(kv[0], ""))):
            out.append({"ref": refs.get(path) or Path(path).name, "path": path, "name": Path(path).name,
                        "title": f.get("title", ""), "chunks": f.get("chunks", 0),
                        "uploaded": Path(path).parent == up})
        return out

    def refs(self, index: str | None = None) -> dict[str, str]:
        """Manifest key (server path) -> the path shown for it, for the current snapshot of ``index``."""
        index = index or self.cfg.index_name
        store = self.retriever(index).store
        cached = self._refs.get(index)
        if cached is not None and cached[0] is store:
            return cached[1]
        m = store.manifest
        refs = doc_refs(m.get("files", {}), m.get("sources", []))
        self._refs[index] = (store, refs)
        return refs

    def doc_ref(self, doc_path: str, index: str | None = None) -> str:
        """The path shown for a chunk's ``doc_path`` (its file name if the index does not list it)."""
        try:
            ref = self.refs(index).get(doc_path)
        except Exception:
            ref = None
        return ref or Path(doc_path or "").name

    def warm(self, index: str | None = None) -> None:
        """Open the index and answer one question per language so the first real one is fast."""
        a = self.assistant(index, llm="offline")
        for q in ("收入预计是多少？", "What is the revenue target?"):
            a.ask(q)

    # -- writers -----------------------------------------------------------------------------
    def validate(self, name: str, path: str | Path) -> str | None:
        """Why an uploaded file is rejected (None when it can be indexed)."""
        ext = Path(name).suffix.lower()
        if ext not in SUPPORTED:
            return f"unsupported file type '{ext or '(none)'}' (accepted: {', '.join(sorted(SUPPORTED))})"
        p = Path(path)
        if not p.is_file():
            return "upload failed (file missing)"
        size = p.stat().st_size
        if size == 0:
            return "empty file"
        if size > self.cfg.max_file_mb * 1024 * 1024:
            return f"too large ({size / 1048576:.3g} MB > limit {self.cfg.max_file_mb:g} MB)"
        try:
            # content check: a renamed binary, a corrupt PDF/DOCX or a text-less file is refused here
            tmp = p if p.suffix.lower() == ext else None
            if tmp is None:
                tmp = p.with_name(p.name + ext)
                shutil.copyfile(p, tmp)
            try:
                load_file(tmp, max_mb=self.cfg.max_file_mb, max_pages=self.cfg.max_file_pages,
                          max_chars=self.cfg.max_file_chars, max_seconds=self.cfg.max_load_seconds)
            finally:
                if tmp != p:
                    tmp.unlink(missing_ok=True)
        except LoadError as exc:
            return str(exc)
        return None

    def add_files(self, index: str, files: Iterable[tuple[str, str | Path]],
                  progress: Callable[[float, str], None] | None = None) -> UploadResult:
        """Validate uploads, copy the good ones into ``<index_dir>/uploads/<index>/`` and index them
        incrementally. ``files``: (original name, temp path) pairs."""
        from rag.indexer import IndexingError, build_index
        import time

        index = self.check_name(index)
        t0 = time.perf_counter()
        result = UploadResult()
        accepted: list[tuple[str, Path]] = []
        seen: set[str] = set()
        for name, path in files:
            name = clean_name(name)
            reason = self.validate(name, path)
            if reason is None and name in seen:
                reason = "duplicate name in this upload"
            if reason:
                result.rejected.append(Rejected(name, reason))
            else:
                seen.add(name)
                accepted.append((name, Path(path)))
        if not accepted:
            return result
        progress and progress(0.05, "waiting for other index writes")
        with self._write_lock:
            dest_dir = self.uploads_dir(index)
            dest_dir.mkdir(parents=True, exist_ok=True)
            targets = []
            for name, src in accepted:
                dest = dest_dir / name
                tmp = dest_dir / f".{name}.part"
                shutil.copyfile(src, tmp)
                tmp.replace(dest)  # atomic: the indexer never reads a half-copied file
                targets.append(dest)
            progress and progress(0.1, "indexing")
            try:
                # small embedding batches: a question waits at most one batch for the shared embedder
                summary = build_index(targets, self.cfg_for(index, batch_size=min(self.cfg.batch_size, 4)),
                                      progress=True)
            except IndexingError as exc:
                raise EngineError(str(exc)) from None
            bad = {str(Path(e.path).resolve()): e.reason for e in summary.errors}
            dropped = []
            for (name, _), dest in zip(accepted, targets):
                reason = bad.get(str(dest.resolve()))
                if reason:
                    result.rejected.append(Rejected(name, reason))
                    dropped.append(dest)
                else:
                    result.added.append(name)
            if dropped and Store.exists(self.index_dir / index):
                # the indexer refused them: drop them from the index's sources too (no embedding: a re-save)
                try:
                    build_index([], self.cfg_for(index), remove=dropped, progress=False)
                except IndexingError:
                    pass
            progress and progress(0.95, "loading the new index")
            self._swap(index)
            self.clean_uploads(index)
        result.summary_lines = summary.lines()
        result.chunks = summary.chunks
        result.seconds = time.perf_counter() - t0
        return result

    def delete(self, index: str, ref: str) -> str:
        """Drop one document from ``index`` (and its uploaded copy). ``ref``: the path shown for it
        (``documents()[i]["ref"]``; its server path is accepted too). Returns the removed file name."""
        from rag.indexer import IndexingError, build_index

        index = self.check_name(index)
        with self._write_lock:
            listed = self.documents(index)
            by_ref = {d["ref"]: d["path"] for d in listed}
            docs = {d["path"]: d for d in listed}
            path = by_ref.get(ref, ref)
            if path not in docs:
                raise EngineError(f"not in index '{index}': {str(ref)[:200]}")
            if len(docs) == 1:
                raise EngineError(f"'{Path(path).name}' is the last document of index '{index}'; "
                                  "an index needs at least one")
            try:
                build_index([], self.cfg_for(index), remove=[path], progress=False)
            except IndexingError as exc:
                raise EngineError(str(exc)) from None
            if docs[path]["uploaded"]:
                Path(path).unlink(missing_ok=True)
            self._swap(index)
        return Path(path).name

    def clean_uploads(self, index: str | None = None) -> list[str]:
        """Remove the files in ``<index_dir>/uploads/<index>/`` (every index's folder when ``index`` is
        None) that the index's manifest does not reference: copies of uploads that were never indexed
        (killed mid-upload, rejected by the indexer) and leftover ``.<name>.part`` files. Only regular
        files directly in those folders are touched (no sub-folders, no symlinks, nothing elsewhere);
        a folder whose index exists but cannot be read, or is being written, is left alone.
        Returns the names removed."""
        root = self.index_dir / "uploads"
        if not root.is_dir() or root.is_symlink():
            return []
        removed: list[str] = []
        with self._write_lock:  # never while an upload of this process copies or indexes files
            try:
                folders = [root / self.check_name(index)] if index else sorted(root.iterdir())
            except (EngineError, OSError):
                return []
            for folder in folders:
                try:
                    name = check_index_name(folder.name)
                except ConfigError:
                    continue
                if not folder.is_dir() or folder.is_symlink():
                    continue
                keep = self._referenced(name)
                if keep is None:
                    continue
                base = folder.resolve()
                for f in folder.iterdir():
                    if f.is_symlink() or not f.is_file() or str(base / f.name) in keep:
                        continue
                    try:
                        f.unlink()
                        removed.append(f.name)
                    except OSError:
                        pass
        return removed

    def _referenced(self, index: str) -> set[str] | None:
        """The files the manifest of ``index`` lists (none if the index was never built), or None when
        that can't be told safely (unreadable or foreign manifest, a write of the index under way)."""
        path = self.index_dir / index
        if any(self.index_dir.glob(f".{index}.tmp-*")) or any(self.index_dir.glob(f".{index}.old-*")):
            return None  # another process is between the renames of a save, or one crashed there
        mf = path / "manifest.json"
        if not path.exists() and not path.is_symlink():
            return set()
        if not mf.is_file():
            return None
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
            files = manifest.get("files")
        except (OSError, ValueError, AttributeError):
            return None
        if not isinstance(files, dict) or "embedder" not in manifest:
            return None
        return set(files)

    def _swap(self, index: str) -> None:
        """Open the freshly written index, then replace the old snapshot in one step."""
        from rag.retrieve import Retriever

        fresh = Retriever.open(self.cfg_for(index)).warm()  # loaded before any request sees it
        with self._lock:
            self._retrievers[index] = fresh
            self.generation[index] = self.generation.get(index, 0) + 1
            self._refs.pop(index, None)
            for key in [k for k in self._llm_assistants if k[0] == index]:
                del self._llm_assistants[key]
