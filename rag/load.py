"""Loading: files and folders -> :class:`Document` records, with one-line errors for bad input.

>>> docs, errors = load_paths(["data/cq-gov-gazette-2024-03.txt"])
>>> docs[0].title
'重庆市人民政府公报'

A small file can expand into a lot of work (a PDF whose pages share one huge content stream, a
zipped .docx of a million paragraphs), so each file's extraction is bounded while it runs: pages
(checked before extracting), characters of text (counted as pages, paragraphs and lines come out)
and seconds (checked between pages, blocks and content-stream operators). A file over a bound is
rejected whole, never silently truncated, with a one-line reason naming the setting to raise:

>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "long.txt"
>>> _ = f.write_text("一行文字。\\n" * 10, encoding="utf-8")
>>> load_file(f, max_chars=20)
Traceback (most recent call last):
rag.load.LoadError: more than 20 characters of text (limit: max_file_chars / RAG_MAX_FILE_CHARS)
>>> len(load_file(f, max_chars=60).lines)
10
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rag.types import Document

class LoadError(Exception):
    """Raised for a file that can't be loaded; ``str()`` is the one-line reason."""


@dataclass
class FileError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def iter_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileError]]:
    """Expand folders recursively (sorted, hidden entries skipped); report missing paths."""
    files: list[Path] = []
    errors: list[FileError] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            errors.append(FileError(str(p), "no such file or folder"))
    return files, errors


def load_paths(
    paths: Iterable[str | Path],
    max_mb: float = 50.0,
    max_pages: int | None = 2000,
    max_chars: int | None = 2_000_000,
    max_seconds: float | None = 60.0,
) -> tuple[list[Document], list[FileError]]:
    """Load every file under ``paths``; bad files become :class:`FileError` and are skipped.

    The bounds apply to each file on its own (see :func:`load_file`).
    """
    files, errors = iter_files(paths)
    docs: list[Document] = []
    for f in files:
        try:
            docs.append(load_file(f, max_mb=max_mb, max_pages=max_pages, max_chars=max_chars, max_seconds=max_seconds))
        except LoadError as exc:
            errors.append(FileError(str(f), str(exc)))
        except Exception as exc:  # last resort: a one-line reason, never a traceback
            errors.append(FileError(str(f), _one_line(f"could not load ({type(exc).__name__}: {exc})")))
    return docs, errors


def load_file(
    path: str | Path,
    max_mb: float = 50.0,
    max_pages: int | None = 2000,
    max_chars: int | None = 2_000_000,
    max_seconds: float | None = 60.0,
) -> Document:
    """Load one file, or raise :class:`LoadError` with a one-line reason.

    Bounds (``None``: unbounded): ``max_mb`` on the file's size, ``max_pages`` on a PDF's pages
    (checked before any page is read), ``max_chars`` on the characters of text extracted (counted
    while extracting; extraction stops as soon as it is passed) and ``max_seconds`` on the time
    extraction takes (checked between pages, paragraphs and PDF content-stream operators). A file
    over a bound is rejected whole: a user must see that it did not make it in.
    """
    budget = _Budget(max_pages, max_chars, max_seconds)  # the clock starts here
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise LoadError(f"unsupported file type '{ext or '(none)'}' (supported: {', '.join(sorted(SUPPORTED))})")
    try:
        size = path.stat().st_size
        if size == 0:
            raise LoadError("empty file")
        if size > max_mb * 1024 * 1024:
            raise LoadError(f"too large ({size / 1048576:.4g} MB > limit {max_mb:g} MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError("no such file or folder") from None
    except OSError as exc:
        raise LoadError(f"cannot read file ({exc.strerror or type(exc).__name__})") from None
    pages: list[int] | None = None
    try:
        budget.tick()
        lines, pages = LOADERS[ext](data, budget)
        budget.tick()
    except LoadError:
        raise
    except Exception as exc:  # a corrupt container: report, never a traceback
        raise LoadError(_one_line(f"corrupt or unreadable {ext[1:]} file ({type(exc).__name__}: {exc})")) from None
    lines = [ln.replace("\u3000", " ").rstrip() for ln in lines]
    if not any(ln.strip() for ln in lines):
        raise LoadError("no text found" + (" (scanned PDF without a text layer?)" if ext == ".pdf" else ""))
    return Document(
        doc_id=hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12],
        path=str(path),
        title=_title(lines, path),
        lines=lines,
        sha256=hashlib.sha256(data).hexdigest(),
        pages=pages,
    )


