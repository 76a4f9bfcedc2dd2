"""The model is the agent's (finding: any signed-in user could run any agent
on `openai-compatible:anything`, spending the deployment's key)."""
import pytest
from django.contrib.auth.models import Permission

from executions.models import AgentExecution
from tests.access.test_rules import make_actor
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/"


def create(user, model: str):
    return client_for(user).post(URL, {"agent": "demo", "message": "hi", "model": model}, format="json")


def test_a_user_may_not_pick_another_model(demo_agent, fast_start):
    user = make_actor("stranger")
    refused = create(user, "openai-compatible:anything")
    assert refused.status_code == 400
    assert "may not choose" in refused.json()["error"]["fields"]["model"][0]
    assert not AgentExecution.objects.exists()
    assert create(user, "scripted:demo").status_code == 201  # the agent's own


def test_the_agents_allowlist_and_the_permission_open_other_models(demo_agent, fast_start):
    demo_agent.allowed_models = ["scripted:long"]
    demo_agent.save()
    user = make_actor("stranger")
    assert create(user, "scripted:long").status_code == 201
    assert create(user, "scripted:fail").status_code == 400
    user.user_permissions.add(Permission.objects.get(codename="choose_model"))
    user = type(user).objects.get(pk=user.pk)
    assert create(user, "scripted:fail").status_code == 201


def test_an_allowlist_of_unknown_models_is_refused_at_save(demo_agent):
    editor = make_actor("superuser")
    response = client_for(editor).patch("/api/v1/agents/demo/", {"allowed_models": ["nonsense"]}, format="json")
    assert response.status_code == 400 and "allowed_models" in response.json()["error"]["fields"]
