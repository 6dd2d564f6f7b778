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
"""

from __future__ import annotations

import re

# the optional trailing character is a measure word (万人, 万户...), never the next word (3万亿元新台阶)
_FIG = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|万亿|亿|万)(人次|标箱|千瓦|公里|[人户家个项件吨亩辆套座张所名]?)")
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


def render(figure: str) -> str:
    """One figure like ``2587亿元`` -> ``258.7 billion yuan (2587亿元)``."""
    m = _FIG.fullmatch(figure.strip())
    if not m:
        return figure
    return f"{_english(float(m.group(1)), m.group(2), m.group(3))} ({figure.strip()})"


def render_all(text: str) -> str:
    """Annotate every 万/亿 figure in ``text`` with its English value in parentheses, keeping the original
    (square brackets are for citations only)."""
    def sub(m: re.Match) -> str:
        after = text[m.end():m.end() + 1]
        space = " " if after and (after.isalnum() or after in "“(（") else ""
        return f"{m.group(0)} ({_english(float(m.group(1)), m.group(2), m.group(3))}){space}"

    return _FIG.sub(sub, text)
