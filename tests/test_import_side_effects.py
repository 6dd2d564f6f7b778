"""``import rag`` (and its public API) leaves the process environment alone; the command sets its defaults."""

from __future__ import annotations

import os
import subprocess
import sys


def test_import_rag_changes_no_environment():
    code = ("import os, rag; before = dict(os.environ); rag.Config(); import rag.assistant, rag.retrieve; "
            "assert dict(os.environ) == before, set(os.environ) ^ set(before); "
            "assert 'OMP_WAIT_POLICY' not in os.environ and 'HF_HUB_OFFLINE' not in os.environ")
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "HF_HUB_OFFLINE")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_the_command_sets_its_process_defaults(monkeypatch):
    from rag.cli import process_defaults

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # an explicit setting wins
    process_defaults()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE" and os.environ["HF_HUB_OFFLINE"] == "0"
