"""The admin in headless Chromium: run the demo agent and watch it work live."""
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from executions.models import AgentExecution, Phase
from tests.asgi_server import AsgiTestServer

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]

# Records every length the streaming answer has, from the first paint on.
RECORD_STREAM = """
window.__streamLengths = [];
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver(() => {
    const node = document.querySelector(".stigmer-streaming .stigmer-text");
    if (node) window.__streamLengths.push(node.textContent.length);
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
});
"""


@pytest.fixture
def server(transactional_db):
    server = AsgiTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def browser():
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_run_form_shows_tool_call_streamed_answer_and_live_phases(workers, demo_agent, server, browser, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread
    demo_agent.model_options = {"token_delay": 0.5}  # the scripted answer after a tool is short: stream it slowly
    demo_agent.save()
    get_user_model().objects.create_superuser("admin", "", "pw")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(RECORD_STREAM)
    page = context.new_page()
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")

    page.goto(f"{server.url}/admin/executions/agent/{demo_agent.pk}/run/")
    page.fill("#id_message", "What is 6*7?")
    page.click("input[name=_run]")
    page.wait_for_url("**/admin/executions/agentexecution/*/change/")
    execution = AgentExecution.objects.get()
    # Under Playwright's loop this read has a connection of its own, which
    # pytest-django never closes: the test database could not be dropped.
    connections.close_all()
    page.evaluate("window.__notReloaded = true")

    changelist = context.new_page()
    changelist.goto(f"{server.url}/admin/executions/agentexecution/")
    badge = changelist.locator(f'.stigmer-phase[data-execution="{execution.pk}"]')
    assert badge.inner_text() != Phase.COMPLETED, "finished before the changelist opened"
    changelist.evaluate("window.__notReloaded = true")

    tool = page.locator(".stigmer-tool")
    tool.wait_for(timeout=60_000)
    assert "calculator" in tool.inner_text()
    assert '"expression": "6*7"' in tool.locator(".stigmer-tool-args").inner_text()
    page.locator('[data-field="phase"][data-phase="COMPLETED"]').wait_for(timeout=60_000)
    assert tool.get_attribute("data-status") == "completed"
    assert tool.locator(".stigmer-tool-result").inner_text() == "42"
    assert page.locator(".stigmer-msg-ai .stigmer-text").last.inner_text() == "The result is 42."
    lengths = page.evaluate("window.__streamLengths")
    grew = sorted(set(length for length in lengths if length > 0))
    assert len(grew) >= 2, f"the answer did not grow token by token: {lengths}"
    assert page.evaluate("window.__notReloaded") is True

    changelist.locator(f'.stigmer-phase[data-execution="{execution.pk}"][data-phase="COMPLETED"]').wait_for(timeout=15_000)
    assert changelist.evaluate("window.__notReloaded") is True

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "execution-page.png"), full_page=True)
    context.close()
