"""Texts, questions and small servers shared by the HTTP API tests.

The documents are short inline texts written for these tests (a fictional city's water report and
library brief), so the test index builds in seconds."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

API_KEY = "test-key-5f2a9c"
INDEX = "water"
DOC_NAME = "qingliu-water.txt"
DOC_REF = f"docs/{DOC_NAME}"  # the path shown for it: the indexed folder's name, then the file
WATER_DOC = """青柳市2024年水务工作报告

一、供水保障
2024年，青柳市新建自来水厂3座，全市日供水能力达到85万吨，比上年增长12%。农村自来水普及率提高到96.5%，新铺设供水管道210公里。

二、污水处理
全年污水处理总量2.1亿吨，城市污水处理率达到98%。新建和改造污水管网140公里，完成12个老旧小区雨污分流改造。

三、节水与水价
全市万元地区生产总值用水量下降4.3%。居民生活用水价格保持每吨3.2元不变，低收入家庭每月免收5吨水费。

四、2025年工作安排
计划新建水库2座，总库容1.6亿立方米；开展河湖清理行动，治理河道长度300公里。
"""
ZH_QUESTION = "青柳市城市污水处理率是多少？"
EN_QUESTION = "What is the urban sewage treatment rate of Qingliu?"
FIGURE = "98%"
SECTION = "二、污水处理"
UNANSWERABLE = "青柳市“地下水开采量”是多少？"  # the quoted term is in no document

# uploaded during the tests, then deleted
LIBRARY_NAME = "hongfeng-libraries.txt"
LIBRARY_DOC = """红枫县公共文化简报

一、图书馆建设
红枫县2024年新建乡镇图书馆17座，全县公共图书馆藏书总量达到64万册。

二、下一步工作
推进城乡图书馆总分馆制建设，实现借阅一卡通。
"""
LIBRARY_QUESTION = "红枫县2024年新建乡镇图书馆多少座？"
LIBRARY_FIGURE = "17座"


def write_docs(folder: Path) -> Path:
    """The test corpus folder (``docs/`` with the water report)."""
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / DOC_NAME).write_text(WATER_DOC, encoding="utf-8")
    return docs


def long_report(paragraphs: int = 80) -> str:
    """A long document whose indexing takes seconds (to see a job running and an index being built)."""
    paras = [f"第{i}部分 专项工作{i}号：今年共完成项目{i * 7 + 3}个，投资{i * 13 + 5}亿元，惠及居民{i * 101}万人。"
             f"相关部门将持续推进第{i}类设施的改造与维护，确保按期完成第{i}阶段目标任务。" for i in range(1, paragraphs + 1)]
    return "某县专项工作报告\n\n" + "\n".join(paras)


class _FakeLLMHandler(BaseHTTPRequestHandler):
    """A tiny OpenAI-compatible chat server: records each request body, replies ``server.reply``
    (streamed as SSE chunks when the request streams)."""

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        reply = self.server.reply
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [reply[: len(reply) // 2], reply[len(reply) // 2:], None]
            for i, piece in enumerate(pieces):
                delta = {} if piece is None else {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                chunk = {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if piece is None else None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        out = json.dumps({"id": "fake", "object": "chat.completion", "created": 0, "model": body["model"],
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                                       "finish_reason": "stop"}]}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):  # quiet
        pass


class FakeLLM:
    """The fake LLM server on a free port; ``url`` is its OpenAI base URL (``.../v1``)."""

    def __init__(self, reply: str):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeLLMHandler)
        self.server.requests = []
        self.server.reply = reply
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[dict]:
        return self.server.requests

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
