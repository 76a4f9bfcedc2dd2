"""Quotas: create rates per user and per agent (429 with Retry-After), and a
limit of unfinished executions per user, refused alike on every surface."""
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from executions.models import AgentExecution, Phase
from executions.services.phases import execution_phase_set
from tests.access.test_rules import make_actor
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/"


def create(client, agent="demo", message="What is 1+1?"):
    return client.post(URL, {"agent": agent, "message": message}, format="json")


def test_a_burst_of_creates_gets_429_with_retry_after(demo_agent, fast_start, settings):
    settings.STIGMER_CREATE_RATE_PER_USER = "5/min"
    alice, bob = make_actor("stranger"), make_actor("staff")
    statuses = [create(client_for(alice)).status_code for _ in range(7)]
    assert statuses == [201] * 5 + [429] * 2
    refused = create(client_for(alice))
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert AgentExecution.objects.filter(owner=alice).count() == 5
    assert create(client_for(bob)).status_code == 201  # a user's burst is theirs alone


def test_an_agents_rate_counts_every_user(demo_agent, fast_start, settings):
    settings.STIGMER_CREATE_RATE_PER_AGENT = "3/min"
    users = [make_actor(name) for name in ("stranger", "staff", "viewer", "deleter")]
    assert [create(client_for(user)).status_code for user in users] == [201, 201, 201, 429]


def test_unfinished_executions_are_limited_on_every_surface(demo_agent, fast_start, settings):
    settings.STIGMER_MAX_RUNNING_PER_USER = 2
    user = make_actor("owner")
    first = create(client_for(user)).json()
    assert create(client_for(user)).status_code == 201

    refused = create(client_for(user))
    assert refused.status_code == 429
    assert "at most 2" in refused.json()["error"]["message"]
    with pytest.raises(CommandError, match="at most 2"):
        call_command("run_agent", "demo", "hello", user=user.username)
    admin = Client()
    admin.force_login(user)
    page = admin.post("/admin/executions/agentexecution/add/", {"agent": demo_agent.pk, "message": "hello"})
    assert page.status_code == 200 and "at most 2" in page.content.decode()
    assert AgentExecution.objects.filter(owner=user).count() == 2

    execution_phase_set(execution_id=first["id"], phase=Phase.CANCELLED)  # one finishes
    assert create(client_for(user)).status_code == 201
