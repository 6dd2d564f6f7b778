"""Answer text for the offline answerer: Chinese evidence as is, or framed and glossed for English readers.

>>> compose_zh([(2, "全市一般公共预算收入预计2587亿元，增长6%", None)])
'全市一般公共预算收入预计2587亿元，增长6%[2]。'
"""

from __future__ import annotations

from functools import lru_cache

from rag.answer.numbers import render_all
from rag.profile import Profile, load_profile
from rag.lexicon import YEAR


def compose_zh(parts) -> str:
    """``parts``: (passage number, clause text, hit) in reading order."""
    return "；".join(f"{text.rstrip('。；')}[{n}]" for n, text, _ in parts) + "。"


def _source_label(hit, profile: Profile | None = None) -> str:
    """How an English answer names a source: the profile's label of its report kind (matched in the report
    title, the first section heading, then in the document title), with the years of its headings ("the
    2023/2024 budget report"); else the document's title (《长江》); else "the documents".

    >>> from rag.types import Chunk, Hit
    >>> hit = Hit(Chunk("c", "d", "长江", "yangtze.md", ["长江", "是中国最长的河流"], "长江……", 0, 3, 1, 1), 1.0)
    >>> _source_label(hit)
    '《长江》'
    >>> hit.chunk.section = ["关于2023年预算执行情况和2024年预算草案的报告"]
    >>> _source_label(hit, load_profile("gov-report"))
    'the 2023/2024 budget report'
    """
    if hit is None:
        return "the documents"
    profile = profile or load_profile()
    c = hit.chunk
    report = c.section[0] if c.section else ""
    for title in (report, c.doc_title or ""):
        label = profile.report_label(title) if title else None
        if label:
            years = YEAR.findall(" ".join(c.section[:2]))
            return f"the {'/'.join(dict.fromkeys(years))} {label}" if years else f"the {label}"
    title = (c.doc_title or "").strip()
    return f"《{title}》" if title else "the documents"


def compose_en(parts, analysis=None, profile: Profile | None = None) -> str:
    """English frame around the Chinese evidence, figures rendered for English readers, key terms glossed."""
    profile = profile or load_profile()
    out = []
    for n, text, hit in parts:
        sentence = render_all(text.rstrip("。；"))
        end = "" if sentence.endswith((".", "!", "?")) else "."  # an English quote keeps its own full stop
        out.append(f"According to {_source_label(hit, profile)} [{n}]: {sentence}{end}")
    terms = []
    seen = set()
    for _, text, _ in parts:
        for term, gloss in key_terms(text, analysis, profile):
            if term not in seen:
                seen.add(term)
                terms.append(f"{term} = {gloss}")
    if terms:
        out.append("Key terms: " + "; ".join(terms[:6]) + ".")
    return " ".join(out)


def key_terms(text: str, analysis=None, profile: Profile | None = None) -> list[tuple[str, str]]:
    """Chinese terms of ``text`` that the question asked about, with an English gloss."""
    out = []
    forms = [f for c in (analysis.concepts if analysis else []) for f in c.forms]
    for f in sorted(set(forms), key=lambda x: (-len(x), x)):  # longest first; ties in a fixed order
        if len(f) >= 2 and f in text and not any(f in t for t, _ in out):
            g = gloss_term(f, profile or load_profile())
            if g:
                out.append((f, g))
    return sorted(out, key=lambda tg: text.find(tg[0]))  # in reading order


@lru_cache(maxsize=4096)
def gloss_term(zh: str, profile: Profile | None = None) -> str | None:
    """English for a Chinese term: the profile's curated glossary first, then CC-CEDICT's first sense."""
    g = _glossary_reverse(profile or load_profile()).get(zh)
    if g:
        return " ".join(w.upper() if w in _ACRONYMS else w for w in g.split(" "))
    from rag.lexicon import definitions

    return next((d for d in definitions(zh) if "variant of" not in d and "surname" not in d), None)


_ACRONYMS = frozenset("gdp cpi sme ai r&d it ppp".split())  # the glossary is lower case


@lru_cache(maxsize=8)
def _glossary_reverse(profile: Profile) -> dict[str, str]:
    """Chinese term -> the first English phrase the profile's glossary gives it."""
    out: dict[str, str] = {}
    for en, zh in profile.glossary():
        out.setdefault(zh, en)
    return out
