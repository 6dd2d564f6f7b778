"""The ``/v1`` API with ``httpx`` against the real server: search, ask (the JSON of ``rag ask --json``),
upload -> job progress -> ask about the new document -> delete, every error status (400, 401, 404, 413,
429, 503) with its JSON body, and the API-key check."""

from __future__ import annotations

import json
import threading
import time

import pytest

from tests.api.helpers import (API_KEY, DOC_REF, EN_QUESTION, FIGURE, INDEX, LIBRARY_DOC, LIBRARY_FIGURE,
                               LIBRARY_NAME, LIBRARY_QUESTION, SECTION, ZH_QUESTION, long_report)

httpx = pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def http(api_server):
    with httpx.Client(base_url=api_server.v1, headers=api_server.headers, timeout=60) as c:
        yield c


def error_of(r, status: int, code: str | None = None) -> str:
    """The message of an OpenAI-style JSON error response with ``status`` (and ``code``)."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "code"} and "Traceback" not in err["message"]
    assert "\n" not in err["message"]
    if code:
        assert err["code"] == code, err
    return err["message"]


def wait_job(http, job_id: str, timeout: float = 180) -> tuple[dict, list[dict]]:
    """The finished job, and every state seen while polling it."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = http.get(f"/jobs/{job_id}").json()
        seen.append(job)
        if job["status"] in ("done", "failed"):
            return job, seen
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1]}")


# ---------------------------------------------------------------------------------- reading

def test_models(http):
    r = http.get("/models")
    assert r.status_code == 200 and r.json()["object"] == "list"
    assert INDEX in [m["id"] for m in r.json()["data"]]
    assert http.get(f"/models/{INDEX}").json()["id"] == INDEX
    error_of(http.get("/models/nope"), 404, "model_not_found")


def test_search(http):
    r = http.post("/search", json={"query": ZH_QUESTION, "k": 3})
    assert r.status_code == 200
    out = r.json()
    assert out["index"] == INDEX and out["mode"] == "hybrid" and out["query"] == ZH_QUESTION
    results = out["results"]
    assert [x["rank"] for x in results] == [1, 2, 3]
    assert [x["score"] for x in results] == sorted((x["score"] for x in results), reverse=True)
    top = results[0]
    assert FIGURE in top["text"] and top["section"][-1] == SECTION and top["doc_path"] == DOC_REF
    assert top["line_start"] == 7 and top["chunk_id"]
    # English query, other modes, filters
    assert FIGURE in http.post("/search", json={"query": EN_QUESTION, "k": 1}).json()["results"][0]["text"]
    for mode in ("dense", "bm25"):
        assert http.post("/search", json={"query": ZH_QUESTION, "k": 2, "mode": mode}).json()["mode"] == mode
    filtered = http.post("/search", json={"query": "水", "k": 5, "section": "节水"}).json()["results"]
    assert filtered and all(any("节水" in s for s in x["section"]) for x in filtered)
    assert http.post("/search", json={"query": "水", "doc": "no-such-doc"}).json()["results"] == []


def test_ask_is_the_json_of_rag_ask(http, api_cfg, capsys):
    from rag.cli import main

    assert main(["ask", ZH_QUESTION, "--json", "--index-dir", str(api_cfg.index_dir), "--index", INDEX]) == 0
    cli = json.loads(capsys.readouterr().out)
    r = http.post("/ask", json={"question": ZH_QUESTION})
    assert r.status_code == 200
    api = r.json()
    assert list(api) == list(cli)  # the same fields, in the same order
    for key in ("question", "standalone_question", "lang", "answer", "refused", "confidence", "backend"):
        assert api[key] == cli[key], key
    assert FIGURE in api["answer"]
    # the same citations and passages; documents named by their path relative to the indexed folder
    assert cli["citations"][0]["doc_path"].endswith(DOC_REF) and cli["citations"][0]["doc_path"] != DOC_REF
    for a, c in zip(api["citations"] + api["retrieved"], cli["citations"] + cli["retrieved"]):
        assert a["doc_path"] == DOC_REF
        assert {k: v for k, v in a.items() if k != "doc_path"} == {k: v for k, v in c.items() if k not in
                                                                    ("doc_path",)}
    follow = http.post("/ask", json={"question": "那污水管网呢？", "history": [[ZH_QUESTION, api["answer"]]]}).json()
    assert "140公里" in follow["answer"] and follow["standalone_question"] != "那污水管网呢？"


# ---------------------------------------------------------------------------------- documents

