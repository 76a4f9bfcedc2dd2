"""The dashboard's numbers and who sees them (rendered as the admin serves them)."""
from decimal import Decimal

import pytest
from django.test import Client

from executions.dashboard.selectors import dashboard_read
from executions.models import Agent, Phase
from tests.api.conftest import with_perms
from tests.dashboard.fixtures import MIX, seed_runs

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners(django_user_model, demo_agent):
    alice = django_user_model.objects.create_user("alice", is_staff=True)
    bob = django_user_model.objects.create_user("bob", is_staff=True)
    other = Agent.objects.create(slug="other", name="Other")
    seed_runs(agent=demo_agent, owner=alice)
    seed_runs(agent=other, owner=bob, hours_ago=10)
    return alice, bob


def test_numbers_cover_the_window_of_what_the_user_may_see(owners):
    alice, bob = owners
    mine = dashboard_read(user=alice, window="24h")
    assert mine.totals == {**{p: 0 for p in Phase.values}, **{str(p): n for p, n in MIX.items()}}
    assert mine.duration == {"p50": 2.0, "p95": 2.0}
    assert mine.first_event == {"p50": 1.0, "p95": 1.0}
    assert mine.failures[0] == ("agent failed: boom", 2) and len(mine.failures) == 3
    assert [(row.name, row.runs, row.cost) for row in mine.by_agent] == [("demo", 15, Decimal("0.15"))]
    assert [row.name for row in mine.by_user] == ["alice"]
    assert mine.waiting["for a runner slot"] == MIX[Phase.PENDING]
    assert mine.cost == Decimal("0.15")

    everyone = dashboard_read(user=with_perms(alice, "view_agentexecution"), window="24h")
    assert sum(everyone.totals.values()) == 2 * sum(MIX.values())
    assert {row.name for row in everyone.by_user} == {"alice", "bob"}
    assert sum(dashboard_read(user=alice, window="6h").totals.values()) == sum(MIX.values())


def test_a_narrower_window_leaves_older_runs_out(owners):
    viewer = with_perms(owners[0], "view_agentexecution")
    counts = {}
    for window in ("6h", "24h"):
        counts[window] = sum(dashboard_read(user=viewer, window=window).totals.values())
    assert counts == {"6h": sum(MIX.values()), "24h": 2 * sum(MIX.values())}
    bars = dashboard_read(user=viewer, window="24h")
    assert sum(sum(c.values()) for c in bars.per_hour.values()) == 2 * sum(MIX.values())
    assert len([hour for hour, c in bars.per_hour.items() if c]) == 2  # an hour for each owner's runs


def test_the_page_is_for_staff_and_linked_from_the_index(owners, django_user_model):
    alice, _ = owners
    client = Client()
    nobody = django_user_model.objects.create_user("nobody")
    client.force_login(nobody)
    assert client.get("/admin/dashboard/").status_code == 302  # to the admin's login
    client.force_login(alice)
    assert 'href="/admin/dashboard/"' in client.get("/admin/").content.decode()
    page = client.get("/admin/dashboard/").content.decode()
    assert 'data-chart="runs-per-hour"' in page and 'data-total-phase="FAILED">4<' in page
    assert "bob" not in page and "Your executions only" in page
    fragment = client.get("/admin/dashboard/?window=6h&fragment=1").content.decode()
    assert fragment.lstrip().startswith('<div class="stigmer-dash" data-window="6h"')
