"""The LLM answerer: prompts, post-processing, and the real path through LangChain's ChatOpenAI to a
llama.cpp server running SmolLM2-135M (see conftest.py). The model is tiny: real calls assert the
structure of the answer, not its correctness; the post-processing is checked on synthetic outputs."""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from string import Formatter

import pytest

from rag.answer.llm import LLMAnswerer, LLMError, make_llm
from rag.answer.llm_errors import describe_error
from rag.answer.llm_output import VisibleText, build_answer
from rag.answer.prompts import NO_ANSWER, answer_messages, load_prompt, refusal_text
from rag.answer.types import Answer
from rag.config import PROMPTS_DIR, Config
from rag.types import Chunk, Hit

# inline passages of an invented district (no evaluation question or gold quote is reused here)

def _needs(module: str, extra: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(module) is None,
                              reason=f"{module} is not installed (pip install -e '.[{extra}]')")


needs_openai = _needs("langchain_openai", "llm")
needs_ollama = _needs("langchain_ollama", "llm")
needs_llamacpp = _needs("llama_cpp", "llamacpp")

ZH_QUESTION = "青湖区2024年一般公共预算收入预计是多少？"
EN_QUESTION = "What is Qinghu District's registered unemployment rate target for 2024?"


def hit(text: str, n: int = 1, section: tuple[str, ...] = ("青湖区工作报告", "2024年预期目标")) -> Hit:
    return Hit(Chunk(f"c{n}", "d1", "青湖区政府公报", "qinghu.txt", list(section), text, 0, len(text), n, n), 1.0)


PASSAGES = [
    hit("青湖区一般公共预算收入预计318亿元，增长4%。青湖区一般公共预算支出预计702亿元。", 1),
    hit("登记失业率控制在3.2%以内。居民人均可支配收入增长与经济增长同步。", 2),
]


def openai_cfg(base_url: str, **kw) -> Config:
    values = dict(llm="openai", llm_base_url=base_url, llm_model="smollm2", llm_max_tokens=16, llm_temperature=0.0,
                  llm_timeout=60.0, threads=1)
    values.update(kw)
    return Config(**values)


def run_stream(llm: LLMAnswerer, question: str, passages: list[Hit], lang: str) -> tuple[list[str], Answer]:
    deltas: list[str] = []
    final = None
    for item in llm.stream(question, passages, lang):
        if isinstance(item, Answer):
            assert final is None, "exactly one Answer, at the end"
            final = item
        else:
            assert final is None, "no delta after the Answer"
            assert isinstance(item, str) and item
            deltas.append(item)
    assert final is not None
    return deltas, final


def check_structure(ans: Answer, passages: list[Hit], lang: str) -> None:
    assert ans.answer.strip()
    assert ans.lang == lang and ans.backend.startswith(("openai:", "llamacpp:"))
    assert ans.passages == passages
    assert set(ans.timings) == {"first_token_ms", "answer_ms"}
    assert 0 <= ans.timings["first_token_ms"] <= ans.timings["answer_ms"]
    ids = {h.chunk.chunk_id for h in passages}
    if ans.refused:
        assert ans.answer == refusal_text(lang) and ans.citations == []
    else:
        assert ans.citations, "an accepted answer has at least one valid citation"
        for c in ans.citations:
            assert 1 <= c.n <= len(passages) and c.chunk_id in ids
            assert c.chunk_id == passages[c.n - 1].chunk.chunk_id
            assert f"[{c.n}]" in ans.answer
        # no dangling citation survives
        assert all(1 <= int(n) <= len(passages) for n in re.findall(r"\[(\d+)\]", ans.answer))
    assert NO_ANSWER not in ans.answer


# --------------------------------------------------------------------------------------- prompts

