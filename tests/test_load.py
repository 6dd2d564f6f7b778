"""Loader tests on real files written to tmp_path (no mocks): encodings, formats, bad input."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest

from rag.config import SAMPLE_CORPUS
from rag.load import SUPPORTED, FileError, LoadError, decode_text, iter_files, load_file, load_paths

ZH = "重庆市人民政府公报\n一、总体情况\n全市地区生产总值增长6.1%。\n\n二、下一步工作\n"
ZH_LINES = ["重庆市人民政府公报", "一、总体情况", "全市地区生产总值增长6.1%。", "", "二、下一步工作"]


# ---------------------------------------------------------------- helpers


def _pdf_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF: one page per entry, each line drawn in Helvetica (empty list = no text).

    Object offsets in the xref table are computed from the bytes actually written.
    """
    n = len(pages)
    font_id = 3
    page_ids = [4 + 2 * i for i in range(n)]
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: ("<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{p} 0 R" for p in page_ids), n)).encode(),
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for pid, lines in zip(page_ids, pages):
        if lines:
            ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
            for i, ln in enumerate(lines):
                ops.append(("" if i == 0 else "T* ") + f"({_pdf_escape(ln)}) Tj")
            ops.append("ET")
            stream = "\n".join(ops).encode("latin-1")
        else:
            stream = b"0.9 g 72 72 200 200 re f"  # a grey box: drawing, but no text
        objs[pid] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {pid + 1} 0 R >>"
        ).encode()
        objs[pid + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for oid in sorted(objs):
        offsets[oid] = len(out)
        out += b"%d 0 obj\n" % oid + objs[oid] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n" % size + b"0000000000 65535 f \n"
    for oid in range(1, size):
        out += b"%010d 00000 n \n" % offsets[oid]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("年度报告", level=1)
    d.add_paragraph("第一段：全年收入增长6%。")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "指标"
    table.cell(0, 1).text = "数值"
    table.cell(1, 0).text = "收入"
    table.cell(1, 1).text = "100"
    d.add_heading("Second section", level=2)
    d.add_paragraph("Closing paragraph.")
    d.save(str(path))


def load_one(path: Path, **kw) -> tuple[list, list[FileError]]:
    return load_paths([path], **kw)


def only_error(errors: list[FileError], path: Path) -> FileError:
    mine = [e for e in errors if e.path == str(path)]
    assert len(mine) == 1, errors
    e = mine[0]
    line = str(e)
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(str(path) + ": ")
    return e


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_decode_to_same_lines(tmp_path, encoding):
    f = tmp_path / f"doc-{encoding}.txt"
    f.write_bytes(ZH.encode(encoding))
    doc = load_file(f)
    assert doc.lines == ZH_LINES
    assert doc.title == "重庆市人民政府公报"
    assert "\ufeff" not in "".join(doc.lines)
    assert doc.pages is None


def test_bom_stripped_and_crlf(tmp_path):
    f = tmp_path / "crlf.txt"
    f.write_bytes(b"\xef\xbb\xbf" + ZH.replace("\n", "\r\n").encode("utf-8"))
    doc = load_file(f)
    assert doc.lines == ZH_LINES
    assert not any("\r" in ln for ln in doc.lines)
    assert doc.lines[0][0] == "重"  # no BOM in the text


def test_gb18030_only_characters(tmp_path):
    # "𠀀" (U+20000) and "€" exist in GB18030 but not in GBK
    text = "扩展字符𠀀与欧元€符号，仍是中文文本。\n"
    f = tmp_path / "ext.txt"
    f.write_bytes(text.encode("gb18030"))
    assert load_file(f).lines == ["扩展字符𠀀与欧元€符号，仍是中文文本。"]


def test_mostly_english_gbk_is_text(tmp_path):
    f = tmp_path / "en.txt"
    f.write_bytes(("This annual report was prepared by the statistics team. " * 3 + "作者：张三\n").encode("gbk"))
    doc = load_file(f)
    assert doc.lines[0].endswith("作者：张三")


def test_decode_text_direct():
    assert decode_text("中文".encode("gbk")) == "中文"
    assert decode_text(b"\xef\xbb\xbfabc") == "abc"
    with pytest.raises(LoadError, match="binary"):
        decode_text(b"abc\x00def")
    with pytest.raises(LoadError, match="undecodable"):
        decode_text(b"\x80\xff\x80\xff")


def test_ideographic_space_normalised(tmp_path):
    f = tmp_path / "s.txt"
    f.write_text("\u3000\u3000第一段正文。\u3000\n", encoding="utf-8")
    assert load_file(f).lines == ["  第一段正文。"]


# ---------------------------------------------------------------- formats


def test_markdown(tmp_path):
    f = tmp_path / "notes.md"
    f.write_text("# 标题\n\n## 小节\n\n正文内容。\n", encoding="utf-8")
    doc = load_file(f)
    assert doc.lines == ["# 标题", "", "## 小节", "", "正文内容。"]
    assert doc.title == "标题"


def test_html_headings_script_and_inline(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(
        "<!DOCTYPE html><html><head><title>页面</title><style>p{color:red}</style>"
        "<script>var secret = 'SCRIPTTEXT';</script></head><body>"
        "<h1>政府工作报告</h1>\n<p>全市<b>地区生产总值</b>增长\n  6.1%。</p>"
        "<h2>Next <em>steps</em></h2><p>Line one<br>Line two</p>"
        "<!-- COMMENTTEXT --><script>alert('SCRIPT2')</script>"
        "<table><tr><td>收入</td><td>100</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    doc = load_file(f)
    text = "\n".join(doc.lines)
    assert "# 政府工作报告" in doc.lines
    assert "## Next steps" in doc.lines
    # inline markup does not split a sentence over lines
    assert "全市地区生产总值增长 6.1%。" in doc.lines
    assert "Line one" in doc.lines and "Line two" in doc.lines
    assert "收入 100" in doc.lines
    assert "SCRIPT" not in text and "secret" not in text and "color" not in text
    assert "COMMENTTEXT" not in text
    assert doc.title == "政府工作报告"


def test_html_gbk(tmp_path):
    f = tmp_path / "gbk.htm"
    f.write_bytes("<html><body><h1>标题</h1><p>中文段落。</p></body></html>".encode("gbk"))
    assert load_file(f).lines == ["# 标题", "", "中文段落。"]


def test_docx_heading_paragraphs_table(tmp_path):
    f = tmp_path / "report.docx"
    make_docx(f)
    doc = load_file(f)
    body = [ln for ln in doc.lines if ln]
    assert body == [
        "# 年度报告",
        "第一段：全年收入增长6%。",
        "指标 | 数值",
        "收入 | 100",
        "## Second section",
        "Closing paragraph.",
    ]  # the table stays in document order, under its heading
    assert doc.title == "年度报告"
    assert doc.pages is None


def test_pdf_text_layer_and_pages(tmp_path):
    f = tmp_path / "two.pdf"
    f.write_bytes(make_pdf([["Annual Report 2024", "Revenue grew (6%) this year."], ["Page two text", "The end."]]))
    doc = load_file(f)
    assert doc.pages is not None and len(doc.pages) == len(doc.lines)
    by_page = {p: [ln for ln, q in zip(doc.lines, doc.pages) if q == p and ln] for p in set(doc.pages)}
    assert by_page == {
        1: ["Annual Report 2024", "Revenue grew (6%) this year."],
        2: ["Page two text", "The end."],
    }
    assert doc.title == "Annual Report 2024"
    assert doc.pages == sorted(doc.pages)


def test_sample_corpus():
    doc = load_file(SAMPLE_CORPUS)
    assert Path(SAMPLE_CORPUS).name == "cq-gov-gazette-2024-03.txt"
    assert doc.title == "重庆市人民政府公报"
    assert len(doc.lines) == 915
    docs, errors = load_paths(["data/cq-gov-gazette-2024-03.txt"] if Path("data").is_dir() else [SAMPLE_CORPUS])
    assert errors == [] and docs[0].lines == doc.lines


def test_doc_ids_stable_and_distinct(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("同样的内容。", encoding="utf-8")
    b.write_text("同样的内容。", encoding="utf-8")
    da, db = load_file(a), load_file(b)
    assert da.doc_id != db.doc_id and da.sha256 == db.sha256
    assert load_file(a).doc_id == da.doc_id


# ---------------------------------------------------------------- bad input: one error each, rest still loads


def _good_files(folder: Path) -> list[Path]:
    g1 = folder / "good1.txt"
    g1.write_text(ZH, encoding="utf-8")
    g2 = folder / "good2.md"
    g2.write_text("# Good\n\nmarkdown text\n", encoding="utf-8")
    return [g1, g2]


def _corrupt_docx_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "this zip is not a Word document")
    return buf.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

BAD_CASES = {
    # name: (filename, bytes, expected substring of the reason)
    "empty": ("empty.txt", b"", "empty"),
    "whitespace": ("blank.txt", b"  \n\t\n\xe3\x80\x80\r\n   ", "no text"),
    "png-as-txt": ("image.txt", PNG, "binary"),
    "random-nul": ("noise.txt", bytes(random.Random(1).randrange(256) for _ in range(600)) + b"\x00", "binary"),
    "undecodable": ("bad.txt", b"\x80\xff\x81\x30 abc \xfe\xff\x80" * 10, "undecodable"),
    "latin1": ("latin1.txt", "Grüße für Müller aus Köln".encode("latin-1"), "undecodable"),
    "xlsx": ("sheet.xlsx", _corrupt_docx_zip(), "unsupported"),
    "exe": ("tool.exe", b"MZ\x90\x00" + b"\x00" * 60, "unsupported"),
    "noext": ("README", b"plain text", "unsupported"),
    "corrupt-pdf": ("broken.pdf", bytes(random.Random(2).randrange(256) for _ in range(2000)), "corrupt"),
    "truncated-pdf": ("cut.pdf", make_pdf([["Hello world"]])[:120], "corrupt"),
    "docx-zip": ("notword.docx", _corrupt_docx_zip(), "corrupt"),
    "docx-bytes": ("plain.docx", b"this is not a zip file at all", "corrupt"),
    "pdf-no-text": ("scan.pdf", make_pdf([[]]), "no text"),
    "html-empty-body": ("empty.html", b"<html><head><script>x()</script></head><body> </body></html>", "no text"),
    "binary-html": ("bin.html", b"<html>\x00\x01\x02</html>", "binary"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_file_one_error_others_load(tmp_path, case, capsys):
    name, data, want = BAD_CASES[case]
    good = _good_files(tmp_path)
    bad = tmp_path / name
    bad.write_bytes(data)
    docs, errors = load_paths([tmp_path])
    assert len(errors) == 1, errors
    e = only_error(errors, bad)
    assert want in e.reason.lower(), e
    assert [d.path for d in docs] == [str(p) for p in good]
    assert "Traceback" not in capsys.readouterr().err


def test_pdf_no_text_mentions_scan(tmp_path):
    f = tmp_path / "scan.pdf"
    f.write_bytes(make_pdf([[], []]))
    with pytest.raises(LoadError) as exc:
        load_file(f)
    assert "no text" in str(exc.value) and "text layer" in str(exc.value)


def test_unsupported_names_type(tmp_path):
    f = tmp_path / "data.xlsx"
    f.write_bytes(b"PK\x03\x04")
    _, errors = load_one(f)
    e = only_error(errors, f)
    assert "unsupported file type '.xlsx'" in e.reason
    assert ".docx" in e.reason  # lists what is supported


def test_too_large(tmp_path):
    good = tmp_path / "small.txt"
    good.write_text("小", encoding="utf-8")  # 3 bytes
    big = tmp_path / "big.txt"
    big.write_text("大" * 200, encoding="utf-8")  # 600 bytes > 0.0001 MB (~105 bytes)
    docs, errors = load_paths([tmp_path], max_mb=0.0001)
    e = only_error(errors, big)
    assert len(errors) == 1
    assert "too large" in e.reason and "0.0001 MB" in e.reason
    assert "0.0 MB" not in e.reason  # the size itself is shown, not rounded to zero
    assert [d.path for d in docs] == [str(good)]
    # the default limit loads it
    assert load_file(big).lines == ["大" * 200]


def test_missing_path(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("ok text", encoding="utf-8")
    missing = tmp_path / "nope" / "missing.txt"
    docs, errors = load_paths([good, missing])
    e = only_error(errors, missing)
    assert "no such file" in e.reason
    assert len(errors) == 1 and [d.path for d in docs] == [str(good)]
    with pytest.raises(LoadError, match="no such file"):
        load_file(missing)


def test_all_bad_cases_together(tmp_path):
    """Every bad file in one folder: one error per bad file, every good file still loads."""
    good = _good_files(tmp_path)
    for name, data, _ in BAD_CASES.values():
        (tmp_path / name).write_bytes(data)
    docs, errors = load_paths([tmp_path])
    assert sorted(d.path for d in docs) == sorted(str(p) for p in good)
    assert len(errors) == len(BAD_CASES)
    for name, _, want in BAD_CASES.values():
        assert want in only_error(errors, tmp_path / name).reason.lower()


def test_random_garbage_never_raises(tmp_path):
    rng = random.Random(7)
    for i in range(60):
        ext = sorted(SUPPORTED)[i % len(SUPPORTED)]
        n = rng.choice([1, 5, 50, 500, 5000])
        (tmp_path / f"g{i:02d}{ext}").write_bytes(bytes(rng.randrange(256) for _ in range(n)))
    docs, errors = load_paths([tmp_path])  # must not raise
    assert len(docs) + len(errors) == 60
    for e in errors:
        assert "\n" not in str(e) and e.reason


# ---------------------------------------------------------------- folder walking


def test_folder_walk_recursive_sorted_hidden_skipped(tmp_path):
    files = {
        "b.txt": "b",
        "a.txt": "a",
        "sub/z.md": "z",
        "sub/deeper/c.txt": "c",
        "a_dir/x.txt": "x",
        ".hidden.txt": "hidden",
        ".git/config.txt": "hidden dir",
        "sub/.cache/y.txt": "hidden nested",
    }
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text + " text", encoding="utf-8")
    found, errors = iter_files([tmp_path])
    assert errors == []
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.txt", "a_dir/x.txt", "b.txt", "sub/deeper/c.txt", "sub/z.md"]
    docs, errors = load_paths([tmp_path])
    assert errors == []
    assert [Path(d.path).relative_to(tmp_path).as_posix() for d in docs] == rel
    assert not any("hidden" in ln for d in docs for ln in d.lines)


def test_explicit_files_and_folders_mixed(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "one.txt").write_text("one", encoding="utf-8")
    f = tmp_path / "two.txt"
    f.write_text("two", encoding="utf-8")
    docs, errors = load_paths([f, tmp_path / "d"])
    assert errors == []
    assert [d.lines for d in docs] == [["two"], ["one"]]  # argument order, folders expanded in place


def test_file_error_str_is_one_line():
    e = FileError("a/b.txt", "empty file")
    assert str(e) == "a/b.txt: empty file"


def test_a_first_line_that_is_a_sentence_is_no_title(tmp_path):
    # a note whose first line is a paragraph is named by its file (English answers quote the title)
    f = tmp_path / "SOURCE.md"
    f.write_text("Source: the laws were copied from a public repository, commit 2f4c5c2, byte for byte. "
                 "Laws are not protected by copyright.\n", encoding="utf-8")
    assert load_file(f).title == "SOURCE"
    g = tmp_path / "长江.txt"
    g.write_text("长江是中国第一长河。它全长6300余公里。\n", encoding="utf-8")
    assert load_file(g).title == "长江"
    h = tmp_path / "river.txt"
    h.write_text("长江\n\n长江是中国第一长河。\n", encoding="utf-8")
    assert load_file(h).title == "长江"
