"""Indexing pipeline: load -> chunk -> embed (cached) -> store, incrementally and atomically.

An index remembers its *sources* (the files and folders it was given). Each run re-scans them:
new and changed files are chunked and embedded, unchanged ones reuse their chunks, and files that
vanished from disk are dropped.

>>> from rag.config import Config
>>> build_index(["data/"], Config(index_name="mydocs"))  # doctest: +SKIP
IndexSummary(index='mydocs', files_indexed=1, ...)
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rag.chunk import chunk_document
from rag.config import SAMPLE_CORPUS, Config
from rag.embed import VectorCache, embed_with_cache, get_embedder
from rag.load import FileError, load_paths
from rag.store import Store, StoreError
from rag.types import Chunk


class IndexError_(RuntimeError):
    """Nothing could be indexed, or the request conflicts with the existing index."""


@dataclass
class IndexSummary:
    index: str
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    errors: list[FileError] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    seconds: float = 0.0
    up_to_date: bool = False

    def lines(self) -> list[str]:
        out = [f"index '{self.index}': {self.chunks} chunks; {self.files_indexed} file(s) (re)indexed, "
               f"{self.files_unchanged} unchanged, {self.files_removed} removed, {len(self.errors)} skipped; "
               f"{self.embedded} passages embedded in {self.seconds:.1f} s"]
        if self.up_to_date:
            out = [f"index '{self.index}' is up to date ({self.chunks} chunks)"]
        return out


def cache_path(cfg: Config) -> Path:
    return Path(cfg.index_dir) / ".cache" / "vectors.sqlite"


def build_index(paths: Iterable[str | Path], cfg: Config, rebuild: bool = False, remove: Iterable[str | Path] = (),
                progress: bool = True) -> IndexSummary:
    """Add ``paths`` to the index's sources (minus ``remove``), then bring the index up to date."""
    t0 = time.perf_counter()
    target = cfg.index_path
    embedder = get_embedder(cfg.embedder, cfg.threads)
    old: Store | None = None
    if Store.exists(target) and not rebuild:
        try:
            old = Store.load(target, embedder.name)
        except StoreError as exc:
            raise IndexError_(str(exc)) from None
        chunker = old.manifest.get("chunker", {})
        if chunker != _chunker_settings(cfg):
            old = None  # chunker settings changed: rechunk everything (vectors still come from the cache)
    removed = {str(Path(p).resolve()) for p in remove}
    sources = [] if old is None else list(old.manifest.get("sources", []))
    for p in paths:
        rp = str(Path(p).resolve())
        if rp not in sources:
            sources.append(rp)
    sources = [s for s in sources if s not in removed and not any(s.startswith(r + "/") for r in removed)]
    # files previously indexed under a source (even if now gone) so removals are counted
    docs, errors = load_paths(sources, max_mb=cfg.max_file_mb)
    if removed:
        docs = [d for d in docs if str(Path(d.path).resolve()) not in removed
                and not any(str(Path(d.path).resolve()).startswith(r + "/") for r in removed)]
    summary = IndexSummary(cfg.index_name, errors=errors)
    if not docs and not (old and removed):
        raise IndexError_("nothing could be indexed" + (f": {errors[0]}" if len(errors) == 1 else ""))

    old_files = old.manifest.get("files", {}) if old else {}
    old_by_doc: dict[str, list[Chunk]] = {}
    if old:
        for c in old.chunks:
            old_by_doc.setdefault(c.doc_id, []).append(c)
    chunks: list[Chunk] = []
    files: dict[str, dict] = {}
    for d in docs:
        key = str(Path(d.path).resolve())
        prev = old_files.get(key)
        if prev and prev["sha256"] == d.sha256 and prev["doc_id"] in old_by_doc:
            doc_chunks = old_by_doc[prev["doc_id"]]
            summary.files_unchanged += 1
        else:
            doc_chunks = chunk_document(d, cfg.chunk_size, cfg.overlap_sentences)
            summary.files_indexed += 1
        chunks.extend(doc_chunks)
        files[key] = {"sha256": d.sha256, "doc_id": d.doc_id, "title": d.title, "chunks": len(doc_chunks)}
    summary.files_removed = len(set(old_files) - set(files))
    summary.chunks = len(chunks)
    if old and summary.files_indexed == 0 and summary.files_removed == 0 and old.manifest.get("sources") == sources:
        summary.up_to_date = True
        summary.seconds = time.perf_counter() - t0
        return summary

    cache = VectorCache(cache_path(cfg))
    try:
        texts = [c.embed_text() for c in chunks]
        bar = _bar(len(texts), f"embedding ({embedder.name})", progress)
        vectors, summary.embedded = embed_with_cache(embedder, texts, cache, cfg.batch_size,
                                                     progress=bar.update if bar else None)
        if bar:
            bar.close()
    finally:
        cache.close()
    manifest = {
        "embedder": {"name": embedder.name, "dim": embedder.dim, "spec": cfg.embedder},
        "chunker": _chunker_settings(cfg),
        "sources": sources,
        "files": files,
    }
    store = Store.build(chunks, vectors, manifest)
    store.save(target)
    summary.seconds = time.perf_counter() - t0
    return summary


def _chunker_settings(cfg: Config) -> dict:
    return {"chunk_size": cfg.chunk_size, "overlap_sentences": cfg.overlap_sentences, "version": 1}


def _bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="chunk", file=sys.stderr, dynamic_ncols=True)


def ensure_default_index(cfg: Config, progress: bool = True) -> None:
    """Build the bundled sample corpus into the default index when no index exists yet."""
    if Store.exists(cfg.index_path) or cfg.index_name != "default":
        return
    if progress:
        print(f"No index yet: building '{cfg.index_name}' from the sample corpus {SAMPLE_CORPUS.name} "
              f"(about a minute, once)...", file=sys.stderr)
    build_index([SAMPLE_CORPUS], cfg, progress=progress)