def test_prompt_templates_exist_and_format():
    fields = {
        "answer_zh": {"passages", "question"}, "answer_en": {"passages", "question"},
        "passage": {"n", "source", "text"}, "translate_query": {"question"},
        "rewrite": {"history", "question"}, "history_turn": {"question", "answer"},
        "system_zh": set(), "system_en": set(), "refusal_zh": set(), "refusal_en": set(),
    }
    for name, expected in fields.items():
        assert (PROMPTS_DIR / f"{name}.txt").is_file(), name
        used = {f for _, f, _, _ in Formatter().parse(load_prompt(name)) if f}
        assert expected <= used <= expected | {"title"}, (name, used)
    for lang in ("zh", "en"):
        assert any(line.strip() == NO_ANSWER for line in load_prompt(f"answer_{lang}").splitlines())
    assert refusal_text("zh") == "根据检索到的文档无法回答这个问题。"
    assert refusal_text("en") == "The documents do not contain the answer to this question."


def test_answer_prompt_numbers_passages_with_section_path():
    (_, system), (_, user) = answer_messages(ZH_QUESTION, PASSAGES, "zh")
    assert "文档" in system or "资料" in system
    assert '<passage id="1" source="青湖区工作报告 › 2024年预期目标">\n青湖区一般公共预算收入预计318亿元' in user
    assert '<passage id="2" source="青湖区工作报告' in user and f"<question>\n{ZH_QUESTION}\n</question>" in user
    assert user.count("<passage ") == user.count("</passage>") == 2
    (_, system), (_, user) = answer_messages(EN_QUESTION, PASSAGES, "en")
    assert "English" in user and EN_QUESTION in user and '<passage id="2"' in user


