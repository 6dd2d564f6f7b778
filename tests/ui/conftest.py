"""Fixtures for the web UI tests: the app served in-process on a free port over a private index.

Each test module gets its own index (the sample corpus built into a new name in the session's index
folder, which reuses the session's embedding cache, so it takes seconds, not a minute).
"""

from __future__ import annotations

import pytest

from rag.config import SAMPLE_CORPUS
from tests.ui.helpers import free_port


@pytest.fixture(scope="module")
def ui_cfg(sample_cfg, request):
    """A config for an index private to this test module (the sample corpus, built quickly from the cache)."""
    from rag.indexer import build_index

    name = "ui_" + request.module.__name__.rsplit(".", 1)[-1]
    cfg = sample_cfg.replace(index_name=name)
    build_index([SAMPLE_CORPUS], cfg, progress=False)
    return cfg


@pytest.fixture(scope="module")
def ui_server(ui_cfg):
    """(url, engine) of the app launched in this process, warmed up like ``python app.py``."""
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    from rag.ui.web import CHAT_CONCURRENCY, build_app, launch_kwargs, prepare

    engine = prepare(ui_cfg, progress=False)
    demo = build_app(engine)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(ui_cfg))
    try:
        yield f"http://127.0.0.1:{port}/", engine
    finally:
        demo.close()
