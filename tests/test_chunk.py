"""Chunker on the real gazette: section paths, page-break repair, size bounds, spans back to source."""

from __future__ import annotations

import pytest

from rag.chunk import chunk_document, split_sentences
from rag.config import SAMPLE_CORPUS
from rag.load import load_file
from rag.types import Document


@pytest.fixture(scope="module")
def gazette():
    return load_file(SAMPLE_CORPUS)


@pytest.fixture(scope="module")
def chunks(gazette):
    return chunk_document(gazette, target=300, overlap=1)


def _find(chunks, needle):
    hits = [c for c in chunks if needle in c.text]
    assert hits, f"no chunk contains {needle!r}"
    return hits[0]


def test_page_break_split_is_rejoined(chunks, gazette):
    # source lines 61/63: "...年初用较短时" + "间实现疫情防控平稳转段..."
    assert gazette.lines[60].endswith("年初用较短时")
    c = _find(chunks, "年初用较短时间实现疫情防控平稳转段")
    assert c.line_start <= 61 and c.line_end >= 63


def test_section_paths_follow_the_hierarchy(chunks):
    c = _find(chunks, "全市一般公共预算收入2441亿元")
    assert c.section == ["关于重庆市2023年预算执行情况和2024年预算草案的报告", "一、2023年预算执行情况",
                         "（一）一般公共预算执行情况", "1. 全市"]
    c = _find(chunks, "市级一般公共预算收入827亿元")
    assert c.section[-1] == "2. 市级"
    c = _find(chunks, "力争空气质量优良天数稳定在320天以上")
    assert c.section[0] == "重庆市人民政府工作报告"
    assert c.section[1] == "二、2024年主要任务"


def test_lead_in_heading_of_a_paragraph(chunks):
    # "(二) 坚持以科技创新推动产业创新，加快构建现代化产业体系。坚持..." : the lead sentence is a level-4 heading
    c = _find(chunks, "加快构建“416”科技创新战略布局")
    assert any(s.startswith("（二）坚持以科技创新推动产业创新") for s in c.section)


def test_bold_lead_ins_become_sub_sections_without_markers(chunks):
    c = _find(chunks, "城乡融合发展体制机制持续完善")
    assert "城乡融合发展体制机制持续完善" in c.section
    assert all("**" not in x.text for x in chunks)


def test_sizes_and_boundaries(chunks):
    assert 300 < len(chunks) < 700
    assert max(len(c.text) for c in chunks) <= 600  # never over 2x the target
    # never crosses a section: one section path per chunk, and the three reports stay apart
    titles = {c.section[0] for c in chunks if c.section}
    assert {"重庆市人民政府工作报告", "关于重庆市2023年预算执行情况和2024年预算草案的报告"} <= titles


def test_spans_map_back_to_source_lines(chunks, gazette):
    for c in chunks:
        first = c.text.split("\n")[0][:12]
        src = "".join(gazette.lines[c.line_start - 1:c.line_end]).replace(" ", "")
        assert first.replace(" ", "")[:6] in src, (c.line_start, c.text[:30])
        assert c.char_end - c.char_start == len(c.text)


def test_overlap_by_one_sentence(chunks):
    same = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.section == b.section]
    overlapping = [1 for a, b in same if b.char_start < a.char_end]
    assert len(overlapping) >= 0.8 * len(same)


def test_front_matter_is_flagged(chunks):
    masthead = [c for c in chunks if "GAZETTE OF CHONGQING" in c.text or "印刷单位" in c.text]
    assert masthead and all(c.front_matter for c in masthead)
    assert not _find(chunks, "全市一般公共预算收入2441亿元").front_matter


def test_stable_ids(gazette):
    a = [c.chunk_id for c in chunk_document(gazette)]
    b = [c.chunk_id for c in chunk_document(gazette)]
    assert a == b and len(set(a)) == len(a)


def test_sentence_split_respects_quotes_and_brackets():
    s = "实施“贯通协同。数字监督”三大工程（含试点。）；推进改革！好"
    assert [s[a:b] for a, b in split_sentences(s)] == ["实施“贯通协同。数字监督”三大工程（含试点。）；", "推进改革！", "好"]


def test_markdown_and_numbered_headings():
    lines = ["# 总则", "", "## 第一章 适用范围", "", "本办法适用于全市。", "", "（1）第一项要求", "", "内容一。",
             "", "第二条 具体规定。", "", "内容二。"]
    doc = Document("d", "x.md", "总则", lines, "0")
    got = [(c.section, c.text) for c in chunk_document(doc)]
    assert got[0] == (["总则", "第一章 适用范围"], "本办法适用于全市。")
    assert got[1] == (["总则", "第一章 适用范围", "（1）第一项要求"], "内容一。")
    assert got[2][0][-1] == "第二条 具体规定"


def test_long_sentence_is_cut_below_twice_the_target():
    text = "，".join(["全市投入资金一百亿元支持项目建设"] * 60) + "。"
    doc = Document("d", "x.txt", "t", [text], "0")
    cs = chunk_document(doc, target=100)
    assert len(cs) > 5 and max(len(c.text) for c in cs) <= 200
    assert "".join(c.text for c in cs).count("全市投入") >= 60


def test_running_headers_and_page_numbers_dropped():
    body = "这是一个很长的句子，用来模拟公报正文中被分页打断的情况，内容继续"
    lines = ["重庆市人民政府公报", "", body, "", "- 12 -", "", "重庆市人民政府公报", "", "写完了。", "",
             "重庆市人民政府公报", "", "另一段。"]
    doc = Document("d", "x.txt", "t", lines, "0")
    texts = [c.text for c in chunk_document(doc)]
    assert any(body + "写完了。" in t for t in texts)
    assert not any("- 12 -" in t for t in texts)
