"""The Milvus store: chunks, vectors and Milvus' own BM25 full-text search in one Milvus collection
(``pip install -e '.[milvus]'``).

The URI chooses the deployment: a file path (``.../milvus.db``, the default ``<index_dir>/.milvus/milvus.db``)
runs Milvus Lite embedded in the process; ``http://host:19530`` talks to a Milvus standalone server or a
distributed cluster with the same client code. The index folder ``<index_dir>/<name>/`` keeps what this tool
checks before it searches (``manifest.json``: embedder, profile, format, and which URI and collection hold the
chunks; ``bridge.json``: the English-Chinese keyword bridge), under the same safety rules as a local index.

One row per chunk: a primary key derived from the chunk's content (so re-indexing inserts new chunks and
deletes vanished ones, leaving unchanged ones alone), the chunk record (JSON), filter fields, per-chunk flags,
the vector (HNSW, inner product) and two text fields Milvus turns into BM25 sparse vectors with its own BM25
function: ``kw`` (the chunk's jieba tokens as :func:`rag.tokenize.tokenize` gives them, joined by spaces and
read by Milvus' ``jieba`` analyzer, so both stores see the same keywords) and ``gloss`` (English gloss words,
``standard`` analyzer). Searches are Milvus searches (dense ANN, BM25); the retriever fuses their rankings with
the same weighted reciprocal rank fusion as for the local store, English questions sending the bridge's
Chinese keywords to the BM25 side. :meth:`MilvusStore.hybrid_search` runs Milvus' own hybrid search (dense +
BM25 fused by Milvus' RRF ranker) for callers that want the server to fuse.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from rag.backends.base import FLAG_EN, FLAG_FRONT, StoreBase, StoreError, flags_of, majority_lang, matches
from rag.types import Chunk

try:  # the extra: pip install -e '.[milvus]'
    from pymilvus import (AnnSearchRequest, DataType, Function, FunctionType, MilvusClient, MilvusException,
                          RRFRanker)
except ImportError as exc:  # noqa: F841 - rag.store reports the missing extra in one line
    raise ImportError("the Milvus store needs: pip install -e '.[milvus]'") from None

# pymilvus logs recoverable conditions (Milvus Lite has no MVCC timestamp for iterators) as warnings on stderr
# and failed calls as errors with tracebacks: this module reports them itself, in one line (StoreError)
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
logging.getLogger("milvus_lite").setLevel(logging.CRITICAL)

_MAX_TEXT = 65535
# BM25 as the local store scores it (bm25s' Lucene variant; a Milvus server defaults to k1=1.2)
_BM25 = {"inverted_index_algo": "DAAT_MAXSCORE", "bm25_k1": 1.5, "bm25_b": 0.75}
_BATCH = 1000
_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def client(uri: str) -> Any:
    """One MilvusClient per URI and process (Milvus Lite: one embedded server per database file)."""
    with _CLIENTS_LOCK:
        c = _CLIENTS.get(uri)
        if c is None:
            try:
                if _is_lite(uri):
                    Path(uri).parent.mkdir(parents=True, exist_ok=True)
                c = _CLIENTS[uri] = MilvusClient(uri=uri)
            except Exception as exc:  # noqa: BLE001 - connection errors of every kind: one line
                if _is_lite(uri):
                    raise StoreError(f"cannot open the Milvus Lite database {uri} ({_first_line(exc)}): is another "
                                     f"process using it? Milvus Lite serves one process at a time; for several, run "
                                     f"a Milvus server (--store-uri http://host:19530)") from None
                raise StoreError(f"cannot reach Milvus at {uri}: {_first_line(exc)}") from None
        return c


def _is_lite(uri: str) -> bool:
    return not uri.startswith(("http://", "https://", "tcp://", "unix:"))


def release(uri: str) -> None:
    """Close this process' client of ``uri`` and, for Milvus Lite, stop its embedded server (so another
    process can open the database file)."""
    with _CLIENTS_LOCK:
        c = _CLIENTS.pop(uri, None)
    if c is not None:
        try:
            c.close()
        except Exception:  # noqa: BLE001
            pass
    if _is_lite(uri):
        try:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(uri)
        except Exception:  # noqa: BLE001 - nothing to release
            pass


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc)
    return (text.splitlines() or [type(exc).__name__])[0][:300]


def collection_name(path: Path) -> str:
    """The collection of the index folder ``path``: its name (Milvus allows letters, digits, _) and a hash of
    the folder's real path, so two index folders of one name never share a collection."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", path.name)[:100]
    digest = hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:10]
    return f"rag_{name}_{digest}"


