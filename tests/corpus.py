"""Small corpora written by tests: a dict of file name -> text becomes a folder of files."""

from __future__ import annotations

from pathlib import Path


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    """Write ``docs`` (file name -> text, UTF-8) into ``folder`` (created) and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
