"""Citation checking after generation: drop ``[n]`` that point nowhere, flag unsupported numbers.

>>> passages = ["全市一般公共预算收入2441亿元，增长16%。", "市级收入827亿元。"]
>>> text, cited, unsupported = verify("收入2441亿元[1]，增长17%[1]。见[7]。", passages)
>>> text, cited, unsupported
('收入2441亿元[1]，增长17%[1]。见。', [1], ['收入2441亿元[1]，增长17%[1]。'])
"""

from __future__ import annotations

import re
import unicodedata

_CITE = re.compile(r"\[(\d{1,3})\]")
_SENT = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|\n|$)")
# a figure as written in the passages: 2441, 16%, 1.7, 30,145.79 (separators ignored)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def cited_numbers(text: str) -> list[int]:
    """Distinct citation numbers in order of first appearance."""
    out: list[int] = []
    for m in _CITE.finditer(text):
        n = int(m.group(1))
        if n not in out:
            out.append(n)
    return out


def _numbers(text: str) -> set[str]:
    text = unicodedata.normalize("NFKC", text)
    out = set()
    for m in _NUM.finditer(text):
        v = m.group(0).replace(",", "")
        if v.endswith(".0"):
            v = v[:-2]
        out.add(v)
    return out


def sentences(text: str) -> list[str]:
    return [s for s in (m.group(0).strip() for m in _SENT.finditer(text)) if s]


def verify(answer: str, passages: list[str]) -> tuple[str, list[int], list[str]]:
    """Return (answer without dangling citations, valid cited numbers, unsupported sentences).

    A sentence is unsupported when it states a number that none of the passages it cites contains
    (citation markers and bare years/ordinals like 2023 or 1 are not counted as figures).
    """
    n_max = len(passages)
    cleaned = _CITE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_max else "", answer)
    unsupported: list[str] = []
    for sent in sentences(cleaned):
        refs = cited_numbers(sent)
        if not refs:
            continue
        body = _CITE.sub("", sent)
        # figures written in English renderings such as "258.7 billion" are derived; check the
        # ones that also appear verbatim in Chinese notation, i.e. every number in the sentence
        nums = {x for x in _numbers(body) if not (len(x) == 4 and x.startswith(("19", "20")) and "." not in x)}
        nums = {x for x in nums if len(x) > 1 or "." in x}
        support = set().union(*(_numbers(passages[r - 1]) for r in refs))
        if nums - support - _derived(support):
            unsupported.append(sent)
    return cleaned, cited_numbers(cleaned), unsupported


def _derived(numbers: set[str]) -> set[str]:
    """English renderings of passage figures (亿 -> billion etc.) that verification accepts."""
    out = set()
    for x in numbers:
        try:
            v = float(x)
        except ValueError:
            continue
        for scaled in (v * 10 ** k for k in range(-5, 6) if k):  # unit changes, never a bare rounding
            for digits in (0, 1, 2, 3):
                s = f"{round(scaled, digits):.{digits}f}"
                out.add(s[:-2] if s.endswith(".0") else s)
    return out
