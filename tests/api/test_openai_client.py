"""The official ``openai`` Python client against the real server: cited answers in Chinese and English,
streamed and not, a refusal, a follow-up from the message history, errors as the client's exceptions,
and ``temperature`` / ``max_tokens`` reaching an LLM backend (a fake OpenAI-compatible server)."""

from __future__ import annotations

import pytest

from tests.api.helpers import (API_KEY, DOC_REF, EN_QUESTION, FIGURE, INDEX, SECTION, UNANSWERABLE, ZH_QUESTION,
                               FakeLLM)

openai = pytest.importorskip("openai")


@pytest.fixture(scope="module")
def client(api_server):
    return openai.OpenAI(base_url=api_server.v1, api_key=API_KEY, max_retries=0, timeout=60)


def check_citations(rag: dict) -> None:
    """The structured citations of an answer to ZH_QUESTION / EN_QUESTION."""
    assert rag["citations"], rag
    c = rag["citations"][0]
    assert c["n"] == 1 and c["chunk_id"]
    assert c["doc_path"] == DOC_REF  # the path relative to the indexed folder, never the server's path
    assert c["doc_title"] == "青柳市2024年水务工作报告"
    assert c["section"][-1] == SECTION
    assert c["line_start"] == c["line_end"] == 7
    assert any(FIGURE in s for s in c["sentences"]) and FIGURE in c["sentence"]
    assert rag["refused"] is False and rag["index"] == INDEX and rag["backend"] == "offline"


@pytest.mark.parametrize("question,lang", [(ZH_QUESTION, "zh"), (EN_QUESTION, "en")])
def test_cited_answer(client, question, lang):
    r = client.chat.completions.create(model=INDEX, messages=[{"role": "user", "content": question}])
    text = r.choices[0].message.content
    assert FIGURE in text and "[1]" in text, text
    assert r.choices[0].finish_reason == "stop" and r.object == "chat.completion" and r.model == INDEX
    if lang == "en":
        assert text.startswith("According to")  # an English answer framing the Chinese evidence
    rag = r.model_extra["rag"]
    assert rag["lang"] == lang and rag["answer"] == text
    check_citations(rag)


@pytest.mark.parametrize("question,lang", [(ZH_QUESTION, "zh"), (EN_QUESTION, "en")])
def test_streamed_cited_answer(client, question, lang):
    stream = client.chat.completions.create(model=INDEX, messages=[{"role": "user", "content": question}],
                                            stream=True, stream_options={"include_usage": True})
    pieces, final, usage = [], None, None
    for chunk in stream:
        if chunk.choices:
            delta = chunk.choices[0].delta
            if delta.content:
                pieces.append(delta.content)
            if chunk.choices[0].finish_reason == "stop":
                final = chunk
        if chunk.usage is not None:
            usage = chunk.usage
    text = "".join(pieces)
    assert len(pieces) >= 2  # streamed in pieces
    assert FIGURE in text and "[1]" in text
    assert final is not None and usage is not None and usage.completion_tokens == len(text)
    rag = final.model_extra["rag"]
    assert rag["answer"] == text and rag["lang"] == lang
    check_citations(rag)


@pytest.mark.parametrize("stream", [False, True])
def test_refusal(client, stream):
    messages = [{"role": "user", "content": UNANSWERABLE}]
    if stream:
        chunks = list(client.chat.completions.create(model=INDEX, messages=messages, stream=True))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        rag = chunks[-1].model_extra["rag"]
    else:
        r = client.chat.completions.create(model=INDEX, messages=messages)
        text, rag = r.choices[0].message.content, r.model_extra["rag"]
    assert rag["refused"] is True and rag["citations"] == []
    assert "无法回答" in text and "地下水开采量" in text  # says why, in the question's language
    assert rag["refusal_reason"]["term"] == "地下水开采量"


def test_follow_up_uses_the_history(client):
    first = client.chat.completions.create(model=INDEX, messages=[
        {"role": "user", "content": "2024年青柳市新建了几座自来水厂？"}])
    assert "3座" in first.choices[0].message.content
    r = client.chat.completions.create(model=INDEX, messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "2024年青柳市新建了几座自来水厂？"},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "那污水管网呢？"}])
    rag = r.model_extra["rag"]
    assert "140公里" in r.choices[0].message.content
    assert rag["standalone_question"] != "那污水管网呢？" and "自来水厂" in rag["standalone_question"]


def test_models_and_errors(client, api_server):
    assert INDEX in [m.id for m in client.models.list().data]
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": ZH_QUESTION}])
    assert "unknown index 'gpt-4o-mini'" in str(e.value)
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model=INDEX, messages=[{"role": "user", "content": "长" * 2001}])
    assert "question too long: 2001 characters (limit 2000)" in str(e.value)
    bad = openai.OpenAI(base_url=api_server.v1, api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.chat.completions.create(model=INDEX, messages=[{"role": "user", "content": ZH_QUESTION}])


def test_temperature_and_max_tokens_reach_the_llm(api_cfg):
    """With an LLM backend, the request's temperature and max_tokens are what the LLM server receives;
    ``model`` picks the backend (``index:offline`` never calls the LLM)."""
    pytest.importorskip("langchain_openai")
    from rag.api.app import build_api
    from rag.api.server import ServerThread
    from rag.ui.engine import Engine

    reply = "全年城市污水处理率达到98%[1]。"
    with FakeLLM(reply) as llm:
        engine = Engine(api_cfg.replace(llm="openai", llm_base_url=llm.url, llm_model="fake-model"))
        with ServerThread(build_api(engine)) as srv:  # loopback, no key: the API is open
            c = openai.OpenAI(base_url=srv.url + "v1", api_key="unused", max_retries=0, timeout=60)
            ids = [m.id for m in c.models.list().data]
            assert ids[:3] == [INDEX, f"{INDEX}:offline", f"{INDEX}:openai"]  # the server's index first
            msgs = [{"role": "user", "content": ZH_QUESTION}]

            r = c.chat.completions.create(model=f"{INDEX}:openai", messages=msgs, temperature=0.7, max_tokens=77)
            assert r.choices[0].message.content == reply
            rag = r.model_extra["rag"]
            assert rag["backend"] == "openai:fake-model" and rag["citations"][0]["doc_path"] == DOC_REF
            sent = llm.requests[-1]
            assert sent["temperature"] == 0.7 and sent["max_tokens"] == 77 and sent["model"] == "fake-model"

            stream = c.chat.completions.create(model=INDEX, messages=msgs, temperature=0.3, max_tokens=50,
                                               stream=True)
            text = "".join(ch.choices[0].delta.content or "" for ch in stream if ch.choices)
            assert text == reply
            assert (llm.requests[-1]["temperature"], llm.requests[-1]["max_tokens"]) == (0.3, 50)

            c.chat.completions.create(model=INDEX, messages=msgs)  # the configured defaults
            assert (llm.requests[-1]["temperature"], llm.requests[-1]["max_tokens"]) == (0.1, 512)

            n = len(llm.requests)
            r = c.chat.completions.create(model=f"{INDEX}:offline", messages=msgs, temperature=1.5)
            assert len(llm.requests) == n and r.model_extra["rag"]["backend"] == "offline"
            assert FIGURE in r.choices[0].message.content
            with pytest.raises(openai.NotFoundError):
                c.chat.completions.create(model=f"{INDEX}:ollama", messages=msgs)
