"""Text repair before chunking: rejoin lines split by page breaks, drop running headers.

The output keeps a map from every character back to its source line, so chunks can cite lines.

>>> paras = repair_lines(["——这一年，我们锚定目标不松劲，年初用较短时", "", "间实现疫情防控平稳转段。"])
>>> paras[0].text, paras[0].lines
('——这一年，我们锚定目标不松劲，年初用较短时间实现疫情防控平稳转段。', [1, 3])
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.headings import detect, is_heading_line, is_pure_heading

SENTENCE_END = "。！？；：…!?;:.”’」』)）】"
CJK_PUNCT = "，。、；：！？“”（）《》"
_PAGE_NO = re.compile(r"^\s*[-—–]?\s*(第\s*)?\d{1,4}\s*(页)?\s*[-—–]?\s*$")


@dataclass
class Paragraph:
    """A repaired paragraph: ``text`` plus, per source line joined into it, its start offset."""

    text: str
    lines: list[int]  # 1-based source line numbers, in order
    offsets: list[int] = field(default_factory=list)  # offset in ``text`` where each line starts
    page: int | None = None
    # bold lead-ins ``**x**`` (markers stripped from ``text``): (offset in text, title)
    bold: list[tuple[int, str]] = field(default_factory=list)

    def line_at(self, offset: int) -> int:
        """Source line holding character ``offset`` of ``text``."""
        line = self.lines[0]
        for ln, off in zip(self.lines, self.offsets):
            if off <= offset:
                line = ln
            else:
                break
        return line


def running_headers(lines: list[str]) -> set[str]:
    """Short lines repeated 3+ times that read like page furniture (no sentence punctuation, not a
    numbered heading): a real title appears once, a running header on every page."""
    counts = Counter(s.strip() for s in lines if s.strip())
    return {
        s for s, n in counts.items()
        if n >= 3 and len(s) <= 40 and not any(p in s for p in CJK_PUNCT) and not _numbered(s)
    }


def _numbered(s: str) -> bool:
    h = detect(s)
    return h is not None and 1 <= h.level <= 7


def _is_continuation(prev: str, nxt: str) -> bool:
    """Is ``nxt`` the rest of a sentence that a page break cut from ``prev``?"""
    if not prev or prev[-1] in SENTENCE_END or is_pure_heading(prev) or is_heading_line(nxt):
        return False
    if len(prev) < 20:  # a short unpunctuated line is a title or a label, not a cut sentence
        return False
    if len(nxt) < 25 and not any(p in nxt for p in CJK_PUNCT):
        return False  # a short label line (author, date) is no continuation
    if nxt.startswith(("——", "#", "**")):
        return False
    return True


def repair_lines(lines: list[str], pages: list[int] | None = None) -> list[Paragraph]:
    """Group source lines into paragraphs, joining page-break splits and dropping furniture."""
    furniture = running_headers(lines)
    paras: list[Paragraph] = []
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s or s in furniture or _PAGE_NO.match(s):
            continue
        lineno = i + 1
        if paras and _is_continuation(paras[-1].text, s):
            p = paras[-1]
            sep = " " if (p.text[-1].isascii() and s[0].isascii()) else ""
            p.offsets.append(len(p.text) + len(sep))
            p.lines.append(lineno)
            p.text += sep
        else:
            p = Paragraph("", [lineno], [0], pages[i] if pages else None)
            paras.append(p)
        _append_stripping_bold(p, s)
    return paras


_BOLD = re.compile(r"\*\*([^*\n]{1,80}?)\*\*")


def _append_stripping_bold(p: Paragraph, s: str) -> None:
    """Append ``s`` to ``p.text`` with ``**bold**`` markers removed, remembering where they were."""
    if s.startswith("#"):  # Markdown headings keep their markers for detection
        p.text += s
        return
    pos = 0
    for m in _BOLD.finditer(s):
        p.text += s[pos:m.start()]
        p.bold.append((len(p.text), m.group(1).strip()))
        p.text += m.group(1)
        pos = m.end()
    p.text += s[pos:]
