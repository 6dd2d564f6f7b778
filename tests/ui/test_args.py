"""Command-line flags of ``app.py`` / ``rag serve`` and login parsing."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from rag.ui import add_serve_arguments

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_bind_localhost():
    p = argparse.ArgumentParser()
    add_serve_arguments(p)
    a = p.parse_args([])
    assert (a.host, a.port, a.auth, a.ui_lang) == ("127.0.0.1", 7860, None, "zh")
    a = p.parse_args(["--host", "0.0.0.0", "--port", "8080", "--auth", "u:p", "--llm", "ollama"])
    assert (a.host, a.port, a.auth, a.llm) == ("0.0.0.0", 8080, "u:p", "ollama")


def test_parse_auth():
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    from rag.ui.web import parse_auth

    assert parse_auth(None) is None and parse_auth("") is None
    assert parse_auth("alice:s3:cret") == [("alice", "s3:cret")]
    assert parse_auth("a:1, b:2") == [("a", "1"), ("b", "2")]
    for bad in ("alice", ":pw", "alice:"):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_bad_auth_is_one_line_error():
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    r = subprocess.run([sys.executable, str(ROOT / "app.py"), "--auth", "nopassword"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip() == "app.py: error: --auth must look like user:password"
