"""The HTTP API: ``rag serve`` (and ``python app.py``) serve one FastAPI app, the web UI mounted at ``/``
and a versioned JSON API under ``/v1`` (OpenAPI docs at ``/docs``). Importing this package imports
neither FastAPI nor Gradio.

A thin shell, like the web UI, over :class:`rag.ui.engine.Engine` (one Retriever per index, reads in
parallel, index writes one at a time) and :class:`rag.assistant.Assistant`:

- ``POST /v1/chat/completions``: OpenAI-compatible chat (``messages``, ``stream`` as server-sent events,
  ``model`` = an index name, optionally ``index:backend``; ``temperature``/``max_tokens`` go to an
  ``openai``/``ollama`` LLM backend). The answer, in the question's language with ``[n]`` markers, is the
  message content; the citations (document, section path, lines, page, quoted sentences, chunk id) and
  the refusal flag are in the extra field ``rag`` that OpenAI clients ignore. ``GET /v1/models`` lists
  the indexes.
- ``POST /v1/search`` (ranked passages with scores), ``POST /v1/ask`` (the JSON of ``rag ask --json``).
- ``GET/POST/DELETE /v1/documents`` (list; upload, indexed by a background job followed at
  ``GET /v1/jobs/{id}``; delete).

Errors are JSON in OpenAI's shape, ``{"error": {"message", "type", "code"}}``, one line: 400 bad input,
401 missing or wrong API key, 404 unknown index, document or job, 413 request body too large, 429 server
busy, 503 index being built. Documents are named by their path relative to the indexed folders, never
the server's path (:func:`rag.ui.engine.doc_refs`).

Limits (settings in :class:`rag.config.Config`, env ``RAG_*``): a question has at most
``max_question_chars`` (2,000) characters; a JSON body at most ``api_max_body_kb`` (1,024 KB); an upload
request at most ``max_file_mb`` (50 MB) plus 1 MB, with at most :data:`MAX_UPLOAD_FILES` files; at most
``api_concurrency`` (32) chats, asks and searches are admitted at once (one more gets 429 with
``Retry-After``), ``api_running`` (2) of them go through the pipeline at once and the others wait their
turn (on 2 cores more would not answer more per second); at most :data:`MAX_PENDING_JOBS` upload jobs
wait (one more: 429). Reads run in parallel with an upload's indexing; index writes are one at a time.

Keys: ``--api-key KEY`` (repeatable) or ``RAG_API_KEYS=k1,k2``; clients send ``Authorization: Bearer
KEY``. Without a key the API is open on a loopback address (the default ``--host 127.0.0.1``) and
switched off on any other address (every ``/v1`` request gets 401 saying so; the web UI keeps working,
with its own ``--auth``):

>>> from rag.api import api_access
>>> api_access("127.0.0.1", []), api_access("0.0.0.0", ["k"]), api_access("0.0.0.0", [])
('open', 'keys', 'off')
"""

from __future__ import annotations

import ipaddress

MAX_UPLOAD_FILES = 20  # files in one upload request
MAX_PENDING_JOBS = 8  # upload jobs queued or running; one more gets 429
UPLOAD_OVERHEAD_MB = 1.0  # an upload request's body may exceed max_file_mb by this much (multipart framing)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5", "")]
    [True, True, True, False, False, False]
    """
    host = (host or "").strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_api_keys(values: list[str] | None, env_value: str | None = None) -> list[str]:
    """API keys from ``--api-key`` values and ``RAG_API_KEYS`` (comma-separated), without blanks and
    repeats; :class:`ValueError` (one line) for a key with spaces or non-ASCII characters.

    >>> parse_api_keys(["k1"], "k2, k1,")
    ['k1', 'k2']
    >>> parse_api_keys(None, None)
    []
    """
    keys: list[str] = []
    for raw in list(values or []) + (env_value or "").split(","):
        key = raw.strip()
        if not key:
            continue
        if not key.isascii() or not key.isprintable() or " " in key:
            raise ValueError("an API key must be printable ASCII without spaces (--api-key, RAG_API_KEYS)")
        if key not in keys:
            keys.append(key)
    return keys


def api_access(host: str, keys: list[str]) -> str:
    """How ``/v1`` is guarded: "keys" (a key is required), "open" (no key, loopback address only) or
    "off" (no key on an address others can reach: the API refuses every request)."""
    if keys:
        return "keys"
    return "open" if is_loopback(host) else "off"
