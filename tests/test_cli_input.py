"""Bad input on the command line, run as a user runs it (a subprocess): raw bytes that are not UTF-8,
question files that are folders or not UTF-8, over-long questions (from standard input, as argv is limited
to 128 KiB), invalid index names. Each one gets one line on stderr and exit code 1, never a traceback,
and nothing is built or touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def rag(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "rag", *[a if isinstance(a, bytes) else str(a) for a in args]]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, input=stdin, timeout=300,
                          env=dict(os.environ, LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8"))


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, (proc.returncode, err)
    assert "Traceback" not in err and err.startswith("rag: error:") and err.strip().count("\n") == 0, err
    return err


def test_a_question_that_is_not_utf8_is_one_line(tmp_path):
    for cmd in ("search", "ask"):
        err = one_line_error(rag(cmd, b"\xff\xe9\xa2\x84\xe7\xae\x97", "--index-dir", tmp_path))
        assert "not valid UTF-8" in err
    err = one_line_error(rag("search", "预算", "--section", b"\xfe", "--index-dir", tmp_path))
    assert "--section is not valid UTF-8" in err
    assert not any(tmp_path.iterdir()), "nothing may be built for a rejected question"


def test_question_file_that_is_a_folder_or_not_utf8_is_named(tmp_path):
    err = one_line_error(rag("eval", tmp_path, "--index-dir", tmp_path / "idx"))
    assert f"{tmp_path} is a folder" in err
    bad = tmp_path / "qs.jsonl"
    bad.write_bytes(b'{"id": "q1", "question": "ok"}\n{"id": "q2", "question": "\xff"}\n')
    err = one_line_error(rag("eval", bad, "--index-dir", tmp_path / "idx"))
    assert str(bad) in err and "not UTF-8" in err and "line 2" in err
    assert not (tmp_path / "idx").exists()


def test_over_long_questions_are_refused_before_any_work(tmp_path):
    long = ("预算收入是多少" * 50_000).encode()  # 350,000 characters, over 1 MB: only stdin can carry it
    for cmd in ("ask", "search"):
        err = one_line_error(rag(cmd, "-", "--index-dir", tmp_path, stdin=long))
        assert "too long" in err and "2000" in err
    err = one_line_error(rag("ask", "-", "--index-dir", tmp_path, stdin=b"\xff\xfe\x00"))
    assert "standard input is not UTF-8" in err
    err = one_line_error(rag("ask", "-", "--index-dir", tmp_path, stdin=b"   \n"))
    assert "empty" in err
    assert not any(tmp_path.iterdir())


def test_invalid_index_names_are_refused_and_never_suggested(tmp_path):
    for name in ("../../etc", "", ".", "..", "a/b", "uploads"):
        for cmd in (("info",), ("search", "预算"), ("index", tmp_path)):
            err = one_line_error(rag(*cmd, "--index", name, "--index-dir", tmp_path / "idx"))
            assert "invalid index name" in err and f"--index {name} " not in err, err
    assert not (tmp_path / "idx").exists()