def _load_text(data: bytes, budget: "_Budget") -> tuple[list[str], None]:
    return decode_text(data, max_chars=budget.max_chars).splitlines(), None


def _load_pdf(data: bytes, budget: "_Budget") -> tuple[list[str], list[int]]:
    return _pdf_lines(data, budget)


def _load_docx(data: bytes, budget: "_Budget") -> tuple[list[str], None]:
    return _docx_lines(data, budget), None


def _load_html(data: bytes, budget: "_Budget") -> tuple[list[str], None]:
    # markup is not text: allow a few characters of HTML per character of text, and bound the parse by that
    # before it starts
    limit = None if budget.max_chars is None else _HTML_CHARS_PER_CHAR * budget.max_chars
    html = decode_text(data, max_chars=limit, what=f"HTML, {_HTML_CHARS_PER_CHAR} per character of text allowed")
    budget.tick()
    lines = _html_lines(html, budget)
    budget.count(lines)
    return lines, None


# file extension -> loader: ``(file bytes, budget) -> (text lines, page number of each line or None)``; a
# loader counts the text it extracts against the budget (budget.add / budget.count) and calls budget.tick()
# between pages or paragraphs, so a file over a bound stops early (docs/ARCHITECTURE.md: add a loader)
LOADERS = {".txt": _load_text, ".md": _load_text, ".markdown": _load_text, ".pdf": _load_pdf, ".docx": _load_docx,
           ".html": _load_html, ".htm": _load_html}
SUPPORTED = frozenset(LOADERS)


# the clock used for max_seconds (a name of its own, so a test can drive it)
_now = time.monotonic

# HTML: characters of markup + text read per character of text allowed
_HTML_CHARS_PER_CHAR = 5
# .docx: bytes its zip parts may unpack to per character of text allowed (tables and Word's
# run properties make XML several times the text; a zip bomb is thousands of times more)
_DOCX_BYTES_PER_CHAR = 25
# PDF: decoded content-stream bytes read per second of max_seconds, for the whole file and for one
# page (pypdf parses a page's stream at about 1 MB/s before it can be stopped, and extracting a
# text-dense stream is quadratic in its size)
_PDF_BYTES_PER_SECOND = 2 * 1024 * 1024
_PDF_PAGE_BYTES_PER_SECOND = 256 * 1024
_MB = 1024 * 1024


def _chars_error(limit: int, what: str = "text", where: str = "") -> LoadError:
    return LoadError(f"more than {limit:,} characters of {what} (limit: max_file_chars / RAG_MAX_FILE_CHARS){where}")


class _Budget:
    """One file's bounds: pages, characters of text (counted as they come out) and a deadline."""

    def __init__(self, max_pages: int | None, max_chars: int | None, max_seconds: float | None) -> None:
        self.max_pages = max_pages
        self.max_chars = max_chars
        self.max_seconds = max_seconds
        self.start = _now()
        self.chars = 0
        self.where = ""  # where extraction stopped, for the message (e.g. "; stopped at page 3 of 40")

    def pages(self, n: int) -> None:
        if self.max_pages is not None and n > self.max_pages:
            raise LoadError(
                f"more than {self.max_pages} pages (limit: max_file_pages / RAG_MAX_FILE_PAGES); it has {n}"
            )

    def add(self, n: int) -> None:
        """Count ``n`` more characters of text; reject once past the bound."""
        self.chars += n
        if self.max_chars is not None and self.chars > self.max_chars:
            raise self.chars_error()

    def count(self, lines: Iterable[str]) -> None:
        """Count lines as text (a line break is a character too: a million empty paragraphs is not free)."""
        for ln in lines:
            self.add(len(ln) + 1)

    def chars_left(self) -> int | None:
        return None if self.max_chars is None else self.max_chars - self.chars

    def chars_error(self) -> LoadError:
        return _chars_error(self.max_chars or 0, where=self.where)

    def tick(self) -> None:
        """Reject once extraction has taken ``max_seconds``."""
        if self.max_seconds is not None and _now() - self.start >= self.max_seconds:
            raise self.time_error()

    def time_error(self) -> LoadError:
        return LoadError(
            f"text extraction took longer than {self.max_seconds:g} s "
            f"(limit: max_load_seconds / RAG_MAX_LOAD_SECONDS){self.where}"
        )


