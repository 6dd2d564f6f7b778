"""Benchmark one request against everyone (issue 9, item 5): does a client sending 1 MB questions slow
the others down? A real server (``app.py`` in a subprocess) on the default index (the sample corpus,
built on first use) or, with ``--small``, on a two-document inline index in a temp folder. Ten clients
(gradio_client, one session each) ask ordinary questions in a loop for ``--seconds``; measured twice:

1. ``baseline``: the ten clients alone;
2. ``with_long_client``: the same, plus one client sending a 1 MB question in a loop.

Reported: p50/p95/max of the ordinary questions' complete-answer times in both runs (and the ratio; the
percentiles cover answered questions, so also read ``timeouts``: a question unanswered after ``--timeout``
seconds), how many were answered, timed out or failed, and the long client's response times and message. Prints one
JSON object (``--out FILE`` also writes it; the house copy is ``bench/results-long-question.json``).

    .venv/bin/python bench/bench_long_question.py                 # default index, 60 s per run
    .venv/bin/python bench/bench_long_question.py --small --seconds 10   # smoke run
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

SMALL_DOCS = {
    "water.txt": "青湖区水务年报\n\n一、供水\n青湖区2024年新建水厂3座，日供水能力达到45万吨。\n"
                 "二、污水处理\n污水处理率提高到96%，新建管网120公里。\n",
    "parks.txt": "青湖区园林简报\n\n一、公园建设\n青湖区2024年新建口袋公园18个，绿道总长达到64公里。\n",
}
SMALL_QUESTIONS = ["青湖区2024年新建水厂多少座？", "青湖区新建口袋公园多少个？", "污水处理率提高到多少？",
                   "How many pocket parks were built in 2024?", "How long is the new sewer network?"]
LONG_QUESTION = ("青湖区新建水厂多少座？" * 40_000)[: 1_048_576 // 3 + 1]  # 1 MB of UTF-8 (3 bytes a character)


def percentiles(ms: list[float]) -> dict:
    """n, p50, p95 (numpy's linear interpolation, as in bench_index_search.py), max, mean."""
    import numpy as np

    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50": round(float(np.percentile(ms, 50)), 1), "p95": round(float(np.percentile(ms, 95)), 1),
            "max": round(max(ms), 1), "mean": round(statistics.fmean(ms), 1)}


