"""Cost: the price table, each execution's cost from its usage (prices frozen
at create), summed on sessions and agents, shown in the admin and the API."""
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client

from executions.models import AgentExecution, ModelPrice, Phase
from executions.pricing import model_price
from executions.services.executions import execution_create
from tests.api.conftest import client_for, make_execution, with_perms
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def default_prices(db):
    """The migration's default rows (a transactional test before this one
    flushed them)."""
    migration = importlib.import_module("executions.migrations.0010_costs_and_budgets")
    migration.add_default_prices(apps, None)


def expected_cost(execution: AgentExecution) -> Decimal:
    raw = execution.input_tokens * execution.input_price + execution.output_tokens * execution.output_price
    return (raw / Decimal(1_000_000)).quantize(Decimal("0.000001"))


def test_default_prices_cover_the_readme_providers(default_prices):
    assert model_price(spec="openai:gpt-4o-mini") == (Decimal("0.15"), Decimal("0.60"))
    assert model_price(spec="anthropic:claude-3-5-haiku-latest") == (Decimal("0.80"), Decimal("4.00"))
    assert model_price(spec="ollama:llama3.2") == (0, 0)  # the provider's `ollama:*` row
    assert model_price(spec="openai:not-in-the-table") == (0, 0)  # unpriced: free, not refused


def test_a_models_own_row_wins_over_its_providers(db):
    ModelPrice.objects.create(model="scripted:demo", input_per_million=2, output_per_million=8)
    assert model_price(spec="scripted:demo") == (2, 8)
    assert model_price(spec="scripted:long") == (0, 0)


def test_completed_run_costs_its_usage_on_every_surface(workers, demo_agent, django_user_model):
    ModelPrice.objects.create(model="scripted:demo", input_per_million=1000, output_per_million=4000)
    alice = django_user_model.objects.create_user("alice", is_staff=True)
    first = execution_create(agent=demo_agent, message="What is 6*7?", owner=alice)
    first = wait_for_phase(first, Phase.COMPLETED, Phase.FAILED)
    second = execution_create(agent=demo_agent, message="What is 2+2?", owner=alice, session=first.session)
    second = wait_for_phase(second, Phase.COMPLETED, Phase.FAILED)

    assert first.input_tokens > 0 and first.output_tokens > 0
    assert (first.input_price, first.output_price) == (1000, 4000)
    assert first.cost == expected_cost(first) > 0
    api = client_for(alice)
    assert Decimal(api.get(f"/api/v1/executions/{first.pk}/").json()["cost"]) == first.cost
    session = api.get(f"/api/v1/sessions/{first.session_id}/").json()
    assert Decimal(session["cost"]) == first.cost + second.cost

    assert "spent_this_month" not in api.get("/api/v1/agents/demo/").json()  # sums everyone's runs
    editor = with_perms(django_user_model.objects.create_user("editor"), "change_agent")
    agent = client_for(editor).get("/api/v1/agents/demo/").json()
    assert Decimal(agent["spent_this_month"]) == first.cost + second.cost

    admin = Client()
    admin.force_login(alice)
    page = admin.get(f"/admin/executions/agentexecution/{first.pk}/change/").content.decode()
    assert f'data-field="cost"' in page and f"{first.cost:.6f}" in page
    superuser = django_user_model.objects.create_superuser("root")
    admin.force_login(superuser)
    agents = admin.get("/admin/executions/agent/").content.decode()
    assert f"{first.cost + second.cost:.4f}" in agents
    sessions = admin.get("/admin/executions/session/").content.decode()
    assert f"{first.cost + second.cost:.4f}" in sessions


def test_a_price_change_does_not_rewrite_what_was_spent(demo_agent, django_user_model):
    price = ModelPrice.objects.create(model="scripted:demo", input_per_million=10, output_per_million=20)
    alice = django_user_model.objects.create_user("alice")
    execution = make_execution(
        agent=demo_agent, owner=alice, phase=Phase.COMPLETED, input_tokens=1_000, output_tokens=500,
        input_price=price.input_per_million, output_price=price.output_per_million,
    )
    price.input_per_million = 99
    price.save()
    execution.refresh_from_db()
    assert execution.cost == Decimal("0.020000")  # 1000 × 10 / 1e6 + 500 × 20 / 1e6


def test_the_price_table_needs_the_model_permissions(default_prices, django_user_model):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    admin = Client()
    admin.force_login(staff)
    url = "/admin/executions/modelprice/"
    assert admin.get(url).status_code == 403  # the staff flag alone grants nothing
    admin.force_login(with_perms(staff, "view_modelprice"))
    page = admin.get(url)
    assert page.status_code == 200 and "openai:gpt-4o-mini" in page.content.decode()
    row = ModelPrice.objects.get(model="openai:gpt-4o-mini")
    assert admin.post(f"{url}{row.pk}/change/", {"model": row.model, "input_per_million": "9",
                                                 "output_per_million": "9"}).status_code == 403
    admin.force_login(with_perms(staff, "change_modelprice"))
    changed = admin.post(f"{url}{row.pk}/change/", {"model": row.model, "input_per_million": "0.2",
                                                    "output_per_million": "0.8"})
    assert changed.status_code == 302
    assert model_price(spec="openai:gpt-4o-mini") == (Decimal("0.2"), Decimal("0.8"))
