"""Benchmark the web UI: time from submitting a question to the first streamed answer text, in the warm
app with the offline backend, through gradio_client. Prints one JSON object.

    .venv/bin/python bench/bench_ui.py [--rounds 3] [--out FILE]

Target (issue 5): first streamed text within 300 ms. Uses the default index (built on first use).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402

QUESTIONS = ["2024年全市一般公共预算收入预计是多少？", "2023年重庆天然气产量是多少？",
             "What is the 2024 target for the surveyed urban unemployment rate?",
             "How many high-tech enterprises did Chongqing have at the end of 2023?",
             "2023年全市一般公共预算收入是多少？"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out")
    args = ap.parse_args()

    from gradio_client import Client

    from rag.config import Config
    from rag.ui.web import CHAT_CONCURRENCY, build_app, launch_kwargs, prepare
    from tests.ui.helpers import free_port
    from tests.ui.test_client import bot_text

    cfg = Config()
    engine = prepare(cfg, progress=False)
    demo = build_app(engine)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(cfg))
    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
    first_ms, total_ms = [], []
    try:
        for _ in range(args.rounds):
            for q in QUESTIONS:
                client.predict(api_name="/new_chat")
                t0 = time.perf_counter()
                job = client.submit(q, cfg.index_name, 5, "offline", False, api_name="/ask")
                first = None
                for out in job:
                    if first is None and re.sub(r"<[^>]+>", "", bot_text(out[0])).strip():
                        first = time.perf_counter() - t0
                job.result()
                total_ms.append((time.perf_counter() - t0) * 1000)
                first_ms.append(first * 1000)
    finally:
        demo.close()
    result = {
        "via": "gradio_client, warm app, offline backend",
        "n": len(first_ms),
        "first_text_ms": {"median": round(statistics.median(first_ms), 1), "max": round(max(first_ms), 1),
                          "min": round(min(first_ms), 1)},
        "complete_answer_ms_median": round(statistics.median(total_ms), 1),
        "loadavg": os.getloadavg(),
        "targets": {"first_text_median_ms<=300": statistics.median(first_ms) <= 300},
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
