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
