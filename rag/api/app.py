"""The ``/v1`` API as a FastAPI app: a thin shell over :class:`rag.ui.engine.Engine` (see :mod:`rag.api`).

``build_api(engine)`` returns the app (the web UI is mounted on it by :mod:`rag.api.server`). Every
pipeline call goes through the engine as the web UI's do: a question is checked by
:func:`rag.assistant.check_question`, uploads by ``Engine.add_files`` (the UI's checks and limits, index
writes one at a time), deletions by ``Engine.delete``. Documents are named by their path relative to the
indexed folders (``doc_path`` in every answer, citation and search result), never the server's path.

Model names: an index, optionally with a backend:

>>> split_model("mydocs"), split_model("mydocs:offline"), split_model(None)
(('mydocs', None), ('mydocs', 'offline'), (None, None))

Errors are one line in OpenAI's shape:

>>> import json
>>> json.loads(error_response(404, "unknown index 'x'", code="index_not_found").body)
{'error': {'message': "unknown index 'x'", 'type': 'not_found_error', 'code': 'index_not_found', 'param': None}}
"""

from __future__ import annotations

import asyncio
import hmac
import json
import shutil
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any, Iterator

from fastapi import APIRouter, Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.answer.llm import LLMError
from rag.answer.types import Answer
from rag.api import MAX_PENDING_JOBS, MAX_UPLOAD_FILES, UPLOAD_OVERHEAD_MB
from rag.api.jobs import JobFailed, Jobs, JobsFull
from rag.api.schemas import AskRequest, ChatRequest, ErrorResponse, SearchRequest
from rag.assistant import Assistant, QuestionError, check_question
from rag.ui.engine import Engine, EngineError, clean_name

OFFLINE = "offline"
HISTORY_TURNS = 6  # earlier (question, answer) turns of a chat used for a follow-up
HISTORY_ANSWER_CHARS = 4000  # of each earlier answer
LLM_ASSISTANTS = 8  # LLM assistants kept for requests with their own temperature / max_tokens
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
               405: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_error",
               502: "server_error", 503: "service_unavailable", 500: "server_error"}


