"""Benchmark: index build (cold / warm / no-op), raw embedding, search latency and peak memory.

Run from the project root::

    .venv/bin/python bench/bench_index_search.py [--out FILE] [--keep]

Prints ONE JSON object (and writes it to ``--out`` when given). See ``bench/README.md`` for what each
number means. The search part runs in a fresh subprocess (``--search-only --index-dir DIR``) so its
peak memory is that of a realistic search process, not of the process that built the index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

T_START = time.perf_counter()

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

import numpy as np  # noqa: E402

import rag.indexer as indexer_mod  # noqa: E402
import rag.store as store_mod  # noqa: E402
from rag.chunk import chunk_document  # noqa: E402
from rag.config import SAMPLE_CORPUS, Config  # noqa: E402
from rag.embed import get_embedder  # noqa: E402
from rag.indexer import build_index, cache_path  # noqa: E402
from rag.load import load_file  # noqa: E402

IMPORT_S = time.perf_counter() - T_START

TARGETS = {
    "cold_over_raw": ("<=", 1.15),
    "warm_rebuild_s": ("<=", 3.0),
    "search_p50_ms": ("<=", 30.0),
    "search_p95_ms": ("<=", 60.0),
    "peak_rss_mb_build": ("<=", 600.0),
    "peak_rss_mb_search": ("<=", 600.0),
}


def ru_maxrss_mb() -> float:
    # Linux reports ru_maxrss in KiB (macOS in bytes). NB: on Linux it survives fork+exec, so a child
    # started from a big process reports at least the parent's RSS at fork time.
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(r / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process: VmHWM (per address space, so not inherited from the
    parent like ru_maxrss is) where /proc exists, else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return ru_maxrss_mb()


class CpuWatch:
    """How many cores *other* processes kept busy while a phase ran (0 = the machine was ours).

    System-wide busy time from /proc/stat minus this process's (and its waited-for children's) CPU time.
    """

    def __init__(self) -> None:
        self.t0, self.sys0, self.own0 = time.perf_counter(), self._system_busy(), self._own()

    @staticmethod
    def _system_busy() -> float | None:
        try:
            f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        except (OSError, ValueError):
            return None
        idle = f[3] + (f[4] if len(f) > 4 else 0)
        return (sum(f[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def other_cores(self) -> float | None:
        wall = time.perf_counter() - self.t0
        busy = self._system_busy()
        if busy is None or self.sys0 is None or wall <= 0:
            return None
        return round(max(0.0, (busy - self.sys0) - (self._own() - self.own0)) / wall, 2)


def code_fingerprint() -> str:
    """Hash of the rag/ sources: the run is only meaningful if it stays the same throughout."""
    import hashlib

    h = hashlib.sha256()
    for f in sorted((ROOT / "rag").rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def git_state() -> dict:
    def run(*cmd):
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": run("rev-parse", "--short", "HEAD"), "rag_dirty": bool(run("status", "--porcelain", "--", "rag"))}


CODE_AT_IMPORT = code_fingerprint()


def r3(x: float) -> float:
    return round(float(x), 3)


def stats_ms(vals: list[float]) -> dict:
    a = np.asarray(vals, dtype=np.float64)
    if not len(a):
        return {"n": 0}
    return {"n": int(len(a)), "p50": round(float(np.percentile(a, 50)), 2), "p95": round(float(np.percentile(a, 95)), 2),
            "mean": round(float(a.mean()), 2), "min": round(float(a.min()), 2), "max": round(float(a.max()), 2)}


# ---------------------------------------------------------------------------------------------
# phase timing of build_index, by wrapping the functions it calls (the wrappers cost microseconds)
# ---------------------------------------------------------------------------------------------
WARMUP_QUERY = "What was the city's general public budget revenue in 2023? (benchmark warm-up)"

# functions of rag.store called by Store.build that are timed separately (when they exist)
STORE_PARTS = ("build_bridge", "build_gloss", "gloss_words")


class Phases:
    def __init__(self) -> None:
        self.t: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.first_tokenize_s: float | None = None

    def add(self, name: str, dt: float) -> None:
        self.t[name] = self.t.get(name, 0.0) + dt
        self.calls[name] = self.calls.get(name, 0) + 1

    def report(self, total: float) -> dict:
        out = {k: r3(v) for k, v in self.t.items()}
        # embed_with_cache minus the embedder calls inside it = hashing + SQLite cache reads/writes
        if "embed_with_cache" in self.t:
            out["cache_overhead"] = r3(self.t["embed_with_cache"] - self.t.get("embed_passages", 0.0))
            del out["embed_with_cache"]
        # Store.build minus its tokenising and bridge/gloss building = FAISS add + bm25s indexing
        if "store_build" in self.t:
            parts = sum(self.t.get(n, 0.0) for n in ("tokenize", *STORE_PARTS))
            out["store_build_other"] = r3(self.t["store_build"] - parts)
            del out["store_build"]
        if self.first_tokenize_s is not None:
            out["tokenize_first_call(jieba_init)"] = r3(self.first_tokenize_s)
        accounted = sum(v for k, v in self.t.items() if k in ("load_paths", "chunk_document", "embed_with_cache",
                                                              "store_build", "store_save", "store_load"))
        out["unaccounted"] = r3(total - accounted)
        return out


@contextmanager
def instrument(embedder):
    """Time the stages of build_index. Restores everything on exit."""
    ph = Phases()
    saved = []

    def wrap(obj, name, label, on_first=None):
        orig = getattr(obj, name)

        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return orig(*a, **kw)
            finally:
                dt = time.perf_counter() - t
                if on_first is not None and label not in ph.t:
                    on_first(dt)
                ph.add(label, dt)

        saved.append((obj, name, orig, name in vars(obj)))
        setattr(obj, name, wrapper)

    def first_tok(dt):
        ph.first_tokenize_s = dt

    wrap(indexer_mod, "load_paths", "load_paths")
    wrap(indexer_mod, "chunk_document", "chunk_document")
    wrap(indexer_mod, "embed_with_cache", "embed_with_cache")
    wrap(embedder, "embed_passages", "embed_passages")
    wrap(store_mod, "tokenize", "tokenize", on_first=first_tok)
    for name in STORE_PARTS:  # whichever of the bridge/gloss builders this version of rag.store uses
        if callable(getattr(store_mod, name, None)):
            wrap(store_mod, name, name)
    # Store.build / Store.load are classmethods: wrap the bound methods, set them back as classmethods
    Store = store_mod.Store
    orig_build, orig_load, orig_save = Store.__dict__["build"], Store.__dict__["load"], Store.__dict__["save"]

    def build(cls, *a, **kw):
        t = time.perf_counter()
        try:
            return orig_build.__func__(cls, *a, **kw)
        finally:
            ph.add("store_build", time.perf_counter() - t)

    def load(cls, *a, **kw):
        t = time.perf_counter()
        try:
            return orig_load.__func__(cls, *a, **kw)
        finally:
            ph.add("store_load", time.perf_counter() - t)

    def save(self, *a, **kw):
        t = time.perf_counter()
        try:
            return orig_save(self, *a, **kw)
        finally:
            ph.add("store_save", time.perf_counter() - t)

    Store.build, Store.load, Store.save = classmethod(build), classmethod(load), save
    try:
        yield ph
    finally:
        Store.build, Store.load, Store.save = orig_build, orig_load, orig_save
        for obj, name, orig, was_own in reversed(saved):
            if was_own:
                setattr(obj, name, orig)
            else:  # instance attribute shadowing a class method: remove it
                delattr(obj, name)


OTHER_CORES: dict[str, float | None] = {}


def timed_build(cfg: Config, embedder, rebuild: bool, label: str) -> tuple[float, object, dict]:
    with instrument(embedder) as ph:
        cw = CpuWatch()
        t = time.perf_counter()
        summary = build_index([SAMPLE_CORPUS], cfg, rebuild=rebuild, progress=False)
        dt = time.perf_counter() - t
        OTHER_CORES[label] = cw.other_cores()
    return dt, summary, ph.report(dt)


# ---------------------------------------------------------------------------------------------
# search (runs in a fresh subprocess)
# ---------------------------------------------------------------------------------------------
def search_only(index_dir: str, index_name: str) -> dict:
    from rag.evaluation.dataset import load_questions
    from rag.retrieve import Retriever

    cfg = Config.load(index_dir=index_dir, index_name=index_name)
    t = time.perf_counter()
    embedder = get_embedder(cfg.embedder, cfg.threads)
    model_load_s = time.perf_counter() - t
    t = time.perf_counter()
    retriever = Retriever.open(cfg)
    index_load_s = time.perf_counter() - t
    questions, errors = load_questions(ROOT / "eval" / "dev.jsonl")
    # one warm-up query (first jieba use, bridge/stemmer set-up, first model call); not counted. It is
    # not a dev question: the embedder memoises query vectors, so warming up with one of them would
    # make its timed search a cache hit. English, so the English-only code paths are warmed up too.
    assert WARMUP_QUERY not in {q.question for q in questions}
    t = time.perf_counter()
    retriever.search(WARMUP_QUERY)
    warmup_ms = (time.perf_counter() - t) * 1000
    # time the query embedding inside each search (the model's share) by wrapping embed_query
    emb_ms: list[float] = []
    orig_embed_query = embedder.embed_query

    def timed_embed_query(text):
        t = time.perf_counter()
        try:
            return orig_embed_query(text)
        finally:
            emb_ms.append((time.perf_counter() - t) * 1000)

    embedder.embed_query = timed_embed_query
    all_ms: list[float] = []
    by_lang: dict[str, list[float]] = {}
    cw = CpuWatch()
    try:
        for q in questions:
            t = time.perf_counter()
            retriever.search(q.question)  # default: hybrid, cfg.top_k, query embedding included
            dt = (time.perf_counter() - t) * 1000
            all_ms.append(dt)
            by_lang.setdefault(q.lang or "?", []).append(dt)
    finally:
        del embedder.embed_query
    search_other_cores = cw.other_cores()
    s = stats_ms(all_ms)
    return {
        "model_load_s": r3(model_load_s),
        "index_load_s": r3(index_load_s),
        "import_s": r3(IMPORT_S),
        "questions": len(questions),
        "unique_questions": len({q.question for q in questions}),
        "question_errors": len(errors),
        "warmup_query_ms": round(warmup_ms, 2),
        "search_ms": {"p50": s["p50"], "p95": s["p95"], "mean": s["mean"], "min": s["min"], "max": s["max"],
                      "n": s["n"],
                      "p50_by_lang": {k: stats_ms(v)["p50"] for k, v in sorted(by_lang.items())},
                      "p95_by_lang": {k: stats_ms(v)["p95"] for k, v in sorted(by_lang.items())},
                      "n_by_lang": {k: len(v) for k, v in sorted(by_lang.items())}},
        "query_embed_ms": stats_ms(emb_ms),
        "peak_rss_mb": peak_rss_mb(),
        "ru_maxrss_mb": ru_maxrss_mb(),
        "other_cores_busy": search_other_cores,
        "code": CODE_AT_IMPORT,
    }


# ---------------------------------------------------------------------------------------------
# main benchmark
# ---------------------------------------------------------------------------------------------
def main_bench(args) -> dict:
    load_before = os.getloadavg()
    tmp_root = Path(args.index_dir) if args.index_dir else Path(tempfile.mkdtemp(prefix="rag-bench-"))
    tmp_root.mkdir(parents=True, exist_ok=True)
    try:
        result = run_bench(tmp_root, load_before)
    finally:
        if not args.keep and not args.index_dir:
            shutil.rmtree(tmp_root, ignore_errors=True)
    if args.keep or args.index_dir:
        result["index_dir"] = str(tmp_root)
    return result


def run_bench(tmp_root: Path, load_before) -> dict:
    cfg = Config.load(index_dir=tmp_root, index_name="bench")
    if cfg.index_path.exists() or cache_path(cfg).exists():
        sys.exit(f"index dir {tmp_root} is not fresh (holds an index or a vector cache): give an empty folder")

    # model load, excluded from every build timing
    t = time.perf_counter()
    embedder = get_embedder(cfg.embedder, cfg.threads)
    model_load_s = time.perf_counter() - t
    # one tiny warm-up inference so neither the raw run nor the cold build pays first-call costs
    t = time.perf_counter()
    embedder.embed_passages(["预热", "warm-up"])
    embed_warmup_s = time.perf_counter() - t

    # 1. cold build: fresh index_dir, empty vector cache
    cold_s, cold, cold_phases = timed_build(cfg, embedder, rebuild=False, label="cold_build")
    assert cold.embedded == cold.chunks, (cold.embedded, cold.chunks)

    # 2. raw embedding of exactly the same chunk texts (same chunker settings, same batch size and
    #    the same longest-first batch order as rag.embed.embed_with_cache), no cache, no store
    doc = load_file(SAMPLE_CORPUS, max_mb=cfg.max_file_mb)
    corpus_chars = sum(len(ln) for ln in doc.lines)
    t = time.perf_counter()
    chunks = chunk_document(doc, cfg.chunk_size, cfg.overlap_sentences)
    chunk_s = time.perf_counter() - t
    texts = [c.embed_text() for c in chunks]
    assert len(texts) == cold.chunks, (len(texts), cold.chunks)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    raw = np.zeros((len(texts), embedder.dim), np.float32)
    cw = CpuWatch()
    t = time.perf_counter()
    for b in range(0, len(order), cfg.batch_size):
        idx = order[b:b + cfg.batch_size]
        raw[idx] = embedder.embed_passages([texts[i] for i in idx])
    raw_s = time.perf_counter() - t
    OTHER_CORES["raw_embed"] = cw.other_cores()
    # sanity: the index holds the same vectors as the raw run
    built = store_mod.Store.load(cfg.index_path, embedder.name)
    same_texts = [c.embed_text() for c in built.chunks] == texts
    max_diff = float(np.abs(built.vectors() - raw).max()) if same_texts else None
    del built

    # 3. warm rebuild: rebuild=True, every vector from the cache
    warm_s, warm, warm_phases = timed_build(cfg, embedder, rebuild=True, label="warm_rebuild")
    # 4. no-op re-index: nothing changed
    noop_s, noop, noop_phases = timed_build(cfg, embedder, rebuild=False, label="noop_reindex")
    peak_build = peak_rss_mb()

    # 5. search in a fresh process (its own model load, index load and peak RSS)
    load_before_search = os.getloadavg()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--search-only",
                           "--index-dir", str(tmp_root), "--index-name", cfg.index_name],
                          capture_output=True, text=True, cwd=str(ROOT))
    if proc.returncode != 0:
        sys.exit(f"search subprocess failed:\n{proc.stderr}")
    search = json.loads(proc.stdout)

    index_bytes = sum(f.stat().st_size for f in cfg.index_path.rglob("*") if f.is_file())
    cache_bytes = cache_path(cfg).stat().st_size

    result = {
        "cold_build_s": r3(cold_s),
        "raw_embed_s": r3(raw_s),
        "cold_over_raw": round(cold_s / raw_s, 3),
        "warm_rebuild_s": r3(warm_s),
        "noop_reindex_s": r3(noop_s),
        "search_ms": search["search_ms"],
        "query_embed_ms": search["query_embed_ms"],
        "search_warmup_query_ms": search["warmup_query_ms"],
        "peak_rss_mb_build": peak_build,
        "peak_rss_mb_search": search["peak_rss_mb"],
        "ru_maxrss_mb_build": ru_maxrss_mb(),
        "ru_maxrss_mb_search": search["ru_maxrss_mb"],
        "model_load_s": r3(model_load_s),
        "model_load_s_search_process": search["model_load_s"],
        "index_load_s": search["index_load_s"],
        "import_s": r3(IMPORT_S),
        "embed_warmup_s": r3(embed_warmup_s),
        "chunks": cold.chunks,
        "corpus_chars": corpus_chars,
        "corpus_bytes": SAMPLE_CORPUS.stat().st_size,
        "chunk_only_s": r3(chunk_s),
        "embed_ms_per_chunk": round(raw_s / len(texts) * 1000, 2),
        "phases_s": {"cold_build": cold_phases, "warm_rebuild": warm_phases, "noop_reindex": noop_phases},
        "checks": {
            "cold_embedded": cold.embedded,
            "warm_embedded": warm.embedded,
            "noop_up_to_date": bool(noop.up_to_date),
            "raw_texts_equal_index_texts": same_texts,
            "raw_vs_index_max_abs_diff": max_diff,
            "questions": search["questions"],
            "unique_questions": search["unique_questions"],
            "question_errors": search["question_errors"],
        },
        "index_size_mb": round(index_bytes / 1048576, 2),
        "vector_cache_mb": round(cache_bytes / 1048576, 2),
        "machine": {
            "cpu_count": os.cpu_count(),
            "threads": cfg.threads,
            "batch_size": cfg.batch_size,
            "chunk_size": cfg.chunk_size,
            "overlap_sentences": cfg.overlap_sentences,
            "embedder": embedder.name,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": [round(x, 2) for x in load_before],
            "loadavg_before_search": [round(x, 2) for x in load_before_search],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        },
        # cores kept busy by OTHER processes during each timed phase (0 = quiet machine; on 2 cores
        # anything above ~0.2 makes the numbers pessimistic)
        "other_cores_busy": {**OTHER_CORES, "search": search["other_cores_busy"]},
    }
    values = {
        "cold_over_raw": result["cold_over_raw"],
        "warm_rebuild_s": result["warm_rebuild_s"],
        "search_p50_ms": result["search_ms"]["p50"],
        "search_p95_ms": result["search_ms"]["p95"],
        "peak_rss_mb_build": result["peak_rss_mb_build"],
        "peak_rss_mb_search": result["peak_rss_mb_search"],
    }
    result["targets"] = {k: {"target": f"{op} {lim:g}", "value": values[k], "met": bool(values[k] <= lim)}
                         for k, (op, lim) in TARGETS.items()}
    result["all_targets_met"] = all(t["met"] for t in result["targets"].values())
    code_now = code_fingerprint()
    result["code"] = {**git_state(), "rag_sources_sha256": CODE_AT_IMPORT,
                      "search_process_rag_sources_sha256": search["code"],
                      "changed_during_run": code_now != CODE_AT_IMPORT or search["code"] != CODE_AT_IMPORT}
    if result["code"]["changed_during_run"]:
        print("warning: rag/ sources changed while the benchmark ran; rerun it", file=sys.stderr)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the JSON to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary index dir (its path is reported)")
    ap.add_argument("--index-dir", help="index dir: must be empty for the full run; required with --search-only")
    ap.add_argument("--index-name", default="bench", help="index name (with --search-only)")
    ap.add_argument("--search-only", action="store_true", help="only the search part, on an existing index")
    args = ap.parse_args()
    if args.search_only:
        if not args.index_dir:
            ap.error("--search-only needs --index-dir")
        result = search_only(args.index_dir, args.index_name)
    else:
        result = main_bench(args)
    emit(result, args.out)


if __name__ == "__main__":
    main()
