"""Fast checks of the API's parts that need no server: keys and access, model names, conversations,
the request gate, the job queue."""

from __future__ import annotations

import threading

import pytest

from rag.api import api_access, is_loopback, parse_api_keys
from rag.api.jobs import JobFailed, Jobs, JobsFull


def test_keys_and_access():
    assert parse_api_keys(["a", " b "], "c,,a") == ["a", "b", "c"]
    for bad in (["has space"], ["ключ"], ["tab\there"]):
        with pytest.raises(ValueError):
            parse_api_keys(bad)
    assert [is_loopback(h) for h in ("127.0.0.2", "[::1]", "example.com", "10.0.0.1")] == [True, True, False, False]
    assert api_access("localhost", []) == "open" and api_access("::", []) == "off"
    assert api_access("127.0.0.1", ["k"]) == "keys"


def test_import_rag_api_is_light():
    import subprocess
    import sys

    code = "import sys, rag.api, rag.integrations; print([m for m in ('fastapi', 'gradio', 'langchain_core') if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_conversation_and_models():
    pytest.importorskip("fastapi")
    from rag.api.app import ApiError, conversation, split_model
    from rag.api.schemas import ChatMessage

    msgs = [ChatMessage(role="system", content="be brief"), ChatMessage(role="user", content="问一"),
            ChatMessage(role="assistant", content="答一[1]"), ChatMessage(role="user", content="问二"),
            ChatMessage(role="user", content=[{"type": "text", "text": "那"}, {"type": "text", "text": "呢？"}])]
    question, history = conversation(msgs, 2000)
    assert question == "那呢？" and history == [("问一", "答一[1]")]
    with pytest.raises(ApiError) as e:
        conversation(msgs[:3], 2000)
    assert e.value.status == 400
    assert split_model(" idx : openai ") == ("idx", "openai") and split_model("idx:") == ("idx", None)


def test_gate_admits_runs_in_turn_and_refuses():
    """``limit`` admitted, ``running`` of them at once, the others in arrival order; one more: 429."""
    pytest.importorskip("fastapi")
    import asyncio

    from rag.api.app import ApiError, Gate

    async def scenario():
        gate = Gate(limit=3, running=1)
        first = await gate.enter()
        order = []

        async def wait(name):
            slot = await gate.enter()
            order.append(name)
            return slot

        b = asyncio.ensure_future(wait("b"))
        await asyncio.sleep(0)
        c = asyncio.ensure_future(wait("c"))
        await asyncio.sleep(0)
        with pytest.raises(ApiError) as e:
            await gate.enter()
        assert e.value.status == 429 and e.value.headers == {"Retry-After": "1"}
        assert order == [] and gate.admitted == 3
        first.release()
        first.release()  # released once, however often it is called
        (await b).release()
        slot_c = await c
        assert order == ["b", "c"]
        # released from another thread (a streamed answer ends in a worker thread)
        await asyncio.to_thread(slot_c.release)
        await asyncio.sleep(0)
        async with asyncio.timeout(5):
            (await gate.enter()).release()
        return gate.admitted

    assert asyncio.run(scenario()) == 0


def test_jobs_run_in_order_and_report():
    jobs = Jobs(max_pending=2)
    gate, order = threading.Event(), []

    def slow(progress):
        progress(0.5, "halfway")
        gate.wait(10)
        order.append("slow")
        return {"n": 1}

    first = jobs.submit("upload", "new", slow, ["a.txt"], creates=True)
    second = jobs.submit("upload", "other", lambda p: order.append("second") or {})
    with pytest.raises(JobsFull):
        jobs.submit("upload", "x", lambda p: {}, cleanup=lambda: order.append("cleaned"))
    assert order == ["cleaned"]  # a refused job's temp files are cleaned at once
    assert jobs.building("new") and not jobs.building("other")
    gate.set()
    assert jobs.wait(first.id, 10).to_dict()["result"] == {"n": 1}
    assert jobs.wait(second.id, 10).status == "done" and order == ["cleaned", "slow", "second"]
    assert not jobs.building("new")

    def fails(progress):
        raise JobFailed("no file was indexed: a.exe: unsupported\nsecond line", {"rejected": ["a.exe"]})

    job = jobs.wait(jobs.submit("upload", "x", fails).id, 10)
    assert job.status == "failed" and job.error == "no file was indexed: a.exe: unsupported"
    assert job.result == {"rejected": ["a.exe"]} and job.to_dict()["progress"] == 0.0
    jobs.close()
