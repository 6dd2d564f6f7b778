"""Keyword tokens for BM25: jieba search-mode words (initialised once per process), no stopwords.

>>> tokenize("全市一般公共预算收入预计2587亿元，增长6%")
['全市', '一般', '公共', '预算', '收入', '预计', '2587', '亿元', '增长', '6%']
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"
_LOCK = threading.Lock()
_WORD = re.compile(r"[\w%.]+", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
    with _LOCK:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return jieba


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = (_DATA / "stopwords_zh.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#")) | EN_STOP


def normalise(text: str) -> str:
    """NFKC (full-width digits/letters to ASCII), lower case, thousands separators dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


EN_STOP = frozenset("""a an the of in on at to for from by with and or as is are was were be been do does did what
which who how many much when where why that this these those it its their there than into s""".split())


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens of ``text`` minus punctuation and (Chinese and English) stopwords.

    >>> tokenize("加快推动安意法、芯联等6个晶圆项目")[-2:]
    ['晶圆', '项目']
    """
    stop = stopwords()
    out: list[str] = []
    for tok in unglue(_jieba().lcut_for_search(normalise(text))):
        tok = tok.strip(".")
        if tok and tok not in stop and _WORD.fullmatch(tok):
            out.append(tok)
    return out


MEASURE_WORDS = frozenset("个项家座条名位种批所户件次辆套")


def unglue(tokens: list[str]) -> list[str]:
    """Split a measure word off the word jieba's HMM glued it to after a number ("6", "个晶圆" ->
    "6", "个", "晶圆"); dictionary words (个人, 项目, 条件) are left alone.

    >>> unglue(["6", "个晶圆", "项目", "个人所得税"])
    ['6', '个', '晶圆', '项目', '个人所得税']
    """
    freq = _jieba().dt.FREQ
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if (len(tok) >= 3 and tok[0] in MEASURE_WORDS and not freq.get(tok) and i > 0
                and tokens[i - 1][-1:].isdigit()):
            out += [tok[0], tok[1:]]
        else:
            out.append(tok)
    return out


# -- years ------------------------------------------------------------------------------------------
# a year written as a number: 1000-2099, not part of a longer number or decimal, and not an amount (1500亿元,
# 2000 people); 公元前221年 (BC) is not a plain year
_AMOUNT_AFTER = (r"(?!\s*(?:[%‰万亿千百元个人名家项条座所户件辆套吨亩米多余倍]|yuan\b|people\b|persons?\b|km\b"
                 r"|kilomet|met(?:er|re)s?\b|million\b|billion\b|thousand\b|tons?\b|tonnes?\b|times\b))")
YEAR = re.compile(r"(?<![\d前])(?<!\d[.,])((?:1[0-9]|20)\d\d)(?!\d|[.,]\d)" + _AMOUNT_AFTER)
# a year or century as a Chinese text writes it when it dates something ("2023年", "2023年底", "公元前221年",
# "19世纪", "1990年代"): no figure to answer a quantity question with
YEAR_WORD = re.compile(r"(?:公元前?\d{1,4}|(?<![\d.])(?:1[0-9]|20)\d\d)年(?:底|末|初|代)?|(?<!\d)\d{1,2}世纪")
_BC = re.compile(r"公元前(\d{1,4})年|(?<![\d.])(\d{1,4})\s*(?:bc|b\.c\.|bce)(?![a-z])", re.I)
_AD = re.compile(r"公元(?!前)(\d{1,4})年|(?<![a-z])(?:ad|a\.d\.)\s*(\d{1,4})(?!\d)", re.I)
_CENTURY = re.compile(r"(?<!\d)(\d{1,2})世纪|(?<!\d)(\d{1,2})(?:st|nd|rd|th)[\s-]+century", re.I)
_YEAR_NIAN = re.compile(r"(?<![\d.])((?:1[0-9]|20)\d\d)年(?!\d)")


def years_in(text: str, dated_only: bool = False) -> list[str]:
    """The years and centuries ``text`` names, as comparable labels: "1896", "前221" (221 BC), "19世纪"
    (the 19th century); with ``dated_only`` a plain number counts only when 年 follows it (a passage's
    "2023年", not its "2000 people"), without it any year-like number does (a question's "in 1896").

    >>> years_in("2023年重庆GDP和公元前221年、19世纪的1368"), years_in("in 221 BC and the 14th century")
    (['2023', '前221', '19世纪', '1368'], ['前221', '14世纪'])
    >>> years_in("2000亿元 and 2,500 people in 2024."), years_in("1368年和1368", dated_only=True)
    (['2024'], ['1368'])
    """
    found: list[tuple[int, str]] = []
    for m in _BC.finditer(text):
        found.append((m.start(), "前" + (m.group(1) or m.group(2))))
    for m in _AD.finditer(text):
        found.append((m.start(), m.group(1) or m.group(2)))
    for m in _CENTURY.finditer(text):
        found.append((m.start(), (m.group(1) or m.group(2)) + "世纪"))
    for m in (_YEAR_NIAN if dated_only else YEAR).finditer(text):
        found.append((m.start(), m.group(1)))
    return list(dict.fromkeys(label for _, label in sorted(found)))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def script_of(text: str) -> str:
    """'zh' when the text holds Chinese characters in any real share, else 'en'."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "zh"
    cjk = sum(1 for c in letters if is_cjk(c))
    return "zh" if cjk >= 0.2 * len(letters) else "en"


jieba_module = _jieba  # the initialised jieba module (public name for other modules)
