"""Question analysis for the offline answerer: concepts (with IDF), quantity cues, years, scope.

A *concept* is one thing the question asks about, as the Chinese strings that would express it in the
passages: a Chinese word of the question, or the Chinese candidates of an English phrase (bridge).

What a question may say without naming anything to look for, and which scopes a figure is given for,
comes from the domain profile (:mod:`rag.profile`); without one (``general``) there is no scope logic:

>>> from rag.profile import load_profile
>>> a = analyse("2024年市级教育支出是多少？", lambda s: 1.0, {}, profile=load_profile("gov-report"))
>>> [c.forms for c in a.concepts], a.years, a.scope, a.quantity
([('市级',), ('教育',), ('支出',)], ['2024'], '市级', True)
>>> analyse("2024年市级教育支出是多少？", lambda s: 1.0, {}).scope is None
True
>>> analyse("How long is the Yangtze, and when was it named (1368)?", lambda s: 1.0, {}).years
['1368']
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable

from rag.answer.lang import detect_lang
from functools import lru_cache

from rag.bridge import expand_spans, norm_phrase
from rag.lexicon import EN_WORD, en_words, question_stop_stems, stem, weak_stems
from rag.profile import Profile, load_profile
from rag.lexicon import jieba_module, normalise, stopwords, years_in
from rag.tokenize import unglue

# the language's question words and fillers (a genre's own fillers, 政府/报告/预算, are in its profile)
QUESTION_WORDS = frozenset("""多少 几 哪 哪些 哪个 哪里 哪儿 什么 怎么 怎样 怎么样 什么样 如何 为什么 为何 为啥 何时 何处 何地 何人 何种
多久 是否 吗 呢 多大 多高 多长 几个 几项 分别 是 有 为 了
达到 实现 提出 要求 根据 按照 其中 以及 情况 方面 一共 总共 共 到 截至 年底 年末 全年 目前 去年 今年 明年 上年 当年
亿元 万元 元 个 项 家 人 万人 多出 新增 年
怎么办 咋办 怎么算 怎么做 咋样 我该 应该 能否 可否 是不是""".split())
# an A-not-A question (能不能, 要不要, 有没有, 可不可以) asks yes or no and names nothing
A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
QUANTITY_ZH = re.compile(r"多少|(?<!哪)几(?!乎)[个项家条座所人次年]?|多大|多高|多长|比例|比重|占比|百分之|增长|下降|增速|提高|降低|规模|总额|金额|数量")
# "how long/tall/old...": the question asks for a quantity or a dimension; the word itself names nothing
DIMENSION_WORDS = frozenset("many much long tall high far old big large wide deep fast heavy".split())
QUANTITY_EN = re.compile(r"\bhow (many|much|large|big|fast|long|high|tall|far|old|wide|deep|heavy)\b|\bwhat (share|percentage|proportion|level|rate|amount|number)\b|\bby how\b|\brate\b|\bshare\b|\bpercent|\bnumber of\b|\btotal\b|\btarget\b|\bwhat (was|is|were|are|will be)\b.{0,40}\b(gdp|revenue|income|spending|expenditure|output|investment|population|volume|value|turnover|surplus|deficit|debt|balance)\b", re.I)
# question words and fillers jieba may glue into one token ("哪一条", "各是", "百分之")
QUESTION_PATTERN = re.compile(r"^(哪|几|多少|多大|是否|不是|百分之|大概|大约|具体|提到|点名|各是|分别|一共|总共)|是$"
                              r"|^第|^[一二三四五六七八九十两]+[个座项条大种类支家]")
# a unit or time word glued to its neighbour ("年定", "元涨"); dictionary words (项目, 个人所得税) are kept
GLUED = re.compile(r"^[年元个座项条]|[年元个座项条]$")
TIME_UNIT_WORDS = frozenset("年底 年初 年末 年度 年中 美元 亿元 万元".split())
# asks for a rate or a share: a figure without % or 百分点 cannot be the answer
RATE_ZH = re.compile(r"占比|比重|比例|百分比|百分之|(?<![效频])率(?!先)")  # not 效率, 频率, 率先
RATE_EN = re.compile(r"\b(rate|percentage|proportion|share)\b", re.I)
# terms in quotes or brackets are the exact names the asker wants (个人所得税, “三公”)
QUOTED = re.compile(r"[“\"《]([^“”\"《》]{2,20})[”\"》]")
# X（Y）: Y names X exactly (卖地收入（国有土地使用权出让收入）); asides in brackets are not names
BRACKETED = re.compile(r"([\u4e00-\u9fff]{2,})[（(]([^（）()]{2,20})[）)]")
# a scope word, negated or not, is no exact name (市级（不是全市）)
NOT_EXACT_PREFIX = r"(不是|不含|非)?"
# negations that take a scope out of a question ("municipal-level, not city-wide": the scope is municipal)
NEGATION_EN = r"(?:not|rather than|instead of|excluding)\s+(?:the\s+)?"
NEGATION_ZH = r"(?:不是|不含|而非|非)"
ASIDE = re.compile(r"单位|即可|约|大概|大约|左右|例如|比如|不含|不是|包括|含|如|注")
RELATIVE_YEARS = {"去年": -1, "上年": -1, "last year": -1, "今年": 0, "this year": 0, "明年": 1, "next year": 1}


@dataclass
class Concept:
    forms: tuple[str, ...]  # any of these strings expresses the concept
    idf: float
    label: str = ""  # the question's wording (English phrase or Chinese word)
    # where the wording stands in the question: character offsets of a Chinese word ("zh"), word
    # offsets of an English phrase ("en"); two concepts are adjacent when one ends where the other starts
    span: tuple[str, int, int] = ("", -1, -1)


@dataclass
class Analysis:
    question: str
    lang: str
    concepts: list[Concept] = field(default_factory=list)
    quantity: bool = False
    years: list[str] = field(default_factory=list)
    # the scope the question names, as the Chinese word of one side of a profile's scope pair (市级 rather
    # than 全市); None when it names both sides or neither, or the profile has no scope pairs
    scope: str | None = None
    numbers: list[str] = field(default_factory=list)  # figures quoted in the question (not years)
    unit: str | None = None  # expected kind of figure: "percent", "money" or "count"
    rate: bool = False  # asks for a rate or share (占比, 比重, 率, rate, share): the answer is a percentage
    # Chinese terms the question quotes (“三公”) or gives in brackets after a word, each with the
    # alternatives that also satisfy it: ("国有土地使用权出让收入", ("卖地收入",))
    exact: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    # English questions: content words no bridge phrase covers (their Chinese can't be looked for), and
    # the number of content words
    unmapped: list[str] = field(default_factory=list)
    content_words: int = 0
    words: list[str] = field(default_factory=list)  # English questions: stemmed words (span offsets)
    profile: Profile | None = field(default=None, repr=False)  # the domain profile it was analysed with

    def pairs(self) -> list[tuple[Concept, Concept]]:
        """Concepts as (modifier, head), the way the question writes them: adjacent (城镇/居民, per capita/gdp)
        or, in English, joined by a preposition ("unemployment rate for young people": young people/rate)."""
        out = []
        for m in self.concepts:
            for h in self.concepts:
                if m is h or not m.span[0] or m.span[0] != h.span[0]:
                    continue
                if m.span[2] == h.span[1]:
                    out.append((m, h))
                elif (m.span[0] == "en" and m.span[1] == h.span[2] + 1 and h.span[2] < len(self.words)
                      and self.words[h.span[2]] in MODIFIER_PREPOSITIONS):
                    out.append((m, h))
        return out

    @property
    def total_idf(self) -> float:
        return sum(c.idf for c in self.concepts) or 1.0


def analyse(question: str, idf: Callable[[str], float], bridge: dict[str, list[str]],
            current_year: int | None = None, profile: Profile | None = None) -> Analysis:
    profile = profile or load_profile()
    lang = detect_lang(question)
    text = normalise(question)
    a = Analysis(question, lang, profile=profile)
    a.quantity = bool(QUANTITY_ZH.search(question) if lang == "zh" else
                      QUANTITY_EN.search(question) or QUANTITY_ZH.search(question))
    years = years_in(text)
    if current_year:
        for word, delta in RELATIVE_YEARS.items():
            if word in text:
                years.append(str(current_year + delta))
    a.years = sorted(set(years))
    a.unit = expected_unit(question, lang) if a.quantity else None
    a.numbers = [n for n in re.findall(r"\d+(?:\.\d+)?", text) if n not in a.years and len(n) > 1]
    low = drop_negated_scopes(text.lower(), profile)
    a.scope = question_scope(low, profile)

    a.rate = bool(RATE_ZH.search(question) if lang == "zh" else RATE_EN.search(question) or RATE_ZH.search(question))
    a.exact = exact_terms(text, profile)

    seen: set[str] = set()
    stop = stopwords()
    # Chinese words of the question (for English questions: the Chinese terms quoted in it)
    freq = jieba_module().dt.FREQ
    pos = 0
    cut = blank_a_not_a(text, freq)
    for w in unglue(jieba_module().lcut(cut)):
        start = cut.find(w, pos)
        if start >= 0:
            pos = start + len(w)
        w = w.strip()
        if ((len(w) < 2 and not w.isdigit()) or w in stop or w in QUESTION_WORDS or w in profile.zh_generic
                or w in seen or not _is_word(w)
                or QUESTION_PATTERN.search(w) or w in TIME_UNIT_WORDS or (GLUED.search(w) and not freq.get(w))):
            continue
        if w in a.years or (lang == "en" and w.isascii()):
            continue
        seen.add(w)
        a.concepts.append(Concept((w,), idf(w), w, ("zh", start, start + len(w)) if start >= 0 else ("", -1, -1)))
    add_synonyms(a, text, idf, seen)
    if lang == "en":
        curated = glossary_phrases(profile)
        spans = expand_spans(low, bridge, profile.en_stop)
        names = proper_names(question)
        a.unmapped, a.content_words = _unmapped(low, spans, names, profile)
        a.words = en_words(low)
        for phrase, forms, (i, j) in spans:
            forms = tuple(f for f in forms if f not in seen)
            if forms:
                seen.update(forms)
                # a single general word's dictionary senses are a weak signal; curated or multi-word
                # phrases are not
                weight = 1.0 if " " in phrase or (phrase in curated and min(map(len, forms)) >= 3) else 0.5
                a.concepts.append(Concept(forms, weight * max(idf(f) for f in forms), phrase, ("en", i, j)))
    return a


def blank_a_not_a(text: str, freq: dict) -> str:
    """``text`` with its A-not-A questions (能不能, 有没有, 可不可以) blanked, offsets kept; not where the first A
    ends a word (合同不同意: 合同, then 不同意).

    >>> blank_a_not_a("公司能不能扣押金", {}), blank_a_not_a("变更合同不同意", {"合同": 5})
    ('公司   扣押金', '变更合同不同意')
    """
    def blank(m: re.Match) -> str:
        i = m.start()
        return m.group(0) if i and freq.get(text[i - 1:i + 1]) else " " * len(m.group(0))

    return A_NOT_A.sub(blank, text)


def add_synonyms(a: Analysis, text: str, idf: Callable[[str], float], seen: set[str]) -> None:
    """The profile's everyday words in the question (老板) become one concept each, expressed by the word or
    any of the documents' terms for it (用人单位); the question's words inside it are that concept.

    >>> from rag.profile import Profile
    >>> p = Profile("t", synonyms=(("老板", ("用人单位",)),))
    >>> [c.forms for c in analyse("老板拖欠了工资怎么办？", lambda s: 1.0, {}, profile=p).concepts]
    [('老板', '用人单位'), ('拖欠',), ('工资',)]
    >>> p = Profile("t", synonyms=(("单位", ("用人单位",)),))
    >>> [c.forms for c in analyse("用人单位拖欠了工资", lambda s: 1.0, {}, profile=p).concepts]
    [('用人单位',), ('拖欠',), ('工资',)]
    """
    for word, start, terms in a.profile.synonyms_in(text):
        end = start + len(word)
        touching = [c for c in a.concepts if c.span[0] == "zh" and c.span[1] < end and start < c.span[2]]
        inside = [c for c in touching if start <= c.span[1] and c.span[2] <= end]
        if len(inside) < len(touching):  # part of a longer word of the question (单位 in 用人单位)
            continue
        forms = tuple(f for f in dict.fromkeys((word, *terms)) if f not in seen or any(f in c.forms for c in inside))
        if not forms:
            continue
        at = min((a.concepts.index(c) for c in inside), default=None)
        a.concepts = [c for c in a.concepts if not any(c is x for x in inside)]
        if at is None:  # (a word the analysis left out, a filler or a stopword: placed by its offset)
            at = next((i for i, c in enumerate(a.concepts) if c.span[0] == "zh" and c.span[1] > start), len(a.concepts))
        seen.update(forms)
        a.concepts.insert(at, Concept(forms, max(idf(f) for f in forms), word, ("zh", start, end)))


MODIFIER_PREPOSITIONS = frozenset({"for", "of", "on", "among"})
# words any English question may use without naming a concept (a genre's own, and the corpus' home place,
# are in its profile)
GENERIC_EN = frozenset("""much many what which how did does was were is are year
went go goes gone get got make made take took through""".split())


def drop_negated_scopes(low: str, profile: Profile) -> str:
    """``low`` (a lower-cased question) without the scope wordings it negates ("not city-wide", "不是全市")."""
    words = sorted({w.lower() for pair in profile.scopes for w in pair.words()}, key=lambda w: (-len(w), w))
    if not words:
        return low
    alt = "|".join(re.escape(w) for w in words)
    low = re.sub(rf"{NEGATION_EN}(?:{alt})", " ", low)
    return re.sub(rf"{NEGATION_ZH}(?:{alt})", " ", low)


def question_scope(low: str, profile: Profile) -> str | None:
    """The scope a question names: one side of the first of the profile's scope pairs it names exactly
    one side of (None: none, both, or no pairs)."""
    for pair in profile.scopes:
        sides = pair.mentioned(low)
        if len(sides) == 1:
            return next(iter(sides))
    return None


@lru_cache(maxsize=8)
def _skip_stems(profile: Profile) -> frozenset[str]:
    return (question_stop_stems() | weak_stems() | {stem(w) for w in GENERIC_EN | profile.generic_en}
            | profile.generic_en | profile.en_stop)


def proper_names(question: str) -> frozenset[str]:
    """Capitalised words after the first (Manzhouli, Russia), lower-cased and without 's; none when the
    question is in title case (then capitals mark nothing)."""
    words = re.findall(r"\b[A-Za-z][a-z']*", question)
    caps = [w for w in words[1:] if w[0].isupper()]
    if len(words) > 2 and len(caps) > 0.5 * (len(words) - 1):
        return frozenset()
    return frozenset(re.sub(r"'s$", "", w.lower()) for w in caps)


def _unmapped(low: str, spans, names: frozenset[str] = frozenset(),
              profile: Profile | None = None) -> tuple[list[str], int]:
    """Content words of an English question that no bridge phrase covers, and how many content words
    it has; ``names`` (proper names: Manzhouli, Russia) don't count either way: a transliteration the
    dictionary lacks says nothing about the documents; nor does the word of "how long / tall / old..."
    (it asks for a quantity, it names nothing)."""
    raw = EN_WORD.findall(low.replace("-", " "))
    stems = en_words(low)
    covered = {k for _, _, (i, j) in spans for k in range(i, j)}
    skip = _skip_stems(profile or load_profile())
    content = [k for k, w in enumerate(stems)
               if w not in skip and not w[0].isdigit() and len(w) > 2 and re.sub(r"'s$", "", raw[k]) not in names
               and not (raw[k] in DIMENSION_WORDS and k > 0 and raw[k - 1] == "how")]
    return [raw[k] for k in content if k not in covered], len(content)


def exact_terms(text: str, profile: Profile | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Terms the question names exactly, with their alternatives (a profile's scope word is none).

    >>> exact_terms("“渝快办”上线了多少项？卖地收入（国有土地使用权出让收入）有多少？收入（单位亿元）是多少？")
    [('渝快办', ()), ('国有土地使用权出让收入', ('卖地收入',))]
    """
    scopes = sorted({w for pair in (profile or load_profile()).scopes for w in (pair.wide, pair.narrow)})
    not_exact = re.compile(NOT_EXACT_PREFIX + "(" + "|".join(map(re.escape, scopes)) + ")") if scopes else None

    def chinese(t: str) -> bool:
        return bool(re.fullmatch(r"[\u4e00-\u9fff\d·]+", t)) and not (not_exact and not_exact.fullmatch(t))

    out = [(t, ()) for t in QUOTED.findall(text) if chinese(t)]
    for before, t in BRACKETED.findall(text):
        if chinese(t) and not ASIDE.search(t) and not before.endswith(("多少", "几", "是")):
            words = [w for w in jieba_module().lcut(before) if len(w) >= 2 or w.isalnum()]
            out.append((t, ("".join(words[-2:]),) if words else ()))  # the name it explains: 卖地收入
    # an English question naming the Chinese term: "personal income tax (个人所得税)"
    out += [(t, ()) for t in re.findall(r"[a-z]\s*[（(]([^（）()]{2,20})[）)]", text) if chinese(t)]
    return out


def expected_unit(question: str, lang: str) -> str | None:
    """The kind of figure a quantity question wants."""
    q = question.lower()
    if re.search(r"占比|比重|比例|百分|增长多少|下降多少|增速|增幅|降幅|提高多少|率", q) or re.search(
            r"\b(share|percent|percentage|proportion|rate|by how much|how fast)\b|\b(grow|grew|growth|increase|decrease|decline|fall|fell|rise|rose)\b", q):
        return "percent"
    if re.search(r"多少(亿|万)?元|资金|金额|投入|收入|支出|how much (money|did|does|was|is|will)|\byuan\b|\b(spend|spending|revenue|expenditure|investment|allocat)", q):
        return "money"
    if re.search(r"多少[个家项人条座所名户件辆只套]|几[个家项条座所名户]|how many", q):
        return "count"
    return None


@lru_cache(maxsize=8)
def glossary_phrases(profile: Profile | None = None) -> frozenset[str]:
    """The English phrases (normalised) of the profile's curated glossary."""
    return frozenset(norm_phrase(en) for en, _ in (profile or load_profile()).glossary())


def _is_word(w: str) -> bool:
    return bool(re.fullmatch(r"[\w.%]+", w))
