"""``rag serve`` in a subprocess: one server for the web UI (its login, ``--auth``) and the API (keys from
``--api-key`` and ``RAG_API_KEYS``); without a key on a non-loopback ``--host`` the API is off and says
so; start-up problems are one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.api.helpers import FIGURE, INDEX, ZH_QUESTION
from tests.ui.helpers import free_port

httpx = pytest.importorskip("httpx")
pytest.importorskip("gradio")


def env(**extra) -> dict:
    e = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", OMP_WAIT_POLICY="PASSIVE")
    for k in ("RAG_AUTH", "RAG_API_KEYS"):
        e.pop(k, None)
    e.update(extra)
    return e


def start(cfg, *flags, **extra_env):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--index-dir", str(cfg.index_dir), "--index",
                             INDEX, "--port", str(port), *flags], env=env(**extra_env),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read())
        try:
            httpx.get(url, timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    stop(proc)
    raise AssertionError("rag serve did not start")


def stop(proc) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


def test_serve_with_login_and_api_keys(api_cfg):
    from gradio_client import Client

    openai = pytest.importorskip("openai")
    proc, url = start(api_cfg, "--auth", "alice:s3cret", "--api-key", "key-one", RAG_API_KEYS="key-two, key-three")
    try:
        v1 = url + "v1"
        assert httpx.get(v1 + "/models").status_code == 401
        for key in ("key-one", "key-two", "key-three"):
            r = httpx.get(v1 + "/models", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 200 and INDEX in [m["id"] for m in r.json()["data"]]
        client = openai.OpenAI(base_url=v1, api_key="key-two", max_retries=0)
        r = client.chat.completions.create(model=INDEX, messages=[{"role": "user", "content": ZH_QUESTION}])
        assert FIGURE in r.choices[0].message.content and r.model_extra["rag"]["citations"]
        # the web UI keeps its own login; an API key is no login
        assert httpx.get(url + "config", timeout=5).status_code == 401
        assert httpx.get(url + "config", headers={"Authorization": "Bearer key-one"}, timeout=5).status_code == 401
        with pytest.raises(Exception):
            Client(url, auth=("alice", "wrong"), verbose=False)
        ui = Client(url, auth=("alice", "s3cret"), verbose=False)
        chat = ui.predict(ZH_QUESTION, INDEX, 5, "offline", False, api_name="/ask")[0]
        assert FIGURE in str(chat[-1]["content"])
    finally:
        out = stop(proc)
    assert "/v1 requires an API key (3 configured)" in out
    assert "key-one" not in out and "key-two" not in out  # keys are never printed


def test_api_is_off_without_a_key_on_a_public_address(api_cfg):
    proc, url = start(api_cfg, "--host", "0.0.0.0")
    try:
        r = httpx.get(url + "v1/models")
        assert r.status_code == 401 and r.json()["error"]["code"] == "api_disabled"
        assert "--api-key" in r.json()["error"]["message"]
        assert httpx.get(url).status_code == 200  # the web UI is served as before
    finally:
        out = stop(proc)
    assert "WARNING: /v1 is OFF" in out


def test_start_up_errors_are_one_line(api_cfg):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "rag", "serve", "--index-dir", str(api_cfg.index_dir), "--index",
                            INDEX, "--port", str(port)], env=env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip().startswith(f"rag: error: cannot serve on 127.0.0.1:{port}")
    assert len(r.stderr.strip().splitlines()) == 1
    r = subprocess.run([sys.executable, "-m", "rag", "serve", "--api-key", "has space"], env=env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.strip() == "rag: error: an API key must be printable ASCII without spaces (--api-key, RAG_API_KEYS)"
