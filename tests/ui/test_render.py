"""HTML rendering of answers, citation markers and passages."""

from __future__ import annotations

from rag.answer.types import Answer, Citation
from rag.types import Chunk, Hit
from rag.ui import render


def _hit(cid: str, text: str, score: float = 0.5) -> Hit:
    c = Chunk(cid, "d1", "公报", "data/x.txt", ["报告", "一、收入"], text, 0, len(text), 10, 12)
    return Hit(c, score, 1, 2)


def test_markers_become_links_only_for_cited_numbers():
    by_n = {1: {"chunk_id": "aa", "doc_title": "T", "section": ["S"]},
            2: {"chunk_id": "bb", "doc_title": "T", "section": []}}
    out = render.link_markers("收入<增长>[1]，支出[1, 2]；见[7]。", by_n)
    assert out.count('class="cite"') == 3 and 'href="#cite-bb"' in out
    assert "[7]" in out and "#cite-7" not in out
    assert "&lt;增长&gt;" in out  # text is escaped


def test_highlight_ignores_whitespace_and_trailing_punctuation():
    text = "第一句。\n第二句里有\n换行，还有数字2587亿元。第三句。"
    out = render.highlight(text, "第二句里有换行，还有数字2587亿元。")
    assert out.startswith("第一句。\n<mark>第二句里有\n换行，还有数字2587亿元。</mark>")
    assert render.highlight(text, "第三句") == "第一句。\n第二句里有\n换行，还有数字2587亿元。<mark>第三句</mark>。"
    assert "<mark>" not in render.highlight(text, "不存在的句子")
    assert render.highlight("<b>", "") == "&lt;b&gt;"


def test_answer_html_lists_sources_with_scores_in_the_answer_language():
    h1, h2 = _hit("c1", "收入2587亿元。其他。"), _hit("c2", "支出5862亿元。", 0.25)
    ans = Answer("What is revenue?", "en", "Revenue is 2587 [1].", False,
                 citations=[Citation.from_hit(1, h1, "收入2587亿元。")], passages=[h1, h2],
                 standalone_question="What is revenue?")
    html, records = render.answer_html(ans, show_scores=True)
    assert "Sources" in html and "score 0.5000" in html and "dense #1" in html
    assert html.count('href="#cite-c1"') == 2  # in the text and in the source list
    assert records[0]["sentence"] == "收入2587亿元。" and records[0]["score"] == 0.5
    panel = render.passage_html(records[0], "en")
    assert "<mark>收入2587亿元。</mark>" in panel and "lines 10–12" in panel and "报告" in panel


def test_refusal_shows_closest_passages():
    h = _hit("c9", "无关内容。")
    ans = Answer("火星？", "zh", "根据检索到的文档无法回答这个问题。", True, passages=[h])
    html, records = render.answer_html(ans)
    assert "最接近的段落" in html and records[0]["chunk_id"] == "c9"


def test_refusal_highlights_its_near_miss_and_a_citation_all_its_sentences():
    h1, h2 = _hit("c1", "推进绿化。青湖区公园总数达到58个。其他。"), _hit("c2", "无关内容。")
    ans = Answer("青湖区湿地公园有多少个？", "zh", "根据检索到的文档无法回答这个问题。", True, passages=[h1, h2],
                 refusal_reason={"kind": "other-kind", "term": "湿地公园", "detail": "公园",
                                 "chunk_id": "c1", "sentence": "青湖区公园总数达到58个。"})
    _, records = render.answer_html(ans)
    assert records[0]["sentence"] == "青湖区公园总数达到58个。" and records[1]["sentence"] == ""
    assert "<mark>青湖区公园总数达到58个。</mark>" in render.passage_html(records[0], "zh")

    h = _hit("c3", "余额为905亿元。按类型分，一般债务余额312亿元。其他。")
    ok = Answer("余额？", "zh", "余额为905亿元[1]；一般债务余额312亿元[1]。", False, passages=[h],
                citations=[Citation.from_hit(1, h, sentences=["余额为905亿元。", "按类型分，一般债务余额312亿元。"])])
    html, records = render.answer_html(ok)
    assert html.count('class="rag-quote"') == 2
    panel = render.passage_html(records[0], "zh")
    assert panel.count("<mark>") == 2


def test_status_text_is_not_markdown():
    """A file name in the (Markdown) status line stays text: no link, emphasis, HTML or math."""
    shown = render.md_esc("[点我](http://evil)_x_ **b** <img src=x> $$a$$ #1.txt")
    assert "[点我](" not in shown and "**" not in shown and "<img" not in shown and "$$" not in shown
    assert shown.replace("\\", "") == "[点我](http://evil)_x_ **b** &lt;img src=x&gt; $$a$$ #1.txt"
    assert render.md_esc("a\nb") == "a b"


def test_passage_panel_shows_no_server_path():
    rec = {"chunk_id": "c1", "doc_title": "报告", "doc_path": "/srv/secret/docs/a.txt", "text": "正文。"}
    assert "/srv/secret" not in render.passage_html(rec, "zh") and "a.txt" in render.passage_html(rec, "zh")
    assert "docs/a.txt" in render.passage_html(dict(rec, doc_ref="docs/a.txt"), "zh")


def test_a_refusal_lists_the_passage_of_its_near_miss_first():
    hits = [_hit(f"c{i}", f"第{i}段。") for i in range(1, 6)]
    near = {"kind": "other-kind", "term": "城镇居民", "detail": "全体居民", "chunk_id": "c4", "sentence": "第4段。"}
    ans = Answer("问？", "zh", "无法回答。", True, passages=hits, refusal_reason=near)
    records = render.answer_records(ans)
    assert [r["chunk_id"] for r in records] == ["c4", "c1", "c2"]  # the near miss, then retrieval order
    assert [r["n"] for r in records] == [4, 1, 2] and records[0]["sentences"] == ["第4段。"]
    plain = Answer("问？", "zh", "无法回答。", True, passages=hits)
    assert [r["chunk_id"] for r in render.answer_records(plain)] == ["c1", "c2", "c3"]
