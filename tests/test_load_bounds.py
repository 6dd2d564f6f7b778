"""Bounds on one file's extraction (pages, characters, seconds), on real files written to tmp_path.

Cheap files that cost minutes: a small PDF whose pages share one huge content stream, a zipped
.docx of a few hundred thousand paragraphs, a zip bomb. Each is built here with pypdf /
python-docx / zipfile; the tests assert on the outcome (rejected with the message naming the
setting, or loaded text), never on timing. Time bounds are driven through ``max_seconds=0`` or a
fake clock (``rag.load._now``).
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from pathlib import Path

import pytest

import rag.load
from rag.load import LoadError, load_file, load_paths

PAGES_MSG = "(limit: max_file_pages / RAG_MAX_FILE_PAGES)"
CHARS_MSG = "(limit: max_file_chars / RAG_MAX_FILE_CHARS)"
TIME_MSG = "(limit: max_load_seconds / RAG_MAX_LOAD_SECONDS)"


# ---------------------------------------------------------------- builders


def text_ops(n_lines: int, start: int = 0) -> bytes:
    """A content stream of ``n_lines`` text-show operators (about 40 bytes each)."""
    ops = [b"BT /F1 12 Tf 14 TL 72 720 Td"]
    ops += [b"(Line %d of the text stream) Tj T*" % i for i in range(start, start + n_lines)]
    ops.append(b"ET")
    return b"\n".join(ops)


def graphics_ops(n_bytes: int) -> bytes:
    """A content stream of path-drawing operators only (no text)."""
    op = b"0.5 w 10.5 20.25 m 30.75 40.5 l 50 60 70 80 90 100 c S\n"
    return op * (n_bytes // len(op) + 1)


def make_pdf(streams: list[bytes], page_streams: list[int]) -> bytes:
    """A PDF written by pypdf: page i draws ``streams[page_streams[i]]`` (FlateDecode).

    Pages given the same index share one content-stream object (one indirect reference), and
    every page shares one font resource, as PDF generators do.
    """
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    w = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = w._add_object(font)
    refs = []
    for data in streams:
        s = DecodedStreamObject()
        s.set_data(data)
        refs.append(w._add_object(s.flate_encode()))
    for i in page_streams:
        page = w.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
        page[NameObject("/Contents")] = refs[i]
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def make_docx(body_xml: str) -> bytes:
    """A .docx made by python-docx whose word/document.xml body is replaced by ``body_xml``."""
    import docx

    base = io.BytesIO()
    docx.Document().save(base)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body_xml}<w:sectPr/></w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base.getvalue())) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = document.encode() if info.filename == "word/document.xml" else zin.read(info.filename)
            z.writestr(info.filename, data)
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def extract_calls(monkeypatch):
    """Count pypdf's page.extract_text calls (the real method still runs)."""
    from pypdf import PageObject

    calls = []
    real = PageObject.extract_text

    def spy(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", spy)
    return calls


@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock that never moves: size bounds are tested without the time bound interfering."""
    monkeypatch.setattr(rag.load, "_now", lambda: 0.0)


# ---------------------------------------------------------------- PDF


def test_pdf_pages_sharing_one_stream_extracted_once(tmp_path, extract_calls):
    """40 pages whose /Contents are one ~100 KB stream object: extracted once, every page keeps its text."""
    stream = text_ops(2500)
    f = write(tmp_path / "shared.pdf", make_pdf([stream], [0] * 40))
    assert f.stat().st_size < 30_000  # a small file...
    doc = load_file(f, max_chars=10_000_000)
    assert len(extract_calls) == 1  # ...whose 40 pages are parsed once
    assert doc.pages is not None and sorted(set(doc.pages)) == list(range(1, 41))
    page1 = [ln for ln, p in zip(doc.lines, doc.pages) if p == 1]
    page40 = [ln for ln, p in zip(doc.lines, doc.pages) if p == 40]
    assert page1 == page40 and page1[0] == "Line 0 of the text stream" and "Line 2499 of the text stream" in page1


def test_pdf_shared_stream_rejected_by_char_bound(tmp_path, extract_calls):
    """The same file at the default 2,000,000 characters: rejected (not 40 copies of the text), one extraction."""
    f = write(tmp_path / "shared.pdf", make_pdf([text_ops(2500)], [0] * 40))
    with pytest.raises(LoadError) as exc:
        load_file(f)
    msg = str(exc.value)
    assert f"more than 2,000,000 characters of text {CHARS_MSG}" in msg
    assert "of 40" in msg and "\n" not in msg
    assert len(extract_calls) == 1


def test_pdf_huge_stream_stopped_inside_the_page(tmp_path, extract_calls):
    """One page with a ~1 MB stream of text-show operators (pypdf: quadratic, seconds to minutes):
    the character bound stops pypdf's extraction from inside, before the page is done."""
    f = write(tmp_path / "huge.pdf", make_pdf([text_ops(25_000)], [0]))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=20_000)
    assert str(exc.value) == f"more than 20,000 characters of text {CHARS_MSG}; stopped at page 1 of 1"
    assert len(extract_calls) == 1


