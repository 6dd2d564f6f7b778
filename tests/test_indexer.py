"""Incremental indexing: only new/changed files are embedded, removed ones are dropped."""

from __future__ import annotations

import pytest

from rag.config import Config
from rag.indexer import IndexingError, build_index
from rag.retrieve import Retriever
from rag.store import Store


def _write(p, text):
    p.write_text(text, encoding="utf-8")


def test_incremental_reindex(tmp_path):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    _write(docs / "a.txt", "一、财政\n\n全市一般公共预算收入2441亿元，增长16%。\n")
    _write(docs / "b.md", "# 交通\n\n轨道交通18号线、9号线二期等60公里线路开通。\n")
    _write(docs / "sub" / "c.txt", "二、生态\n\n空气质量优良天数达到325天。\n")
    cfg = Config(index_dir=tmp_path / "idx", index_name="inc")
    s1 = build_index([docs], cfg, progress=False)
    assert (s1.files_indexed, s1.files_unchanged, s1.files_removed) == (3, 0, 0)
    assert s1.embedded == s1.chunks == 3

    s2 = build_index([docs], cfg, progress=False)
    assert s2.up_to_date and s2.embedded == 0

    _write(docs / "a.txt", "一、财政\n\n全市一般公共预算收入预计2587亿元，增长6%。\n")  # changed
    (docs / "b.md").unlink()  # removed
    _write(docs / "d.txt", "三、科技\n\n高新技术企业达到7565家。\n")  # new
    s3 = build_index([docs], cfg, progress=False)
    assert (s3.files_indexed, s3.files_unchanged, s3.files_removed) == (2, 1, 1)
    assert s3.embedded == 2  # c.txt's vector came from the cache

    r = Retriever.open(cfg)
    texts = [c.text for c in r.store.chunks]
    assert any("2587亿元" in t for t in texts) and not any("2441亿元" in t for t in texts)
    assert not any("60公里" in t for t in texts)
    assert "7565家" in r.search("高新技术企业有多少家？", k=1)[0].chunk.text

    s4 = build_index([], cfg, remove=[docs / "sub"], progress=False)
    assert s4.files_removed == 1 and s4.chunks == 2


def test_add_second_source_keeps_first(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    _write(a, "全市新增公办幼儿园学位1.7万个、托位4万个。")
    _write(b, "新增婴幼儿托位1.1万个。")
    cfg = Config(index_dir=tmp_path / "idx", index_name="two")
    build_index([a], cfg, progress=False)
    s = build_index([b], cfg, progress=False)
    assert s.files_unchanged == 1 and s.files_indexed == 1 and s.embedded == 1
    assert len(Store.load(cfg.index_path).manifest["files"]) == 2


def test_nothing_indexable_is_an_error_and_bad_files_are_skipped(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    cfg = Config(index_dir=tmp_path / "idx", index_name="bad")
    with pytest.raises(IndexingError, match="nothing could be indexed"):
        build_index([empty], cfg, progress=False)
    good = tmp_path / "good.txt"
    _write(good, "全市投入372亿元建设西部陆海新通道。")
    s = build_index([empty, good], cfg, progress=False)
    assert s.files_indexed == 1 and len(s.errors) == 1 and "empty" in str(s.errors[0])
