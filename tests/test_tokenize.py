"""Keyword tokens: jieba's HMM glues a measure word to the next word after a number; it is split off."""

from __future__ import annotations

import pytest

from rag.tokenize import tokenize, unglue
from tests.corpus import write_docs


def test_measure_word_glued_after_a_number_is_split_off():
    assert "算力" in tokenize("加快推动云岭、星河等3个算力中心项目")
    assert "泵站" in unglue(["26", "座泵站"])
    # dictionary words that begin with a measure character stay whole
    assert unglue(["个人所得税", "项目", "条件"]) == ["个人所得税", "项目", "条件"]
    # no number before it: not a measure word
    assert unglue(["推进", "个算力"]) == ["推进", "个算力"]


# invented one-line reports; all but one speak of 项目 after a count, so only 算力 tells them apart
GLUE_DOCS = {
    "compute.txt": "新兴产业\n\n加快推动云岭、星河等3个算力中心项目，带动智能终端产业发展。\n",
    "water.txt": "水利建设\n\n新开工5个中型水库项目，完成12个灌区改造项目。\n",
    "housing.txt": "城市更新\n\n启动9个老旧小区改造项目，新建4个社区食堂项目。\n",
    "tourism.txt": "文旅发展\n\n引进7个文旅项目，新增2个旅游度假区项目。\n",
}


@pytest.fixture(scope="module")
def glue_retriever(tmp_path_factory):
    from rag.config import Config
    from rag.indexer import build_index
    from rag.retrieve import Retriever

    root = tmp_path_factory.mktemp("glue")
    docs = write_docs(root / "docs", GLUE_DOCS)
    cfg = Config(index_dir=root / "indexes", index_name="glue")
    build_index([docs], cfg, progress=False)
    return Retriever.open(cfg)


def test_glued_word_is_found_by_search(glue_retriever):
    hits = glue_retriever.search("算力项目有几个？", k=3)
    assert any("3个算力中心项目" in h.chunk.text for h in hits)
    # keywords alone find it: the index holds 算力 as a word of its own, not 个算力
    top = glue_retriever.search("算力项目有几个？", k=1, mode="bm25")
    assert top and "3个算力中心项目" in top[0].chunk.text


def test_years_of_any_century():
    """Years are 1000-2099 (an encyclopedia asks about 1368 and 1896), BC years and centuries have their own
    labels, and figures with a unit are no years."""
    from rag.tokenize import YEAR_WORD, years_in

    assert years_in("1896年第一届现代奥运会在哪座城市举行？") == ["1896"]
    assert years_in("明朝建立于1368年，秦朝建立于公元前221年，19世纪末") == ["1368", "前221", "19世纪"]
    assert years_in("in 221 BC and the 14th century; AD 618") == ["前221", "14世纪", "618"]
    assert years_in("2024年全市收入2000亿元，员工1,500人，增长20.24%") == ["2024"]
    assert years_in("，2025年计划新建多少所") == ["2025"]  # after a (normalised) full-width comma
    assert years_in("2023年和面积1896平方公里", dated_only=True) == ["2023"]
    assert YEAR_WORD.sub("", "1950年代、2023年底、公元前221年、19世纪，共12项") == "、、、，共12项"
