"""Fixtures for the HTTP API tests: a small index of inline texts (built in seconds) and the real server
(web UI + /v1, uvicorn on a free port in this process, an API key required)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.api.helpers import API_KEY, INDEX, write_docs


@pytest.fixture(scope="session")
def api_cfg(tmp_path_factory):
    """A config over the test index ``water`` in a folder private to this session."""
    from rag.config import Config
    from rag.indexer import build_index

    root = tmp_path_factory.mktemp("api")
    docs = write_docs(root)
    cfg = Config(index_dir=root / "indexes", index_name=INDEX)
    build_index([docs], cfg, progress=False)
    return cfg


@pytest.fixture(scope="session")
def api_engine(api_cfg):
    """The engine, opened and warmed up as ``rag serve`` does."""
    pytest.importorskip("gradio")
    from rag.ui.web import prepare

    return prepare(api_cfg, progress=False)


@pytest.fixture(scope="session")
def api_server(api_engine, api_cfg):
    """The server of ``rag serve`` (web UI at /, API at /v1 requiring ``API_KEY``) on a free port."""
    from rag.api.server import ServerThread, build_server_app

    app = build_server_app(api_engine, api_keys=[API_KEY])
    with ServerThread(app) as srv:
        yield SimpleNamespace(url=srv.url, v1=srv.url + "v1", engine=api_engine, cfg=api_cfg, app=app,
                              headers={"Authorization": f"Bearer {API_KEY}"})
