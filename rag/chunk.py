"""Chunking by section: repaired paragraphs -> heading-aware, sentence-packed chunks.

Chunks never cross a section boundary, overlap by whole sentences, and never exceed 2x the target.

>>> from rag.types import Document
>>> doc = Document("d1", "x.txt", "t", ["一、总体情况", "", "全市收入增长6%。支出增长8%。"], "0")
>>> [(c.section, c.text) for c in chunk_document(doc)]
[(['一、总体情况'], '全市收入增长6%。支出增长8%。')]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rag.headings import ARTICLE, detect, item_marker
from rag.repair import Paragraph, repair_lines
from rag.types import Chunk, Document

_OPEN = "“‘「『（(《【"
_CLOSE = "”’」』）)》】"
_SPLIT = "。！？；!?;"
# English words a full stop abbreviates rather than ends a sentence after: titles before a name, "vs.", and
# words before a number ("No. 5")
_TITLES = frozenset("Mr Mrs Ms Dr Prof vs".split())
_BEFORE_NUMBER = frozenset("No Vol Fig pp".split())
_PROSE_END = "。！？；!?;"


@dataclass
class _Unit:
    """A contiguous run of repaired text under one section path."""

    section: tuple[str, ...]
    para: int
    start: int  # offset within the paragraph text
    end: int


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, split after 。！？； outside quotes and brackets (closers stay attached), and after a
    full stop followed by a space, unless it ends a number, a name's initial or a title ("Andrew W. Mellon",
    "Dr. Smith").

    >>> s = "他说“好。走吧。”然后离开。再见"
    >>> [s[a:b] for a, b in split_sentences(s)]
    ['他说“好。走吧。”然后离开。', '再见']
    >>> s = "由Andrew W. Mellon Foundation资助。It ended. 然后"
    >>> [s[a:b] for a, b in split_sentences(s)]
    ['由Andrew W. Mellon Foundation资助。', 'It ended. ', '然后']
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in _SPLIT or (ch == "." and (i + 1 == n or text[i + 1] == " ")
                                                 and i > 0 and not text[i - 1].isdigit()
                                                 and not _abbreviation(text, i))):
            j = i + 1
            while j < n and (text[j] in _CLOSE or text[j] == " "):
                j += 1
            spans.append((start, j))
            start = i = j
            continue
        i += 1
    if start < n and text[start:].strip():
        spans.append((start, n))
    return spans


def _abbreviation(text: str, i: int) -> bool:
    """The full stop at ``text[i]`` ends an initial before a capitalised word ("Andrew W. Mellon", "S.G.
    Tallentyre"; not "World War I. Next"), a title (:data:`_TITLES`: "Dr. Li") or a word before a number
    ("No. 5")."""
    j = i
    while j > 0 and text[j - 1].isascii() and text[j - 1].isalpha():
        j -= 1
    word = text[j:i]
    if not word or (j > 0 and text[j - 1].isdigit()):  # "1st." ends a sentence
        return False
    k = i + 1
    while k < len(text) and text[k] == " ":
        k += 1
    following = text[k] if k < len(text) else ""
    if word in _BEFORE_NUMBER:
        return following.isdigit()
    if word in _TITLES:
        return bool(following)
    return len(word) == 1 and word.isupper() and word != "I" and following.isascii() and following.isupper()


def _cut_long(start: int, end: int, text: str, limit: int) -> list[tuple[int, int]]:
    """Split an over-long sentence at commas (else hard cuts) into pieces of at most ``limit``."""
    out: list[tuple[int, int]] = []
    a = start
    while end - a > limit:
        window = text[a:a + limit]
        cut = max(window.rfind(c) for c in "，、,：")
        b = a + cut + 1 if cut > limit // 3 else a + limit
        out.append((a, b))
        a = b
    out.append((a, end))
    return out


def _sections(paras: list[Paragraph]) -> list[_Unit]:
    stack: list[tuple[int, str]] = []
    units: list[_Unit] = []

    def push(level: int, title: str) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))

    for pi, p in enumerate(paras):
        bold = list(p.bold)
        if bold and bold[0][0] == 0:
            off, title = bold.pop(0)
            h = (8, title, p.text.strip("。 ") == title)
        else:
            d = detect(p.text)
            h = (d.level, d.title, d.pure) if d else None
            if h and stack and stack[-1][0] == ARTICLE and item_marker(p.text):
                h = None  # （一）, 1. inside an article of a statute: its enumerated items, part of its text
        if not h:
            while stack and stack[-1][0] >= 8:  # a lead-in sub-section ends with its paragraph
                stack.pop()
        else:
            push(h[0], h[1].lstrip("#").strip())
            if h[2]:
                continue  # a pure heading lives in the section path, not in the chunk text
        cuts = [0] + [off for off, _ in bold] + [len(p.text)]
        for k in range(len(cuts) - 1):
            if k > 0:
                push(8, bold[k - 1][1])
            if cuts[k + 1] > cuts[k]:
                units.append(_Unit(tuple(t for _, t in stack), pi, cuts[k], cuts[k + 1]))
    return units


def chunk_document(doc: Document, target: int = 300, overlap: int = 1) -> list[Chunk]:
    """Chunk one document. ``target`` is the packing size in characters."""
    paras = repair_lines(doc.lines, doc.pages)
    para_start: list[int] = []
    pos = 0
    for p in paras:
        para_start.append(pos)
        pos += len(p.text) + 1  # paragraphs are joined by "\n" in the repaired text
    full = "\n".join(p.text for p in paras)
    limit = 2 * target

    # group consecutive units with the same section path
    groups: list[list[_Unit]] = []
    for u in _sections(paras):
        if groups and groups[-1][-1].section == u.section:
            groups[-1].append(u)
        else:
            groups.append([u])

    chunks: list[Chunk] = []
    for group in groups:
        sents: list[tuple[int, int, int]] = []  # (abs start, abs end, paragraph index)
        for u in group:
            base = para_start[u.para]
            seg = paras[u.para].text[u.start:u.end]
            for a, b in split_sentences(seg):
                for x, y in _cut_long(base + u.start + a, base + u.start + b, full, target):
                    sents.append((x, y, u.para))
        for i, j in _pack([(a, b) for a, b, _ in sents], target, limit, overlap):
            a, b = sents[i][0], sents[j][1]
            chunks.append(_make_chunk(doc, list(group[0].section), full, a, b, paras[sents[i][2]],
                                      para_start[sents[i][2]], paras[sents[j][2]], para_start[sents[j][2]]))
    return chunks


def _pack(spans: list[tuple[int, int]], target: int, limit: int, overlap: int) -> list[tuple[int, int]]:
    """Sentence index ranges (inclusive) packed to ``target``, overlapping by ``overlap`` sentences."""
    out: list[tuple[int, int]] = []
    n = len(spans)
    i = 0
    while i < n:
        j = i
        while j + 1 < n and spans[j + 1][1] - spans[i][0] <= target:
            j += 1
        if out and i <= out[-1][1]:
            # this chunk starts with overlap: it must add at least one new sentence
            while j <= out[-1][1]:
                j += 1
            if spans[j][1] - spans[i][0] > limit:
                i = out[-1][1] + 1
                continue
        out.append((i, j))
        if j + 1 >= n:
            break
        i = max(j + 1 - overlap, i + 1) if overlap else j + 1
    return out


def _make_chunk(doc: Document, section: list[str], full: str, a: int, b: int,
                pa: Paragraph, pa_start: int, pb: Paragraph, pb_start: int) -> Chunk:
    # trim whitespace/newlines at the edges
    while a < b and full[a].isspace():
        a += 1
    while b > a and full[b - 1].isspace():
        b -= 1
    text = full[a:b]
    line_start = pa.line_at(a - pa_start)
    line_end = pb.line_at(b - 1 - pb_start)
    return Chunk(
        chunk_id=hashlib.sha1(f"{doc.doc_id}:{a}:{text}".encode()).hexdigest()[:16],
        doc_id=doc.doc_id,
        doc_title=doc.title,
        doc_path=doc.path,
        section=section,
        text=text,
        char_start=a,
        char_end=b,
        line_start=line_start,
        line_end=line_end,
        page_start=doc.pages[line_start - 1] if doc.pages else None,
        page_end=doc.pages[line_end - 1] if doc.pages else None,
        front_matter=is_non_prose(text),
    )


def _is_prose_line(ln: str) -> bool:
    if any(c in ln for c in _PROSE_END) or ". " in ln or ln.endswith("."):
        return True
    return sum(1 for c in ln if "\u4e00" <= c <= "\u9fff") >= 60  # a long run of Chinese text


def is_non_prose(text: str) -> bool:
    """Masthead, contents or colophon: most lines are short and hold no sentence punctuation."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    prose = sum(len(ln) for ln in lines if _is_prose_line(ln))
    return prose < 0.5 * sum(len(ln) for ln in lines)
