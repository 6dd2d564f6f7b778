"""Rule-based follow-up rewriting (offline): "那2024年的目标呢？" after a question about 2023 becomes a
standalone question by carrying over the previous question and swapping the year it changes, or the scope
(one side of a scope pair of the domain profile, :mod:`rag.profile`: 全市 / 市级 in gov-report).

>>> from rag.profile import load_profile
>>> gov = load_profile("gov-report")
>>> rewrite("那2024年的目标呢？", [("2023年全市空气质量优良天数是多少天？", "325天[1]。")])
'2024年全市空气质量优良天数是多少天？ 2024年的目标'
>>> rewrite("and the municipal level?", [("What was city-wide general public budget revenue in 2023?", "...")], gov)
'What was municipal-level general public budget revenue in 2023? municipal level'
>>> rewrite("那市级呢？", [("2023年全市一般公共预算收入是多少？", "...")], gov)
'2023年市级一般公共预算收入是多少？ 市级'
>>> rewrite("2024年全市一般公共预算收入预计是多少？", [("2023年教育支出是多少？", "...")])
'2024年全市一般公共预算收入预计是多少？'
>>> rewrite("and in 1368?", [("What happened in 1351?", "...")])
'What happened in 1368? in 1368'
"""

from __future__ import annotations

import re

from rag.answer.lang import detect_lang
from rag.profile import Profile, ScopePair, load_profile
from rag.lexicon import YEAR

_ZH_FOLLOW = re.compile(r"^(那|那么|还有|另外|其中|它|其|该|这个|那个)|呢[？?]?$|^(和|与|及)")
_EN_FOLLOW = re.compile(r"^(and|what about|how about|and what about|what of|also|then)\b|\b(it|its|that|those|they|them|this)\b", re.I)
_YEAR = YEAR


def is_follow_up(question: str) -> bool:
    q = question.strip()
    if detect_lang(q) == "zh":
        return bool(_ZH_FOLLOW.search(q)) or len(re.sub(r"\W", "", q)) <= 8
    return bool(_EN_FOLLOW.search(q)) or len(q.split()) <= 4


def rewrite(question: str, history: list[tuple[str, str]], profile: Profile | None = None) -> str:
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
    for pair in (profile or load_profile()).scopes:
        base = _swap_scope(q, base, pair)
    rest = re.sub(r"^(那么|那|还有|另外|and what about|what about|how about|and|also|then)\s*", "", q, flags=re.I)
    rest = re.sub(r"^(the)\s+", "", rest, flags=re.I)
    rest = re.sub(r"[呢吗]?[？?。.！!]*$", "", rest).strip()
    return f"{base} {rest}".strip() if rest else base


def _swap_scope(q: str, base: str, pair: ScopePair) -> str:
    """``base`` with the other side's wordings replaced by the side the follow-up ``q`` names (its Chinese
    word for a Chinese wording, its first English wording for an English one). A follow-up may name a side
    by the first word of its first English wording alone ("and the municipal?", "and the city?")."""
    low = q.lower()
    for side, other in ((pair.narrow, pair.wide), (pair.wide, pair.narrow)):
        en = [w for w in pair.wordings(side)[1:]]
        short = re.split(r"[- ]", en[0])[0].lower() if en else ""
        named = side in q or bool(pair.mentioned(q) & {side}) or bool(short and re.search(
            rf"(?<![a-z]){re.escape(short)}(?![a-z])", low))
        if not named:
            continue
        others = sorted(pair.wordings(other), key=lambda w: (-len(w), w))
        pattern = re.compile("|".join(re.escape(w) for w in others), re.I)
        if pattern.search(base):
            return pattern.sub(lambda m: side if not m.group(0).isascii() or not en else en[0], base)
    return base
