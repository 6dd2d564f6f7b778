"""Web UI (Gradio): ``python app.py`` or ``rag serve``. Importing this package does not import Gradio.

>>> p = argparse.ArgumentParser(); add_serve_arguments(p)
>>> a = p.parse_args(["--port", "8000"]); (a.host, a.port, a.auth)
('127.0.0.1', 8000, None)
"""

from __future__ import annotations

import argparse


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    """The web-server flags (``app.py`` and ``rag serve``); add ``rag.cli.common_arguments`` for index flags."""
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require a login (default: env RAG_AUTH, else none)")
    p.add_argument("--ui-lang", choices=["zh", "en"], default="zh", help="initial interface language (default zh)")
    p.add_argument("--llm", choices=["offline", "openai", "ollama", "llamacpp"],
                   help="LLM answer backend offered besides offline (env RAG_LLM)")
    p.add_argument("--llm-model", help="model name, or GGUF path for llamacpp (env RAG_LLM_MODEL)")
    p.add_argument("--llm-base-url", help="server URL for openai/ollama (env RAG_LLM_BASE_URL)")
    p.add_argument("--fallback", action="store_true", dest="llm_fallback",
                   help="if the LLM fails, answer offline instead of failing")


def serve_command(args: argparse.Namespace, cfg) -> int:
    """Run the web server for parsed ``args`` until interrupted (``rag serve``, ``app.py``).
    Problems are raised as :class:`rag.errors.UserError` (one line)."""
    from rag.errors import UserError

    try:
        from rag.ui.web import parse_auth, serve
    except ImportError as exc:
        raise UserError(f"the web UI needs gradio 6 ({exc}): pip install 'gradio>=6,<7'") from None
    try:
        parse_auth(args.auth)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    from rag.embed import EmbedderError
    from rag.indexer import IndexError_
    from rag.store import StoreError

    try:
        serve(cfg, host=args.host, port=args.port, auth=args.auth, lang=args.ui_lang)
    except (StoreError, EmbedderError, IndexError_, ValueError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    except OSError as exc:  # port in use, bad host
        raise UserError(f"cannot serve on {args.host}:{args.port}: {str(exc).splitlines()[0]}") from None
    return 0