def test_pdf_page_count_checked_before_extracting(tmp_path, extract_calls):
    f = write(tmp_path / "five.pdf", make_pdf([text_ops(3, i * 10) for i in range(5)], list(range(5))))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_pages=4)
    assert str(exc.value) == f"more than 4 pages {PAGES_MSG}; it has 5"
    assert extract_calls == []  # no page was read
    doc = load_file(f, max_pages=5)
    assert sorted(set(doc.pages)) == [1, 2, 3, 4, 5] and "Line 40 of the text stream" in doc.lines


def test_pdf_char_bound_exact(tmp_path):
    """Characters are the lines' characters plus one per line break; the bound is inclusive."""
    f = write(tmp_path / "two.pdf", make_pdf([text_ops(3), text_ops(3, 3)], [0, 1]))
    doc = load_file(f)
    total = sum(len(ln) + 1 for ln in doc.lines)
    assert load_file(f, max_chars=total).lines == doc.lines
    with pytest.raises(LoadError, match="more than .* characters of text .*; stopped at page 2 of 2"):
        load_file(f, max_chars=total - 1)


def test_pdf_time_bound_between_pages(tmp_path):
    f = write(tmp_path / "two.pdf", make_pdf([text_ops(3)], [0, 0]))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_seconds=0.0)
    assert str(exc.value).startswith(f"text extraction took longer than 0 s {TIME_MSG}")


def test_pdf_time_bound_inside_one_page(tmp_path, monkeypatch):
    """A fake clock that moves one second per look: the deadline stops pypdf between operators
    of a single page's content stream, not only between pages."""
    ticks = itertools.count()
    looks = []

    def clock() -> float:
        looks.append(1)
        return float(next(ticks))

    monkeypatch.setattr(rag.load, "_now", clock)
    f = write(tmp_path / "one.pdf", make_pdf([text_ops(5000)], [0]))  # ~10,000 operators
    with pytest.raises(LoadError) as exc:
        load_file(f, max_seconds=500)
    assert str(exc.value) == f"text extraction took longer than 500 s {TIME_MSG}; stopped at page 1 of 1"
    assert len(looks) < 1000  # stopped after ~500 operators, not after the page's 10,000


def test_pdf_content_stream_too_big_for_time_bound(tmp_path, frozen_clock, extract_calls):
    """A page whose content stream unpacks to more than can be parsed in max_seconds is rejected
    before pypdf parses it (that parse can't be stopped from inside)."""
    big = graphics_ops(512 * 1024) + b"BT /F1 12 Tf 72 720 Td (label) Tj ET"
    f = write(tmp_path / "map.pdf", make_pdf([text_ops(3), big], [0, 1]))
    assert f.stat().st_size < 100_000
    with pytest.raises(LoadError) as exc:
        load_file(f, max_seconds=1)  # 1 s -> 0.25 MB per page
    msg = str(exc.value)
    assert msg.startswith("page 2's content stream unpacks to 0.5 MB, more than 0.25 MB: too much to extract within 1 s")
    assert msg.endswith(TIME_MSG)
    assert len(extract_calls) == 1  # page 1 only
    assert "label" in load_file(f, max_seconds=4).lines  # a larger time bound reads it


