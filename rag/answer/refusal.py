"""Why the best sentence the offline answerer found still does not answer the question.

Lexical overlap alone answers near-misses: "城镇居民人均可支配收入" gets the sentence about 全体居民, "per-capita
GDP" the sentence that gives GDP and, two clauses later, 人均可支配收入. Each check below looks for one kind
of evidence that the sentence is about something else and returns a :class:`Reason` (shown to the reader
after the refusal) or ``None``:

- ``weak``: the sentence covers too little of what the question asks about;
- ``unmapped``: most of an English question's words have no Chinese counterpart in the documents;
- ``absent``: most of what the question names (IDF-weighted) occurs nowhere in the documents — they are
  not about it (asked of a gazette: 火星探测器的着陆时间). Without a fitted topic model this refuses; with
  one, :func:`absent_share` is one of its features (a question in everyday words shares few words with a
  statute, too), and when that model refuses, the reason shown names whatever the documents never mention;
- ``exact``: a term the question quotes or brackets (个人所得税) is not in the passage;
- ``rate``: the question asks for a rate or share and the sentence holds no percentage;
- ``other-kind``: the question's compound term is missing and the sentence has the same head word with
  another modifier (城镇居民 asked, 全体居民 given);
- ``other-head``: the question's modifier is in the sentence, but with another quantity than the one
  asked for (人均 goes with 可支配收入, not with 地区生产总值).

>>> from rag.answer.analysis import analyse
>>> a = analyse("2023年城镇居民人均可支配收入是多少元？", lambda s: 1.0, {})
>>> other_kind(a, "全体居民人均可支配收入37595元", lambda t: t != "城镇居民").detail  # 城镇居民: not in the corpus
'全体居民'
>>> other_kind(a, "调查的居民人均可支配收入37595元", lambda t: t != "城镇居民") is None  # a phrase, not a kind
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from rag.answer.analysis import Analysis, Concept
from rag.profile import Profile, load_profile
from rag.lexicon import YEAR_WORD, cedict_raw, en_words, jieba_module, question_stop_stems

# 、 separates list items inside one clause; a comma or colon between digits (22,392 / 10:30) separates nothing
_CLAUSE = re.compile(r"(?:[^，；。：,;:]|(?<=\d)[,:](?=\d))+")
_FIGURE = re.compile(r"\d")
_PERCENT = re.compile(r"\d(?:\.\d+)?\s*[%‰]|百分点|\d(?:\.\d+)?\s*成|\d(?:\.\d+)?\s*倍")
_ANY_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万亿|亿|万|千)?[\u4e00-\u9fff]?")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万亿|亿|万|千)?[元个家项人条座所名户件辆套张吨亩次列台]")
_CJK2 = re.compile(r"[\u4e00-\u9fff]{2}$")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+$")


@dataclass
class Reason:
    kind: str  # weak / unmapped / absent / exact / rate / other-kind / other-head / meaning
    term: str = ""  # what the question asks for
    detail: str = ""  # what the passage has instead


def weak(coverage: float, min_coverage: float) -> Reason | None:
    return Reason("weak") if coverage < min_coverage else None


# without a fitted topic model, refuse when this share of the question's concepts (IDF-weighted) is in no
# document: the documents are not about it, whatever sentence matches its remaining words (measured before the
# topic model: 0 of 144 gazette, 6 of 2,226 Wikipedia and 0 of 80 law questions that the documents answer were
# refused by it, and a quarter of citizen questions over two laws)
ABSENT_SHARE = 0.75


def absent_share(a: Analysis, missing: list[Concept]) -> float:
    """The IDF-weighted share of the question's concepts that occur nowhere in the documents (``missing``:
    :func:`never_mentioned`; 0: all of them do). A feature of the fitted topic model: an off-topic question
    names what the documents never mention, and so does a question put in everyday words (超市、付钱、商家
    over a statute's 经营者、消费者), which is why it is weighed with the other evidence rather than refusing
    on its own.

    >>> from rag.answer.analysis import Analysis, Concept
    >>> a = Analysis("火星探测器何时着陆？", "zh", [Concept(("火星",), 6.0), Concept(("时间",), 2.0)])
    >>> absent_share(a, never_mentioned(a, lambda t: t == "时间"))
    0.75
    """
    total = sum(c.idf for c in a.concepts)
    return sum(c.idf for c in missing) / total if total > 0 else 0.0


def absent_reason(missing: list[Concept]) -> Reason | None:
    """"The documents never mention …" for the concepts of ``missing`` (None: there are none).

    >>> from rag.answer.analysis import Analysis, Concept
    >>> a = Analysis("火星探测器何时着陆？", "zh", [Concept(("火星",), 7.0), Concept(("探测器",), 7.0), Concept(("时间",), 4.0)])
    >>> absent_reason(never_mentioned(a, lambda t: t == "时间")).term, absent_reason(never_mentioned(a, lambda t: True))
    ('火星、探测器', None)
    """
    return Reason("absent", "、".join(c.label or c.forms[0] for c in missing)) if missing else None


def never_mentioned(a: Analysis, in_corpus: Callable[[str], bool]) -> list[Concept]:
    """The question's Chinese concepts that occur nowhere in the documents."""
    # Chinese words only: a Latin or numeric form is lowercased or reformatted by the analysis (JAXR ->
    # jaxr), so the documents' text can't tell whether they use it
    return [c for c in a.concepts
            if all(_CJK_WORD.match(f) for f in c.forms) and not any(in_corpus(f) for f in c.forms)]


def unmapped(a: Analysis, min_mapped: float = 0.5) -> Reason | None:
    """An English question most of whose content words reach no Chinese term ("current monthly minimum
    wage"): whatever the passages match, it is not what was asked."""
    if a.lang != "en" or not a.content_words:
        return None
    if 1 - len(a.unmapped) / a.content_words < min_mapped:
        return Reason("unmapped", ", ".join(a.unmapped))
    return None


def exact_missing(a: Analysis, passage: str) -> Reason | None:
    """A term the question quotes or names in brackets must be in the passage (whole or word by word),
    or one of its alternatives must ("卖地收入（国有土地使用权出让收入）": either will do)."""
    for term, alternatives in a.exact:
        if not any(_present(t, passage) for t in (term, *alternatives)):
            return Reason("exact", term)
    return None


def _present(term: str, passage: str) -> bool:
    words = [w for w in jieba_module().lcut(term) if len(w) >= 2] or [term]
    return term in passage or all(w in passage for w in words)


def rate_without_percent(a: Analysis, sentence: str) -> Reason | None:
    """A rate or share asked, and every figure of the sentence is an amount of money or a count
    ("3000亿元" for a coupon rate); a percentage, 百分点, ‰ or a bare ratio (死亡人数0.019) will do."""
    if not a.rate or _PERCENT.search(sentence):
        return None
    figures = _ANY_FIGURE.findall(YEAR_WORD.sub("", sentence))
    if figures and all(_AMOUNT.match(f) for f in figures):
        return Reason("rate")
    return None


def other_kind(a: Analysis, sentence: str, in_corpus: Callable[[str], bool]) -> Reason | None:
    """A compound the sentence doesn't have (城镇居民), made of two words the documents use (城镇 + 居民): when
    the sentence has the head (居民) only after another modifier (全体居民) that shares no dictionary sense
    with the asked one (使用外资 for 利用外资 is a paraphrase; 国际航线 for 国内航线 is not), it speaks of
    another kind."""
    for con in a.concepts:
        w = con.label
        if a.lang != "zh" or len(w) < 4 or w in sentence:
            continue
        for cut in range(2, len(w) - 1):
            mod, head = w[:cut], w[cut:]
            if not (in_corpus(mod) and in_corpus(head)) or mod in sentence or head not in sentence:
                continue
            before = [sentence[max(0, m.start() - 2):m.start()] for m in re.finditer(re.escape(head), sentence)]
            # a modifier the dictionary gives a shared sense is a paraphrase (使用外资 for 利用外资: "use"); a head
            # after 的 or 之 is described by a phrase (运行的图灵机), not named as another kind of it
            if before and all(_CJK2.match(b) and not b.endswith(("的", "之")) and not synonyms(b, mod) for b in before):
                return Reason("other-kind", w, before[0] + head)
    return None


def other_head(a: Analysis, sentence: str, profile: Profile | None = None) -> Reason | None:
    """The question's modifier M stands right before its head H ("per capita GDP"); the sentence gives a
    figure for H, and has M too, but only in other clauses that hold figures of their own: M describes
    another quantity there (人均可支配收入), so H's figure is not the one asked for. A profile's scope words
    (市级 GDP) are no such modifier: the scope checks weigh them."""
    clauses = _CLAUSE.findall(sentence)
    scope_words = (profile or a.profile or load_profile()).scope_words
    for m, h in a.pairs():
        if m.label in scope_words or h.label in scope_words:
            continue
        with_h = [cl for cl in clauses if _has(h, cl) and _FIGURE.search(cl)]
        with_m = [cl for cl in clauses if _has(m, cl)]
        if with_h and with_m and not any(_has(m, cl) and _has(h, cl) for cl in clauses) \
                and all(_FIGURE.search(cl) for cl in with_m):
            form = next(f for f in m.forms if f in with_m[0])
            return Reason("other-head", form, with_m[0])
    return None


def synonyms(a: str, b: str) -> bool:
    """Two Chinese words sharing an English sense in CC-CEDICT (利用/使用: "use"; 国内/国际: none).

    >>> synonyms("利用", "使用"), synonyms("国内", "国际"), synonyms("全体", "城镇")
    (True, False, False)
    """
    return bool(_senses(a) & _senses(b))


@lru_cache(maxsize=4096)
def _senses(word: str) -> frozenset[str]:
    out: set[str] = set()
    for body in cedict_raw(word):
        out.update(w for w in en_words(re.sub(r"CL:\S+|\[[^\]]*\]", " ", body)) if len(w) > 2 and not w[0].isdigit())
    return frozenset(out - question_stop_stems() - {"etc", "sth", "someth", "somebodi", "one"})


def _has(c: Concept, text: str) -> bool:
    return any(f in text for f in c.forms)
