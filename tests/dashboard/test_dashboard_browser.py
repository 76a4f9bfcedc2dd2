"""The dashboard in headless Chromium: runs in every phase drawn with the
right totals, and a new run's phases reach the page without a reload."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from executions.models import Agent, Phase
from executions.services.executions import execution_create
from tests.dashboard.fixtures import MIX, seed_runs
from tests.live.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, browser, server  # noqa: F401 - fixtures

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def drawn(page, phase: str) -> int:
    """The runs the chart draws for a phase: the sum of its marks' counts."""
    return page.evaluate(
        """phase => [...document.querySelectorAll('[data-chart="runs-per-hour"] rect[data-phase="' + phase + '"]')]
                     .reduce((sum, rect) => sum + Number(rect.dataset.count), 0)""",
        phase,
    )


def test_dashboard_draws_every_phase_and_follows_a_run_live(workers, demo_agent, server, browser, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop in this thread
    admin = get_user_model().objects.create_superuser("admin", "", "pw")
    other = Agent.objects.create(slug="other", name="Other")
    seed_runs(agent=demo_agent, owner=admin, hours_ago=2)
    seed_runs(agent=other, owner=admin, hours_ago=0.1)
    connections.close_all()
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    page.goto(f"{server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.click("text=Dashboard")
    page.wait_for_url("**/admin/dashboard/")
    page.locator('#stigmer-dashboard [data-field="connection"]:text("live")').wait_for(timeout=15_000)
    page.evaluate("window.__notReloaded = true")

    for phase, n in MIX.items():
        assert page.locator(f'[data-total-phase="{phase}"]').inner_text() == str(2 * n)
        assert drawn(page, phase) == 2 * n
    chart = page.locator('[data-chart="runs-per-hour"]').bounding_box()
    assert chart["width"] > 600 and chart["height"] > 100
    assert page.locator('[data-chart="failure-reasons"] [data-label="agent failed: boom"]').get_attribute("data-value") == "4"
    agents = page.locator('[data-chart="cost-by-agent"] .stigmer-mark')
    assert agents.count() == 2 and agents.first.get_attribute("data-value") == "$0.1500"
    assert page.locator('[data-spending="user"] [data-name="admin"] [data-cost]').get_attribute("data-cost") == "0.300000"
    assert page.locator('[data-runners]').get_attribute("data-runners") == "1"  # the test's runner worker

    execution = execution_create(agent=demo_agent, message="What is 6*7?", owner=admin)
    connections.close_all()
    completed = 2 * MIX[Phase.COMPLETED] + 1
    page.locator(f'[data-total-phase="COMPLETED"]:text-is("{completed}")').wait_for(timeout=60_000)
    assert drawn(page, Phase.COMPLETED) == completed
    assert page.evaluate("window.__notReloaded") is True
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    context.close()
    assert execution.pk
