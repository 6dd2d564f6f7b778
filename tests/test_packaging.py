"""A non-editable install (a wheel) carries the prompts and the sample corpus, and keeps indexes in the
user's data folder instead of next to site-packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rag.config import PROJECT_ROOT


def test_wheel_has_prompts_sample_and_a_user_index_dir(tmp_path):
    wheels, target, src = tmp_path / "wheels", tmp_path / "site", tmp_path / "src"
    # build from a copy: a build inside the checkout would leave build/ and egg-info behind (and could
    # package stale files from an earlier build/)
    shutil.copytree(PROJECT_ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "index", "build", "*.egg-info", "__pycache__", "artifacts", "runs"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(src)], check=True, capture_output=True)
    wheel = next(wheels.glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    probe = ("import json, rag.config as c; from rag.answer.prompts import refusal_text, refusal_reason_text; "
             "print(json.dumps([c.SOURCE_CHECKOUT, str(c.Config().index_dir), c.SAMPLE_CORPUS.is_file(), "
             "refusal_text('zh'), refusal_reason_text('en', 'exact', 'X'), str(c.PROMPTS_DIR)]))")
    env = dict(os.environ, PYTHONPATH=str(target), XDG_DATA_HOME=str(tmp_path / "data"))
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True)
    source, index_dir, sample, refusal, reason, prompts = json.loads(out.stdout)
    assert source is False
    assert Path(index_dir) == tmp_path / "data" / "rag" / "index"
    assert sample is True
    assert refusal == (PROJECT_ROOT / "prompts" / "refusal_zh.txt").read_text(encoding="utf-8").strip()
    assert reason == "None of the passages found mentions X."
    assert Path(prompts).is_relative_to(target)
