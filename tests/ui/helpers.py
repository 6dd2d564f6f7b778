"""Helpers shared by the web UI tests."""

from __future__ import annotations

import socket
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

FACT = "蓝鲸市2024年新建图书馆27座。"
FACT_DOC = f"""蓝鲸市文化设施建设简报

一、公共文化设施
{FACT}全市公共图书馆总数达到112座，比上年增加31%。
二、下一步工作
继续推进城乡图书馆总分馆制建设。
"""
FACT_QUESTION = "蓝鲸市2024年新建图书馆多少座？"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_fact_doc(folder: Path, name: str = "lanjing-libraries.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(FACT_DOC, encoding="utf-8")
    return p
