"""Shared fixtures. The sample-corpus index is built once per test session with the real embedder."""

from __future__ import annotations

import pytest

from rag.config import SAMPLE_CORPUS, Config


@pytest.fixture(scope="session")
def sample_cfg(tmp_path_factory) -> Config:
    """A config whose index folder is private to this test session; the index is built once."""
    from rag.indexer import build_index

    cfg = Config(index_dir=tmp_path_factory.mktemp("indexes"), index_name="sample")
    build_index([SAMPLE_CORPUS], cfg, progress=False)
    return cfg


@pytest.fixture(scope="session")
def retriever(sample_cfg):
    from rag.retrieve import Retriever

    return Retriever.open(sample_cfg)


# fixtures that build the whole sample-corpus index, start a server or a model: tests using them are slow
SLOW_FIXTURES = frozenset({"sample_cfg", "retriever", "ui_cfg", "ui_server", "llama_servers", "gguf_path",
                           "api_cfg", "api_engine", "api_server"})
# modules that run real servers, browsers, several processes or big generated files throughout
SLOW_MODULES = frozenset({"test_browser", "test_client", "test_embed_st", "test_packaging", "test_llm",
                          "test_milvus", "test_startup"})


def pytest_collection_modifyitems(config, items):
    """``pytest`` runs the fast suite (the default, see pyproject.toml); ``pytest -m slow`` the tests that
    build the sample index or start servers, browsers and models; ``.ci/run`` runs both."""
    for item in items:
        module = getattr(item, "module", None)
        name = module.__name__.rsplit(".", 1)[-1] if module else ""
        if name in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
