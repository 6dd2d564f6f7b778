"""Benchmark `rag ask` with the offline backend: warm latency over the dev questions in one process, and
cold start (process start to printed answer) of the real CLI. Prints one JSON object.

    .venv/bin/python bench/bench_ask.py [--questions eval/dev.jsonl] [--runs 3] [--out FILE]

Targets (issue 4): warm p50 <= 80 ms and p95 <= 200 ms (retrieval included); cold start <= 3 s.
The default index must exist (any `rag ask` builds it once).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import emit  # noqa: E402


def pct(values: list[float], p: float) -> float:
    from rag.evaluation.metrics import percentile

    return round(percentile(values, p), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", default=str(ROOT / "eval" / "dev.jsonl"))
    ap.add_argument("--runs", type=int, default=3, help="cold-start runs (median reported)")
    ap.add_argument("--out")
    args = ap.parse_args()

    from rag.assistant import Assistant
    from rag.config import Config
    from rag.evaluation.dataset import load_questions
    from rag.indexer import ensure_default_index

    cfg = Config()
    ensure_default_index(cfg)
    t0 = time.perf_counter()
    assistant = Assistant(cfg)
    open_s = time.perf_counter() - t0
    questions, _ = load_questions(args.questions)
    assistant.ask("预热 warm-up")  # first call initialises jieba and the stemmer
    total, first, by_lang = [], [], {"zh": [], "en": []}
    for q in questions:
        t = time.perf_counter()
        first_piece = None
        for event in assistant.stream(q.question):
            if first_piece is None:
                first_piece = (time.perf_counter() - t) * 1000
        ms = (time.perf_counter() - t) * 1000
        total.append(ms)
        first.append(first_piece)
        by_lang.setdefault(q.lang, []).append(ms)

    cold = []
    env = dict(os.environ)
    for _ in range(args.runs):
        t = time.perf_counter()
        proc = subprocess.run([str(ROOT / ".venv" / "bin" / "rag"), "ask", "2024年全市一般公共预算收入预计是多少？"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        cold.append(time.perf_counter() - t)
        assert proc.returncode == 0 and "2587" in proc.stdout, proc.stderr
    import_check = subprocess.run([sys.executable, "-c", "import sys, rag.cli, rag.commands, rag.assistant; "
                                   "print(sorted(m for m in ('gradio','torch','langchain_openai','langchain_ollama',"
                                   "'llama_cpp','sentence_transformers','matplotlib') if m in sys.modules))"],
                                  capture_output=True, text=True, cwd=ROOT)
    cold.sort()
    result = {
        "questions": len(questions),
        "warm_ask_ms": {"p50": pct(total, 50), "p95": pct(total, 95), "max": round(max(total), 2),
                        "p50_by_lang": {k: pct(v, 50) for k, v in by_lang.items() if v}},
        "first_piece_ms": {"p50": pct(first, 50), "p95": pct(first, 95)},
        "assistant_open_s": round(open_s, 3),
        "cold_start_s": {"median": round(cold[len(cold) // 2], 3), "runs": [round(c, 3) for c in cold]},
        "heavy_modules_on_cli_path": import_check.stdout.strip(),
        "loadavg": os.getloadavg(),
        "targets": {
            "warm_p50_ms<=80": pct(total, 50) <= 80,
            "warm_p95_ms<=200": pct(total, 95) <= 200,
            "cold_start_s<=3": cold[len(cold) // 2] <= 3,
        },
    }
    emit(result, args.out)


if __name__ == "__main__":
    main()
