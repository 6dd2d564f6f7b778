"""Loading: files and folders -> :class:`Document` records, with one-line errors for bad input.

>>> docs, errors = load_paths(["data/cq-gov-gazette-2024-03.txt"])
>>> docs[0].title
'重庆市人民政府公报'
"""

from __future__ import annotations

import hashlib
import io
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
    return docs, errors


def load_file(path: str | Path, max_mb: float = 50.0) -> Document:
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise LoadError(f"unsupported file type '{ext or '(none)'}' (supported: {', '.join(sorted(SUPPORTED))})")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("empty file")
    if size > max_mb * 1024 * 1024:
        raise LoadError(f"too large ({size / 1048576:.1f} MB > limit {max_mb:g} MB)")
    data = path.read_bytes()
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
        raise LoadError(f"could not read {ext[1:]} file ({type(exc).__name__}: {exc})".split("\n")[0]) from None
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
    # GB18030 decodes almost any byte soup; require mostly CJK/ASCII printable output
    good = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if good < 0.95 * len(text) or cjk < 0.05 * len(text):
        raise LoadError("undecodable text (not UTF-8 or GB18030/GBK)")
    return text


def _pdf_lines(data: bytes) -> tuple[list[str], list[int]]:
    from pypdf import PdfReader

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


def _docx_lines(data: bytes) -> list[str]:
    import docx

    d = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for para in d.paragraphs:
        text = para.text
        style = (para.style.name or "").lower() if para.style is not None else ""
        m = re.match(r"heading (\d)", style)
        if m and text.strip():
            text = "#" * int(m.group(1)) + " " + text.strip()
        lines.extend([text, ""])
    for table in d.tables:
        for row in table.rows:
            lines.append(" | ".join(c.text.strip() for c in row.cells))
        lines.append("")
    return lines


def _html_lines(html: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer"]):
        tag.decompose()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.string = "#" * level + " " + h.get_text(" ", strip=True)
    body = soup.body or soup
    text = body.get_text("\n")
    return [ln.strip() for ln in text.splitlines()]


def _title(lines: list[str], path: Path) -> str:
    for ln in lines:
        s = ln.strip().lstrip("#").strip()
        if s:
            return s[:80]
    return path.stem