def decode_text(data: bytes, max_chars: int | None = None, what: str = "text") -> str:
    """Decode UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312).

    With ``max_chars``, a longer text is rejected as soon as it is decoded (before the GB18030
    plausibility scan, which is slow on long texts).
    """
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("binary file (contains NUL bytes)")

    def bounded(text: str) -> str:
        if max_chars is not None and len(text) > max_chars:
            raise _chars_error(max_chars, what)
        return text

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return bounded(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise LoadError("undecodable UTF-16 text") from None
    try:
        return bounded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = bounded(data.decode("gb18030"))
    except UnicodeDecodeError:
        raise LoadError("undecodable text (not UTF-8 or GB18030/GBK)") from None
    # GB18030 decodes almost any byte soup; require printable output whose non-ASCII characters
    # are mostly common (GB2312) ones. Real GBK text passes, even mostly-English text with a few
    # Chinese names; Latin-1 misread as GBK (an accent + the next ASCII letter = a rare hanzi) and
    # random bytes do not.
    good = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    wide = [ch for ch in text if ord(ch) > 127]
    common = sum(1 for ch in wide if _is_gb2312(ch))
    if good < 0.95 * len(text) or common < 0.5 * len(wide):
        raise LoadError("undecodable text (not UTF-8 or GB18030/GBK)")
    return text


def _is_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _one_line(msg: str) -> str:
    return " ".join(msg.split())


# operators that can put text on a page (a form XObject, "Do", may hold text too)
_PDF_TEXT_OPS = re.compile(rb"T[jJ]|Do|['\"]")


def _pdf_lines(data: bytes, budget: _Budget) -> tuple[list[str], list[int]]:
    from pypdf import PdfReader

    log = logging.getLogger("pypdf")
    old_level = log.level
    log.setLevel(logging.ERROR)  # pypdf logs repair warnings for sloppy files; keep stderr clean
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF")
        n = len(reader.pages)
        budget.pages(n)  # before any page is read
        lines: list[str] = []
        pages: list[int] = []
        done: dict[tuple, str] = {}  # text of pages already extracted, by (content streams, resources)
        seen_streams: set = set()
        decoded = 0  # bytes of distinct content streams decoded so far
        for no, page in enumerate(reader.pages, start=1):
            budget.where = f"; stopped at page {no} of {n}"
            budget.tick()
            key, streams = _pdf_page_key(page)
            text = done.get(key)
            if text is None:
                # bound the decoded content before pypdf parses it (that part can't be stopped)
                size, has_text = 0, False
                for sid, stream in streams:
                    chunk = stream.get_data()
                    size += len(chunk)
                    if sid not in seen_streams:
                        seen_streams.add(sid)
                        decoded += len(chunk)
                        _pdf_check_content(budget, no, 0, decoded)
                    has_text = has_text or _PDF_TEXT_OPS.search(chunk) is not None
                # a page without text operators (a figure, a blank page) gives no text: not parsed
                _pdf_check_content(budget, no, size if has_text else 0, decoded)
                text = _pdf_page_text(page, budget) if has_text else ""
                # pages sharing one content stream (and resources) share its text: extracted once
                done[key] = text
            for ln in text.splitlines():
                budget.add(len(ln) + 1)
                lines.append(ln)
                pages.append(no)
            budget.add(1)
            lines.append("")  # a page break ends a line
            pages.append(no)
        budget.where = ""
        return lines, pages
    finally:
        log.setLevel(old_level)


def _pdf_page_key(page) -> tuple[tuple, list]:
    """(what a page's text depends on: its content streams, resources, rotation; [(stream id, stream)])."""
    from pypdf.generic import ArrayObject, StreamObject

    raw = page.get("/Contents")
    streams: list[tuple[tuple, object]] = []
    if raw is not None:
        resolved = raw.get_object()
        items = list(resolved) if isinstance(resolved, ArrayObject) else [raw]
        for item in items:
            obj = item.get_object()
            if isinstance(obj, StreamObject):
                streams.append((_pdf_ident(item), obj))
    resources = page.get("/Resources")
    if resources is None:  # inherited from a parent (pypdf usually copies it onto the page)
        res_key = ("inherited", _pdf_ident(page.get("/Parent")))
    else:
        res_key = _pdf_ident(resources)
    key = (tuple(sid for sid, _ in streams), res_key, _pdf_ident(page.get("/Rotate", 0)))
    return key, streams


def _pdf_ident(obj, _nodes: list[int] | None = None) -> tuple:
    """A hashable identity: an indirect object by number, a small direct structure by value."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    nodes = [0] if _nodes is None else _nodes
    nodes[0] += 1
    if isinstance(obj, IndirectObject):
        return ("ref", obj.idnum, obj.generation)
    if nodes[0] > 200 or isinstance(obj, StreamObject):
        return ("obj", id(obj))  # the same only when shared in memory
    if isinstance(obj, DictionaryObject):
        return ("dict",) + tuple(sorted((str(k), _pdf_ident(v, nodes)) for k, v in obj.items()))
    if isinstance(obj, ArrayObject):
        return ("array",) + tuple(_pdf_ident(v, nodes) for v in obj)
    return ("value", type(obj).__name__, repr(obj))


def _pdf_check_content(budget: _Budget, no: int, page_bytes: int, total_bytes: int) -> None:
    """Content too big to parse within ``max_seconds`` is rejected before pypdf parses it.

    ``page_bytes``: the decoded content of the page about to be parsed; ``total_bytes``: of all
    distinct content streams so far (pypdf keeps them decoded in memory).
    """
    if budget.max_seconds is None:
        return
    page_cap = budget.max_seconds * _PDF_PAGE_BYTES_PER_SECOND
    total_cap = budget.max_seconds * _PDF_BYTES_PER_SECOND
    if page_bytes > page_cap:
        what = f"page {no}'s content stream unpacks to {page_bytes / _MB:.3g} MB"
        cap = page_cap
    elif total_bytes > total_cap:
        what = f"the content streams of pages 1-{no} unpack to {total_bytes / _MB:.3g} MB"
        cap = total_cap
    else:
        return
    raise LoadError(
        f"{what}, more than {cap / _MB:.3g} MB: too much to extract within {budget.max_seconds:g} s "
        f"(limit: max_load_seconds / RAG_MAX_LOAD_SECONDS)"
    )


def _pdf_page_text(page, budget: _Budget) -> str:
    """``page.extract_text()``, stopped from inside once the deadline or the character bound is passed.

    pypdf calls the visitors per content-stream operator and per piece of text; one of them raising
    ends the extraction (pypdf swallows errors inside a form XObject, so the stop is also kept and
    re-raised afterwards).
    """
    left = budget.chars_left()
    stop: list[LoadError] = []
    produced = 0

    def before_operator(op, args, cm, tm) -> None:
        if stop:
            raise LoadError(str(stop[0]))
        try:
            budget.tick()
        except LoadError as exc:
            stop.append(exc)
            raise

    def on_text(text, cm, tm, font, size) -> None:
        nonlocal produced
        if stop:
            raise LoadError(str(stop[0]))
        produced += len(text)
        if left is not None and produced > left:
            stop.append(budget.chars_error())
            raise LoadError(str(stop[0]))

    text = page.extract_text(visitor_operand_before=before_operator, visitor_text=on_text) or ""
    if stop:
        raise stop[0]
    return text


def _docx_lines(data: bytes, budget: _Budget) -> list[str]:
    import docx

    from docx.table import Table

    _docx_check_unpacked(data, budget)
    budget.tick()
    d = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    style_names: dict[str | None, str] = {}  # style id -> lower-case name, resolved once per id

    def style_name(block) -> str:
        # python-docx resolves ``paragraph.style`` by scanning every style of the document, for
        # every paragraph (minutes for a few hundred thousand paragraphs): look each id up once
        p = getattr(block, "_p", None)
        if p is None:
            return _style_name(block)
        sid = p.style
        if sid not in style_names:
            style_names[sid] = _style_name(block)
        return style_names[sid]

    para_text = _docx_paragraph_text()
    # body order: a table stays under the heading it follows
    for no, block in enumerate(d.iter_inner_content(), start=1):
        budget.where = f"; stopped at paragraph or table {no}"
        budget.tick()
        if isinstance(block, Table):
            for row in block.rows:
                budget.tick()
                line = " | ".join("\n".join(para_text(q) for q in c.paragraphs).strip() for c in row.cells)
                budget.add(len(line) + 1)
                lines.append(line)
            budget.add(1)
            lines.append("")
            continue
        text = para_text(block)
        m = re.match(r"heading (\d)", style_name(block))
        if m and text.strip():
            text = "#" * int(m.group(1)) + " " + text.strip()
        budget.add(len(text) + 2)
        lines.extend([text, ""])
    budget.where = ""
    return lines


def _docx_paragraph_text():
    """``paragraph.text``, without compiling XPath expressions per paragraph and per run.

    python-docx reads a paragraph's text with ``element.xpath("w:r | w:hyperlink")`` and each run's
    with another ``xpath(...)``; lxml compiles the expression on every call (~50 us each). The same
    children, in the same order, come from iterating the element; each piece's text is still
    python-docx's own ``str()`` of it (a tab is "\\t", a break "\\n", ...).
    """
    from docx.oxml.ns import qn

    run_tag, link_tag = qn("w:r"), qn("w:hyperlink")
    piece_tags = {qn(f"w:{t}") for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab")}

    def run_text(r) -> str:
        return "".join(str(e) for e in r if e.tag in piece_tags)

    def text(paragraph) -> str:
        p = getattr(paragraph, "_p", None)
        if p is None:
            return paragraph.text
        parts: list[str] = []
        for e in p:
            if e.tag == run_tag:
                parts.append(run_text(e))
            elif e.tag == link_tag:
                parts.extend(run_text(r) for r in e if r.tag == run_tag)
        return "".join(parts)

    return text


def _style_name(paragraph) -> str:
    style = paragraph.style
    return (style.name or "").lower() if style is not None else ""


def _docx_check_unpacked(data: bytes, budget: _Budget) -> None:
    """Bound what the zip unpacks to (declared sizes: zipfile reads no further) before parsing it."""
    if budget.max_chars is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            unpacked = sum(info.file_size for info in z.infolist())
    except zipfile.BadZipFile:
        return  # python-docx reports it
    # media is stored compressed already: the file's own size is allowed on top
    cap = _DOCX_BYTES_PER_CHAR * budget.max_chars + len(data)
    if unpacked > cap:
        raise LoadError(
            f"its parts unpack to {unpacked / _MB:.4g} MB (a zip bomb?), more than the {cap / _MB:.3g} MB "
            f"allowed for {budget.max_chars:,} characters of text (limit: max_file_chars / RAG_MAX_FILE_CHARS)"
        )


def _html_lines(html: str, budget: _Budget | None = None) -> list[str]:
    from bs4 import BeautifulSoup, NavigableString

    tick = budget.tick if budget is not None else (lambda: None)
    soup = BeautifulSoup(html, "html.parser")  # bounded by the length check before it
    tick()
    for tag in soup(["script", "style", "noscript", "nav", "footer", "template"]):
        tag.decompose()
    # source newlines inside text are just spaces in HTML (except in <pre>)
    for s in list(soup.find_all(string=True)):
        if type(s) is NavigableString and s.find_parent("pre") is None:
            s.replace_with(NavigableString(re.sub(r"\s+", " ", str(s))))
    tick()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.string = "#" * level + " " + h.get_text(" ", strip=True)
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    tick()
    body = soup.body or soup
    lines: list[str] = []
    for ln in body.get_text().splitlines():
        ln = ln.strip()
        if ln or (lines and lines[-1]):  # one blank line between blocks
            lines.append(ln)
    return lines


_HTML_BLOCKS = [
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody", "caption",
    "section", "article", "header", "main", "aside", "blockquote", "pre", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address", "form", "fieldset", "details", "summary",
]


TITLE_CHARS = 60  # a plain first line longer than this is a sentence, not a title
# a sentence ends inside the line: a Chinese full stop, or a Latin one after a word (not an abbreviation:
# "U.S. Route 66", "Dr. Who")
_SENTENCE_INSIDE = re.compile(r"[。！？；]\s*\S|[a-z]{3,}[.!?;]\s+\S")


def _title(lines: list[str], path: Path) -> str:
    """The document's title: its first non-empty line (a Markdown heading's text), unless that plain line
    reads as a sentence (longer than :data:`TITLE_CHARS`, or a sentence ends inside it: a note, a
    paragraph), which names nothing; then the file's name.

    >>> _title(["", "# 中华人民共和国旅游法", "第一条 …"], Path("law.md")), _title(["Super Bowl 50"], Path("a.txt"))
    ('中华人民共和国旅游法', 'Super Bowl 50')
    >>> _title(["Source: a repository of laws. The files were copied byte for byte."], Path("SOURCE.md"))
    'SOURCE'
    >>> _title(["U.S. Route 66"], Path("route.txt")), _title(["长江是中国第一长河。它全长6300余公里。"], Path("长江.txt"))
    ('U.S. Route 66', '长江')
    """
    for ln in lines:
        raw = ln.strip()
        s = raw.lstrip("#").strip()
        if s:
            if not raw.startswith("#") and (len(s) > TITLE_CHARS or _SENTENCE_INSIDE.search(s)):
                return path.stem
            return s[:80]
    return path.stem
