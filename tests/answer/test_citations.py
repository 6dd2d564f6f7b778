"""Citation verification, number rendering, language detection, follow-up rewriting (pure functions)."""

from __future__ import annotations

from rag.answer.citations import verify
from rag.answer.lang import detect_lang
from rag.answer.numbers import render, render_all
from rag.answer.rewrite import is_follow_up, rewrite


def test_dangling_citations_removed_and_numbers_checked():
    passages = ["全市一般公共预算收入428亿元，增长7.3%。", "市级一般公共预算收入157亿元，增长9.6%。"]
    text, cited, unsupported = verify("全市收入428亿元[1]。市级收入157亿元[2]，增长10%[2]。另见[3][0]。", passages)
    assert "[3]" not in text and "[0]" not in text
    assert cited == [1, 2]
    assert unsupported == ["市级收入157亿元[2]，增长10%[2]。"]


def test_number_cited_from_the_wrong_passage_is_unsupported():
    passages = ["收入428亿元。", "收入157亿元。"]
    _, _, unsupported = verify("收入157亿元[1]。", passages)
    assert unsupported
    _, _, unsupported = verify("收入157亿元[2]。", passages)
    assert unsupported == []


def test_english_renderings_are_accepted():
    passages = ["地区生产总值达到12586.4亿元，城镇新增就业4.9万人。"]
    _, _, unsupported = verify("GDP reached 1.26 trillion yuan (12586.4亿元) [1]. Jobs: 49,000 [1].", passages)
    assert unsupported == []
    _, _, unsupported = verify("GDP reached 1.27 trillion yuan [1]. Jobs: 59,000 [1].", passages)
    assert unsupported  # a rendering of no figure of the passage


def test_render_keeps_the_original_figure():
    assert render("12586.4亿元") == "1.26 trillion yuan (12586.4亿元)"
    assert render("426亿元") == "42.6 billion yuan (426亿元)"
    assert render_all("城镇新增就业4.9万人") == "城镇新增就业4.9万人 (49,000 people)"
    # measure words stay whole; the next word is never swallowed
    assert render_all("接待游客2318万人次") == "接待游客2318万人次 (23,180,000 person-times)"
    assert render_all("经济总量突破2万亿元大关") == "经济总量突破2万亿元 (2 trillion yuan) 大关"
    assert render_all("营收18,765万元") == "营收18,765万元 (187.65 million yuan)"  # the whole number


def test_language_detection():
    assert detect_lang("2025年的计划呢？") == "zh"
    assert detect_lang("How fast did retail sales grow in 2022?") == "en"
    assert detect_lang("How many pocket parks (口袋公园) were built?") == "en"
    assert detect_lang("2025年CPI涨幅控制在多少？") == "zh"


def test_follow_up_rewriting():
    hist = [("2023年全市森林覆盖率是多少？", "56.2%[1]。")]
    assert is_follow_up("那2024年的目标呢？") and not is_follow_up("2024年全市粮食产量目标是多少？")
    assert rewrite("那2024年的目标呢？", hist).startswith("2024年全市森林覆盖率")
    # scopes come from the domain profile (gov-report: 全市 / 市级); the general profile has none
    from rag.profile import load_profile

    gov = load_profile("gov-report")
    assert rewrite("and the municipal level?", [("What was city-wide education spending in 2023?", "")], gov) \
        .startswith("What was municipal-level education spending in 2023?")
    assert rewrite("那市级呢？", [("2023年全市教育支出是多少？", "")], gov).startswith("2023年市级教育支出")
    assert rewrite("那市级呢？", [("2023年全市教育支出是多少？", "")]).startswith("2023年全市教育支出")
    assert rewrite("新问题：2024年卫生健康支出是多少？", []) == "新问题：2024年卫生健康支出是多少？"
