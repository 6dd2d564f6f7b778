"""First start without the default index: the server answers at once, builds the index in a background
job (``/v1`` says 503 for it meanwhile, ``GET /v1/jobs`` shows the job), then serves it. The sample corpus
is replaced by the small test text, and the build is held until the test has looked."""

from __future__ import annotations

import threading
import time

import pytest

from tests.api.helpers import FIGURE, ZH_QUESTION, write_docs

httpx = pytest.importorskip("httpx")
pytest.importorskip("gradio")


def test_default_index_built_in_the_background(tmp_path, monkeypatch):
    import rag.indexer
    from rag.api.jobs import Jobs
    from rag.api.server import ServerThread, build_server_app, open_engine
    from rag.config import Config

    sample = write_docs(tmp_path) / "qingliu-water.txt"
    real_build = rag.indexer.build_index
    release = threading.Event()

    def held_build(paths, cfg, **kw):
        assert release.wait(60)
        return real_build([sample], cfg, **kw)

    monkeypatch.setattr(rag.indexer, "build_index", held_build)
    cfg = Config(index_dir=tmp_path / "indexes")  # index "default", not built
    jobs = Jobs()
    engine = open_engine(cfg, jobs, progress=False)
    with ServerThread(build_server_app(engine, jobs=jobs)) as srv:
        v1 = srv.url + "v1"
        r = httpx.post(v1 + "/search", json={"query": "污水"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "index_building"
        assert r.headers["retry-after"] == "5"
        chat = httpx.post(v1 + "/chat/completions", json={"messages": [{"role": "user", "content": ZH_QUESTION}]})
        assert chat.status_code == 503
        job = httpx.get(v1 + "/jobs").json()["data"][0]
        assert job["kind"] == "build" and job["index"] == "default" and job["status"] == "running"
        assert httpx.get(srv.url).status_code == 200  # the web UI is up meanwhile
        release.set()
        deadline = time.time() + 120
        while time.time() < deadline:
            job = httpx.get(v1 + f"/jobs/{job['id']}").json()
            if job["status"] != "running":
                break
            time.sleep(0.2)
        assert job["status"] == "done", job
        r = httpx.post(v1 + "/chat/completions", json={"messages": [{"role": "user", "content": ZH_QUESTION}]})
        assert r.status_code == 200 and FIGURE in r.json()["choices"][0]["message"]["content"]
    jobs.close()
