"""Benchmark the HTTP API under load: ``--clients`` concurrent clients ask the questions of
eval/dev.jsonl (zh and en) through ``POST /v1/chat/completions`` (offline backend, non-streaming) against a
real ``rag serve`` in a subprocess over the default index, twice for ``--seconds``: the questions as they
are (repeated: after its first use a question's query embedding comes from the embedder's memo), then
each request a new string (every query embedded). Prints one JSON object: throughput, p50/p95/p99
latency, errors (any response but 200, or a transport error) per run.

    nice -n 5 env OMP_WAIT_POLICY=PASSIVE .venv/bin/python bench/bench_api.py --out bench/results-api.json
    .venv/bin/python bench/bench_api.py --clients 4 --seconds 10          # smoke run

Target (issue 13): 20 clients for 60 s with no errors. The default index is built on first use.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

QUESTIONS = ["2024年全市一般公共预算收入预计是多少？", "What is the 2024 target for the surveyed urban unemployment rate?",
             "2023年重庆天然气产量是多少？", "How many high-tech enterprises did Chongqing have at the end of 2023?",
             "2023年全市一般公共预算收入是多少？"]
DEV_SET = ROOT / "eval" / "dev.jsonl"
KEY = "bench-key"
LOG = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bench_api_server.log")


def questions() -> list[str]:
    """The questions of eval/dev.jsonl (zh and en), else the five above."""
    import json

    if not DEV_SET.is_file():
        return list(QUESTIONS)
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()] or list(QUESTIONS)


def make_unique(q: str, n: int, count: int) -> str:
    """Question ``q`` asked for the ``n``-th time (of ``count`` questions in turn) as a new string: spaces
    before its last character (its question mark), one more each round, so the embedder's query memo
    never has it; words, tokens and meaning unchanged.

    >>> make_unique("多少？", 0, 60), make_unique("多少？", 60, 60)
    ('多少 ？', '多少  ？')
    """
    return q[:-1] + " " * (1 + n // count) + q[-1:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    pos = (len(values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def start_server(port: int, index: str | None) -> subprocess.Popen:
    import httpx

    cmd = [sys.executable, "-m", "rag", "serve", "--port", str(port), "--api-key", KEY]
    if index:
        cmd += ["--index", index]
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False")
    # the server's output goes to a file: a pipe nobody reads would fill up (index-build progress) and block it
    log = open(LOG, "w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/v1/search"
    deadline = time.time() + 600  # the default index may be built first
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"rag serve exited: {Path(LOG).read_text(encoding='utf-8')[-2000:]}")
        try:
            r = httpx.post(url, json={"query": "预算"}, headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
            if r.status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(1)
    proc.kill()
    raise SystemExit("rag serve did not become ready")


def stats(values: list[float]) -> dict:
    if not values:
        return {}
    return {"p50": round(percentile(values, 0.5), 1), "p95": round(percentile(values, 0.95), 1),
            "p99": round(percentile(values, 0.99), 1), "max": round(max(values), 1),
            "mean": round(statistics.fmean(values), 1)}


def load(base: str, qs: list[str], clients: int, seconds: float, unique: bool) -> dict:
    """``clients`` threads asking ``qs`` in turn for ``seconds``; the run's numbers."""
    import httpx

    headers = {"Authorization": f"Bearer {KEY}"}
    lock = threading.Lock()
    latencies: list[tuple[str, float]] = []
    errors: dict[str, int] = {}
    refused = [0]
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        n = i
        with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                q = qs[n % len(qs)]
                if unique:
                    q = make_unique(q, n, len(qs))
                n += clients
                t0 = time.perf_counter()
                try:
                    r = c.post("/chat/completions", json={"messages": [{"role": "user", "content": q}]})
                    ms = (time.perf_counter() - t0) * 1000
                    ok = r.status_code == 200
                    key = "ok" if ok else f"http {r.status_code}"
                    is_refused = ok and r.json()["rag"]["refused"]
                except httpx.HTTPError as exc:
                    ms, ok, key, is_refused = 0.0, False, type(exc).__name__, False
                with lock:
                    if ok:
                        latencies.append(("en" if q.isascii() else "zh", ms))
                        refused[0] += bool(is_refused)
                    else:
                        errors[key] = errors.get(key, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    load_before = os.getloadavg()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ms = [x for _, x in latencies]
    return {
        "questions": f"{len(qs)} questions" + (", each request a new string (spaces before the question mark): "
                                               "every query is embedded" if unique else
                                               ", repeated: query embeddings memoised after first use"),
        "wall_s": round(wall, 2),
        "requests": len(ms),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "refused_answers": refused[0],
        "throughput_rps": round(len(ms) / wall, 2),
        "latency_ms": stats(ms),
        "latency_ms_by_lang": {lang: stats([x for lg, x in latencies if lg == lang]) for lang in ("zh", "en")},
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each of the two runs")
    ap.add_argument("--index", help="index name (default: the configured default)")
    ap.add_argument("--out")
    args = ap.parse_args()

    import httpx

    qs = questions()
    port = free_port()
    t_start = time.time()
    proc = start_server(port, args.index)
    startup_s = time.time() - t_start
    base = f"http://127.0.0.1:{port}/v1"
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=120) as c:
            for q in qs[:5]:  # warm-up, not counted
                c.post("/chat/completions", json={"messages": [{"role": "user", "content": q}]}).raise_for_status()
        runs = {"repeated_questions": load(base, qs, args.clients, args.seconds, unique=False),
                "unique_questions": load(base, qs, args.clients, args.seconds, unique=True)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    result = {
        "via": "httpx, POST /v1/chat/completions (non-streaming), rag serve subprocess, offline backend, "
               f"questions of {DEV_SET.name if DEV_SET.is_file() else 'bench_api.QUESTIONS'} (zh and en)",
        "clients": args.clients,
        "seconds_per_run": args.seconds,
        **runs,
        "server_startup_s": round(startup_s, 1),
        "cpu_count": os.cpu_count(),
        "targets": {"no_errors": all(not r["errors"] for r in runs.values())},
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
