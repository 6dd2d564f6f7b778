"""Answer text for the offline answerer: Chinese evidence as is, or framed and glossed for English readers.

>>> compose_zh([(2, "全市一般公共预算收入预计2587亿元，增长6%", None)])
'全市一般公共预算收入预计2587亿元，增长6%[2]。'
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.answer.numbers import render_all

# document kinds of Chinese official reports, for "According to the ... [n]"
_REPORT_KINDS = [
    ("预算", "budget report"),
    ("国民经济和社会发展", "economic and social development plan report"),
    ("政府工作报告", "government work report"),
    ("决算", "final accounts report"),
    ("公报", "gazette"),
]


def compose_zh(parts) -> str:
    """``parts``: (passage number, clause text, hit) in reading order."""
    return "；".join(f"{text.rstrip('。；')}[{n}]" for n, text, _ in parts) + "。"


def _source_label(hit) -> str:
    if hit is None:
        return "the documents"
    title = (hit.chunk.section[0] if hit.chunk.section else hit.chunk.doc_title) or ""
    years = re.findall(r"20\d\d", " ".join(hit.chunk.section[:2]))
    for key, label in _REPORT_KINDS:
        if key in title:
            return f"the {'/'.join(dict.fromkeys(years))} {label}".replace("the  ", "the ") if years else f"the {label}"
    return f"《{title}》" if title else "the documents"


def compose_en(parts, analysis=None) -> str:
    """English frame around the Chinese evidence, figures rendered for English readers, key terms glossed."""
    out = []
    for n, text, hit in parts:
        sentence = render_all(text.rstrip("。；"))
        out.append(f"According to {_source_label(hit)} [{n}]: {sentence}.")
    terms = []
    seen = set()
    for _, text, _ in parts:
        for term, gloss in key_terms(text, analysis):
            if term not in seen:
                seen.add(term)
                terms.append(f"{term} = {gloss}")
    if terms:
        out.append("Key terms: " + "; ".join(terms[:6]) + ".")
    return " ".join(out)


def key_terms(text: str, analysis=None) -> list[tuple[str, str]]:
    """Chinese terms of ``text`` that the question asked about, with an English gloss."""
    out = []
    forms = [f for c in (analysis.concepts if analysis else []) for f in c.forms]
    for f in sorted(set(forms), key=lambda x: (-len(x), x)):  # longest first; ties in a fixed order
        if len(f) >= 2 and f in text and not any(f in t for t, _ in out):
            g = gloss_term(f)
            if g:
                out.append((f, g))
    return sorted(out, key=lambda tg: text.find(tg[0]))  # in reading order


@lru_cache(maxsize=4096)
def gloss_term(zh: str) -> str | None:
    """English for a Chinese term: the curated glossary first, then CC-CEDICT's first sense."""
    g = _glossary_reverse().get(zh)
    if g:
        return " ".join(w.upper() if w in _ACRONYMS else w for w in g.split(" "))
    from rag.bridge import _cedict_lines, _clean_definition

    for raw in _cedict_lines().get(zh, ()):
        body = raw[raw.find("]") + 1:].strip().strip("/")
        for d in body.split("/"):
            d = _clean_definition(d)
            if d and "|" not in d and "variant of" not in d and "surname" not in d:
                return d
    return None


_ACRONYMS = frozenset("gdp cpi sme ai r&d it ppp".split())  # the glossary is lower case


@lru_cache(maxsize=1)
def _glossary_reverse() -> dict[str, str]:
    path = Path(__file__).resolve().parents[1] / "data" / "glossary_en_zh.tsv"
    out: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("#"):
                en, zh = line.split("\t", 1)
                for t in zh.split(","):
                    out.setdefault(t.strip(), en.strip())
    return out
