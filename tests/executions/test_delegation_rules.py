"""Which agents may delegate to which, checked when an agent is saved: no cycle, no chain past the limit."""
import pytest
from django.core.exceptions import ValidationError

from executions.models import Agent
from executions.services.records import agent_create, agent_update
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/agents/"
FORM = {"name": "Agent", "model": "scripted:demo", "model_options": "{}",
        "execution_timeout_seconds": "600", "max_tool_calls": "25", "enabled": "on"}


def chain(*slugs: str) -> list[Agent]:
    """a → b → c …, each delegating to the next."""
    agents = [Agent.objects.create(slug=slug, name=slug) for slug in slugs]
    for upper, lower in zip(agents, agents[1:]):
        upper.sub_agents.add(lower)
    return agents


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.message_dict["sub_agents"])


def test_a_cycle_is_refused_when_the_agent_is_saved():
    a, b, c = chain("a", "b", "c")
    message = refusal(lambda: agent_update(agent=c, sub_agents=["a"]))
    assert message == "Delegation cycle: c → a → b → c."
    assert list(c.sub_agents.all()) == []


def test_an_agent_cannot_delegate_to_itself():
    (a,) = chain("a")
    assert refusal(lambda: agent_update(agent=a, sub_agents=["a"])) == "Agent 'a' cannot delegate to itself."


def test_a_chain_deeper_than_the_limit_is_refused_from_either_end(settings):
    settings.STIGMER_MAX_DELEGATION_DEPTH = 2
    a, b, c = chain("a", "b", "c")
    Agent.objects.create(slug="d", name="d")
    assert "would go 3 levels deep; at most 2" in refusal(lambda: agent_update(agent=c, sub_agents=["d"]))
    assert "would go 3 levels deep; at most 2" in refusal(
        lambda: agent_create(slug="top", name="top", sub_agents=["a"])
    )
    assert not Agent.objects.filter(slug="top").exists()
    agent_update(agent=b, sub_agents=["d"])  # a → b → d: two levels, allowed
    assert [s.slug for s in b.sub_agents.all()] == ["d"]


def test_the_api_answers_400_with_the_field_message(admin_user):
    chain("a", "b")
    api = client_for(admin_user)
    response = api.patch(f"{URL}b/", {"sub_agents": ["a"]}, format="json")
    assert response.status_code == 400
    assert "Delegation cycle: b → a → b." in str(response.json())
    assert api.patch(f"{URL}b/", {"sub_agents": ["nobody"]}, format="json").status_code == 400
    created = api.post(URL, {"slug": "top", "name": "Top", "sub_agents": ["a"]}, format="json")
    assert created.status_code == 201 and created.json()["sub_agents"] == ["a"]


def test_the_admin_form_shows_the_cycle_as_a_field_error(admin_client):
    a, b = chain("a", "b")
    response = admin_client.post(
        f"/admin/executions/agent/{b.pk}/change/", {**FORM, "slug": "b", "name": "b", "sub_agents": [a.pk]}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sub_agents"] == ["Delegation cycle: b → a → b."]
    assert list(b.sub_agents.all()) == []
    page = admin_client.get("/admin/executions/agent/add/").content.decode()
    assert "a — a (its tool: delegate_to_a)" in page
