"""Rule-based follow-up rewriting (offline): "那2024年的目标呢？" after a question about 2023 becomes a
standalone question by carrying over the previous question and swapping the year / scope it changes.

>>> rewrite("那2024年的目标呢？", [("2023年全市空气质量优良天数是多少天？", "325天[1]。")])
'2024年全市空气质量优良天数是多少天？ 2024年的目标'
>>> rewrite("and the municipal level?", [("What was city-wide general public budget revenue in 2023?", "...")])
'What was municipal-level general public budget revenue in 2023? municipal level'
>>> rewrite("2024年全市一般公共预算收入预计是多少？", [("2023年教育支出是多少？", "...")])
'2024年全市一般公共预算收入预计是多少？'
"""

from __future__ import annotations

import re

from rag.answer.lang import detect_lang

_ZH_FOLLOW = re.compile(r"^(那|那么|还有|另外|其中|它|其|该|这个|那个)|呢[？?]?$|^(和|与|及)")
_EN_FOLLOW = re.compile(r"^(and|what about|how about|and what about|what of|also|then)\b|\b(it|its|that|those|they|them|this)\b", re.I)
_YEAR = re.compile(r"(?<!\d)20\d\d(?!\d)")
_SCOPES = [("全市", "市级"), ("city-wide", "municipal-level")]


def is_follow_up(question: str) -> bool:
    q = question.strip()
    if detect_lang(q) == "zh":
        return bool(_ZH_FOLLOW.search(q)) or len(re.sub(r"\W", "", q)) <= 8
    return bool(_EN_FOLLOW.search(q)) or len(q.split()) <= 4


def rewrite(question: str, history: list[tuple[str, str]]) -> str:
    """Standalone form of ``question`` given ``history`` [(question, answer), ...] (oldest first)."""
    q = question.strip()
    if not history or not is_follow_up(q):
        return q
    prev = history[-1][0].strip()
    base = prev
    years = _YEAR.findall(q)
    if years:
        old = _YEAR.findall(base)
        if old:
            base = _YEAR.sub(years[0], base)
    low = q.lower()
    for city, muni in _SCOPES:
        if (muni in q or (muni == "municipal-level" and "municipal" in low)) and city in base.lower():
            base = re.sub(re.escape(city), muni, base, flags=re.I)
        elif (city in q or (city == "city-wide" and "city" in low)) and muni in base.lower():
            base = re.sub(re.escape(muni), city, base, flags=re.I)
    rest = re.sub(r"^(那么|那|还有|另外|and what about|what about|how about|and|also|then)\s*", "", q, flags=re.I)
    rest = re.sub(r"^(the)\s+", "", rest, flags=re.I)
    rest = re.sub(r"[呢吗]?[？?。.！!]*$", "", rest).strip()
    return f"{base} {rest}".strip() if rest else base
