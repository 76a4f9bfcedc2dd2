"""Monthly budgets, per agent and per user: once spent, a new run is refused
with a clear message on every surface (402 in the API), and nothing is saved."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from executions.budgets import month_start, spent_this_month
from executions.models import AgentExecution, Phase, UserBudget
from tests.api.conftest import client_for, make_execution

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/"


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", is_staff=True)


def spend(agent, owner, dollars: str, **extra) -> AgentExecution:
    """A finished execution that cost `dollars` (a million input tokens at that price)."""
    return make_execution(
        agent=agent, owner=owner, phase=Phase.COMPLETED, input_tokens=1_000_000, output_tokens=0,
        input_price=Decimal(dollars), **extra,
    )


def create(client, agent="demo"):
    return client.post(URL, {"agent": agent, "message": "What is 1+1?"}, format="json")


def test_a_spent_agent_budget_refuses_runs_on_every_surface(demo_agent, alice, fast_start):
    demo_agent.monthly_budget = Decimal("5")
    demo_agent.save()
    spend(demo_agent, alice, "3")
    assert create(client_for(alice)).status_code == 201  # $3 of $5: still allowed
    spend(demo_agent, alice, "2.5")
    before = AgentExecution.objects.count()

    refused = create(client_for(alice))
    assert refused.status_code == 402
    error = refused.json()["error"]
    assert error["code"] == "budget_spent"
    assert "Agent 'demo' has spent $5.50 of its $5.00 monthly budget" in error["message"]
    with pytest.raises(CommandError, match="monthly budget"):
        call_command("run_agent", "demo", "hello", user="alice")
    admin = Client()
    admin.force_login(alice)
    page = admin.post("/admin/executions/agentexecution/add/", {"agent": demo_agent.pk, "message": "hello"})
    assert page.status_code == 200 and "of its $5.00 monthly budget" in page.content.decode()
    assert AgentExecution.objects.count() == before


def test_a_spent_user_budget_refuses_that_user_only(demo_agent, alice, django_user_model, fast_start):
    bob = django_user_model.objects.create_user("bob")
    UserBudget.objects.create(user=alice, monthly_budget=Decimal("1"))
    spend(demo_agent, alice, "1")
    refused = create(client_for(alice))
    assert refused.status_code == 402
    assert "You have spent $1.00 of your $1.00 monthly budget" in refused.json()["error"]["message"]
    assert create(client_for(bob)).status_code == 201


def test_the_default_user_budget_applies_without_a_row(demo_agent, alice, fast_start, settings):
    settings.STIGMER_USER_MONTHLY_BUDGET = "0.50"
    spend(demo_agent, alice, "0.75")
    assert create(client_for(alice)).status_code == 402
    UserBudget.objects.create(user=alice, monthly_budget=None)  # their own row: no limit
    assert create(client_for(alice)).status_code == 201


def test_last_months_spending_does_not_count(demo_agent, alice, fast_start):
    demo_agent.monthly_budget = Decimal("1")
    demo_agent.save()
    old = spend(demo_agent, alice, "10")
    AgentExecution.objects.filter(pk=old.pk).update(created_at=month_start() - timedelta(seconds=1))
    assert spent_this_month(agent_id=demo_agent.pk) == 0
    assert create(client_for(alice)).status_code == 201
