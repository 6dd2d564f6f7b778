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


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def script_of(text: str) -> str:
    """'zh' when the text holds Chinese characters in any real share, else 'en'."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "zh"
    cjk = sum(1 for c in letters if is_cjk(c))
    return "zh" if cjk >= 0.2 * len(letters) else "en"