def test_upload_job_ask_delete(http, api_server, tmp_path):
    """Upload -> the job's progress -> an answer from the new document -> delete; meanwhile a new index
    being built answers 503, then works."""
    docs = http.get("/documents").json()
    assert docs["index"] == INDEX and [d["ref"] for d in docs["data"]] == [DOC_REF]
    assert "path" not in docs["data"][0]  # never the server's path

    # a long document first: its job holds the index writer for a few seconds
    big = http.post("/documents", files=[("files", ("long-report.txt", long_report().encode(), "text/plain"))])
    assert big.status_code == 202, big.text
    big_job = big.json()
    assert big.headers["location"] == f"/v1/jobs/{big_job['id']}"
    assert big_job["status"] in ("queued", "running") and big_job["files"] == ["long-report.txt"]
    # queued behind it: the first document of a new index, which is "being built" until its job ends
    fresh = http.post("/documents", data={"index": "fresh"},
                      files=[("files", ("notes.md", "# 说明\n\n青柳市水务局负责全市供水。\n".encode(), "text/markdown"))])
    assert fresh.status_code == 202
    busy = http.post("/search", json={"query": "供水", "index": "fresh"})
    assert "being built" in error_of(busy, 503, "index_building") and busy.headers["retry-after"]
    error_of(http.get("/documents", params={"index": "fresh"}), 503, "index_building")

    listed = http.get("/jobs").json()["data"]
    assert [j["id"] for j in listed[:2]] == [fresh.json()["id"], big_job["id"]]  # newest first
    job, seen = wait_job(http, big_job["id"])
    assert job["status"] == "done", job
    assert any(s["status"] == "running" for s in seen)  # progress was visible while it ran
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and job["progress"] == 1.0
    assert job["result"]["added"] == ["long-report.txt"] and job["result"]["chunks"] > 0
    job, _ = wait_job(http, fresh.json()["id"])
    assert job["status"] == "done"
    hits = http.post("/search", json={"query": "供水", "index": "fresh"}).json()["results"]
    assert hits and hits[0]["doc_path"] == "notes.md"
    assert "fresh" in [m["id"] for m in http.get("/models").json()["data"]]

    # a small document: asked about once indexed
    r = http.post("/documents", files=[("files", (LIBRARY_NAME, LIBRARY_DOC.encode(), "text/plain"))])
    job, _ = wait_job(http, r.json()["id"])
    assert job["status"] == "done" and job["result"]["added"] == [LIBRARY_NAME] and job["result"]["rejected"] == []
    refs = [d["ref"] for d in http.get("/documents").json()["data"]]
    assert LIBRARY_NAME in refs and "long-report.txt" in refs
    ans = http.post("/ask", json={"question": LIBRARY_QUESTION}).json()
    assert LIBRARY_FIGURE in ans["answer"] and ans["citations"][0]["doc_path"] == LIBRARY_NAME

    # delete, by the ref the list shows
    for ref in (LIBRARY_NAME, "long-report.txt"):
        r = http.delete("/documents", params={"ref": ref})
        assert r.status_code == 200 and r.json()["deleted"] is True
    assert [d["ref"] for d in http.get("/documents").json()["data"]] == [DOC_REF]
    assert LIBRARY_FIGURE not in http.post("/ask", json={"question": LIBRARY_QUESTION}).json()["answer"]
    error_of(http.delete("/documents", params={"ref": LIBRARY_NAME}), 404, "document_not_found")
    # the last document of an index stays
    assert "last document" in error_of(http.delete("/documents", params={"ref": DOC_REF}), 400)


