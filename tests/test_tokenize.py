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