def test_pdf_many_content_streams_too_big_in_total(tmp_path, frozen_clock):
    """Drawing-only pages are not parsed, but what their streams decode to is bounded in total
    (pypdf keeps it in memory)."""
    streams = [graphics_ops(700_000) + b"%d" % i for i in range(10)] + [text_ops(1)]
    f = write(tmp_path / "atlas.pdf", make_pdf(streams, list(range(11))))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_seconds=3)  # 6 MB in all
    assert str(exc.value) == (
        f"the content streams of pages 1-9 unpack to 6.01 MB, more than 6 MB: too much to extract within 3 s {TIME_MSG}"
    )
    assert load_file(f, max_seconds=4).lines[-2:] == ["Line 0 of the text stream", ""]  # 8 MB in all


def test_pdf_figure_pages_are_not_parsed(tmp_path, frozen_clock, extract_calls):
    """A page without text operators gives no text without pypdf parsing it (nor the per-page cap)."""
    f = write(tmp_path / "fig.pdf", make_pdf([graphics_ops(600_000), text_ops(2)], [0, 1, 0]))
    doc = load_file(f, max_seconds=1)  # 0.25 MB per page parsed: the 0.57 MB figure is not parsed
    assert [ln for ln in doc.lines if ln] == ["Line 0 of the text stream", "Line 1 of the text stream"]
    assert {p for ln, p in zip(doc.lines, doc.pages) if ln} == {2} and len(extract_calls) == 1


# ---------------------------------------------------------------- .docx


def test_docx_many_paragraphs(tmp_path):
    """80,000 paragraphs in a ~40 KB zip (python-docx looked their style up one by one: 1-2 ms each)."""
    body = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Chapter</w:t></w:r></w:p>'
    body += "<w:p><w:r><w:t>段落</w:t></w:r></w:p><w:p/>" * 40_000
    f = write(tmp_path / "many.docx", make_docx(body))
    assert f.stat().st_size < 100_000
    doc = load_file(f)
    assert doc.lines[0] == "# Chapter" and doc.title == "Chapter"
    assert len(doc.lines) == 2 + 4 * 40_000 and doc.lines.count("段落") == 40_000


def test_docx_many_paragraphs_char_bound(tmp_path):
    """Empty paragraphs count (a line break is a character): a million of them is not free."""
    f = write(tmp_path / "empty.docx", make_docx("<w:p/>" * 30_000 + "<w:p><w:r><w:t>end</w:t></w:r></w:p>"))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=50_000)
    assert str(exc.value) == f"more than 50,000 characters of text {CHARS_MSG}; stopped at paragraph or table 25001"
    assert load_file(f, max_chars=60_005).lines[-2:] == ["end", ""]


def test_docx_time_bound(tmp_path, monkeypatch):
    f = write(tmp_path / "t.docx", make_docx("<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 100))
    with pytest.raises(LoadError, match=r"^text extraction took longer than 0 s \(limit: max_load_seconds"):
        load_file(f, max_seconds=0)
    ticks = itertools.count()
    monkeypatch.setattr(rag.load, "_now", lambda: float(next(ticks)))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_seconds=30)
    assert str(exc.value).startswith(f"text extraction took longer than 30 s {TIME_MSG}; stopped at paragraph or table")


def test_docx_zip_bomb_rejected_before_parsing(tmp_path, monkeypatch):
    f = write(tmp_path / "bomb.docx", make_docx("<w:p/>" + " " * 20_000_000))  # 20 MB of XML in a small zip
    assert f.stat().st_size < 100_000
    import docx

    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=100_000)  # 25 bytes per character: 2.4 MB + the file's own size
    msg = str(exc.value)
    assert re.match(r"its parts unpack to (19|20)\.\d+ MB \(a zip bomb\?\), more than the 2\.4\d MB allowed", msg), msg
    assert msg.endswith(f"MB allowed for 100,000 characters of text {CHARS_MSG}")


