"""Collection rules for ``pytest --doctest-modules rag``: modules that need an optional extra are left out
when it is not installed (their tests in tests/ skip with the reason), instead of failing collection."""

from __future__ import annotations

import importlib.util


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


collect_ignore: list[str] = []
if _missing("gradio"):  # the web UI (pip install -e '.[ui]'); rag/ui/engine, render, login, i18n need no gradio
    collect_ignore += ["rag/ui/web.py", "rag/ui/panels"]
