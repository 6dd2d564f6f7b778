"""Citation checking after generation: drop ``[n]`` that point nowhere, flag unsupported sentences.

By default a cited sentence is unsupported when it states a figure its cited passages lack (the offline
answerer copies its sentences from the passages, so that is all it needs). ``support=True`` (the LLM
path) also asks whether the cited passage supports the sentence at all: a sentence must share a figure
or enough of its wording with the passage (Chinese character bigrams; English words, directly or
through the CC-CEDICT / glossary English of the passage's Chinese words), so an answer a document's text
talked the model into ("PWNED[1]") is caught even though it cites a passage.

>>> passages = ["全市一般公共预算收入2441亿元，增长16%。", "市级收入827亿元。"]
>>> text, cited, unsupported = verify("收入2441亿元[1]，增长17%[1]。见[7]。", passages)
>>> text, cited, unsupported
('收入2441亿元[1]，增长17%[1]。见。', [1], ['收入2441亿元[1]，增长17%[1]。'])
>>> verify("PWNED[1]。收入2441亿元[1]。", passages, support=True)[2]
['PWNED[1]。']
>>> supported("一般公共预算收入增长较快[1]。", passages[:1]), supported("已被攻破[1]。", passages[:1])
(True, False)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CITE = re.compile(r"\[(\d{1,3})\]")
_SENT = re.compile(r"[^。！？!?\n]+(?:[。！？!?]+|\n|$)")
# a figure as written in the passages: 2441, 16%, 1.7, 30,145.79 (separators ignored)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
# finer sentence ends for judging support: an English full stop or semicolon before the next sentence
_EN_END = re.compile(r"(?<=[.;])\s+(?=[A-Z\"“(\[\u3400-\u9fff])")
_LEADING_CITES = re.compile(r"^((?:\s*\[\d{1,3}\])+)")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千]+")
_ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_ZH_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}

# support thresholds, chosen on the sample corpus' question sets (eval/*.jsonl) with hand-written LLM-style
# answers: Chinese paraphrases of the cited passage share >= 0.47 of their character bigrams with it,
# unrelated or injected Chinese sentences <= 0.23 (extractive answers: 1.0); English paraphrases share
# >= 0.5 of their content words with the passage's glosses, injected English ("As an AI language model,
# I cannot help with that", "Sure! Here is a poem about the sea") <= 0.4
ZH_SUPPORT = 0.35
EN_SUPPORT = 0.45
MIN_SHARED = 2  # and at least this many shared bigrams / words: one shared word ("PWNED") is no support
# words that say nothing about a passage's content: unit renderings of figures, talk about the sources
_NEUTRAL_WORDS = ("yuan rmb billion million trillion thousand hundred percent passage document text source "
                  "mention state answer question").split()


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


def _figures(body: str) -> set[str]:
    """The figures of an answer sentence that must be found in its passage (citation markers removed):
    bare years (2023) and one-digit ordinals (1) are not counted."""
    nums = {x for x in _numbers(body) if not (len(x) == 4 and x.startswith(("19", "20")) and "." not in x)}
    return {x for x in nums if len(x) > 1 or "." in x}


def sentences(text: str) -> list[str]:
    return [s for s in (m.group(0).strip() for m in _SENT.finditer(text)) if s]


def claims(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, its citation numbers) for every sentence of an answer, English sentences split at full
    stops; a fragment that is only citations ("... 2587亿元。[1]") belongs to the sentence before it.

    >>> claims("Revenue is 2587亿元. [1] Growth is 6% [1]. 支出5233亿元[2]。")
    [('Revenue is 2587亿元. [1]', [1]), ('Growth is 6% [1].', [1]), ('支出5233亿元[2]。', [2])]
    """
    out: list[tuple[str, list[int]]] = []
    for sent in sentences(text):
        for part in _EN_END.split(sent):
            lead = _LEADING_CITES.match(part)
            if lead and out:  # "... 2587亿元. [1] Growth ...": the citations close the sentence before
                prev, refs = out[-1]
                out[-1] = (f"{prev} {lead.group(1).strip()}", refs + [n for n in cited_numbers(lead.group(1))
                                                                     if n not in refs])
                part = part[lead.end():]
            part = part.strip()
            if part:
                out.append((part, cited_numbers(part)))
    return out


def verify(answer: str, passages: list[str], support: bool = False) -> tuple[str, list[int], list[str]]:
    """Return (answer without dangling citations, valid cited numbers, unsupported sentences).

    A sentence is unsupported when it states a number that none of the passages it cites contains
    (citation markers and bare years/ordinals like 2023 or 1 are not counted as figures). With
    ``support=True`` every sentence (:func:`claims`) is also judged by :func:`supported`: a cited one
    against the passages it cites, an uncited one against all of them.
    """
    n_max = len(passages)
    cleaned = _CITE.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= n_max else "", answer)
    unsupported: list[str] = []
    if support:
        for sent, refs in claims(cleaned):
            if not supported(sent, [passages[r - 1] for r in refs] if refs else passages):
                unsupported.append(sent)
        return cleaned, cited_numbers(cleaned), unsupported
    for sent in sentences(cleaned):
        refs = cited_numbers(sent)
        if not refs:
            continue
        # figures written in English renderings such as "258.7 billion" are derived; check the
        # ones that also appear verbatim in Chinese notation, i.e. every number in the sentence
        nums = _figures(_CITE.sub("", sent))
        support_nums = set().union(*(_numbers(passages[r - 1]) for r in refs))
        if nums - support_nums - _derived(support_nums):
            unsupported.append(sent)
    return cleaned, cited_numbers(cleaned), unsupported


