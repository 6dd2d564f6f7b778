"""Prompt and message templates, plain files in the project's ``prompts/`` folder (zh and en)."""

from __future__ import annotations

from functools import lru_cache

from rag.config import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The template ``prompts/<name>.txt`` (trailing newline removed); OSError if it is missing."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def refusal_text(lang: str) -> str:
    """The plain refusal sentence in the question's language (``prompts/refusal_<lang>.txt``)."""
    return load_prompt(f"refusal_{'zh' if lang == 'zh' else 'en'}").strip()
