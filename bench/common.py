"""Shared by the bench scripts: print a result as JSON and optionally write it to ``--out``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def emit(result: dict[str, Any], out: str | None) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
