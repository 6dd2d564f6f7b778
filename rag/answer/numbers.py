"""Chinese figures rendered for English readers; the original figure is always kept verbatim.

>>> render("30145.79亿元")
'3.01 trillion yuan (30145.79亿元)'
>>> render("2587亿元")
'258.7 billion yuan (2587亿元)'
>>> render("1.7万个")
'17,000 (1.7万个)'
>>> render_all("新增就业73.9万人，增长6%")
'新增就业73.9万人 (739,000 people)，增长6%'
>>> render_all("迈上3万亿元新台阶")
'迈上3万亿元 (3 trillion yuan) 新台阶'

Thousands separators and a space before the unit belong to the figure; a figure of years is rendered after
the whole phrase, other time spans not at all:

>>> render_all("营业收入3,900 亿元，恐龙在6600万年前灭绝，寿命约1.5万天")
'营业收入3,900 亿元 (390 billion yuan)，恐龙在6600万年前 (66,000,000 years ago) 灭绝，寿命约1.5万天'
"""

from __future__ import annotations

import re

# the optional trailing character is a measure word (万人, 万户...), never the next word (3万亿元新台阶); a
# number is whole (22,392: thousands separators included); a time word may follow (6600万年前, 1.5万天)
_FIG = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|万亿|亿|万)"
                  r"(人次|标箱|千瓦|公里|[人户家个项件吨亩辆套座张所名]?)"
                  r"(年(?:以前|之前|以后|之后|以来|前|后)?|岁|个?月|周|天|日|小时|分钟|秒|世纪)?")
_TIME_EN = {"前": " ago", "以前": " ago", "之前": " ago", "后": " later", "以后": " later", "之后": " later"}
_UNIT_WORDS = {
    "人": "people", "户": "households", "家": "firms", "个": "", "项": "items", "件": "items", "元": "yuan",
    "吨": "tonnes", "亩": "mu", "辆": "vehicles", "套": "units", "座": "", "公里": "km", "千瓦": "kW",
    "人次": "person-times", "标箱": "TEU", "张": "", "所": "", "名": "people",
}


def _group(v: float) -> str:
    if v >= 1000 and abs(v - round(v)) < 1e-6:
        return f"{int(round(v)):,}"
    s = f"{v:,.2f}".rstrip("0").rstrip(".")
    return s


def _english(value: float, unit: str, after: str) -> str:
    if unit in ("亿元", "亿", "万亿元", "万亿", "万元"):
        yuan = value * {"亿元": 1e8, "亿": 1e8, "万亿元": 1e12, "万亿": 1e12, "万元": 1e4}[unit]
        money = unit.endswith("元")
        if yuan >= 1e12:
            text = f"{yuan / 1e12:.2f}".rstrip("0").rstrip(".") + " trillion"
        elif yuan >= 1e9:
            text = f"{yuan / 1e9:.2f}".rstrip("0").rstrip(".") + " billion"
        elif yuan >= 1e6:
            text = f"{yuan / 1e6:.2f}".rstrip("0").rstrip(".") + " million"
        else:
            text = _group(yuan)
        return text + (" yuan" if money else "")
    # 万: ten thousand
    n = value * 1e4
    word = _UNIT_WORDS.get(after, "")
    return _group(n) + (f" {word}" if word else "")


def _figure_english(m: re.Match) -> str | None:
    """The English value of a :data:`_FIG` match; None for a span of time other than years (1.5万天)."""
    value = float(m.group(1).replace(",", ""))
    time = m.group(4)
    if not time:
        return _english(value, m.group(2), m.group(3))
    if not time.startswith("年") or m.group(3):
        return None
    return _english(value, m.group(2), "") + " years" + _TIME_EN.get(time[1:], "")


def render(figure: str) -> str:
    """One figure like ``2587亿元`` -> ``258.7 billion yuan (2587亿元)``."""
    m = _FIG.fullmatch(figure.strip())
    english = _figure_english(m) if m else None
    if english is None:
        return figure
    return f"{english} ({figure.strip()})"


def render_all(text: str) -> str:
    """Annotate every 万/亿 figure in ``text`` with its English value in parentheses, keeping the original
    (square brackets are for citations only)."""
    def sub(m: re.Match) -> str:
        english = _figure_english(m)
        if english is None:
            return m.group(0)
        after = text[m.end():m.end() + 1]
        space = " " if after and (after.isalnum() or after in "“(（") else ""
        return f"{m.group(0)} ({english}){space}"

    return _FIG.sub(sub, text)