def test_docx_paragraph_text_same_as_python_docx(tmp_path):
    """The fast paragraph text equals python-docx's Paragraph.text (runs, tabs, breaks, hyperlinks) and _Cell.text."""
    import docx

    body = (
        '<w:p><w:r><w:t xml:space="preserve">a </w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t></w:r>'
        '<w:hyperlink r:id="rId99"><w:r><w:t>link</w:t></w:r><w:r><w:noBreakHyphen/><w:t>x</w:t></w:r></w:hyperlink>'
        "<w:r><w:cr/><w:t>d</w:t></w:r><w:proofErr/><w:r><w:t>e</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Sub</w:t></w:r></w:p>'
        '<w:p><w:pPr><w:pStyle w:val="NoSuchStyle"/></w:pPr><w:r><w:t>plain</w:t></w:r></w:p>'
        "<w:p><w:r><w:t>中文</w:t></w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>one</w:t><w:tab/></w:r></w:p><w:p><w:r><w:t>two</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:hyperlink><w:r><w:t> cell </w:t></w:r></w:hyperlink></w:p></w:tc></w:tr></w:tbl>"
    )
    f = write(tmp_path / "runs.docx", make_docx(body))
    d = docx.Document(str(f))
    expected = [p.text for p in d.paragraphs]
    assert expected[0] == "a \tb\nclink-x\nde"
    row = " | ".join(c.text.strip() for c in d.tables[0].rows[0].cells)
    assert row == "one\t\ntwo | cell"
    lines = load_file(f).lines
    assert lines == [expected[0], "", "## Sub", "", "plain", "", "中文", "", row, ""]


# ---------------------------------------------------------------- text and HTML


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_text_char_bound(tmp_path, encoding):
    f = write(tmp_path / "t.txt", ("一二三四五\n" * 4).encode(encoding))  # 24 characters
    assert len(load_file(f, max_chars=24).lines) == 4
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=23)
    assert str(exc.value) == f"more than 23 characters of text {CHARS_MSG}"


def test_text_time_bound(tmp_path):
    f = write(tmp_path / "t.md", b"# Title\n\nbody\n")
    with pytest.raises(LoadError, match=r"^text extraction took longer than 0 s \(limit: max_load_seconds"):
        load_file(f, max_seconds=0)


def test_html_char_bounds(tmp_path):
    text = "<html><body>" + "<p>段落文字</p>" * 10 + "</body></html>"  # 10 lines of 4 characters
    f = write(tmp_path / "p.html", text.encode("utf-8"))
    assert load_file(f, max_chars=100).lines.count("段落文字") == 10
    # the text bound, counted after parsing
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=30)
    assert str(exc.value) == f"more than 30 characters of text {CHARS_MSG}"
    # the markup bound, checked before parsing: 5 characters of HTML per character of text
    with pytest.raises(LoadError) as exc:
        load_file(f, max_chars=20)
    assert str(exc.value) == f"more than 100 characters of HTML, 5 per character of text allowed {CHARS_MSG}"


def test_html_time_bound(tmp_path):
    f = write(tmp_path / "p.htm", b"<p>hello</p>")
    with pytest.raises(LoadError, match="^text extraction took longer than 0 s"):
        load_file(f, max_seconds=0)


# ---------------------------------------------------------------- load_paths


def test_load_paths_bounds_become_file_errors(tmp_path):
    small = write(tmp_path / "a.txt", "短文。".encode())
    long = write(tmp_path / "b.txt", ("长" * 100).encode())
    pdf = write(tmp_path / "c.pdf", make_pdf([text_ops(1)], [0, 0, 0]))
    docs, errors = load_paths([tmp_path], max_pages=2, max_chars=50, max_seconds=60)
    assert [d.path for d in docs] == [str(small)]
    assert [(e.path, e.reason) for e in errors] == [
        (str(long), f"more than 50 characters of text {CHARS_MSG}"),
        (str(pdf), f"more than 2 pages {PAGES_MSG}; it has 3"),
    ]
    docs, errors = load_paths([tmp_path], max_seconds=0)
    assert docs == [] and len(errors) == 3 and all(TIME_MSG in e.reason for e in errors)
    docs, errors = load_paths([tmp_path], max_pages=None, max_chars=None, max_seconds=None)  # unbounded
    assert errors == [] and len(docs) == 3
