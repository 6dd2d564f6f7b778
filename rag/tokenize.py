"""Keyword tokens for BM25: jieba search-mode words, no stopwords (the word knowledge is :mod:`rag.lexicon`).

>>> tokenize("全市一般公共预算收入预计2587亿元，增长6%")
['全市', '一般', '公共', '预算', '收入', '预计', '2587', '亿元', '增长', '6%']
"""

from __future__ import annotations

import re

from rag.lexicon import (EN_FUNCTION_WORDS, MEASURE_WORDS, YEAR, YEAR_WORD, is_cjk, jieba_module, normalise,
                         stopwords, years_in)

__all__ = ["tokenize", "unglue", "script_of", "MEASURE_WORDS", "EN_FUNCTION_WORDS", "YEAR", "YEAR_WORD", "is_cjk",
           "jieba_module", "normalise", "stopwords", "years_in"]

_WORD = re.compile(r"[\w%.]+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens of ``text`` minus punctuation and (Chinese and English) stopwords.

    >>> tokenize("加快推动安意法、芯联等6个晶圆项目")[-2:]
    ['晶圆', '项目']
    """
    stop = stopwords()
    out: list[str] = []
    for tok in unglue(jieba_module().lcut_for_search(normalise(text))):
        tok = tok.strip(".")
        if tok and tok not in stop and _WORD.fullmatch(tok):
            out.append(tok)
    return out


def unglue(tokens: list[str]) -> list[str]:
    """Split a measure word off the word jieba's HMM glued it to after a number ("6", "个晶圆" ->
    "6", "个", "晶圆"); dictionary words (个人, 项目, 条件) are left alone.

    >>> unglue(["6", "个晶圆", "项目", "个人所得税"])
    ['6', '个', '晶圆', '项目', '个人所得税']
    """
    freq = jieba_module().dt.FREQ
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if (len(tok) >= 3 and tok[0] in MEASURE_WORDS and not freq.get(tok) and i > 0
                and tokens[i - 1][-1:].isdigit()):
            out += [tok[0], tok[1:]]
        else:
            out.append(tok)
    return out


def script_of(text: str) -> str:
    """'zh' when the text holds Chinese characters in any real share, else 'en'."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "zh"
    cjk = sum(1 for c in letters if is_cjk(c))
    return "zh" if cjk >= 0.2 * len(letters) else "en"

