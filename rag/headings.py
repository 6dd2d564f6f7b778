"""Heading detection for official Chinese documents (and Markdown).

Levels (smaller = higher): document title 0, 第X章 1, 第X节 2, 一、 3, （一） 4, 1. 5, （1） 6, 第X条 7,
lead-in sentence / bold lead-in 8. Markdown ``#``..``######`` map to 1..6.

>>> detect("（一）宏观形势判断")
Heading(level=4, title='（一）宏观形势判断', pure=True)
>>> detect("(二) 坚持以科技创新推动产业创新，加快构建现代化产业体系。坚持把制造业高质量发展放在突出位置。").title
'（二）坚持以科技创新推动产业创新，加快构建现代化产业体系'
>>> detect("重庆市人民政府工作报告").level
0
>>> detect("第六条 国家对社会保险基金实行严格监管。")
Heading(level=7, title='第六条 国家对社会保险基金实行严格监管', pure=False)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "一二三四五六七八九十百零〇"
_FW = str.maketrans({"(": "（", ")": "）", "．": ".", "、": "、"})
TITLE_SUFFIX = ("报告", "公报", "决定", "通知", "意见", "办法", "规定", "条例", "方案", "纲要", "规划", "决议", "通告", "公告")

_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^第[{CN_NUM}\d]+章\s*\S")),
    (2, re.compile(rf"^第[{CN_NUM}\d]+节\s*\S")),
    (7, re.compile(rf"^第[{CN_NUM}\d]+条\s*\S")),
    (3, re.compile(rf"^[{CN_NUM}]+、\s*\S")),
    (4, re.compile(rf"^（[{CN_NUM}]+）\s*\S")),
    (5, re.compile(r"^\d{1,2}[.、](?!\d)\s*\S")),
    (6, re.compile(r"^（\d{1,2}）\s*\S")),
]
ARTICLE = 7  # 第X条: an article of a statute
SENTENCE_END = ("。", "；", "！", "？")
_MD = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_BOLD = re.compile(r"^\*\*([^*]{2,60})\*\*")
_ORDINAL_LEAD = re.compile(rf"^[{CN_NUM}]+是")


@dataclass
class Heading:
    level: int
    title: str
    pure: bool  # the whole paragraph is the heading (else it is the paragraph's lead-in)


def normalise_brackets(s: str) -> str:
    """Full-width brackets and dots, single spacing after the marker (for detection only)."""
    s = s.translate(_FW)
    return re.sub(r"^(（[^）]{1,3}）)\s+", r"\1", s)


def _lead(s: str, limit: int) -> str | None:
    """First sentence of ``s`` (without its 。) when it is at most ``limit`` chars."""
    m = re.match(r"^(.+?)[。；：]", s)
    if m and len(m.group(1)) <= limit:
        return m.group(1)
    return None


def detect(paragraph: str) -> Heading | None:
    """Classify a repaired paragraph as a heading (pure or lead-in), or None."""
    s = paragraph.strip()
    if not s:
        return None
    m = _MD.match(s)
    if m:
        return Heading(len(m.group(1)), m.group(2).strip().strip("*"), True)
    m = _BOLD.match(s)
    if m:
        title = m.group(1).strip()
        return Heading(8, title, s.replace("*", "").strip("。 ") == title)
    n = normalise_brackets(s)
    for level, pat in _PATTERNS:
        if pat.match(n):
            if level == ARTICLE and (n.endswith(SENTENCE_END) or len(n) > 40 or re.search(r"[，；：:]", n)):
                # an article of a statute states something: it names its section (its first sentence, or
                # clause) and stays in the text ("第六条 国家对社会保险基金实行严格监管。")
                m = re.match(r"^(.{4,60}?)[。；：:，！？]", n)
                return Heading(level, m.group(1) if m else n[:60], False)
            if len(n) <= 40 and not re.search(r"[，；。！？]", n[:-1]):
                return Heading(level, n.rstrip("。"), True)
            lead = _lead(n, 60)
            return Heading(level, lead, False) if lead else None
    if is_title(s):
        return Heading(0, re.sub(r"\s+", "", s), True)
    if _ORDINAL_LEAD.match(s):
        lead = _lead(s, 40)
        return Heading(8, lead, False) if lead else None
    lead = _lead(s, 20)
    if lead and len(s) > len(lead) + 40 and not re.search(r"[\d，、“”%]", lead) and not s.startswith("——"):
        return Heading(8, lead, False)
    return None


ITEM_LEVELS = (4, 5, 6)  # （一） 1. （1）: the markers of an enumeration's items


def item_marker(paragraph: str) -> bool:
    """The paragraph starts with an item marker, （一）, 1. or （1） (a Markdown heading is none): inside an article
    of a statute these are its enumerated items, not headings.

    >>> item_marker("（一）擅自开垦湿地的；"), item_marker("### 第二节 机动车驾驶人"), item_marker("二、合同的订立")
    (True, False, False)
    """
    n = normalise_brackets(paragraph.strip())
    return not _MD.match(n) and any(pat.match(n) for level, pat in _PATTERNS if level in ITEM_LEVELS)


def is_title(s: str) -> bool:
    """A document title line: short, unpunctuated, ends like an official document name."""
    s = s.strip()
    return 4 <= len(s) <= 60 and not re.search(r"[，。；：！？]", s) and s.endswith(TITLE_SUFFIX)


def is_heading_line(s: str) -> bool:
    """Cheap test used by page-break repair: does this line start a new unit?"""
    h = detect(s)
    return h is not None and (h.pure or h.level < 8 or bool(_ORDINAL_LEAD.match(s.strip())))


def is_pure_heading(s: str) -> bool:
    h = detect(s)
    return h is not None and h.pure
