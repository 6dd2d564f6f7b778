"""Citation verification, number rendering, language detection, follow-up rewriting (pure functions)."""

from __future__ import annotations

from rag.answer.citations import verify
from rag.answer.lang import detect_lang
from rag.answer.numbers import render, render_all
from rag.answer.rewrite import is_follow_up, rewrite


def test_dangling_citations_removed_and_numbers_checked():
    passages = ["全市一般公共预算收入2441亿元，增长16%。", "市级一般公共预算收入827亿元，增长21.5%。"]
    text, cited, unsupported = verify("全市收入2441亿元[1]。市级收入827亿元[2]，增长22%[2]。另见[3][0]。", passages)
    assert "[3]" not in text and "[0]" not in text
    assert cited == [1, 2]
    assert unsupported == ["市级收入827亿元[2]，增长22%[2]。"]


def test_number_cited_from_the_wrong_passage_is_unsupported():
    passages = ["收入2441亿元。", "收入827亿元。"]
    _, _, unsupported = verify("收入827亿元[1]。", passages)
    assert unsupported


def test_english_renderings_are_accepted():
    passages = ["地区生产总值达到30145.79亿元，新增就业73.9万人。"]
    _, _, unsupported = verify("GDP reached 3.01 trillion yuan (30145.79亿元) [1]. Jobs: 739,000 [1].", passages)
    assert unsupported == []


def test_render_keeps_the_original_figure():
    assert render("30145.79亿元") == "3.01 trillion yuan (30145.79亿元)"
    assert render("683亿元") == "68.3 billion yuan (683亿元)"
    assert render_all("新增就业73.9万人") == "新增就业73.9万人 (739,000 people)"
    # measure words stay whole; the next word is never swallowed
    assert render_all("接待4466万人次") == "接待4466万人次 (44,660,000 person-times)"
    assert render_all("迈上3万亿元新台阶") == "迈上3万亿元 (3 trillion yuan) 新台阶"
    assert render_all("营收22,392万元") == "营收22,392万元 (223.92 million yuan)"  # the whole number


def test_language_detection():
    assert detect_lang("2024年的目标呢？") == "zh"
    assert detect_lang("What was GDP growth in 2023?") == "en"
    assert detect_lang("How many high-tech enterprises (高新技术企业) were there?") == "en"
    assert detect_lang("2024年GDP增长目标是多少？") == "zh"


def test_follow_up_rewriting():
    hist = [("2023年空气质量优良天数是多少天？", "325天[1]。")]
    assert is_follow_up("那2024年的目标呢？") and not is_follow_up("2024年全市一般公共预算收入预计是多少？")
    assert rewrite("那2024年的目标呢？", hist).startswith("2024年空气质量优良天数")
    # scopes come from the domain profile (gov-report: 全市 / 市级); the general profile has none
    from rag.profile import load_profile

    gov = load_profile("gov-report")
    assert rewrite("and the municipal level?", [("What was city-wide revenue in 2023?", "")], gov) \
        .startswith("What was municipal-level revenue in 2023?")
    assert rewrite("那市级呢？", [("2023年全市一般公共预算收入是多少？", "")], gov).startswith("2023年市级一般公共预算收入")
    assert rewrite("那市级呢？", [("2023年全市一般公共预算收入是多少？", "")]).startswith("2023年全市一般公共预算收入")
    assert rewrite("新问题：2024年教育支出是多少？", []) == "新问题：2024年教育支出是多少？"
