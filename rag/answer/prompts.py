"""Prompt and message templates, plain files in the project's ``prompts/`` folder (zh and en)."""

from __future__ import annotations

from functools import lru_cache

from rag.config import PROMPTS_DIR


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The template ``prompts/<name>.txt`` (trailing newline removed); OSError if it is missing."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def refusal_text(lang: str) -> str:
    """The plain refusal sentence in the question's language (``prompts/refusal_<lang>.txt``)."""
    return load_prompt(f"refusal_{'zh' if lang == 'zh' else 'en'}").strip()


@lru_cache(maxsize=None)
def _reason_templates(lang: str) -> dict[str, str]:
    out = {}
    for line in load_prompt(f"refusal_reasons_{'zh' if lang == 'zh' else 'en'}").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            kind, template = line.split("=", 1)
            out[kind.strip()] = template.strip()
    return out


def refusal_reason_text(lang: str, kind: str, term: str = "", detail: str = "") -> str:
    """One sentence saying why the documents don't answer (``prompts/refusal_reasons_<lang>.txt``);
    empty for kinds without a template.

    >>> refusal_reason_text("en", "exact", "个人所得税")
    'The documents never mention 个人所得税.'
    """
    template = _reason_templates(lang).get(kind)
    return template.format(term=term, detail=detail) if template else ""


def part_refusal_text(lang: str, part: str, refusal: str) -> str:
    """The note for one unanswerable part of a multi-part question (``prompts/refusal_part_<lang>.txt``).

    >>> part_refusal_text("en", "and the 2024 target", "The documents do not contain the answer.")
    'On "and the 2024 target": The documents do not contain the answer.'
    """
    return load_prompt(f"refusal_part_{'zh' if lang == 'zh' else 'en'}").strip().format(part=part, refusal=refusal)


def join_sentences(lang: str, sentences: list[str]) -> str:
    """Sentences as one text: run together in Chinese, space-separated in English."""
    return ("" if lang == "zh" else " ").join(x for x in sentences if x)


def refusal_with_reason(lang: str, kind: str, term: str = "", detail: str = "") -> str:
    """The refusal sentence followed by why, when the kind has a template.

    >>> refusal_with_reason("en", "exact", "个人所得税")
    'The documents do not contain the answer to this question. The documents never mention 个人所得税.'
    """
    return join_sentences(lang, [refusal_text(lang), refusal_reason_text(lang, kind, term, detail)])
