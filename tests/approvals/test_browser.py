"""In headless Chromium: approve a waiting call from the execution's page and
watch the run finish live, without a reload."""
import os

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from tests.approvals.conftest import refund, refunded, waiting
from tests.live.test_browser import ARTIFACTS, CHROMIUM, browser, server  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def test_approving_from_the_admin_page_finishes_the_run_live(workers, shop, server, browser, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread
    admin = get_user_model().objects.create_superuser("admin", "", "pw")
    execution, [approval] = waiting(shop, refund(7), owner=admin)
    connections.close_all()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")

    page.goto(f"{server.url}/admin/executions/agentexecution/{execution.pk}/change/")
    card = page.locator(f'.stigmer-approval[data-call="{approval.tool_call_id}"]')
    card.wait_for(timeout=30_000)
    assert "refund_order" in card.inner_text()
    page.evaluate("window.__notReloaded = true")
    card.locator("button.stigmer-decide-approve").click()

    page.locator('[data-field="phase"][data-phase="COMPLETED"]').wait_for(timeout=60_000)
    assert page.evaluate("window.__notReloaded") is True
    assert card.count() == 0  # the waiting card gave way to the audit row
    row = page.locator(f'.stigmer-approval-audit tr[data-call="{approval.tool_call_id}"]')
    assert "approve" in row.inner_text() and "admin" in row.inner_text()
    assert page.locator(".stigmer-msg-ai .stigmer-text").last.inner_text() == (
        "The refund_order tool returned: refunded order 7 (item 7)."
    )
    connections.close_all()
    assert refunded(7)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "approval-page.png"), full_page=True)
    page.close()