def start_server(index_dir: Path, index: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False")
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.pop("RAG_AUTH", None)
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index-dir", str(index_dir), "--index", index,
                             "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    import httpx

    deadline = time.time() + 900  # the first run may build the sample index
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/config", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


def bot_text(chat: list) -> str:
    content = chat[-1]["content"] if chat else ""
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


def run(url: str, index: str, questions: list[str], clients: int, seconds: float, long_client: bool,
        timeout: float) -> dict:
    """``clients`` ordinary clients (and optionally one long-question client) for ``seconds``."""
    from gradio_client import Client

    stop = time.monotonic() + seconds
    lock = threading.Lock()
    ordinary_ms: list[float] = []
    long_ms: list[float] = []
    outcome = {"answered": 0, "timeouts": 0, "errors": 0, "long_timeouts": 0, "long_errors": 0}
    samples: dict[str, str] = {}

    def ordinary(i: int) -> None:
        c = Client(url, verbose=False)
        n = i
        while time.monotonic() < stop:
            q = questions[n % len(questions)]
            n += 1
            c.predict(api_name="/new_chat")
            t0 = time.perf_counter()
            try:
                chat, _ = c.submit(q, index, 5, "offline", False, api_name="/ask").result(timeout=timeout)
                ok = bool(re.sub(r"<[^>]+>", "", bot_text(chat)).strip())
            except TimeoutError:
                with lock:
                    outcome["timeouts"] += 1
                continue
            except Exception:  # noqa: BLE001
                with lock:
                    outcome["errors"] += 1
                continue
            with lock:
                ordinary_ms.append((time.perf_counter() - t0) * 1000)
                outcome["answered" if ok else "errors"] += 1

    def long_user() -> None:
        c = Client(url, verbose=False)
        while time.monotonic() < stop:
            c.predict(api_name="/new_chat")
            t0 = time.perf_counter()
            try:
                chat, _ = c.submit(LONG_QUESTION, index, 5, "offline", False, api_name="/ask").result(timeout=timeout)
            except TimeoutError:
                with lock:
                    outcome["long_timeouts"] += 1
                continue
            except Exception as exc:  # noqa: BLE001
                with lock:
                    outcome["long_errors"] += 1
                    samples.setdefault("long_error", str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
                continue
            with lock:
                long_ms.append((time.perf_counter() - t0) * 1000)
                samples.setdefault("long_reply", re.sub(r"<[^>]+>", "", bot_text(chat))[:200])

    threads = [threading.Thread(target=ordinary, args=(i,), daemon=True) for i in range(clients)]
    if long_client:
        threads.append(threading.Thread(target=long_user, daemon=True))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 60)
    out = {"wall_s": round(time.perf_counter() - t0, 1), "ordinary_ms": percentiles(ordinary_ms), **outcome,
           "questions_per_s": round(len(ordinary_ms) / max(seconds, 1e-9), 2)}
    if long_client:
        out["long_client_ms"] = percentiles(long_ms)
        out.update(samples)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each of the two runs (default 60)")
    ap.add_argument("--clients", type=int, default=10, help="ordinary clients (default 10)")
    ap.add_argument("--small", action="store_true", help="a two-document inline index in a temp folder "
                    "instead of the default (sample) index")
    ap.add_argument("--timeout", type=float, default=120.0, help="a request unanswered after this many seconds "
                    "counts as a timeout (default 120)")
    ap.add_argument("--out")
    args = ap.parse_args()

    from rag.config import Config
    from tests.ui.helpers import free_port

    tmp = None
    if args.small:
        from rag.indexer import build_index

        tmp = tempfile.TemporaryDirectory(prefix="bench-long-")
        docs = Path(tmp.name) / "docs"
        docs.mkdir()
        for name, text in SMALL_DOCS.items():
            (docs / name).write_text(text, encoding="utf-8")
        cfg = Config(index_dir=Path(tmp.name) / "indexes", index_name="small")
        build_index([docs], cfg, progress=False)
        questions = SMALL_QUESTIONS
    else:
        from bench_ui import QUESTIONS

        cfg = Config.load()
        questions = QUESTIONS
    port = free_port()
    load_start = os.getloadavg()
    proc = start_server(Path(cfg.index_dir), cfg.index_name, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        run(url, cfg.index_name, questions, 2, min(3.0, args.seconds), False, args.timeout)  # warm-up, not counted
        baseline = run(url, cfg.index_name, questions, args.clients, args.seconds, False, args.timeout)
        with_long = run(url, cfg.index_name, questions, args.clients, args.seconds, True, args.timeout)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if tmp is not None:
            tmp.cleanup()
    b, w = baseline["ordinary_ms"], with_long["ordinary_ms"]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "rag"], capture_output=True,
                                text=True).stdout.strip())
    result = {
        "via": f"gradio_client against app.py in a subprocess, offline backend, {args.clients} ordinary clients",
        "index": "small inline (2 documents)" if args.small else cfg.index_name,
        "seconds_per_run": args.seconds,
        "long_question_chars": len(LONG_QUESTION),
        "long_question_bytes_utf8": len(LONG_QUESTION.encode("utf-8")),
        "baseline": baseline,
        "with_long_client": with_long,
        "p50_ratio": round(w["p50"] / b["p50"], 2) if b.get("n") and w.get("n") else None,
        "p95_ratio": round(w["p95"] / b["p95"], 2) if b.get("n") and w.get("n") else None,
        "loadavg_start": load_start,
        "loadavg_end": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "code": {"commit": commit, "rag_uncommitted_changes": dirty},
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
