"""The web UI in a real headless browser (Debian's chromium driven by Playwright): streamed answers in
Chinese and English, a citation click that opens the highlighted passage, the interface language
switch, an upload found in a new answer. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.ui.helpers import ARTIFACTS, FACT_QUESTION, write_fact_doc

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not CHROMIUM.exists() and not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")

# records, for the next bot message, the time from pressing Enter in the question box to its first text
WATCH = """() => {
  const bots = () => document.querySelectorAll('#rag-chat [data-testid="bot"]');
  const before = bots().length;
  window.__firstText = null;
  window.__t0 = null;
  const box = document.querySelector('#rag-question textarea');
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__t0 = performance.now(); },
                       { once: true, capture: true });
  const obs = new MutationObserver(() => {
    const b = bots();
    if (b.length > before && b[b.length - 1].innerText.trim() && window.__firstText === null) {
      window.__firstText = performance.now();
      obs.disconnect();
    }
  });
  obs.observe(document.querySelector('#rag-chat'), { childList: true, subtree: true, characterData: true });
}"""


@pytest.fixture(scope="module")
def page(ui_server):
    url, _ = ui_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
                                    args=ARGS)
        pg = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        pg.set_default_timeout(30_000)
        pg.goto(url)
        pg.wait_for_selector("#rag-question textarea")
        yield pg
        browser.close()


def ask(page, question: str) -> tuple[object, float]:
    """Type a question, press Enter; return (the new bot message once final, ms from Enter to its first
    text: None if the page never showed text in a new bot message after Enter)."""
    n = page.locator('#rag-chat [data-testid="bot"]').count()
    page.fill("#rag-question textarea", question)
    page.evaluate(WATCH)
    page.press("#rag-question textarea", "Enter")
    bot = page.locator('#rag-chat [data-testid="bot"]').nth(n)
    bot.locator(".rag-sources").wait_for()  # the final message has its source list
    ms = page.evaluate("() => (window.__firstText === null || window.__t0 === null) ? null"
                       " : window.__firstText - window.__t0")
    return bot, ms


def click_citation(page, bot, expect: str) -> str:
    bot.locator(".rag-answer a.cite").first.click()
    mark = page.locator("#rag-panel mark")
    mark.wait_for()
    page.wait_for_function("(s) => document.querySelector('#rag-panel mark').innerText.includes(s)", arg=expect)
    return mark.inner_text()


def test_chat_citations_upload(page, ui_server, tmp_path):
    latencies = {}
    bot, latencies["zh"] = ask(page, "2024年全市一般公共预算收入预计是多少？")
    assert "2587亿元" in bot.inner_text() and "来源" in bot.inner_text()
    mark = click_citation(page, bot, "2587亿元")
    assert "2587亿元" in mark
    panel = page.locator("#rag-panel").inner_text()
    assert "重庆市人民政府公报" in panel and "四、2024年预算草案" in panel and "行" in panel
    page.screenshot(path=str(ARTIFACTS / "ui-chat-zh.png"))

    bot, latencies["en"] = ask(page, "What is the 2024 target for the surveyed urban unemployment rate?")
    text = bot.inner_text()
    assert "5.5%" in text and "Sources" in text
    mark = click_citation(page, bot, "5.5%")
    assert "城镇调查失业率5.5%左右" in mark

    # an honest refusal says why and highlights the near miss in the closest passage
    bot, _ = ask(page, "2023年重庆城镇居民人均可支配收入是多少元？")
    text = bot.inner_text()
    assert "无法回答" in text and "全体居民" in text and "最接近的段落" in text
    bot.locator(".rag-sources a.cite").first.click()
    page.wait_for_function("() => (document.querySelector('#rag-panel mark') || {innerText: ''})"
                           ".innerText.includes('全体居民人均可支配收入')")
    page.screenshot(path=str(ARTIFACTS / "ui-refusal.png"))

    # interface labels switch to English; answers keep following the question's language
    page.get_by_label("English").check()
    page.get_by_role("tab", name="Documents").wait_for()
    assert page.get_by_text("Cited passage").is_visible()
    page.screenshot(path=str(ARTIFACTS / "ui-chat-en.png"))

    # upload a document with a new fact, then find it in an answer
    page.get_by_role("tab", name="Documents").click()
    doc = write_fact_doc(tmp_path)
    page.locator("#rag-files input[type=file]").set_input_files(str(doc))
    page.locator("#rag-upload").click()
    # functionality, not speed (bench/ times it): a loaded two-core CI machine took over 60 s here once
    page.locator("#rag-status").get_by_text("✔ Indexed").wait_for(timeout=180_000)
    assert doc.name in page.locator("#rag-docs").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-documents.png"))

    page.get_by_role("tab", name="Chat").click()
    bot, latencies["upload"] = ask(page, FACT_QUESTION)
    assert "27座" in bot.inner_text()
    mark = click_citation(page, bot, "27座")
    assert "蓝鲸市2024年新建图书馆27座" in mark
    assert doc.name in page.locator("#rag-panel").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-upload-answer.png"))

    (ARTIFACTS / "latency_browser.json").write_text(json.dumps(
        {"via": "chromium (Enter to first text in the bot message)", "first_text_ms": latencies}, indent=1))
    print("first-text latency in the browser (ms):", latencies)
    # each answer's text appeared in a new bot message after Enter was pressed (the 300 ms target is
    # measured by bench/bench_ui.py, not asserted: timings flake on a shared machine)
    assert all(v is not None and v >= 0 for v in latencies.values()), latencies
