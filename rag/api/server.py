"""One server for the web UI and the HTTP API: a FastAPI app with the ``/v1`` routes
(:func:`rag.api.app.build_api`) and the Gradio Blocks of :func:`rag.ui.web.build_app` mounted at ``/``
(its login, ``--auth``, throttled by :class:`rag.ui.web.LoginThrottle`), run by uvicorn.

``serve(cfg, ...)`` is ``rag serve`` / ``python app.py``. When the default index does not exist yet, the
server starts at once and builds it from the sample corpus in a background job (``/v1`` answers 503 for
it meanwhile); any other index is opened and warmed up before the server starts, as the web UI did.
:class:`ServerThread` runs an app on a free port in a thread (tests and benchmarks)::

    with ServerThread(build_server_app(engine)) as srv:      # doctest: +SKIP
        httpx.post(srv.url + "v1/search", json={"query": "预算"})
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time

from rag.api import MAX_PENDING_JOBS, api_access
from rag.api.jobs import Jobs
from rag.config import Config

GRACEFUL_SHUTDOWN_S = 3


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on ``host:port`` (port 0: a free one); OSError if it can't be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def open_engine(cfg: Config, jobs: Jobs, progress: bool = True):
    """The engine over ``cfg``'s indexes, warmed up; a missing default index is built by a job of ``jobs``."""
    from rag.ui.web import prepare

    target = cfg.index_path
    if cfg.index_name == "default" and not (target.exists() or target.is_symlink()):
        from rag.embed import get_embedder
        from rag.indexer import ensure_default_index
        from rag.ui.engine import Engine

        get_embedder(cfg.embedder, cfg.threads)  # a bad --embedder fails now, not in the job
        engine = Engine(cfg)

        def build(report):
            report(0.05, "building the default index from the sample corpus")
            t0 = time.perf_counter()
            # no progress bar: Gradio patches tqdm once the app is mounted, which breaks a bar started before
            ensure_default_index(cfg, progress=False)
            report(0.9, "warming up")
            engine.warm()
            if progress:
                print(f"index '{cfg.index_name}' built and ready ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            return {"index": cfg.index_name}

        jobs.submit("build", cfg.index_name, build, creates=True)
        return engine
    return prepare(cfg, progress=progress)


def build_server_app(engine, lang: str = "zh", auth: list[tuple[str, str]] | None = None,
                     api_keys: list[str] | tuple = (), host: str = "127.0.0.1", port: int = 7860,
                     jobs: Jobs | None = None, concurrency: int | None = None):
    """The FastAPI app: ``/v1`` (guarded by ``api_keys`` as :func:`rag.api.api_access` says for ``host``),
    ``/docs``, and the web UI at ``/`` (behind a throttled login when ``auth`` is given)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from rag.api.app import build_api
    from rag.ui.web import CHAT_CONCURRENCY, LoginThrottle, build_app, launch_kwargs

    keys = list(api_keys or [])
    app = build_api(engine, keys, api_access(host, keys), host, jobs, concurrency)
    demo = build_app(engine, lang=lang)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    gr.mount_gradio_app(app, demo, path="/", auth=LoginThrottle(auth).check if auth else None,
                        server_name=host, server_port=port, **launch_kwargs(engine.cfg))
    app.state.demo = demo
    return app


def _uvicorn_server(app):
    import uvicorn

    return uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
                                         server_header=False))


def serve(cfg: Config, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, lang: str = "zh",
          api_keys: list[str] | None = None) -> None:
    """Serve the web UI and the API until interrupted. ``auth``: ``user:password`` (else env ``RAG_AUTH``);
    ``api_keys``: the keys ``/v1`` accepts. OSError when the address can't be bound."""
    from rag.ui.web import parse_auth

    auth_list = parse_auth(auth if auth is not None else os.environ.get("RAG_AUTH"))
    keys = list(api_keys or [])
    sock = bind(host, port)  # before the slow start-up: a port in use is reported at once
    jobs = Jobs(MAX_PENDING_JOBS)
    try:
        engine = open_engine(cfg, jobs)
        app = build_server_app(engine, lang, auth_list, keys, host, port, jobs)
        shown = f"[{host}]" if ":" in host else host
        access = api_access(host, keys)
        print(f"rag serve: web UI http://{shown}:{port}/ · API http://{shown}:{port}/v1 (docs /docs)", file=sys.stderr)
        if access == "keys":
            print(f"  /v1 requires an API key ({len(keys)} configured)", file=sys.stderr)
        elif access == "open":
            print("  /v1 is open to this machine only (no API key set)", file=sys.stderr)
        else:
            print(f"  WARNING: /v1 is OFF: {host} is reachable from other machines and no API key is set; "
                  "start with --api-key KEY (or RAG_API_KEYS) to serve the API", file=sys.stderr)
        if jobs.building(cfg.index_name):
            print(f"  building index '{cfg.index_name}' in the background (about a minute; /v1 answers 503 "
                  "for it meanwhile)", file=sys.stderr)
        _uvicorn_server(app).run(sockets=[sock])
    finally:
        jobs.close()
        sock.close()


class ServerThread:
    """``app`` served by uvicorn in a daemon thread on ``host`` and a free port (tests, benchmarks);
    ``url`` ends with "/". A context manager: stopped on exit."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.sock = bind(host, port)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}/"
        self.server = _uvicorn_server(app)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
                                       name="rag-api-server")

    def start(self, timeout: float = 60.0) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(GRACEFUL_SHUTDOWN_S + 10)
        self.sock.close()

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
