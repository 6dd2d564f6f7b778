"""Print the Markdown table of ``bench/results-scale.json`` (the one in ``bench/README.md``, "Scale").

    python3 bench/scale_table.py [bench/results-scale.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = [  # (header, how to read it from a point)
    ("point", lambda k, p: k),
    ("store", lambda k, p: _store(p)),
    ("build s", lambda k, p: p.get("build_s")),
    ("cold `rag search` s", lambda k, p: p.get("cold_search_s")),
    ("hybrid p50 / p95 ms", lambda k, p: _pp(p.get("hybrid_e2e_ms"))),
    ("dense p50 ms", lambda k, p: _pp(p.get("dense_ms"), p95=False)),
    ("keyword p50 / p95 ms", lambda k, p: _pp(p.get("bm25_ms"))),
    ("peak RSS search MB (own + mapped files)", lambda k, p: f"{p.get('peak_rss_mb_search')} "
                                                             f"({p.get('rss_mb_anon_end')} + {p.get('rss_mb_file_end')})"),
    ("peak RSS build MB", lambda k, p: p.get("peak_rss_mb_build")),
    ("dense recall@10", lambda k, p: p.get("dense_recall_at_10")),
    ("disk MB", lambda k, p: p.get("disk_mb_milvus") or p.get("disk_mb")),
]


def _store(p: dict) -> str:
    store = p.get("store")
    backend = store if isinstance(store, str) else (store or {}).get("backend", "local")
    dense = p.get("dense") or ((store or {}).get("dense") if isinstance(store, dict) else None) or {}
    return f"{backend} {dense.get('kind', '')}".strip()


def _pp(d: dict | None, p95: bool = True) -> str:
    if not d:
        return "–"
    return f"{d['p50']:.0f} / {d['p95']:.0f}" if p95 else f"{d['p50']:.1f}"


def table(results: dict) -> str:
    rows = ["| " + " | ".join(h for h, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for key, point in results["points"].items():
        rows.append("| " + " | ".join(str(f(key, point)) for _, f in COLUMNS) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results-scale.json"))
    print(table(json.loads(path.read_text(encoding="utf-8"))))
