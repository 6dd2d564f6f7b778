"""Web UI (Gradio): ``python app.py`` or ``rag serve``, served with the HTTP API (:mod:`rag.api`) by one
server. Importing this package does not import Gradio.

>>> p = argparse.ArgumentParser(); add_serve_arguments(p)
>>> a = p.parse_args(["--port", "8000", "--api-key", "k1", "--api-key", "k2"]); (a.host, a.port, a.auth, a.api_key)
('127.0.0.1', 8000, None, ['k1', 'k2'])
"""

from __future__ import annotations

import argparse


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    """The web-server flags (``app.py`` and ``rag serve``); add ``rag.cli.common_arguments`` for index flags."""
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--auth", metavar="USER:PASSWORD", help="require a login (default: env RAG_AUTH, else none)")
    p.add_argument("--api-key", action="append", metavar="KEY",
                   help="a key the HTTP API (/v1) accepts as 'Authorization: Bearer KEY'; repeatable (also env "
                        "RAG_API_KEYS, comma-separated). Without a key /v1 is open on 127.0.0.1 and off on any "
                        "other --host")
    p.add_argument("--ui-lang", choices=["zh", "en"], default="zh", help="initial interface language (default zh)")
    from rag.config import add_flags

    add_flags(p, "llm", "llm_model", "llm_base_url", "llm_fallback")


def serve_command(args: argparse.Namespace, cfg) -> int:
    """Run the web UI and the HTTP API for parsed ``args`` until interrupted (``rag serve``, ``app.py``).
    Problems are raised as :class:`rag.errors.UserError` (one line)."""
    import os

    from rag.errors import UserError

    try:
        from rag.api.server import serve
        from rag.ui.web import parse_auth
    except ImportError as exc:
        raise UserError(f"the web UI and API need gradio 6 ({exc}): pip install 'gradio>=6,<7'") from None
    from rag.api import parse_api_keys

    try:
        parse_auth(args.auth)
        keys = parse_api_keys(getattr(args, "api_key", None), os.environ.get("RAG_API_KEYS"))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    from rag.embed import EmbedderError
    from rag.indexer import IndexingError
    from rag.store import StoreError

    try:
        serve(cfg, host=args.host, port=args.port, auth=args.auth, lang=args.ui_lang, api_keys=keys)
    except (StoreError, EmbedderError, IndexingError, ValueError) as exc:
        raise UserError(str(exc).splitlines()[0]) from None
    except OSError as exc:  # port in use, bad host
        raise UserError(f"cannot serve on {args.host}:{args.port}: {str(exc).splitlines()[0]}") from None
    return 0
