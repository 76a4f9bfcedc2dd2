"""Who may decide on waiting tool calls (permissions.may_decide), on every surface.

The rule is checked before anything else, so an execution with no waiting
call tells the rule apart from the rest: who may decide hears that nothing
waits (409), who may not is refused (403), who may not see it does not find it (404).
"""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from executions.models import ApprovalDeciders
from tests.access.test_rules import make_actor
from tests.api.conftest import client_for, make_execution, with_perms

pytestmark = pytest.mark.django_db(transaction=True)

ACTORS = ["owner", "stranger", "viewer", "approver", "superuser"]
SEES = {"owner", "viewer", "approver", "superuser"}
MAY_DECIDE = {
    ApprovalDeciders.OWNER: {"owner", "approver", "superuser"},
    # Four-eyes: only holders of the approve permission, never the owner.
    ApprovalDeciders.APPROVERS: {"approver", "superuser"},
}


def actor(name: str):
    if name == "approver":
        user = get_user_model().objects.create_user("approver", password="pw", is_staff=True)
        return with_perms(user, "approve_agentexecution")
    return make_actor(name)


@pytest.fixture(params=list(MAY_DECIDE))
def policy(request, demo_agent):
    demo_agent.approval_tools = ["calculator"]
    demo_agent.approval_deciders = request.param
    demo_agent.save()
    return request.param


@pytest.mark.parametrize("name", ACTORS)
def test_the_api_applies_the_rule(policy, demo_agent, name):
    owner = make_actor("owner") if name != "owner" else None
    user = actor(name)
    execution = make_execution(agent=demo_agent, owner=owner or user, phase="WAITING_APPROVAL")

    response = client_for(user).post(
        f"/api/v1/executions/{execution.pk}/approvals/call_1/", {"decision": "approve"}, format="json"
    )

    expected = 409 if name in MAY_DECIDE[policy] else 403 if name in SEES else 404
    assert response.status_code == expected, response.json()


@pytest.mark.parametrize("name", ACTORS)
def test_the_command_applies_the_rule(policy, demo_agent, name):
    owner = make_actor("owner") if name != "owner" else None
    user = actor(name)
    execution = make_execution(agent=demo_agent, owner=owner or user, phase="WAITING_APPROVAL")

    with pytest.raises(CommandError) as refused:
        call_command("decide_tool_call", str(execution.pk), "call_1", "approve", "--user", name)

    if name in MAY_DECIDE[policy]:
        assert "waits for a decision" in str(refused.value)
    elif name in SEES:
        assert "may not decide" in str(refused.value)
    else:
        assert "No execution" in str(refused.value)


@pytest.mark.parametrize("name", ["owner", "viewer", "superuser"])
def test_the_admin_applies_the_rule(policy, demo_agent, name):
    owner = make_actor("owner") if name != "owner" else None
    user = actor(name)
    execution = make_execution(agent=demo_agent, owner=owner or user, phase="WAITING_APPROVAL")
    client = Client()
    client.force_login(user)

    response = client.post(
        f"/admin/executions/agentexecution/{execution.pk}/approvals/call_1/decide/",
        {"decision": "approve"}, headers={"X-Requested-With": "stigmer-live"},
    )

    assert response.status_code == (409 if name in MAY_DECIDE[policy] else 403)