def test_rejected_uploads(http):
    r = http.post("/documents", files=[("files", ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")),
                                       ("files", ("empty.txt", b"", "text/plain"))])
    assert r.status_code == 202
    job, _ = wait_job(http, r.json()["id"])
    assert job["status"] == "failed" and job["error"].startswith("no file was indexed")
    reasons = {x["name"]: x["reason"] for x in job["result"]["rejected"]}
    assert "unsupported file type '.exe'" in reasons["tool.exe"] and reasons["empty.txt"] == "empty file"
    error_of(http.post("/documents", data={"index": "x"}), 400, "invalid_request")  # no files
    many = [("files", (f"f{i}.txt", "青柳市。".encode(), "text/plain")) for i in range(21)]
    assert "too many files" in error_of(http.post("/documents", files=many), 400, "too_many_files")
    error_of(http.post("/documents", data={"index": "../up"}, files=[("files", ("a.txt", b"x", "text/plain"))]),
             400, "invalid_index_name")


# ---------------------------------------------------------------------------------- errors

def test_bad_input_is_400(http):
    cases = [
        (http.post("/search", json={"query": "  "}), "empty question"),
        (http.post("/search", json={"query": "水" * 2001}), "question too long: 2001 characters (limit 2000)"),
        (http.post("/search", json={"query": "水", "mode": "fuzzy"}), "mode"),
        (http.post("/search", json={"query": "水", "k": 0}), "k"),
        (http.post("/search", json={"query": "水", "index": "../etc"}), "invalid index name"),
        (http.post("/search", content=b"{not json", headers={"content-type": "application/json"}), "JSON"),
        (http.post("/ask", json={"question": "水", "backend": "gpt"}), "unknown backend"),
        (http.post("/chat/completions", json={"model": INDEX, "messages": []}), "messages"),
        (http.post("/chat/completions", json={"model": INDEX, "messages": [{"role": "assistant", "content": "x"}]}),
         "the last message must be the user's question"),
        (http.post("/chat/completions", json={"model": INDEX, "messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}), "only text"),
        (http.post("/chat/completions", json={"model": INDEX, "temperature": 9,
                                              "messages": [{"role": "user", "content": "x"}]}), "temperature"),
    ]
    for r, words in cases:
        assert words in error_of(r, 400), (words, r.text)


def test_not_found_is_404(http):
    assert "unknown index 'nope'" in error_of(http.post("/search", json={"query": "水", "index": "nope"}), 404,
                                              "index_not_found")
    error_of(http.post("/ask", json={"question": "水", "index": "nope"}), 404, "index_not_found")
    error_of(http.get("/documents", params={"index": "nope"}), 404, "index_not_found")
    error_of(http.post("/chat/completions", json={"model": "nope", "messages": [{"role": "user", "content": "水"}]}),
             404, "model_not_found")
    error_of(http.get("/jobs/0123456789abcdef"), 404, "job_not_found")
    error_of(http.get("/no-such-route"), 404, "not_found")
    error_of(http.get("/search"), 405, "method_not_allowed")


def test_too_large_is_413(http, api_engine):
    big = json.dumps({"query": "水", "doc": "x" * (1100 * 1024)})
    assert "at most 1024 KB" in error_of(http.post("/search", content=big,
                                                   headers={"content-type": "application/json"}), 413,
                                         "request_too_large")

    def chunks():  # no Content-Length: counted while read
        for _ in range(40):
            yield b" " * 32768
        yield b'{"query": "x"}'

    error_of(http.post("/search", content=chunks(), headers={"content-type": "application/json"}), 413,
             "request_too_large")
    # an upload over max_file_mb (+1 MB of multipart framing): a server with a 0.1 MB file limit
    from rag.api.app import build_api
    from rag.api.server import ServerThread
    from rag.ui.engine import Engine

    small = Engine(api_engine.cfg.replace(max_file_mb=0.1))
    with ServerThread(build_api(small)) as srv:
        r = httpx.post(srv.url + "v1/documents", files=[("files", ("big.txt", "水" * 450_000, "text/plain"))],
                       timeout=60)
        assert "upload request may carry at most 1.1 MB" in error_of(r, 413, "request_too_large")
        ok = httpx.post(srv.url + "v1/documents", files=[("files", ("ok.txt", "水" * 50_000, "text/plain"))],
                        data={"index": "nowhere"}, timeout=60)
        assert ok.status_code == 202  # under the request bound: the file limit itself is the job's check
        job = ok.json()
        for _ in range(300):
            job = httpx.get(srv.url + f"v1/jobs/{job['id']}").json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "failed" and "too large" in job["result"]["rejected"][0]["reason"]


def test_saturated_server_is_429(api_engine):
    """A server answering at most 2 requests at once refuses the rest at once, with Retry-After."""
    from rag.api.app import build_api
    from rag.api.server import ServerThread

    with ServerThread(build_api(api_engine, concurrency=2)) as srv:
        n = 16
        barrier = threading.Barrier(n)
        results: list = [None] * n

        def one(i):
            with httpx.Client(timeout=60) as c:
                barrier.wait()
                results[i] = c.post(srv.url + "v1/chat/completions",
                                    json={"model": INDEX, "messages": [{"role": "user", "content": ZH_QUESTION}]})

        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = [r.status_code for r in results]
        assert set(codes) == {200, 429}, codes
        busy = next(r for r in results if r.status_code == 429)
        assert "server busy" in error_of(busy, 429, "server_busy") and busy.headers["retry-after"] == "1"
        # slots are given back: one at a time, every request is answered
        for _ in range(3):
            assert httpx.post(srv.url + "v1/search", json={"query": "水"}).status_code == 200


def test_api_key(api_server, api_engine):
    url = api_server.v1 + "/models"
    r = httpx.get(url)
    assert "missing API key" in error_of(r, 401, "missing_api_key") and r.headers["www-authenticate"] == "Bearer"
    error_of(httpx.get(url, headers={"Authorization": "Bearer wrong"}), 401, "invalid_api_key")
    error_of(httpx.get(url, headers={"Authorization": f"Basic {API_KEY}"}), 401, "missing_api_key")
    assert httpx.get(url, headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
    # the key guards /v1 only: the web UI (its own --auth) and the API docs stay reachable
    assert httpx.get(api_server.url).status_code == 200
    assert httpx.get(api_server.url + "docs").status_code == 200
    paths = httpx.get(api_server.url + "openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/search", "/v1/ask", "/v1/documents", "/v1/jobs/{job_id}",
            "/v1/models"} <= set(paths)

    from rag.api.app import build_api
    from rag.api.server import ServerThread

    with ServerThread(build_api(api_engine, access="off", host="0.0.0.0")) as srv:  # no key, not loopback
        msg = error_of(httpx.get(srv.url + "v1/models"), 401, "api_disabled")
        assert "--api-key" in msg
    with ServerThread(build_api(api_engine)) as srv:  # no key on loopback: open
        assert httpx.get(srv.url + "v1/models").status_code == 200