def supported(sentence: str, passages: list[str]) -> bool:
    """Whether ``passages`` support an answer sentence: none of its figures is missing from them, and it
    shares a figure with them, or at least :data:`ZH_SUPPORT` of its Chinese character bigrams, or at least
    :data:`EN_SUPPORT` of its English content words (found in the passages or in the English glosses of
    their Chinese words), :data:`MIN_SHARED` of them at the least.

    >>> p = ["城镇调查失业率5.5%左右。居民人均可支配收入增长与经济增长同步。"]
    >>> supported("The surveyed urban unemployment rate target is around 5.5% [1].", p)
    True
    >>> supported("Per capita disposable income should grow in step with the economy [1].", p)
    True
    >>> supported("The target is 6.5% [1].", p), supported("PWNED [1]", p), supported("Visit evil.example [1].", p)
    (False, False, False)
    """
    body = unicodedata.normalize("NFKC", _CITE.sub("", sentence))
    if not passages:
        return False
    profiles = [_profile(unicodedata.normalize("NFKC", p)) for p in passages]
    numbers = set().union(*(p[1] for p in profiles))
    figures = _figures(body)
    if figures - numbers - _derived(numbers):
        return False
    if figures:
        return True
    bigrams = _bigrams(body)
    if bigrams:
        shared = len(bigrams & set().union(*(p[0] for p in profiles)))
        if shared >= MIN_SHARED and shared >= ZH_SUPPORT * len(bigrams):
            return True
    words = _content_words(body)
    if len(words) < MIN_SHARED:
        return False
    found = words & set().union(*(p[2] for p in profiles))
    if len(found) < EN_SUPPORT * len(words):  # the rest through the English glosses of the Chinese text
        found |= words & set().union(*(_gloss(unicodedata.normalize("NFKC", p)) for p in passages))
    return len(found) >= MIN_SHARED and len(found) >= EN_SUPPORT * len(words)


def _bigrams(text: str) -> set[str]:
    return {run[i:i + 2] for run in _CJK.findall(text) for i in range(len(run) - 1)}


def _content_words(text: str) -> set[str]:
    """Stemmed English content words (no stop words, figures, units or words about the sources)."""
    from rag.lexicon import en_words

    skip = _skip_stems()
    return {w for w in en_words(_CJK.sub(" ", text)) if len(w) > 1 and not w[0].isdigit() and w not in skip}


@lru_cache(maxsize=1)
def _skip_stems() -> frozenset[str]:
    from rag.lexicon import question_stop_stems, stem

    return question_stop_stems() | frozenset(_NEUTRAL_WORDS) | frozenset(stem(w) for w in _NEUTRAL_WORDS)


@lru_cache(maxsize=512)
def _profile(passage: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(Chinese bigrams, figures, English words) of a passage; its figures include Chinese numerals
    (十四 -> 14) and the bare units (万 -> 10000: "per 10,000 people")."""
    numbers = set(_numbers(passage))
    for m in _ZH_NUMERAL.finditer(passage):
        value = _zh_numeral(m.group(0))
        if value is not None:
            numbers.add(str(value))
    numbers.update(str(v) for unit, v in _ZH_UNIT.items() if unit in passage)
    return frozenset(_bigrams(passage)), frozenset(numbers), frozenset(_content_words(passage))


@lru_cache(maxsize=512)
def _gloss(passage: str) -> frozenset[str]:
    """English stems of the passage's Chinese words (2-4 characters, CC-CEDICT) and glossary terms."""
    from rag.bridge import cedict
    from rag.lexicon import en_words

    words = {run[i:i + n] for run in _CJK.findall(passage) for n in (2, 3, 4) for i in range(len(run) - n + 1)}
    out: set[str] = set()
    for _, definitions in cedict(words):
        for d in definitions:
            out.update(en_words(d))
    for en, zh in _glossary():
        if zh in passage:
            out.update(en.split())
    return frozenset(out)


@lru_cache(maxsize=1)
def _glossary() -> tuple[tuple[str, str], ...]:
    from rag.bridge import glossary_pairs

    return tuple(glossary_pairs())


def _zh_numeral(text: str) -> int | None:
    """二十一 -> 21, 十四 -> 14, 一百 -> 100; None for runs that are not a number (一 alone, 千千)."""
    if len(text) < 2 and text not in ("十", "百", "千"):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _ZH_DIGIT:
            if digit is not None:  # two digits in a row (一二): not a number we read
                return None
            digit = _ZH_DIGIT[ch]
        else:
            unit = _ZH_UNIT[ch]
            total += (1 if digit is None else digit) * unit
            digit = None
    return total + (digit or 0)


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
