"""Keyword tokens: jieba's HMM glues a measure word to the next word after a number; it is split off."""

from __future__ import annotations

from rag.tokenize import tokenize, unglue


def test_measure_word_glued_after_a_number_is_split_off():
    assert "晶圆" in tokenize("加快推动安意法、芯联等6个晶圆项目")
    assert "国控" in unglue(["74", "个国控"])
    # dictionary words that begin with a measure character stay whole
    assert unglue(["个人所得税", "项目", "条件"]) == ["个人所得税", "项目", "条件"]
    # no number before it: not a measure word
    assert unglue(["推进", "个晶圆"]) == ["推进", "个晶圆"]


def test_glued_word_is_found_by_search(retriever):
    hits = retriever.search("晶圆项目有几个？", k=3)
    assert any("6个晶圆项目" in h.chunk.text for h in hits)


def test_years_of_any_century():
    """Years are 1000-2099 (an encyclopedia asks about 1368 and 1896), BC years and centuries have their own
    labels, and figures with a unit are no years."""
    from rag.tokenize import YEAR_WORD, years_in

    assert years_in("1896年第一届现代奥运会在哪座城市举行？") == ["1896"]
    assert years_in("明朝建立于1368年，秦朝建立于公元前221年，19世纪末") == ["1368", "前221", "19世纪"]
    assert years_in("in 221 BC and the 14th century; AD 618") == ["前221", "14世纪", "618"]
    assert years_in("2024年全市收入2000亿元，员工1,500人，增长20.24%") == ["2024"]
    assert years_in("，2024年要新培育多少家") == ["2024"]  # after a (normalised) full-width comma
    assert years_in("2023年和面积1896平方公里", dated_only=True) == ["2023"]
    assert YEAR_WORD.sub("", "1950年代、2023年底、公元前221年、19世纪，共12项") == "、、、，共12项"
