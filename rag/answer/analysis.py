"""Question analysis for the offline answerer: concepts (with IDF), quantity cues, years, scope.

A *concept* is one thing the question asks about, as the Chinese strings that would express it in the
passages: a Chinese word of the question, or the Chinese candidates of an English phrase (bridge).

>>> a = analyse("2024年市级教育支出是多少？", lambda s: 1.0, {})
>>> [c.forms for c in a.concepts], a.years, a.scope, a.quantity
([('市级',), ('教育',), ('支出',)], ['2024'], '市级', True)
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

from rag.answer.lang import detect_lang
from rag.bridge import expand_groups
from rag.tokenize import _jieba, normalise, stopwords

QUESTION_WORDS = frozenset("""多少 几 哪 哪些 哪个 哪里 什么 怎么 怎样 如何 是否 吗 呢 多大 多高 多长 几个 几项 分别 是 有 为 了
达到 实现 提出 要求 根据 按照 其中 以及 情况 方面 一共 总共 共 到 截至 年底 年末 全年 目前 去年 今年 明年 上年 当年
重庆 重庆市 我市 本市 政府 工作 报告 计划 预算 草案 亿元 万元 元 个 项 家 人 万人 多出 新增 年""".split())
QUANTITY_ZH = re.compile(r"多少|几[个项家条座所人次年]?|多大|多高|多长|比例|比重|占比|百分之|增长|下降|增速|提高|降低|规模|总额|金额|数量")
QUANTITY_EN = re.compile(r"\bhow (many|much|large|big|fast|long|high)\b|\bwhat (share|percentage|proportion|level|rate|amount|number)\b|\bby how\b|\brate\b|\bshare\b|\bpercent|\bnumber of\b|\btotal\b|\btarget\b", re.I)
YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
RELATIVE_YEARS = {"去年": -1, "上年": -1, "last year": -1, "今年": 0, "this year": 0, "明年": 1, "next year": 1}


@dataclass
class Concept:
    forms: tuple[str, ...]  # any of these strings expresses the concept
    idf: float
    label: str = ""  # the question's wording (English phrase or Chinese word)


@dataclass
class Analysis:
    question: str
    lang: str
    concepts: list[Concept] = field(default_factory=list)
    quantity: bool = False
    years: list[str] = field(default_factory=list)
    scope: str | None = None  # "市级" / "全市" / None (both or neither)
    numbers: list[str] = field(default_factory=list)  # figures quoted in the question (not years)

    @property
    def total_idf(self) -> float:
        return sum(c.idf for c in self.concepts) or 1.0


def analyse(question: str, idf: Callable[[str], float], bridge: dict[str, list[str]],
            current_year: int | None = None) -> Analysis:
    lang = detect_lang(question)
    text = normalise(question)
    a = Analysis(question, lang)
    a.quantity = bool(QUANTITY_ZH.search(question) if lang == "zh" else
                      QUANTITY_EN.search(question) or QUANTITY_ZH.search(question))
    years = YEAR.findall(text)
    if current_year:
        for word, delta in RELATIVE_YEARS.items():
            if word in text:
                years.append(str(current_year + delta))
    a.years = sorted(set(years))
    a.numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", text) if n not in a.years and len(n) > 1]
    low = text.lower()
    city = "全市" in text or bool(re.search(r"city-?wide|whole city|entire city", low))
    muni = "市级" in text or bool(re.search(r"municipal[- ]level|\bmunicipal\b", low))
    a.scope = "市级" if muni and not city else "全市" if city and not muni else None

    seen: set[str] = set()
    stop = stopwords()
    # Chinese words of the question (for English questions: the Chinese terms quoted in it)
    for w in _jieba().lcut(text):
        w = w.strip()
        if (len(w) < 2 and not w.isdigit()) or w in stop or w in QUESTION_WORDS or w in seen or not _is_word(w):
            continue
        if w in a.years or (lang == "en" and w.isascii()):
            continue
        seen.add(w)
        a.concepts.append(Concept((w,), idf(w), w))
    if lang == "en":
        for phrase, forms in expand_groups(question, bridge):
            forms = tuple(f for f in forms if f not in seen)
            if forms:
                seen.update(forms)
                a.concepts.append(Concept(forms, max(idf(f) for f in forms), phrase))
    return a


def _is_word(w: str) -> bool:
    return bool(re.fullmatch(r"[\w.%]+", w))


def make_idf(texts: list[str]) -> Callable[[str], float]:
    """Substring document-frequency IDF over ``texts`` (so any string, not only tokens, has an IDF)."""
    n = len(texts)
    cache: dict[str, float] = {}

    def idf(term: str) -> float:
        if term not in cache:
            df = sum(1 for t in texts if term in t)
            cache[term] = math.log((n + 1) / (df + 0.5))
        return cache[term]

    return idf
