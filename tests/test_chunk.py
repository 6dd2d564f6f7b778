"""Chunker: section paths, page-break repair, bold and lead-in headings, front matter and size bounds on an
invented gazette (every line made up, laid out like the bundled sample); size, span, overlap and id
invariants on both the invented gazette and the real sample (those tests are about the sample: they check
the chunker on the bundled corpus as a whole, and quote none of its text)."""

from __future__ import annotations

import pytest

from rag.chunk import chunk_document, split_sentences
from rag.config import SAMPLE_CORPUS
from rag.load import load_file
from rag.types import Document

WORK_TITLE = "江岚市人民政府工作报告"
BUDGET_TITLE = "关于江岚市2023年财政预算执行情况与2024年财政预算草案的报告"
# an invented gazette issue: masthead and contents, a running header and page numbers at each page break
# (one of them cuts a sentence: "重大" | "工程"), bold lead-ins, a lead-in heading, numbered sections
GAZETTE = f"""江岚市人民政府公报

2024

第2期（总第118期）

江岚市人民政府公报

2024 年第 2 期

江岚市人民政府办公厅 编

2024 年 2 月 20 日 出版

目 录

{WORK_TITLE}\t(1)
{BUDGET_TITLE}\t(9)

GAZETTE OF JIANGLAN CITY

Issue 118 (No. 2 of 2024), issued 20 February 2024

{WORK_TITLE}

——2024年1月18日在江岚市第三届人民代表大会第四次会议上

市长  林远舟

各位代表：

现在，受市人民政府委托，向大会作政府工作报告，请各位代表审议。

一、2023年主要工作

过去一年，面对外部需求收缩和房地产市场调整带来的多重压力，全市上下坚定信心、真抓实干，全年地区生产总值达到4862.3亿元、增长5.7%，新开工重大项目148个，经济运行回升向好。

**营商环境持续优化**，“一网通办”事项扩展到1200项，新设经营主体2.6万户，实际使用外资3.6亿美元。**公共服务更加均衡**，新增普惠性幼儿园学位6200个，全年城镇新增就业4.9万人，基本医疗保险参保率保持在96.5%。

这一年，我们坚持项目为王，把扩大有效投资作为稳增长的关键一招，全市固定资产投资完成2380亿元，其中工业投资增长12.4%，一批打基础、利长远的重大

- 2 -

江岚市人民政府公报

工程集中开工，滨江大道三期、城北污水处理厂扩建等项目按期建成投用，城市功能品质持续提升。

二、2024年重点工作

今年的主要预期目标为：地区生产总值增长5.5%左右，城镇新增就业5.2万人以上，居民收入增长与经济增长同步。

（一）坚持创新驱动，加快培育新兴产业集群。坚持把算力产业作为主攻方向，加快推动云岭、星河等3个算力中心项目，带动数据标注、智能终端等产业协同发展，力争算力产业规模增长10%以上。

（二）坚持民生优先，持续增进人民福祉。新建口袋公园30个，改造老旧小区120个，新增托育机构托位2000个，让市民生活更加便利。

- 3 -

江岚市人民政府公报

{BUDGET_TITLE}

一、2023年财政预算执行情况

（一）一般公共预算收支情况

1. 全市

全市一般公共预算收入428亿元，增长7.3%，完成预算的101.2%。其中，税收收入302亿元，增长6.8%；非税收入126亿元。全市一般公共预算支出865亿元，增长4.1%。

2. 市级

市级一般公共预算收入157亿元，增长9.6%。其中，税收收入98亿元。市级一般公共预算支出214亿元。

二、2024年财政预算草案

全市一般公共预算收入预计455亿元，增长6.3%。市级一般公共预算收入预计166亿元，增长5.7%。

各位代表！做好今年的财政工作，任务艰巨、责任重大。我们将在市委的坚强领导下，自觉接受市人大的监督和市政协的民主监督，坚持过紧日子，把有限的财力用在发展紧要处、民生急需上。我们将严格预算执行，硬化预算约束，未列入预算的支出一律不得安排，确需追加的事项按程序报批并向社会公开。我们将强化绩效管理，把绩效评价结果同预算安排和政策调整挂钩，让每一笔资金都花出实效。我们将防范化解风险，守牢基层“三保”底线，稳妥处置存量债务，不新增隐性债务，以财政工作的新成效为全市经济社会高质量发展提供坚实保障，为建设现代化新江岚作出新的更大贡献！

主管单位：江岚市人民政府

主办单位：江岚市人民政府办公厅

编辑出版：江岚市人民政府公报编辑部

地 址：江岚市滨江区人民大道 18 号

邮政编码：300102

发行范围：公开发行

联系电话：(0123) 5550123

网 址：www.jianglan.example.cn

印刷单位：江岚日报印务中心
"""


@pytest.fixture(scope="module")
def gazette(tmp_path_factory):
    path = tmp_path_factory.mktemp("gazette") / "jianglan-gazette-2024-02.txt"
    path.write_text(GAZETTE, encoding="utf-8")
    return load_file(path)