class ApiError(Exception):
    """An error answered as JSON with ``status`` (the message is one line)."""

    def __init__(self, status: int, message: str, code: str | None = None, headers: dict | None = None,
                 param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers, self.param = status, message, code, headers, param


def error_response(status: int, message: str, code: str | None = None, headers: dict | None = None,
                   param: str | None = None) -> JSONResponse:
    line = (str(message).strip().splitlines() or [""])[0][:1000]
    body = {"error": {"message": line, "type": ERROR_TYPES.get(status, "server_error" if status >= 500 else
                                                                   "invalid_request_error"),
                      "code": code, "param": param}}
    return JSONResponse(body, status_code=status, headers=headers)


def split_model(model: str | None) -> tuple[str | None, str | None]:
    """``index[:backend]`` -> (index, backend); None for what is not given."""
    model = (model or "").strip()
    if not model:
        return None, None
    index, sep, backend = model.partition(":")
    return index.strip() or None, (backend.strip() or None) if sep else None


class _Slot:
    """One admitted request; released once, however the request ends (from any thread)."""

    def __init__(self, gate: "Gate"):
        self._gate, self._held = gate, True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            held, self._held = self._held, False
        if held:
            self._gate._release()

    def __enter__(self) -> "_Slot":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Gate:
    """Admission of pipeline requests (chat, ask, search): at most ``limit`` admitted at once (one more is
    refused at once: 429 + Retry-After); of those, ``running`` go through the pipeline at once and the
    others wait their turn in arrival order, holding no thread. On 2 cores more at once would not answer
    more per second, and they would starve each other of the shared embedder (a query embedding goes
    before an answer's sentence embedding: with many questions in flight, one answer could wait a minute).

    >>> import asyncio
    >>> async def demo():
    ...     gate = Gate(limit=2, running=1)
    ...     a = await gate.enter()
    ...     waiting = asyncio.ensure_future(gate.enter())
    ...     await asyncio.sleep(0)
    ...     try:
    ...         await gate.enter()
    ...     except ApiError as exc:
    ...         refused = exc.status
    ...     a.release()
    ...     (await waiting).release()
    ...     return refused, gate.admitted
    >>> asyncio.run(demo())
    (429, 0)
    """

    def __init__(self, limit: int, running: int):
        self.limit = max(1, int(limit))
        self.running = max(1, min(int(running), self.limit))
        self.admitted = 0
        self._lock = threading.Lock()
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def enter(self) -> _Slot:
        with self._lock:
            if self.admitted >= self.limit:
                raise ApiError(429, f"server busy: {self.limit} requests are being answered or waiting; retry in "
                                    "a moment", "server_busy", {"Retry-After": "1"})
            self.admitted += 1
        loop = asyncio.get_running_loop()
        if self._sem is None or self._loop is not loop:
            self._sem, self._loop = asyncio.Semaphore(self.running), loop
        try:
            await self._sem.acquire()
        except BaseException:
            with self._lock:
                self.admitted -= 1
            raise
        return _Slot(self)

    def _release(self) -> None:
        with self._lock:
            self.admitted -= 1
        sem, loop = self._sem, self._loop
        try:
            same = asyncio.get_running_loop() is loop
        except RuntimeError:
            same = False
        if same:
            sem.release()
        else:  # the semaphore belongs to the event loop: released there
            try:
                loop.call_soon_threadsafe(sem.release)
            except RuntimeError:  # the loop has closed: nothing waits any more
                pass


class BodyLimit:
    """ASGI middleware: a ``/v1`` request body over its bound gets 413 (checked on Content-Length before
    anything is read, and counted while reading a body sent without one)."""

    def __init__(self, app, json_limit: int, upload_limit: int):
        self.app, self.json_limit, self.upload_limit = app, json_limit, upload_limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        upload = scope["method"] == "POST" and scope["path"].rstrip("/") == "/v1/documents"
        limit = self.upload_limit if upload else self.json_limit
        what = (f"an upload request may carry at most {limit / 1048576:.3g} MB (the file limit max_file_mb plus "
                f"{UPLOAD_OVERHEAD_MB:g} MB); send large files one per request") if upload else \
            f"a request body may have at most {limit // 1024} KB"
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    size = -1
                if size > limit:
                    await error_response(413, f"request too large ({size / 1048576:.3g} MB): {what}",
                                         "request_too_large")(scope, receive, send)
                    return
        received = 0

        async def bounded():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise StarletteHTTPException(413, f"request too large: {what}")
            return message

        await self.app(scope, bounded, send)


class Api:
    """State of the API: the engine, the keys, the request gate, the background jobs."""

    def __init__(self, engine: Engine, keys: list[str] | tuple = (), access: str = "open",
                 host: str = "127.0.0.1", jobs: Jobs | None = None, concurrency: int | None = None):
        self.engine = engine
        self.cfg = engine.cfg
        self.keys = [k.encode() for k in keys]
        self.access = access
        self.host = host
        self.jobs = jobs or Jobs(MAX_PENDING_JOBS)
        self.gate = Gate(concurrency or self.cfg.api_concurrency, self.cfg.api_running)
        self._llm_assistants: OrderedDict[tuple, Assistant] = OrderedDict()
        self._lock = threading.Lock()

    # -- checks ----------------------------------------------------------------------------
    def authorize(self, credentials: HTTPAuthorizationCredentials | None) -> None:
        if self.access == "open":
            return
        if self.access == "off":
            raise ApiError(401, f"the API is off: this server listens on {self.host} without an API key; restart "
                                "it with --api-key KEY (or RAG_API_KEYS)", "api_disabled")
        token = (credentials.credentials if credentials else "").strip().encode()
        if not token:
            raise ApiError(401, "missing API key: send the header 'Authorization: Bearer KEY'", "missing_api_key",
                           {"WWW-Authenticate": "Bearer"})
        ok = False
        for key in self.keys:  # every key compared, in constant time
            ok |= hmac.compare_digest(token, key)
        if not ok:
            raise ApiError(401, "invalid API key", "invalid_api_key", {"WWW-Authenticate": "Bearer"})

    def question(self, text: str, param: str = "question") -> str:
        try:
            return check_question(text, self.cfg.max_question_chars)
        except QuestionError as exc:
            raise ApiError(400, str(exc), "question_too_long" if exc.kind == "too_long" else "empty_question",
                           param=param) from None

    def index_name(self, name: str | None, param: str = "index") -> str:
        name = (name or self.cfg.index_name).strip()
        try:
            return self.engine.check_name(name)
        except EngineError as exc:
            raise ApiError(400, str(exc)[:300], "invalid_index_name", param=param) from None

    def ready(self, index: str, code: str = "index_not_found") -> None:
        """503 while ``index`` is being built for the first time, 404 when there is no such index."""
        if self.engine.exists(index):
            return
        if self.jobs.building(index):
            raise ApiError(503, f"index '{index}' is being built; try again shortly", "index_building",
                           {"Retry-After": "5"})
        raise ApiError(404, f"unknown index '{index}' (GET /v1/models lists the indexes)", code)

    def backends(self) -> list[str]:
        return [OFFLINE] + ([self.cfg.llm] if self.cfg.llm != OFFLINE else [])

    def backend(self, name: str | None, status: int = 400, code: str = "unknown_backend") -> str:
        name = (name or "").strip().lower() or self.cfg.llm
        if name not in self.backends():
            raise ApiError(status, f"unknown backend '{name[:40]}' (this server has: {', '.join(self.backends())})",
                           code)
        return name

    def model(self, model: str | None) -> tuple[str, str]:
        """(index, backend) named by a chat request's ``model``."""
        index, backend = split_model(model)
        try:
            index = self.engine.check_name(index or self.cfg.index_name)
        except EngineError:
            raise ApiError(404, f"unknown model '{str(model)[:100]}': use an index name (GET /v1/models)",
                           "model_not_found", param="model") from None
        backend = self.backend(backend, 404, "model_not_found")
        self.ready(index, "model_not_found")
        return index, backend

    # -- pipeline --------------------------------------------------------------------------
    @contextmanager
    def pipeline(self):
        """Pipeline errors as API errors (one line, no traceback)."""
        try:
            yield
        except ApiError:
            raise
        except QuestionError as exc:
            raise ApiError(400, str(exc), "invalid_question") from None
        except LLMError as exc:
            raise ApiError(502, f"LLM backend error: {exc}", "llm_error") from None
        except EngineError as exc:
            raise ApiError(400, str(exc), "invalid_request") from None
        except Exception as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ApiError(500, f"internal error: {msg}", "internal_error") from None

    def assistant(self, index: str, k: int | None, backend: str, temperature: float | None = None,
                  max_tokens: int | None = None):
        """The engine's assistant; an LLM request with its own temperature / max_tokens (openai and ollama
        backends) gets an assistant built with them (a few are kept)."""
        if backend in (OFFLINE, "llamacpp") or (temperature is None and max_tokens is None):
            return self.engine.assistant(index, k=k, llm=backend)
        retriever = self.engine.retriever(index)
        key = (index, self.engine.generation.get(index, 0), k or self.cfg.answer_passages, backend,
               None if temperature is None else round(float(temperature), 3), max_tokens)
        with self._lock:
            a = self._llm_assistants.get(key)
            if a is not None:
                self._llm_assistants.move_to_end(key)
                return a
        a = Assistant(self.engine.cfg_for(index, answer_passages=k, llm=backend, llm_temperature=temperature,
                                          llm_max_tokens=max_tokens), retriever)
        with self._lock:
            self._llm_assistants[key] = a
            while len(self._llm_assistants) > LLM_ASSISTANTS:
                self._llm_assistants.popitem(last=False)
        return a

    def public(self, record: dict, index: str) -> dict:
        """``record`` (an answer's or search's dict) with each ``doc_path`` replaced by the path shown for
        the document (relative to the indexed folders)."""
        for key in ("citations", "retrieved", "results"):
            for item in record.get(key) or []:
                if "doc_path" in item:
                    item["doc_path"] = self.engine.doc_ref(item["doc_path"], index)
        return record

    def extra(self, ans: Answer, index: str) -> dict:
        """The ``rag`` field of a chat completion."""
        d = self.public(ans.to_dict(), index)
        return {"index": index, "backend": ans.backend, "lang": ans.lang, "refused": ans.refused,
                "refusal_reason": d["refusal_reason"], "confidence": d["confidence"],
                "standalone_question": d["standalone_question"], "unsupported": d["unsupported"],
                "citations": d["citations"], "answer": ans.answer}


def conversation(messages, max_chars: int) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last message, a user's) and the earlier (question, answer) turns."""
    for m in messages:
        if m.has_non_text():
            raise ApiError(400, "only text message content is supported", "unsupported_content", param="messages")
    last = messages[-1]
    if last.role != "user":
        raise ApiError(400, "the last message must be the user's question (role 'user')", "invalid_messages",
                       param="messages")
    turns: list[tuple[str, str]] = []
    pending: str | None = None
    for m in messages[:-1]:
        if m.role == "user":
            pending = m.text().strip()[:max_chars]
        elif m.role == "assistant" and pending:
            turns.append((pending, m.text().strip()[:HISTORY_ANSWER_CHARS]))
            pending = None
    return last.text(), turns[-HISTORY_TURNS:]


def _sse(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _usage(question: str, answer: str) -> dict:
    """Usage in characters (there is no tokenizer for the offline answerer)."""
    p, c = len(question), len(answer)
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def build_api(engine: Engine, keys: list[str] | tuple = (), access: str = "open", host: str = "127.0.0.1",
              jobs: Jobs | None = None, concurrency: int | None = None) -> FastAPI:
    """The FastAPI app with the ``/v1`` routes and their error handling (``app.state.api``: the
    :class:`Api`). ``access``: "open", "keys" or "off" (:func:`rag.api.api_access`)."""
    api = Api(engine, keys, access, host, jobs, concurrency)
    cfg = engine.cfg
    app = FastAPI(title="rag-zh API", version="1",
                  description="Cited answers and search over Chinese documents, in Chinese or English. "
                              "OpenAI-compatible chat at /v1/chat/completions; the web UI is at /.",
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    app.state.api = api
    app.add_middleware(BodyLimit, json_limit=int(cfg.api_max_body_kb) * 1024,
                       upload_limit=int((cfg.max_file_mb + UPLOAD_OVERHEAD_MB) * 1048576))

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(exc.status, exc.message, exc.code, exc.headers, exc.param)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(exc.status_code)
        return error_response(exc.status_code, str(exc.detail), code, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "form"))
        msg = str(first.get("msg", "invalid request"))
        return error_response(400, f"invalid request: {loc + ': ' if loc else ''}{msg}", "invalid_request",
                              param=loc or None)

    bearer = HTTPBearer(auto_error=False, description="an API key of this server (--api-key, RAG_API_KEYS)")

    def authorize(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        api.authorize(credentials)

    errors = {s: {"model": ErrorResponse} for s in (400, 401, 404, 413, 429, 503)}
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(authorize)], responses=errors)

    # -- models ---------------------------------------------------------------------------------
    def model_ids() -> list[str]:
        ids = []
        for index in engine.indexes():
            ids.append(index)
            if cfg.llm != OFFLINE:
                ids += [f"{index}:{OFFLINE}", f"{index}:{cfg.llm}"]
        return ids

    def model_card(mid: str) -> dict:
        return {"id": mid, "object": "model", "created": 0, "owned_by": "rag-zh"}

    @v1.get("/models", tags=["chat"], summary="The indexes (chat models): index, or index:backend")
    def list_models():
        return {"object": "list", "data": [model_card(m) for m in model_ids()]}

    @v1.get("/models/{model_id}", tags=["chat"], summary="One model")
    def get_model(model_id: str):
        if model_id not in model_ids():
            raise ApiError(404, f"unknown model '{model_id[:100]}' (GET /v1/models lists them)", "model_not_found")
        return model_card(model_id)

    # -- chat -----------------------------------------------------------------------------------
    @v1.post("/chat/completions", tags=["chat"], summary="OpenAI-compatible chat with cited answers",
             response_description="a chat.completion (or, with stream, server-sent chat.completion.chunk "
                                  "events); the extra field 'rag' carries the citations")
    async def chat_completions(req: ChatRequest):
        index, backend = api.model(req.model)
        question, history = conversation(req.messages, cfg.max_question_chars)
        question = api.question(question, "messages")
        max_tokens = req.max_tokens or req.max_completion_tokens
        model_id = (req.model or "").strip() or index
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

        def begin():
            with api.pipeline():
                assistant = api.assistant(index, req.k, backend, req.temperature, max_tokens)
                events = assistant.stream(question, history)
                # an error before the first text is an HTTP error, not a broken stream
                return events, next(events)

        slot = await api.gate.enter()
        try:
            events, first = await run_in_threadpool(begin)
        except BaseException:
            slot.release()
            raise
        if req.stream:
            usage = bool(req.stream_options and req.stream_options.include_usage)
            return StreamingResponse(stream_chat(cid, created, model_id, index, question, first, events, usage, slot),
                                     media_type="text/event-stream", background=BackgroundTask(slot.release),
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

        def finish():
            with api.pipeline():
                ans = first
                for ans in events:
                    pass
                assert isinstance(ans, Answer)
                return ans, api.extra(ans, index)

        with slot:
            ans, extra = await run_in_threadpool(finish)
        return {"id": cid, "object": "chat.completion", "created": created, "model": model_id,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": ans.answer},
                             "finish_reason": "stop", "logprobs": None}],
                "usage": _usage(question, ans.answer), "rag": extra}

    def stream_chat(cid, created, model_id, index, question, first, events, usage, slot) -> Iterator[str]:
        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            return _sse({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model_id,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
                         **extra})

        try:
            yield chunk({"role": "assistant", "content": ""})
            text, ans = "", None
            for event in chain([first], events):
                if isinstance(event, Answer):
                    ans = event
                elif event:
                    text += event
                    yield chunk({"content": event})
            assert ans is not None
            if text.strip() != ans.answer.strip():
                # the citation check changed what was streamed: the checked answer is the one that counts
                head = "" if not text.strip() else ("\n\n— checked answer —\n" if ans.lang == "en"
                                                    else "\n\n——核对后的回答——\n")
                yield chunk({"content": head + ans.answer})
            yield chunk({}, "stop", rag=api.extra(ans, index))
            if usage:
                yield _sse({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model_id,
                            "choices": [], "usage": _usage(question, ans.answer)})
        except Exception as exc:  # after the response started: an error event (OpenAI clients raise it)
            try:
                with api.pipeline():
                    raise exc
            except ApiError as err:
                yield _sse({"error": {"message": err.message, "type": ERROR_TYPES.get(err.status, "server_error"),
                                      "code": err.code}})
        finally:
            slot.release()
        yield "data: [DONE]\n\n"

    # -- search and ask -------------------------------------------------------------------------
    @v1.post("/search", tags=["search"], summary="Hybrid search: ranked passages with scores")
    async def search(req: SearchRequest):
        query = api.question(req.query, "query")
        index = api.index_name(req.index)
        api.ready(index)

        def run():
            with api.pipeline():
                timings: dict = {}
                hits = engine.retriever(index).search(query, k=req.k or cfg.top_k, mode=req.mode,
                                                      doc=req.doc or None, section=req.section or None,
                                                      timings=timings)
                out = {"query": query, "mode": req.mode, "index": index, "timings": timings,
                       "results": [{"rank": n, **h.to_dict()} for n, h in enumerate(hits, 1)]}
                return api.public(out, index)

        with await api.gate.enter():
            return await run_in_threadpool(run)

    @v1.post("/ask", tags=["search"], summary="A cited answer: the JSON of `rag ask --json`")
    async def ask(req: AskRequest):
        question = api.question(req.question)
        index = api.index_name(req.index)
        backend = api.backend(req.backend)
        api.ready(index)
        history = [(q.strip()[:cfg.max_question_chars], a.strip()[:HISTORY_ANSWER_CHARS])
                   for q, a in req.history][-HISTORY_TURNS:]

        def run():
            with api.pipeline():
                ans = api.assistant(index, req.k, backend).ask(question, history)
                return api.public(ans.to_dict(), index)

        with await api.gate.enter():
            return await run_in_threadpool(run)

    # -- documents and jobs ---------------------------------------------------------------------
    @v1.get("/documents", tags=["documents"], summary="The documents of an index")
    def list_documents(index: str | None = Query(None, max_length=200)):
        index = api.index_name(index)
        api.ready(index)
        with api.pipeline():
            docs = [{k: d[k] for k in ("ref", "name", "title", "chunks", "uploaded")} for d in engine.documents(index)]
        return {"object": "list", "index": index, "data": docs}

    @v1.post("/documents", tags=["documents"], status_code=202,
             summary="Upload documents (.txt .md .pdf .docx .html); indexed by a background job")
    def upload_documents(files: list[UploadFile] = File(..., description="the files"),
                         index: str | None = Form(None, max_length=200, description="index (created if new)")):
        index = api.index_name(index)
        if not files:
            raise ApiError(400, "no files: send them as multipart form field 'files'", "no_files", param="files")
        if len(files) > MAX_UPLOAD_FILES:
            raise ApiError(400, f"too many files ({len(files)}; at most {MAX_UPLOAD_FILES} per request)",
                           "too_many_files", param="files")
        tmp = Path(tempfile.mkdtemp(prefix="rag-api-upload-"))
        pairs: list[tuple[str, Path]] = []
        try:
            for i, f in enumerate(files):
                name = clean_name(f.filename or "upload")
                dest = tmp / f"{i:02d}{Path(name).suffix.lower()[:16]}"
                with dest.open("wb") as out:
                    shutil.copyfileobj(f.file, out, 1 << 20)
                pairs.append((name, dest))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

        def run(progress):
            res = engine.add_files(index, pairs, progress=progress)
            result = {"added": res.added, "rejected": [{"name": r.name, "reason": r.reason} for r in res.rejected],
                      "chunks": res.chunks, "seconds": round(res.seconds, 2), "summary": res.summary_lines}
            if not res.added:
                raise JobFailed("no file was indexed: " + "; ".join(str(r) for r in res.rejected), result)
            return result

        creates = not engine.exists(index)
        try:
            job = api.jobs.submit("upload", index, run, [n for n, _ in pairs], creates=creates,
                                  cleanup=lambda: shutil.rmtree(tmp, ignore_errors=True))
        except JobsFull as exc:
            raise ApiError(429, f"server busy: {exc}", "too_many_jobs", {"Retry-After": "5"}) from None
        return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/v1/jobs/{job.id}"})

    @v1.delete("/documents", tags=["documents"], summary="Delete a document (by its ref from GET /v1/documents)")
    def delete_document(ref: str = Query(..., max_length=1000, description="the document's ref"),
                        index: str | None = Query(None, max_length=200)):
        index = api.index_name(index)
        api.ready(index)
        with api.pipeline():
            refs = {d["ref"] for d in engine.documents(index)}
        if ref not in refs:
            raise ApiError(404, f"no document '{ref[:200]}' in index '{index}' (GET /v1/documents lists them)",
                           "document_not_found", param="ref")
        with api.pipeline():
            name = engine.delete(index, ref)
        return {"object": "document.deleted", "index": index, "ref": ref, "name": name, "deleted": True}

    @v1.get("/jobs", tags=["documents"], summary="Recent jobs (uploads, the first build of the default index)")
    def list_jobs():
        return {"object": "list", "data": [j.to_dict() for j in api.jobs.recent()]}

    @v1.get("/jobs/{job_id}", tags=["documents"], summary="Progress and result of an upload job")
    def get_job(job_id: str):
        job = api.jobs.get(job_id.strip()[:64])
        if job is None:
            raise ApiError(404, f"unknown job '{job_id[:64]}'", "job_not_found")
        return job.to_dict()

    app.include_router(v1)

    @app.api_route("/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def no_such_endpoint(request: Request, path: str):
        """Any other /v1 path: a JSON 404 (405 for a known path with another method), not the web UI's."""
        for route in v1.routes:
            regex = getattr(route, "path_regex", None)
            if regex is not None and regex.match(request.url.path):
                raise ApiError(405, f"method {request.method} is not allowed for {request.url.path}",
                               "method_not_allowed")
        raise ApiError(404, f"no endpoint {request.method} /v1/{path[:100]} (see /docs)", "not_found")

    return app
