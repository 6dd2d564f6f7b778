"""Indexing pipeline: load -> chunk -> embed (cached) -> store, incrementally and atomically.

An index remembers its *sources* (the files and folders it was given). Each run re-scans them:
new and changed files are chunked and embedded, unchanged ones reuse their chunks, and files that
vanished from disk are dropped. A file whose size and modification time (recorded in the manifest) are
unchanged is not even opened; otherwise it is loaded and compared by its SHA-256.

A run holds the index's write lock (:meth:`rag.store.Store.lock`) from reading the index to saving the new
one, so concurrent writers take turns and each applies its change on top of the other's. Only a folder
that does not exist yet (or is an index of this tool) is written: see :meth:`rag.store.Store.inspect`.

An index is built with a domain profile (:mod:`rag.profile`): ``cfg.profile`` when given, else the one it was
built with before (recorded in its manifest as ``{"name", "sha256"}``), else ``general`` (``gov-report`` for
the bundled sample corpus). The profile's glossary goes into the index's English-Chinese keyword bridge.

>>> from rag.config import Config
>>> build_index(["data/"], Config(index_name="mydocs"))  # doctest: +SKIP
IndexSummary(index='mydocs', files_indexed=1, ...)
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rag.chunk import chunk_document
from rag.config import SAMPLE_CORPUS, SAMPLE_PROFILE, Config
from rag.embed import VectorCache, cache_file, embed_with_cache, get_embedder
from rag.load import SUPPORTED, FileError, iter_files, load_paths
from rag.profile import ProfileError, index_profile
from rag.sentences import SentenceVectors, sentences_of
from rag.store import Store, StoreBase, StoreError, backend_of, keywords_outdated
from rag.types import Chunk

# a file modified less than this before it was examined may change again within the same mtime tick (2 s on
# FAT, 1 s on ext3/HFS+): its size and mtime are not recorded, so the next run compares its content instead
RACY_NS = 2_000_000_000


class IndexingError(RuntimeError):
    """Nothing could be indexed, or the request conflicts with the existing index."""


IndexError_ = IndexingError  # the old name (shadowed a builtin's look), for callers written against it


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
    rekeyed: bool = False  # an index of an older keyword version written anew

    def lines(self) -> list[str]:
        out = [f"index '{self.index}': {self.chunks} chunks; {self.files_indexed} file(s) (re)indexed, "
               f"{self.files_unchanged} unchanged, {self.files_removed} removed, {len(self.errors)} skipped; "
               f"{self.embedded} passages embedded in {self.seconds:.1f} s"]
        if self.rekeyed:
            out.append("its keyword index was of an older version: refreshed (vectors from the cache)")
        if self.up_to_date:
            out = [f"index '{self.index}' is up to date ({self.chunks} chunks)"]
        return out


def cache_path(cfg: Config) -> Path:
    return cache_file(cfg.index_dir)


def build_index(paths: Iterable[str | Path], cfg: Config, rebuild: bool = False, remove: Iterable[str | Path] = (),
                progress: bool = True) -> IndexSummary:
    """Add ``paths`` to the index's sources (minus ``remove``), then bring the index up to date.

    ``rebuild`` re-chunks and re-embeds every file (vectors still come from the cache), keeping the sources
    of the current manifest when it is readable, and is the one way to replace a damaged index.
    """
    t0 = time.perf_counter()
    target = cfg.index_path
    embedder = get_embedder(cfg.embedder, cfg.threads)
    paths = list(paths)
    remove = list(remove)
    target.parent.mkdir(parents=True, exist_ok=True)

    def waiting() -> None:
        if progress:
            print(f"index '{cfg.index_name}' is being written by another process: waiting for it to finish...",
                  file=sys.stderr, flush=True)

    # everything from reading the index to saving the new one happens under the lock: a writer that
    # waited here reads the index its predecessor wrote and applies its change on top
    with Store.lock(target, on_wait=waiting):
        summary = _build_locked(paths, cfg, embedder, target, rebuild, remove, progress)
    summary.seconds = time.perf_counter() - t0
    return summary


def _build_locked(paths: list, cfg: Config, embedder, target: Path, rebuild: bool, remove: list,
                  progress: bool) -> IndexSummary:
    Store.recover(target)
    try:
        Store.check_replaceable(target, rebuild=rebuild)
    except StoreError as exc:
        raise IndexingError(str(exc)) from None
    old: StoreBase | None = None
    sources: list[str] = []
    prior = Store.read_manifest(target) or {}
    if rebuild:
        if isinstance(prior.get("sources"), list):
            sources = [s for s in prior["sources"] if isinstance(s, str)]
    elif Store.exists(target):
        try:
            # another --store than the index's: an error naming --rebuild, the way to move an index
            old = Store.load(target, embedder.name, store=cfg.store)
        except StoreError as exc:
            raise IndexingError(str(exc)) from None
        sources = list(old.manifest.get("sources", []))
        if old.manifest.get("chunker", {}) != _chunker_settings(cfg):
            old = None  # chunker settings changed: rechunk everything (vectors still come from the cache)
    removed = {str(Path(p).resolve()) for p in remove}
    for p in paths:
        rp = str(Path(p).resolve())
        if rp not in sources:
            sources.append(rp)
    sources = [s for s in sources if not _under(s, removed)]
    # the profile: the one asked for, else the index's own, else the one its sources imply
    recorded = (old.manifest if old else Store.read_manifest(target)) or {}
    try:
        profile = index_profile({"profile": recorded.get("profile"), "sources": sources}, cfg.profile)
    except ProfileError as exc:
        raise IndexingError(str(exc)) from None
    found, errors = iter_files(sources)
    found = [f for f in found if not _under(str(f.resolve()), removed)]

    old_files = old.manifest.get("files", {}) if old else {}
    old_by_doc: dict[str, list[Chunk]] = {}
    if old:
        for c in old.chunks:
            old_by_doc.setdefault(c.doc_id, []).append(c)
    # files whose size and mtime match the manifest keep their chunks without being opened
    entries: dict[str, dict] = {}
    stats: dict[str, tuple[int, int] | None] = {}
    to_load: list[Path] = []
    for f in found:
        key = str(f.resolve())
        try:
            st = f.stat()
            racy = time.time_ns() - st.st_mtime_ns < RACY_NS
            stats[key] = None if racy else (st.st_size, st.st_mtime_ns)
        except OSError:
            stats[key] = None
        prev = old_files.get(key)
        if (stats[key] is not None and prev and (prev.get("size"), prev.get("mtime_ns")) == stats[key]
                and prev["doc_id"] in old_by_doc):
            entries[key] = dict(prev)
        else:
            to_load.append(f)
    docs, load_errors = load_paths(to_load, max_mb=cfg.max_file_mb, max_pages=cfg.max_file_pages,
                                   max_chars=cfg.max_file_chars, max_seconds=cfg.max_load_seconds)
    errors += load_errors
    loaded = {str(Path(d.path).resolve()): d for d in docs}

    summary = IndexSummary(cfg.index_name, errors=errors)
    chunks: list[Chunk] = []
    files: dict[str, dict] = {}
    for f in found:
        key = str(f.resolve())
        prev = old_files.get(key)
        if key in entries:
            doc_chunks = old_by_doc[prev["doc_id"]]
            entry = entries[key]
            summary.files_unchanged += 1
        elif key in loaded:
            d = loaded[key]
            if prev and prev["sha256"] == d.sha256 and prev["doc_id"] in old_by_doc:
                doc_chunks = old_by_doc[prev["doc_id"]]
                summary.files_unchanged += 1
            else:
                doc_chunks = chunk_document(d, cfg.chunk_size, cfg.overlap_sentences)
                summary.files_indexed += 1
            entry = {"sha256": d.sha256, "doc_id": d.doc_id, "title": d.title, "chunks": len(doc_chunks)}
            if stats.get(key) is not None:
                entry["size"], entry["mtime_ns"] = stats[key]
        else:
            continue  # could not be loaded: reported in errors
        chunks.extend(doc_chunks)
        files[key] = entry
    if not files and not (old and removed):
        raise IndexingError(_nothing_indexed(sources, found, errors))
    summary.files_removed = len(set(old_files) - set(files))
    summary.chunks = len(chunks)
    # a Milvus index keyed by an older tokenizer (a local one is re-keyed when opened) is written anew, every row:
    # its rows are kept by content otherwise (read from the manifest on disk: a changed chunker drops `old`)
    rekey = bool(prior) and not rebuild and backend_of(prior) != "local" and keywords_outdated(prior) is not None
    if (old and not rekey and summary.files_indexed == 0 and summary.files_removed == 0
            and old.manifest.get("sources") == sources and old.manifest.get("profile") == profile.record()):
        if any(old_files[k] != files[k] for k in files):
            # sizes and mtimes learned (a manifest from before they were recorded, or files that were too
            # fresh last time): record them so the next run need not open these files; nothing is re-embedded
            learned = old.with_manifest(dict(old.manifest, files=files, build_id=uuid.uuid4().hex))
            try:
                learned.save(target)
            except (StoreError, OSError):  # a read-only index still works: the files are compared by content
                pass
        summary.up_to_date = True
        return summary

    cache = VectorCache(cache_path(cfg))
    try:
        texts = [c.embed_text() for c in chunks]
        bar = _bar(len(texts), f"embedding ({embedder.name})", progress)
        vectors, summary.embedded = embed_with_cache(embedder, texts, cache, cfg.batch_size,
                                                     progress=bar.update if bar else None)
        if bar:
            bar.close()
        # the answerer's candidate sentences, embedded now so answering only looks them up (rag.sentences)
        sents = sentences_of(c.text for c in chunks)
        bar = _bar(len(sents), "embedding sentences", progress, unit="sentence")
        SentenceVectors(embedder, cache).add(sents, cfg.batch_size, progress=bar.update if bar else None)
        if bar:
            bar.close()
    finally:
        cache.close()
    manifest = {
        "embedder": {"name": embedder.name, "dim": embedder.dim, "spec": cfg.embedder},
        "chunker": _chunker_settings(cfg),
        "sources": sources,
        "files": files,
        "profile": profile.record(),
    }
    backend, uri = _store_of(cfg, old.manifest if old else prior)
    # a Milvus row holds its chunk's keywords, read with the profile's glossary: another profile rewrites them all
    reprofile = backend != "local" and bool(prior) and prior.get("profile") != profile.record()
    # a big local index gets an approximate dense index, tuned on query embeddings of the corpus' own sentences
    tune = tune_queries(chunks, embedder) if backend == "local" and Store.is_large(len(chunks)) else None
    try:
        with profile.bridge_terms():  # the keyword bridge and gloss index get the profile's glossary
            store = Store.build(chunks, vectors, manifest, store=backend, uri=uri, tune_queries=tune)
        store.save(target, rebuild=rebuild or rekey or reprofile)  # (a rebuild writes every row of a collection)
    except StoreError as exc:
        raise IndexingError(str(exc)) from None
    summary.rekeyed = rekey
    return summary


def tune_queries(chunks: list[Chunk], embedder, n: int = 100):
    """Query embeddings of ``n`` short phrases (6-14 characters) cut from chunks picked at random (a fixed
    seed): what the approximate dense index of a big index is tuned on. Phrases, not whole sentences: a whole
    sentence embeds right next to its own chunk, so its neighbours are found too easily, while a phrase is as
    vague as a real question (measured: the recall of such phrases tracks the recall of the eval questions)."""
    import random

    import numpy as np

    rnd = random.Random(0)
    texts = []
    for i in rnd.sample(range(len(chunks)), min(n, len(chunks))):
        t = chunks[i].text.replace("\n", "")
        a = rnd.randrange(0, max(1, len(t) - 14))
        texts.append(t[a:a + rnd.randint(6, 14)] or t[:14])
    return np.stack([embedder.embed_query(t) for t in texts]).astype(np.float32)


def _store_of(cfg: Config, recorded: dict) -> tuple[str, str]:
    """The store backend and URI to write: the config's, else the index's own, else local (and for Milvus the
    config's URI, else the index's, else Milvus Lite in ``<index_dir>/.milvus/milvus.db``)."""
    rec = recorded.get("store") if isinstance(recorded, dict) and isinstance(recorded.get("store"), dict) else {}
    backend = cfg.store or str(rec.get("backend") or "local")
    if backend == "local":
        return backend, ""
    same = backend == rec.get("backend")
    uri = cfg.store_uri or (str(rec.get("uri") or "") if same else "") or str(Path(cfg.index_dir) / ".milvus" / "milvus.db")
    return backend, uri


def _under(path: str, folders: set[str]) -> bool:
    return path in folders or any(path.startswith(r.rstrip(os.sep) + os.sep) for r in folders)


def _nothing_indexed(sources: list[str], found: list[Path], errors: list[FileError]) -> str:
    """One line: which folders hold no supported file, and why the files that were found were skipped."""
    if not sources:  # e.g. a rebuild of an index whose manifest (and so its list of sources) is lost
        return "nothing could be indexed: no files or folders to index; give them: rag index PATH ..."
    supported = [str(f) for f in found if f.suffix.lower() in SUPPORTED]
    empty = [s for s in sources if Path(s).is_dir() and not any(_under(f, {s}) for f in supported)]
    others = [e for e in errors if not any(_under(e.path, {s}) for s in empty)]
    parts = []
    if empty:
        parts.append(f"{', '.join(empty)} hold{'s' if len(empty) == 1 else ''} no supported files "
                     f"(supported: {' '.join(sorted(SUPPORTED))})")
    if len(others) == 1:
        parts.append(str(others[0]))
    elif others:
        parts.append(f"{len(others)} files skipped (first: {others[0]})")
    return "nothing could be indexed" + (": " + "; ".join(parts) if parts else "")


def _chunker_settings(cfg: Config) -> dict:
    # version 3: an article of a statute and its items stay in the text (were pure headings when short); 4: only
    # item markers inside an article are its text (3 took a ### 节 heading after an article for its text)
    return {"chunk_size": cfg.chunk_size, "overlap_sentences": cfg.overlap_sentences, "version": 4}


def _bar(total: int, desc: str, enabled: bool, unit: str = "chunk"):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)


def ensure_default_index(cfg: Config, progress: bool = True) -> None:
    """Build the bundled sample corpus into the default index when its folder does not exist yet, with the
    sample's profile (``gov-report``) unless ``cfg.profile`` names another.

    An existing folder is never rebuilt here: a damaged index, or a folder that is not an index, is reported
    when it is opened (:meth:`rag.store.Store.load`), with how to rebuild it.
    """
    if cfg.index_name != "default":
        return
    target = cfg.index_path
    Store.recover(target)
    if target.exists() or target.is_symlink():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with Store.lock(target):  # re-checked under the lock: another process may have just written it
        Store.recover(target)
        if target.exists() or target.is_symlink():
            return
        if progress:
            print(f"No index yet: building '{cfg.index_name}' from the sample corpus {SAMPLE_CORPUS.name} "
                  f"(a few minutes on two cores, once)...", file=sys.stderr)
        build_index([SAMPLE_CORPUS], cfg.replace(profile=cfg.profile or SAMPLE_PROFILE), progress=progress)