@pytest.fixture(scope="module")
def chunks(gazette):
    return chunk_document(gazette, target=300, overlap=1)


@pytest.fixture(scope="module")
def sample_gazette():
    return load_file(SAMPLE_CORPUS)


@pytest.fixture(scope="module")
def sample_chunks(sample_gazette):
    return chunk_document(sample_gazette, target=300, overlap=1)


@pytest.fixture(params=["invented", "sample"])
def doc_and_chunks(request):
    """Each gazette with its chunks (target 300, overlap 1): the invariants hold on both."""
    if request.param == "invented":
        return request.getfixturevalue("gazette"), request.getfixturevalue("chunks")
    return request.getfixturevalue("sample_gazette"), request.getfixturevalue("sample_chunks")


def _find(chunks, needle):
    hits = [c for c in chunks if needle in c.text]
    assert hits, f"no chunk contains {needle!r}"
    return hits[0]


def test_page_break_split_is_rejoined(chunks, gazette):
    # "…利长远的重大" + page number + running header + "工程集中开工…"
    cut = next(i for i, ln in enumerate(gazette.lines, 1) if ln.endswith("利长远的重大"))
    rest = next(i for i, ln in enumerate(gazette.lines, 1) if ln.startswith("工程集中开工"))
    assert rest > cut + 2
    c = _find(chunks, "利长远的重大工程集中开工")
    assert c.line_start <= cut and c.line_end >= rest
    assert not any("- 2 -" in x.text for x in chunks)


def test_section_paths_follow_the_hierarchy(chunks):
    c = _find(chunks, "全市一般公共预算收入428亿元")
    assert c.section == [BUDGET_TITLE, "一、2023年财政预算执行情况", "（一）一般公共预算收支情况", "1. 全市"]
    c = _find(chunks, "市级一般公共预算收入157亿元")
    assert c.section[-1] == "2. 市级"
    c = _find(chunks, "全市一般公共预算收入预计455亿元")
    assert c.section == [BUDGET_TITLE, "二、2024年财政预算草案"]  # a new 一、-level heading ends （一） and 1.
    c = _find(chunks, "地区生产总值增长5.5%左右")
    assert c.section[0] == WORK_TITLE
    assert c.section[1] == "二、2024年重点工作"


def test_lead_in_heading_of_a_paragraph(chunks):
    # "（一）坚持创新驱动，加快培育新兴产业集群。坚持…": the lead sentence is a level-4 heading
    c = _find(chunks, "3个算力中心项目")
    assert any(s.startswith("（一）坚持创新驱动") for s in c.section)
    # the next lead-in replaces it
    c = _find(chunks, "新建口袋公园30个")
    assert any(s.startswith("（二）坚持民生优先") for s in c.section)
    assert not any(s.startswith("（一）") for s in c.section)


def test_bold_lead_ins_become_sub_sections_without_markers(chunks):
    c = _find(chunks, "“一网通办”事项扩展到1200项")
    assert "营商环境持续优化" in c.section
    c = _find(chunks, "新增普惠性幼儿园学位6200个")
    assert "公共服务更加均衡" in c.section and "营商环境持续优化" not in c.section
    assert all("**" not in x.text for x in chunks)


def test_sizes_and_boundaries(gazette):
    small = chunk_document(gazette, target=120, overlap=1)
    assert 10 < len(small) < 40
    assert max(len(c.text) for c in small) <= 240  # never over 2x the target
    # never crosses a section: the two reports stay apart, and so do the 全市 and 市级 sections
    assert {c.section[0] for c in small if c.section} >= {WORK_TITLE, BUDGET_TITLE}
    assert not any("428亿元" in c.text and "157亿元" in c.text for c in small)


def test_sizes_and_boundaries_on_the_sample(sample_chunks):
    assert 300 < len(sample_chunks) < 700
    assert max(len(c.text) for c in sample_chunks) <= 600  # never over 2x the target
    # the sample's three reports (a work report, a plan report and a budget report) stay apart
    reports = {c.section[0] for c in sample_chunks if c.section and c.section[0].endswith("报告")}
    assert len(reports) >= 3


def test_spans_map_back_to_source_lines(doc_and_chunks):
    gazette, chunks = doc_and_chunks
    for c in chunks:
        first = c.text.split("\n")[0][:12]
        src = "".join(gazette.lines[c.line_start - 1:c.line_end]).replace(" ", "")
        assert first.replace(" ", "")[:6] in src, (c.line_start, c.text[:30])
        assert c.char_end - c.char_start == len(c.text)


def test_overlap_by_one_sentence(doc_and_chunks):
    _, chunks = doc_and_chunks
    same = [(a, b) for a, b in zip(chunks, chunks[1:]) if a.section == b.section]
    overlapping = [1 for a, b in same if b.char_start < a.char_end]
    assert len(overlapping) >= 0.8 * len(same)


