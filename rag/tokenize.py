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
    """Search-mode jieba tokens of ``text`` minus punctuation and (Chinese and English) stopwords."""
    stop = stopwords()
    out: list[str] = []
    for tok in _jieba().lcut_for_search(normalise(text)):
        tok = tok.strip(".")
        if tok and tok not in stop and _WORD.fullmatch(tok):
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
