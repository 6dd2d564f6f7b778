"""Metric functions: small, pure, and the single definition used by the runner and by re-computation.

>>> norm("1,234.5 亿元（同比）")
'1234.5亿元(同比)'
>>> quote_holders(["abc", "def"], "cd")   # straddles chunk 0 and 1
[0, 1]
>>> first_full_hit([5, 1, 2], [[1], [2, 9]])   # both quotes found by rank 3
3
>>> facts_found("Revenue was 2,587亿元, up 6%.", ["2587亿元", "6%", "7%"])
[True, True, False]
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from typing import Iterable, Sequence

KS = (1, 3, 5, 10)


def norm(text: str) -> str:
    """NFKC (full/half-width digits and punctuation), no whitespace, no thousands separators."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def quote_holders(chunk_texts: Sequence[str], quote: str) -> list[int]:
    """Indices of chunks holding ``quote``; when none holds it whole, adjacent pairs that straddle it.

    ``chunk_texts`` must be in document order (adjacent = consecutive in the list).
    """
    q = norm(quote)
    if not q:
        return []
    normed = [norm(t) for t in chunk_texts]
    whole = [i for i, t in enumerate(normed) if q in t]
    if whole:
        return whole
    out: list[int] = []
    for i in range(len(normed) - 1):
        if q in normed[i] + normed[i + 1]:
            out.extend(x for x in (i, i + 1) if x not in out)
    return out


def first_full_hit(retrieved: Sequence, holders: Sequence[Iterable]) -> int | None:
    """1-based rank by which every quote has a holder among ``retrieved`` (None if never)."""
    if not holders:
        return None
    ranks = []
    for h in holders:
        hs = set(h)
        r = next((n for n, cid in enumerate(retrieved, 1) if cid in hs), None)
        if r is None:
            return None
        ranks.append(r)
    return max(ranks)


def retrieval_scores(rank: int | None) -> dict[str, float]:
    out = {f"hit@{k}": float(rank is not None and rank <= k) for k in KS}
    out["mrr@10"] = 1.0 / rank if rank is not None and rank <= 10 else 0.0
    return out


_CITATION = re.compile(r"\[\d{1,3}\]")


def facts_found(answer: str, facts: Sequence[str]) -> list[bool]:
    """Which facts the answer states; citation markers in the answer and the sentence punctuation a fact
    opens or closes with don't count (a whole-sentence fact "…15至20厘米。" is stated by "…15至20厘米[1]。";
    an annotated span that starts at the previous sentence's full stop, "。全裸…", by the sentence itself).

    >>> facts_found("果实长约15至20厘米[1]。", ["果实长约15至20厘米。", "20厘米", "30厘米", "。果实长约"])
    [True, True, False, True]
    """
    a = norm(_CITATION.sub("", answer))
    return [norm(f).strip("。！？；.!?;") in a for f in facts]


def answer_scores(answer: str, facts: Sequence[str]) -> dict[str, float]:
    found = facts_found(answer, facts)
    return {"facts_correct": float(all(found)) if found else 0.0,
            "fact_recall": sum(found) / len(found) if found else 0.0}


def passage_supports(passage: str, quotes: Sequence[str], facts: Sequence[str]) -> tuple[bool, bool]:
    """(holds a gold quote, holds a gold quote or an answer fact)."""
    p = norm(passage)
    has_quote = any(norm(q) and norm(q) in p for q in quotes)
    return has_quote, has_quote or any(norm(f) and norm(f) in p for f in facts)


def citation_scores(cited_passages: Sequence[str], quotes: Sequence[str], facts: Sequence[str]) -> dict[str, float]:
    flags = [passage_supports(p, quotes, facts) for p in cited_passages]
    return {"citation_correct": float(any(q for q, _ in flags)),
            "citation_precision": sum(s for _, s in flags) / len(flags) if flags else 0.0}


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank-interpolated percentile (``statistics.quantiles`` inclusive method)."""
    vals = sorted(values)
    if not vals:
        return 0.0
    if len(vals) == 1:
        return float(vals[0])
    qs = statistics.quantiles(vals, n=100, method="inclusive")
    return float(qs[int(p) - 1])


def mean(values: Iterable[float]) -> float:
    vals = list(values)
    return sum(vals) / len(vals) if vals else 0.0