def chunk_key(chunk: Chunk) -> int:
    """A primary key from the chunk's content (63-bit, positive): unchanged chunks keep their row."""
    rec = json.dumps(chunk.to_dict(), ensure_ascii=False, sort_keys=True)
    return int(hashlib.sha1(rec.encode("utf-8")).hexdigest()[:15], 16)


def _quote(s: str) -> str:
    """A string literal of Milvus' filter expressions."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clip(s: str, n: int = _MAX_TEXT) -> str:
    """At most ``n`` UTF-8 bytes of ``s`` (VARCHAR lengths are in bytes)."""
    b = s.encode("utf-8")
    return s if len(b) <= n else b[:n].decode("utf-8", errors="ignore")


class MilvusStore(StoreBase):
    """An index whose chunks live in a Milvus collection (see the module's docstring)."""

    def __init__(self, manifest: dict[str, Any], bridge: dict[str, list[str]], uri: str,
                 pending: tuple[Sequence[Chunk], np.ndarray, list[list[str]], list[list[str]]] | None = None):
        self.manifest = manifest
        self.bridge = bridge
        self.uri = uri
        self._pending = pending  # (chunks, vectors, tokens, gloss words) to write at save()
        self._flags: dict[int, int] = {}
        self._chunks: list[Chunk] | None = None
        self._client = None
        self._target, self._rebuild = Path("."), False

    # -- connection ---------------------------------------------------------------------------
    @property
    def collection(self) -> str:
        return str((self.manifest.get("store") or {}).get("collection") or "")

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = client(self.uri)
        return self._client

    def _call(self, what: str, fn, *a, **kw):
        try:
            return fn(*a, **kw)
        except StoreError:
            raise
        except Exception as exc:  # noqa: BLE001 - MilvusException, grpc errors: one line
            raise StoreError(f"Milvus ({self.uri}): {what} failed: {_first_line(exc)}") from None

    # -- building -------------------------------------------------------------------------------
    @classmethod
    def build(cls, chunks: Sequence[Chunk], vectors: np.ndarray, manifest: dict[str, Any], tokens: list[list[str]],
              gloss: list[list[str]], bridge: dict[str, list[str]], uri: str = "") -> "MilvusStore":
        if not uri:
            raise StoreError("the Milvus store needs a URI (--store-uri, RAG_STORE_URI)")
        if _is_lite(uri):
            uri = str(Path(uri).expanduser().resolve())
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(chunks), -1)
        flags = flags_of(chunks) if len(chunks) else np.zeros(0, np.uint8)
        manifest = dict(manifest)
        manifest["store"] = {"backend": "milvus", "uri": uri, "collection": "", "majority_lang": majority_lang(flags),
                             "index": {"dense": "HNSW", "metric": "IP", "keywords": "BM25 (Milvus function)"}}
        return cls(manifest, bridge, uri, (chunks, vectors, tokens, gloss))

    def with_manifest(self, manifest: dict[str, Any]) -> "MilvusStore":
        return MilvusStore(manifest, self.bridge, self.uri)

    def _create(self, name: str, dim: int) -> None:
        c = self.client
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.INT64, is_primary=True)
        schema.add_field("rec", DataType.VARCHAR, max_length=_MAX_TEXT)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field("doc_title", DataType.VARCHAR, max_length=2048)
        schema.add_field("doc_path", DataType.VARCHAR, max_length=4096)
        schema.add_field("section", DataType.VARCHAR, max_length=8192)
        schema.add_field("flags", DataType.INT8)
        schema.add_field("kw", DataType.VARCHAR, max_length=_MAX_TEXT, enable_analyzer=True,
                         analyzer_params={"tokenizer": {"type": "jieba", "mode": "exact"}})
        schema.add_field("gloss", DataType.VARCHAR, max_length=_MAX_TEXT, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        schema.add_field("kw_sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("gloss_sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("vec", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(Function(name="bm25_kw", function_type=FunctionType.BM25, input_field_names=["kw"],
                                     output_field_names=["kw_sparse"]))
        schema.add_function(Function(name="bm25_gloss", function_type=FunctionType.BM25,
                                     input_field_names=["gloss"], output_field_names=["gloss_sparse"]))
        ip = c.prepare_index_params()
        ip.add_index("vec", index_type="HNSW", metric_type="IP", params={"M": 16, "efConstruction": 200})
        ip.add_index("kw_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=_BM25)
        ip.add_index("gloss_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=_BM25)
        c.create_collection(name, schema=schema, index_params=ip)

    def _existing_keys(self, name: str) -> set[int]:
        keys: set[int] = set()
        it = self.client.query_iterator(name, batch_size=_BATCH * 4, filter="pk >= 0", output_fields=["pk"])
        try:
            while True:
                page = it.next()
                if not page:
                    break
                keys.update(int(r["pk"]) for r in page)
        finally:
            it.close()
        return keys

    def save(self, path: str | Path, if_unchanged_since: str | None = None, rebuild: bool = False) -> bool:
        self._target, self._rebuild = Path(path), rebuild
        return StoreBase.save(self, path, if_unchanged_since=if_unchanged_since, rebuild=rebuild)

    def write_files(self, folder: Path) -> None:
        """Bring the collection up to date (insert new chunks, delete vanished ones) before the manifest that
        names it is written; a failure leaves the previous manifest in place and the next run re-syncs."""
        name = collection_name(self._target)
        self.manifest["store"] = dict(self.manifest.get("store") or {}, collection=name)
        if self._pending is None:
            return
        chunks, vectors, tokens, gloss = self._pending
        dim = int(self.manifest["embedder"]["dim"])
        c = self.client
        exists = self._call("has_collection", c.has_collection, name)
        if exists and self._rebuild:  # a rebuild starts from a new collection (and its current schema)
            self._call("drop_collection", c.drop_collection, name)
            exists = False
        if not exists:
            self._call("create_collection", self._create, name, dim)
        self._call("load_collection", c.load_collection, name)
        have = self._call("reading the collection's keys", self._existing_keys, name)
        keys = [chunk_key(ch) for ch in chunks]
        want = set(keys)
        gone = sorted(have - want)
        for s in range(0, len(gone), _BATCH):
            self._call("delete", c.delete, name, ids=gone[s:s + _BATCH])
        flags = flags_of(chunks) if len(chunks) else np.zeros(0, np.uint8)
        rows: list[dict[str, Any]] = []
        seen: set[int] = set()
        for i, (key, ch) in enumerate(zip(keys, chunks)):
            if key in have or key in seen:
                continue
            seen.add(key)
            rows.append({"pk": key, "rec": _clip(json.dumps(ch.to_dict(), ensure_ascii=False)),
                         "doc_id": _clip(ch.doc_id, 512), "doc_title": _clip(ch.doc_title, 2048),
                         "doc_path": _clip(ch.doc_path, 4096),
                         "section": _clip(json.dumps(ch.section, ensure_ascii=False), 8192),
                         "flags": int(flags[i]), "kw": _clip(" ".join(tokens[i])), "gloss": _clip(" ".join(gloss[i])),
                         "vec": vectors[i].tolist()})
            if len(rows) >= _BATCH:
                self._call("insert", c.insert, name, rows)
                rows = []
        if rows:
            self._call("insert", c.insert, name, rows)
        self.manifest["store"]["rows_written"] = {"inserted": len(seen), "deleted": len(gone), "kept": len(want & have)}
        self._pending = None

    @classmethod
    def load(cls, path: Path, manifest: dict[str, Any]) -> "MilvusStore":
        st = manifest.get("store") or {}
        uri, name = str(st.get("uri") or ""), str(st.get("collection") or "")
        hint = cls.rebuild_hint(path)
        if not uri or not name:
            raise StoreError(f"{path}: damaged index (manifest.json names no Milvus URI or collection); {hint}")
        try:
            bridge = cls.read_bridge(path)
        except Exception as exc:  # noqa: BLE001
            raise StoreError(f"{path}: damaged index ({type(exc).__name__}: {_first_line(exc)}); {hint}") from None
        store = cls(manifest, bridge, uri)
        if not store._call("has_collection", store.client.has_collection, name):
            raise StoreError(f"{path}: damaged index (its Milvus collection {name} is missing at {uri}); {hint}")
        store._call("load_collection", store.client.load_collection, name)
        return store

    def drop(self) -> None:
        """Drop this index's collection (the index folder is the caller's to remove)."""
        if self.collection and self._call("has_collection", self.client.has_collection, self.collection):
            self._call("drop_collection", self.client.drop_collection, self.collection)

    # -- search primitives ---------------------------------------------------------------------------
    def _remember(self, hits: Iterable[dict]) -> list[tuple[int, float]]:
        out = []
        for h in hits:
            pk = int(h.get("pk", h.get("id")))
            ent = h.get("entity") or {}
            if "flags" in ent:
                self._flags[pk] = int(ent["flags"])
            out.append((pk, float(h["distance"])))
        if len(self._flags) > 200_000:
            self._flags.clear()
        return out

    def _filter(self, allowed: np.ndarray | None) -> str:
        return "" if allowed is None else f"pk in [{', '.join(str(int(i)) for i in allowed)}]"

    def dense_search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        if allowed is not None and not len(allowed):
            return []
        k = max(1, min(int(k), 16384))
        res = self._call("search", self.client.search, self.collection,
                         data=[np.asarray(qvec, np.float32).ravel().tolist()], anns_field="vec", limit=k,
                         filter=self._filter(allowed), output_fields=["flags"],
                         search_params={"metric_type": "IP", "params": {"ef": max(k, 128)}})
        return self._remember(res[0])

    def keyword_scores(self, tokens: dict[str, float], gloss: bool = False, limit: int = 0
                       ) -> tuple[np.ndarray, np.ndarray]:
        text = " ".join(t for t, w in tokens.items() if w > 0)
        if not text.strip():
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        res = self._call("full-text search", self.client.search, self.collection, data=[text],
                         anns_field="gloss_sparse" if gloss else "kw_sparse", limit=max(1, min(limit or 200, 16384)),
                         output_fields=["flags"], search_params={"metric_type": "BM25"})
        hits = self._remember(res[0])
        if not hits:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        # Milvus Lite reports BM25 as a negative distance (smaller is better), a server as a positive score
        hits = sorted((pk, abs(s)) for pk, s in hits)
        return np.array([h[0] for h in hits], np.int64), np.array([h[1] for h in hits], np.float32)

    def hybrid_search(self, text: str, qvec: np.ndarray, k: int, rrf_k: int = 60) -> list[tuple[int, float]]:
        """Milvus' own hybrid search: BM25 on ``text`` (space-separated keywords) and the dense vector, fused by
        Milvus' RRF ranker; (id, fused score), best first."""
        reqs = [AnnSearchRequest(data=[np.asarray(qvec, np.float32).ravel().tolist()], anns_field="vec",
                                 param={"metric_type": "IP", "params": {"ef": max(k, 128)}}, limit=k)]
        if text.strip():
            reqs.append(AnnSearchRequest(data=[text], anns_field="kw_sparse", param={"metric_type": "BM25"}, limit=k))
        res = self._call("hybrid search", self.client.hybrid_search, self.collection, reqs, RRFRanker(rrf_k),
                         limit=k, output_fields=["flags"])
        return self._remember(res[0])

    def flags(self, ids: np.ndarray) -> np.ndarray:
        ids = [int(i) for i in np.asarray(ids).ravel()]
        missing = [i for i in ids if i not in self._flags]
        for s0 in range(0, len(missing), 1000):  # a primary-key lookup (a filter expression would scan)
            for r in self._call("get", self.client.get, self.collection, ids=missing[s0:s0 + 1000],
                                output_fields=["pk", "flags"]):
                self._flags[int(r["pk"])] = int(r["flags"])
        return np.array([self._flags.get(i, 0) for i in ids], dtype=np.uint8)

    @property
    def majority_lang(self) -> str:
        return str((self.manifest.get("store") or {}).get("majority_lang") or "zh")

    def _query(self, expr: str, fields: list[str]) -> list[dict]:
        out: list[dict] = []
        it = self._call("query", self.client.query_iterator, self.collection, batch_size=_BATCH * 4, filter=expr,
                        output_fields=fields)
        try:
            while True:
                page = self._call("query", it.next)
                if not page:
                    break
                out.extend(page)
        finally:
            it.close()
        return out

    def get_chunks(self, ids: Sequence[int]) -> list[Chunk]:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        got: dict[int, Chunk] = {}
        for s in range(0, len(ids), 500):
            part = ids[s:s + 500]
            for r in self._call("get", self.client.get, self.collection, ids=part, output_fields=["pk", "rec"]):
                try:
                    got[int(r["pk"])] = Chunk.from_dict(json.loads(r["rec"]))
                except ValueError as exc:
                    raise StoreError(f"Milvus collection {self.collection}: a malformed chunk row ({exc})") from None
        missing = [i for i in ids if i not in got]
        if missing:
            raise StoreError(f"Milvus collection {self.collection}: chunk row {missing[0]} vanished; "
                             f"re-open the index (another writer changed it)")
        return [got[i] for i in ids]

    def allowed_ids(self, doc: str | None, section: str | None) -> np.ndarray | None:
        if not doc and not section:
            return None
        conds = []
        if doc:
            like = doc.replace("\\", "\\\\").replace('"', '\\"').replace("%", "\\%").replace("_", "\\_")
            conds.append(f'(doc_id == {_quote(doc)} or doc_title == {_quote(doc)} or doc_path like "%{like}%")')
        rows = self._query(" and ".join(conds) if conds else "pk >= 0",
                           ["pk", "doc_id", "doc_title", "doc_path", "section"])
        keep = [int(r["pk"]) for r in rows
                if matches(doc, section, r["doc_id"], r["doc_title"], r["doc_path"], json.loads(r["section"]))]
        return np.array(sorted(keep), dtype=np.int64)

    @property
    def chunks(self) -> list[Chunk]:  # type: ignore[override]
        """Every chunk (read from the collection once, in document order): for callers that walk the index."""
        if self._chunks is None:
            rows = self._query("pk >= 0", ["pk", "rec"])
            chunks = [Chunk.from_dict(json.loads(r["rec"])) for r in rows]
            chunks.sort(key=lambda c: (c.doc_path, c.char_start, c.chunk_id))
            self._chunks = chunks
        return self._chunks

    def chunk_by_id(self, chunk_id: str) -> Chunk | None:
        return next((c for c in self.chunks if c.chunk_id == chunk_id), None)

    def vectors(self) -> np.ndarray:
        """The vectors of :attr:`chunks`, in that order."""
        rows = self._query("pk >= 0", ["pk", "rec", "vec"])
        by_id = {Chunk.from_dict(json.loads(r["rec"])).chunk_id: np.asarray(r["vec"], np.float32) for r in rows}
        dim = int(self.manifest["embedder"]["dim"])
        return np.array([by_id[c.chunk_id] for c in self.chunks], np.float32).reshape(-1, dim)

    def close(self) -> None:
        self._client = None


__all__ = ["MilvusStore", "MilvusException", "FLAG_EN", "FLAG_FRONT", "collection_name", "chunk_key", "client",
           "release"]