def test_import_is_light():
    code = ("import sys, rag.answer.llm; print(sorted(m for m in ('langchain_openai', 'langchain_ollama', "
            "'llama_cpp', 'openai', 'ollama', 'langchain_core') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------ configuration

def test_unknown_backend_is_refused():
    with pytest.raises(LLMError, match="unknown LLM backend"):
        make_llm(Config(llm="gpt5"))


@needs_llamacpp
def test_missing_gguf_file_is_refused(tmp_path):
    with pytest.raises(LLMError, match="GGUF model file not found"):
        make_llm(Config(llm="llamacpp", llm_model=str(tmp_path / "missing.gguf")))


@needs_openai
@needs_ollama
def test_make_llm_configuration_errors():
    with pytest.raises(LLMError, match="RAG_LLM_BASE_URL"):
        make_llm(Config(llm="openai", llm_model="m"))
    with pytest.raises(LLMError, match="RAG_LLM_MODEL"):
        make_llm(Config(llm="openai", llm_base_url="http://127.0.0.1:1/v1"))
    with pytest.raises(LLMError, match="RAG_LLM_MODEL"):
        make_llm(Config(llm="ollama"))
    llm = make_llm(openai_cfg("http://127.0.0.1:1/v1/"))
    assert llm.name == "openai:smollm2" and llm.base_url == "http://127.0.0.1:1/v1"
    assert make_llm(Config(llm="ollama", llm_model="qwen2.5:3b")).base_url == "http://localhost:11434"


# --------------------------------------------------------------------------- post-processing (synthetic)

def test_post_processing_keeps_valid_citations_and_drops_dangling_ones():
    raw = "回答：青湖区一般公共预算收入预计318亿元[1]，增长4%[1]。失业率3.2%以内[2]。支出6000亿元[2]。详见[7]。"
    ans = build_answer(ZH_QUESTION, "zh", raw, PASSAGES, "test")
    assert not ans.refused
    assert ans.answer.startswith("青湖区一般公共预算收入预计318亿元[1]")
    assert "[7]" not in ans.answer and "详见。" in ans.answer
    assert [c.n for c in ans.citations] == [1, 2]
    assert ans.citations[0].chunk_id == "c1" and ans.citations[0].sentence.startswith("青湖区一般公共预算收入预计318亿元")
    assert ans.citations[1].sentence == "登记失业率控制在3.2%以内。"
    # 6000 is in neither cited passage; "详见。" lost its dangling citation and no passage supports it
    assert ans.unsupported == ["支出6000亿元[2]。", "详见。"]


def test_post_processing_refusals():
    for raw in (NO_ANSWER, f"**{NO_ANSWER}**", f"I am not sure.\n{NO_ANSWER}", "", "<think>hmm</think>\n" + NO_ANSWER):
        ans = build_answer(EN_QUESTION, "en", raw, PASSAGES, "test")
        assert ans.refused and ans.answer == refusal_text("en") and ans.citations == [], raw
    # an answer without any valid citation counts as a refusal
    for raw in ("收入是318亿元。", "收入是318亿元[5]。"):
        ans = build_answer(ZH_QUESTION, "zh", raw, PASSAGES, "test")
        assert ans.refused and ans.answer == "根据检索到的文档无法回答这个问题。"
    ans = build_answer(EN_QUESTION, "en", "<think>[1] maybe</think>The target is at most 3.2% [2].", PASSAGES, "t")
    assert not ans.refused and ans.answer == "The target is at most 3.2% [2]." and ans.citations[0].n == 2


def test_streamed_text_hides_think_blocks_and_the_refusal_marker():
    def shown(parts):
        v = VisibleText()
        return "".join(v.feed(p) for p in parts)

    assert shown(["NO", "_ANS", "WER", "\n"]) == ""
    assert shown(["<th", "ink>plan", "</think>", "答案", "[1]。"]) == "答案[1]。"
    assert shown(["No", "t in", " the text."]) == "Not in the text."
    assert shown(["收入[1]。\n", "NO_", "ANSWER"]) == "收入[1]。\n"


# ------------------------------------------------------------------- wire format (recording server)

class _Recorder(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible chat endpoint that records requests and streams a scripted reply."""

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, piece in enumerate(self.server.reply):
            delta = {"content": piece} if i else {"role": "assistant", "content": piece}
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture()
def recorder():
    pytest.importorskip("langchain_openai", reason="langchain_openai is not installed (pip install -e '.[llm]')")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests, server.reply = [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_wire_request_carries_plain_max_tokens(recorder):
    recorder.reply = ["青湖区一般公共预算收入", "预计318亿元[1]", "。见[9]。"]
    llm = make_llm(openai_cfg(f"http://127.0.0.1:{recorder.server_port}/v1", llm_max_tokens=33, llm_api_key="k1"))
    deltas, ans = run_stream(llm, ZH_QUESTION, PASSAGES, "zh")
    (req,) = recorder.requests
    assert req["path"] == "/v1/chat/completions" and req["auth"] == "Bearer k1"
    body = req["body"]
    # llama.cpp reads "max_tokens"; langchain-openai itself only sends "max_completion_tokens"
    assert body["max_tokens"] == 33 and body["max_completion_tokens"] == 33
    assert body["stream"] is True and body["model"] == "smollm2" and body["temperature"] == 0.0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert '<passage id="1" source="青湖区工作报告 › 2024年预期目标">' in body["messages"][1]["content"]
    assert len(deltas) == 3 and "".join(deltas) == "青湖区一般公共预算收入预计318亿元[1]。见[9]。"
    assert ans.answer == "青湖区一般公共预算收入预计318亿元[1]。见。" and not ans.refused
    assert [c.n for c in ans.citations] == [1] and ans.backend == "openai:smollm2"
    # auxiliary calls are short
    recorder.reply = ["青湖区登记失业率目标"]
    assert llm.translate_query(EN_QUESTION) == "青湖区登记失业率目标"
    assert recorder.requests[-1]["body"]["max_tokens"] <= 128
    recorder.reply = ["What was the 2024 budget expenditure?"]
    assert llm.rewrite("And the expenditure?", [("What is the 2024 budget revenue?", "318亿元 [1]")]) == \
        "What was the 2024 budget expenditure?"
    assert "2024 budget revenue" in recorder.requests[-1]["body"]["messages"][-1]["content"]


def test_only_answer_passages_are_shown(recorder):
    recorder.reply = ["失业率3.2%以内[1]。"]
    llm = make_llm(openai_cfg(f"http://127.0.0.1:{recorder.server_port}/v1", answer_passages=1))
    ans = llm.answer(EN_QUESTION, PASSAGES[1:] + PASSAGES[:1], "en")
    assert ans.passages == PASSAGES[1:2] and '<passage id="2"' not in recorder.requests[0]["body"]["messages"][1]["content"]
    assert ans.citations[0].chunk_id == "c2" and ans.citations[0].sentence == "登记失业率控制在3.2%以内。"


def test_refusal_marker_is_not_streamed(recorder):
    recorder.reply = ["NO_", "ANSWER"]
    llm = make_llm(openai_cfg(f"http://127.0.0.1:{recorder.server_port}/v1"))
    deltas, ans = run_stream(llm, EN_QUESTION, PASSAGES, "en")
    assert deltas == [] and ans.refused and ans.answer == refusal_text("en")
    assert llm.last_raw == "NO_ANSWER"


@needs_openai
def test_no_passages_refuses_without_calling_the_model():
    llm = make_llm(openai_cfg("http://127.0.0.1:1/v1"))
    ans = llm.answer(ZH_QUESTION, [], "zh")
    assert ans.refused and ans.answer == refusal_text("zh") and ans.passages == []


# ------------------------------------------------------------------------------------- failures

@needs_openai
def test_unreachable_server_is_one_line_error():
    port = _closed_port()
    llm = make_llm(openai_cfg(f"http://127.0.0.1:{port}/v1", llm_timeout=5.0))
    t0 = time.monotonic()
    with pytest.raises(LLMError) as err:
        llm.answer(ZH_QUESTION, PASSAGES, "zh")
    assert time.monotonic() - t0 < 5
    msg = str(err.value)
    assert "\n" not in msg and f"127.0.0.1:{port}" in msg and "openai" in msg and "reach" in msg
    # auxiliary calls degrade silently
    assert llm.translate_query(EN_QUESTION) is None
    assert llm.rewrite("And 2023?", [("2024年收入多少？", "318亿元")]) == "And 2023?"


@needs_ollama
def test_unreachable_ollama_is_one_line_error():
    port = _closed_port()
    llm = make_llm(Config(llm="ollama", llm_model="qwen2.5:0.5b", llm_base_url=f"http://127.0.0.1:{port}",
                          llm_timeout=5.0))
    with pytest.raises(LLMError) as err:
        llm.answer(ZH_QUESTION, PASSAGES, "zh")
    assert "\n" not in str(err.value) and "ollama" in str(err.value) and f":{port}" in str(err.value)


@needs_openai
def test_timeout_is_one_line_error():
    # a listening socket that never answers: the connection succeeds, the response never comes
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        llm = make_llm(openai_cfg(f"http://127.0.0.1:{port}/v1", llm_timeout=1.0))
        t0 = time.monotonic()
        with pytest.raises(LLMError, match="timed out") as err:
            llm.answer(ZH_QUESTION, PASSAGES, "zh")
        assert time.monotonic() - t0 < 10
    assert "\n" not in str(err.value) and f"127.0.0.1:{port}" in str(err.value)


@needs_openai
def test_bad_api_key_is_authentication_error(llama_server_with_key):
    server = llama_server_with_key
    llm = make_llm(openai_cfg(server.base_url, llm_api_key="wrong-key"))
    with pytest.raises(LLMError, match="authentication") as err:
        llm.answer(ZH_QUESTION, PASSAGES[:1], "zh")
    assert "\n" not in str(err.value) and server.base_url in str(err.value) and "401" in str(err.value)
    good = make_llm(openai_cfg(server.base_url, llm_api_key=server.api_key, llm_max_tokens=4))
    check_structure(good.answer(ZH_QUESTION, PASSAGES[:1], "zh"), PASSAGES[:1], "zh")


def test_error_messages_are_one_line_and_name_the_server():
    where = "http://127.0.0.1:8080/v1"
    for exc, expected in [
        (ValueError("No generation chunks were returned"), "context window"),
        (ValueError("Requested tokens (5000) exceed context window of 4096"), "context window"),
        (ConnectionError("Failed to connect to Ollama.\nPlease check"), "cannot reach"),
        (RuntimeError("boom\nsecond line"), "RuntimeError: boom second line"),
    ]:
        msg = str(LLMError(describe_error(exc, "openai", where, "m", 5.0)))
        assert "\n" not in msg and msg.startswith(f"openai backend at {where}: ") and expected in msg, msg


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- real llama.cpp server

@needs_openai
@pytest.mark.parametrize("question,lang", [(ZH_QUESTION, "zh"), (EN_QUESTION, "en")])
def test_real_stream_through_chatopenai(llama_server, question, lang):
    passages = PASSAGES
    llm = make_llm(openai_cfg(llama_server.base_url, llm_max_tokens=16))
    deltas, ans = run_stream(llm, question, passages, lang)
    raw = llm.last_raw
    assert raw.strip(), "the model produced text"
    if not raw.lstrip(" *`").startswith(NO_ANSWER):
        assert len(deltas) > 1, "the answer streams in several deltas"
        assert "".join(deltas) in raw
    check_structure(ans, passages, lang)
    # the token limit reaches llama.cpp: 16 tokens (re-tokenising the text may differ by a token or two)
    assert llama_server.token_count(raw) <= 16 + 3, raw
    assert ans.timings["answer_ms"] > 0 and ans.backend == "openai:smollm2"


@needs_openai
def test_real_irrelevant_passages(llama_server):
    passages = [hit("青湖区推进湿地公园建设，加强湖滨生态保护。", 1, ("生态环境",))]
    llm = make_llm(openai_cfg(llama_server.base_url, llm_max_tokens=24))
    ans = llm.answer("How many Olympic medals did Norway win in 1994?", passages, "en")
    check_structure(ans, passages, "en")  # a 135M model may or may not refuse: only the structure is checked
    assert llama_server.token_count(llm.last_raw) <= 24 + 3


@needs_openai
def test_real_translate_and_rewrite(llama_server):
    llm = make_llm(openai_cfg(llama_server.base_url, llm_max_tokens=16))
    out = llm.translate_query(EN_QUESTION)
    assert out is None or (isinstance(out, str) and 0 < len(out) <= 80 and "\n" not in out)
    assert llm.translate_query(ZH_QUESTION) is None  # Chinese questions need no translation
    q = "And in 2023?"
    rewritten = llm.rewrite(q, [(EN_QUESTION, "At most 3.2% [1].")])
    assert isinstance(rewritten, str) and rewritten.strip() and "\n" not in rewritten
    assert llm.rewrite(q, []) == q


def test_real_llamacpp_in_process(gguf_path):
    llm = make_llm(Config(llm="llamacpp", llm_model=str(gguf_path), llm_max_tokens=8, llm_temperature=0.0, threads=2))
    assert llm.name == f"llamacpp:{gguf_path.name}"
    deltas, ans = run_stream(llm, "失业率目标是多少？", PASSAGES[1:], "zh")
    check_structure(ans, PASSAGES[1:], "zh")
    raw = llm.last_raw
    assert raw.strip()
    if not raw.lstrip(" *`").startswith(NO_ANSWER):
        assert len(deltas) > 1
    tokens = llm.models.llama.tokenize(raw.encode(), add_bos=False, special=False)
    assert len(tokens) <= 8 + 3, raw
