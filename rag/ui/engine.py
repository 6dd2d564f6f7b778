"""The web UI's shared state: one Retriever per index, serialised index writes, atomic swaps.

Readers (chat, passage look-ups) take a :class:`Retriever` snapshot from a dict under a short lock and
never wait for a write. Writers (uploads, deletions) hold one write lock, build the new index on disk
with :func:`rag.indexer.build_index` (which writes to a temp folder and renames it into place), open a
fresh Retriever, and only then swap it into the dict. A question already being answered finishes on
the old snapshot; the next one sees the new index. Nothing here imports Gradio.
"""

from __future__ import annotations

import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from rag.config import Config
from rag.load import SUPPORTED, LoadError, load_file
from rag.store import Store

INDEX_NAME = re.compile(r"^[A-Za-z0-9_\u4e00-\u9fff][A-Za-z0-9_.\-\u4e00-\u9fff]{0,63}$")
RESERVED = {"uploads"}


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
        self.generation: dict[str, int] = {}  # bumped on every swap (tests and the UI use it)

    # -- configuration -----------------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return Path(self.cfg.index_dir)

    def cfg_for(self, index: str | None = None, **changes) -> Config:
        return self.cfg.replace(index_name=index or self.cfg.index_name, **changes)

    def check_name(self, index: str) -> str:
        index = (index or "").strip()
        if not INDEX_NAME.match(index) or index in RESERVED:
            raise EngineError(f"invalid index name {index!r} (letters, digits, _ . -; not 'uploads')")
        return index

    def uploads_dir(self, index: str) -> Path:
        return self.index_dir / "uploads" / index

    def indexes(self) -> list[str]:
        """Names of the complete indexes under ``index_dir`` (plus any opened in memory)."""
        names = set(self._retrievers)
        if self.index_dir.is_dir():
            for p in self.index_dir.iterdir():
                if p.is_dir() and not p.name.startswith(".") and p.name not in RESERVED and Store.exists(p):
                    names.add(p.name)
        return sorted(names, key=lambda n: (n != self.cfg.index_name, n))

    def exists(self, index: str) -> bool:
        if index in self._retrievers:
            return True
        return bool(INDEX_NAME.match(index or "")) and index not in RESERVED and Store.exists(self.index_dir / index)

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
                r = Retriever.open(self.cfg_for(index))
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
        """The files indexed in ``index``: path, title, chunks, uploaded (a copy in the uploads folder)."""
        index = index or self.cfg.index_name
        if not self.exists(index):
            return []
        files = self.retriever(index).store.manifest.get("files", {})
        up = self.uploads_dir(index).resolve()
        out = []
        for path, f in sorted(files.items(), key=lambda kv: kv[1].get("title", "")):
            out.append({"path": path, "name": Path(path).name, "title": f.get("title", ""),
                        "chunks": f.get("chunks", 0), "uploaded": Path(path).parent == up})
        return out

    def warm(self, index: str | None = None) -> None:
        """Open the index and answer one question per language so the first real one is fast."""
        a = self.assistant(index, llm="offline")
        for q in ("2024年全市一般公共预算收入预计是多少？", "What is the budget revenue target?"):
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
                load_file(tmp, max_mb=self.cfg.max_file_mb)
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
        from rag.indexer import IndexError_, build_index
        import time

        index = self.check_name(index)
        t0 = time.perf_counter()
        result = UploadResult()
        accepted: list[tuple[str, Path]] = []
        seen: set[str] = set()
        for name, path in files:
            name = Path(name).name or "upload"
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
            except IndexError_ as exc:
                raise EngineError(str(exc)) from None
            bad = {str(Path(e.path).resolve()): e.reason for e in summary.errors}
            for (name, _), dest in zip(accepted, targets):
                reason = bad.get(str(dest.resolve()))
                if reason:
                    result.rejected.append(Rejected(name, reason))
                else:
                    result.added.append(name)
            progress and progress(0.95, "loading the new index")
            self._swap(index)
        result.summary_lines = summary.lines()
        result.chunks = summary.chunks
        result.seconds = time.perf_counter() - t0
        return result

    def delete(self, index: str, path: str) -> str:
        """Drop one document from ``index`` (and its uploaded copy). Returns the removed file name."""
        from rag.indexer import IndexError_, build_index

        index = self.check_name(index)
        with self._write_lock:
            docs = {d["path"]: d for d in self.documents(index)}
            if path not in docs:
                raise EngineError(f"not in index '{index}': {path}")
            if len(docs) == 1:
                raise EngineError(f"'{Path(path).name}' is the last document of index '{index}'; "
                                  "an index needs at least one")
            try:
                build_index([], self.cfg_for(index), remove=[path], progress=False)
            except IndexError_ as exc:
                raise EngineError(str(exc)) from None
            if docs[path]["uploaded"]:
                Path(path).unlink(missing_ok=True)
            self._swap(index)
        return Path(path).name

    def _swap(self, index: str) -> None:
        """Open the freshly written index, then replace the old snapshot in one step."""
        from rag.retrieve import Retriever

        fresh = Retriever.open(self.cfg_for(index))
        with self._lock:
            self._retrievers[index] = fresh
            self.generation[index] = self.generation.get(index, 0) + 1
            for key in [k for k in self._llm_assistants if k[0] == index]:
                del self._llm_assistants[key]