def test_overlap_on_a_long_section(gazette):
    small = chunk_document(gazette, target=120, overlap=1)
    same = [(a, b) for a, b in zip(small, small[1:]) if a.section == b.section]
    assert same and all(b.char_start < a.char_end for a, b in same)


def test_front_matter_is_flagged(chunks):
    masthead = [c for c in chunks if "GAZETTE OF JIANGLAN" in c.text or "印刷单位" in c.text]
    assert masthead and all(c.front_matter for c in masthead)
    assert not _find(chunks, "全市一般公共预算收入428亿元").front_matter
    assert not _find(chunks, "利长远的重大工程集中开工").front_matter


def test_stable_ids(doc_and_chunks):
    gazette, _ = doc_and_chunks
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


def test_an_initial_or_a_title_does_not_end_a_sentence():
    s = "该计划由William and Flora Hewlett Foundation、Andrew W. Mellon Foundation共同主持。笔名S.G. Tallentyre。Dr. Li讲话。"
    assert [s[a:b] for a, b in split_sentences(s)] == [
        "该计划由William and Flora Hewlett Foundation、Andrew W. Mellon Foundation共同主持。",
        "笔名S.G. Tallentyre。", "Dr. Li讲话。"]
    s = "He wrote it. Then he left."  # after a word, a full stop still ends a sentence
    assert [s[a:b] for a, b in split_sentences(s)] == ["He wrote it. ", "Then he left."]


def test_long_sentence_is_cut_below_twice_the_target():
    text = "，".join(["全市投入资金一百亿元支持项目建设"] * 60) + "。"
    doc = Document("d", "x.txt", "t", [text], "0")
    cs = chunk_document(doc, target=100)
    assert len(cs) > 5 and max(len(c.text) for c in cs) <= 200
    assert "".join(c.text for c in cs).count("全市投入") >= 60


def test_running_headers_and_page_numbers_dropped():
    body = "这是一个很长的句子，用来模拟公报正文中被分页打断的情况，内容继续"
    lines = ["江岚市人民政府公报", "", body, "", "- 12 -", "", "江岚市人民政府公报", "", "写完了。", "",
             "江岚市人民政府公报", "", "另一段。"]
    doc = Document("d", "x.txt", "t", lines, "0")
    texts = [c.text for c in chunk_document(doc)]
    assert any(body + "写完了。" in t for t in texts)
    assert not any("- 12 -" in t for t in texts)


def test_a_statutes_articles_and_their_items_stay_in_the_text():
    """A short article (no comma) is a statement, not a title: it names its section and stays in the text;
    the items （一）（二） of an article belong to it (were: pure headings, in no chunk's text at all)."""
    lines = ["某某保护条例", "", "第一章 总则", "", "第一条 本条例保护湿地。", "", "第二条 有下列情形之一的，处一万元罚款:",
             "", "（一）擅自开垦湿地的；", "", "（二）排放污水的。", "", "第三条 本条例自2030年1月1日起施行。"]
    doc = Document("d", "x.md", "某某保护条例", lines, "0")
    got = [(c.section[1:], c.text) for c in chunk_document(doc)]
    text = "\n".join(t for _, t in got)
    for line in lines[4:]:
        assert not line or line in text
    second = next((s, t) for s, t in got if "（一）擅自开垦湿地的；" in t)
    assert second[0] == ["第一章 总则", "第二条 有下列情形之一的"] and "（二）排放污水的。" in second[1]
    assert any(s[-1] == "第三条 本条例自2030年1月1日起施行" for s, _ in got)


def test_headings_after_an_article_still_head_their_sections():
    """Only item markers （一）, 1., （1） inside an article are its text: a Markdown 节 heading or an 一、 heading after
    an article starts its own section (was: swallowed into the article's text, the section path gone stale)."""
    lines = ["## 第二章 车辆", "", "### 第一节 机动车", "", "第八条 国家对机动车实行登记制度。", "",
             "### 第二节 驾驶人", "", "第十九条 驾驶机动车，应当依法取得机动车驾驶证。", "",
             "二、合同的订立", "", "第二十条 当事人订立合同，应当遵守法律。"]
    doc = Document("d", "x.md", "某法", lines, "0")
    got = [(c.section, c.text) for c in chunk_document(doc)]
    nineteen = next((s, t) for s, t in got if "第十九条" in t)
    assert nineteen[0][-2:] == ["第二节 驾驶人", "第十九条 驾驶机动车"] and "第二节" not in nineteen[1]
    twenty = next((s, t) for s, t in got if "第二十条" in t)
    assert "二、合同的订立" in twenty[0] and "二、合同的订立" not in twenty[1]
    assert not any("### " in t for _, t in got)


def test_a_numbered_line_of_two_sentences_keeps_the_second_in_the_text():
    doc = Document("d", "x.txt", "t", ["（一）经济运行稳中向好。全区生产总值增长5%。"], "0")
    assert any("全区生产总值增长5%。" in c.text for c in chunk_document(doc))
