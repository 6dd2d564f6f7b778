"""Loading: files and folders -> :class:`Document` records, with one-line errors for bad input.

>>> docs, errors = load_paths(["data/cq-gov-gazette-2024-03.txt"])
>>> docs[0].title
'重庆市人民政府公报'
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from rag.types import Document

SUPPORTED = {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}


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


def load_paths(paths: Iterable[str | Path], max_mb: float = 50.0) -> tuple[list[Document], list[FileError]]:
    """Load every file under ``paths``; bad files become :class:`FileError` and are skipped."""
    files, errors = iter_files(paths)
    docs: list[Document] = []
    for f in files:
        try:
            docs.append(load_file(f, max_mb=max_mb))
        except LoadError as exc:
            errors.append(FileError(str(f), str(exc)))
        except Exception as exc:  # last resort: a one-line reason, never a traceback
            errors.append(FileError(str(f), _one_line(f"could not load ({type(exc).__name__}: {exc})")))
    return docs, errors


def load_file(path: str | Path, max_mb: float = 50.0) -> Document:
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
        if ext == ".pdf":
            lines, pages = _pdf_lines(data)
        elif ext == ".docx":
            lines = _docx_lines(data)
        elif ext in {".html", ".htm"}:
            lines = _html_lines(decode_text(data))
        else:
            lines = decode_text(data).splitlines()
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


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise LoadError("undecodable UTF-16 text") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
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


def _pdf_lines(data: bytes) -> tuple[list[str], list[int]]:
    from pypdf import PdfReader

    log = logging.getLogger("pypdf")
    old_level = log.level
    log.setLevel(logging.ERROR)  # pypdf logs repair warnings for sloppy files; keep stderr clean
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoadError("encrypted PDF")
        lines: list[str] = []
        pages: list[int] = []
        for no, page in enumerate(reader.pages, start=1):
            for ln in (page.extract_text() or "").splitlines():
                lines.append(ln)
                pages.append(no)
            lines.append("")  # a page break ends a line
            pages.append(no)
        return lines, pages
    finally:
        log.setLevel(old_level)


def _docx_lines(data: bytes) -> list[str]:
    import docx

    from docx.table import Table

    d = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    # body order: a table stays under the heading it follows
    for block in d.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                lines.append(" | ".join(c.text.strip() for c in row.cells))
            lines.append("")
            continue
        text = block.text
        style = (block.style.name or "").lower() if block.style is not None else ""
        m = re.match(r"heading (\d)", style)
        if m and text.strip():
            text = "#" * int(m.group(1)) + " " + text.strip()
        lines.extend([text, ""])
    return lines


def _html_lines(html: str) -> list[str]:
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "template"]):
        tag.decompose()
    # source newlines inside text are just spaces in HTML (except in <pre>)
    for s in list(soup.find_all(string=True)):
        if type(s) is NavigableString and s.find_parent("pre") is None:
            s.replace_with(NavigableString(re.sub(r"\s+", " ", str(s))))
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


def _title(lines: list[str], path: Path) -> str:
    for ln in lines:
        s = ln.strip().lstrip("#").strip()
        if s:
            return s[:80]
    return path.stem
