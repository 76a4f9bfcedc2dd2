"""GET /api/v1/executions/{id}/approvals/ and POST …/approvals/{tool_call_id}/: the rule, and 400/403/404/409."""
import pytest

from executions.models import Phase
from tests.api.conftest import client_for, with_perms
from tests.approvals.conftest import finished, refund, refunded, waiting

pytestmark = pytest.mark.django_db(transaction=True)


def url(execution, call_id: str = "") -> str:
    base = f"/api/v1/executions/{execution.pk}/approvals/"
    return f"{base}{call_id}/" if call_id else base


def test_the_owner_lists_the_waiting_call_and_approves_it(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    api = client_for(owner)

    listed = api.get(url(execution))
    assert listed.status_code == 200
    [item] = listed.json()
    assert (item["tool_call_id"], item["tool"], item["args"], item["status"], item["decision"]) == (
        approval.tool_call_id, "refund_order", {"number": 7}, "waiting", None,
    )

    decided = api.post(url(execution, approval.tool_call_id), {"decision": "approve", "comment": "ok"}, format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["decision"]["decided_by"] == "olivia"
    assert decided.json()["decision"]["surface"] == "api"
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded(7)
    [item] = api.get(url(execution)).json()
    assert item["status"] == "decided" and item["decision"]["args"] == {"number": 7}


def test_a_second_decision_is_409_and_changes_nothing(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    api = client_for(owner)
    assert api.post(url(execution, approval.tool_call_id), {"decision": "reject"}, format="json").status_code == 200

    again = api.post(url(execution, approval.tool_call_id), {"decision": "approve"}, format="json")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded()


def test_four_eyes_refuses_the_owner_and_lets_an_approver_decide(workers, four_eyes_shop, owner, django_user_model):
    execution, [approval] = waiting(four_eyes_shop, refund(7), owner=owner)
    approver = with_perms(django_user_model.objects.create_user("checker"), "approve_agentexecution")

    by_owner = client_for(owner).post(url(execution, approval.tool_call_id), {"decision": "approve"}, format="json")
    assert by_owner.status_code == 403
    # The approver sees the calls of an execution that is not theirs, and decides.
    assert client_for(approver).get(url(execution)).status_code == 200
    by_approver = client_for(approver).post(
        url(execution, approval.tool_call_id), {"decision": "edit", "args": {"number": 9}}, format="json"
    )
    assert by_approver.status_code == 200, by_approver.json()
    assert by_approver.json()["decision"]["decided_by"] == "checker"
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded(9)


def test_someone_who_may_see_but_not_decide_gets_403(workers, shop, owner, django_user_model):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    viewer = with_perms(django_user_model.objects.create_user("viewer"), "view_agentexecution")

    assert client_for(viewer).get(url(execution)).status_code == 200
    refused = client_for(viewer).post(url(execution, approval.tool_call_id), {"decision": "approve"}, format="json")

    assert refused.status_code == 403
    execution.refresh_from_db()
    assert execution.phase == Phase.WAITING_APPROVAL


def test_a_stranger_gets_404(workers, shop, owner, django_user_model):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    stranger = client_for(django_user_model.objects.create_user("stranger"))

    assert stranger.get(url(execution)).status_code == 404
    assert stranger.post(url(execution, approval.tool_call_id), {"decision": "approve"}, format="json").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "maybe"}, "decision"),
        ({}, "decision"),
        ({"decision": "edit"}, "args"),
        ({"decision": "edit", "args": [1]}, "args"),
        ({"decision": "approve", "args": {"number": 1}}, "args"),
        ({"decision": "reject", "comment": 5}, "comment"),
        ({"decision": "approve", "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_400_with_the_field(workers, shop, owner, body, field):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    response = client_for(owner).post(url(execution, approval.tool_call_id), body, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    execution.refresh_from_db()
    assert execution.phase == Phase.WAITING_APPROVAL


def test_an_unknown_call_is_409(workers, shop, owner):
    execution, _ = waiting(shop, refund(7), owner=owner)

    response = client_for(owner).post(url(execution, "call_unknown"), {"decision": "approve"}, format="json")

    assert response.status_code == 409


def test_temporal_unreachable_is_503_and_records_nothing(workers, shop, owner, monkeypatch):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    monkeypatch.setenv("TEMPORAL_HOST_PORT", "127.0.0.1:9")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "0.5")

    response = client_for(owner).post(url(execution, approval.tool_call_id), {"decision": "approve"}, format="json")

    assert response.status_code == 503, response.json()
    assert "send it again" in response.json()["error"]["message"]
    assert not hasattr(approval, "decision") and not execution.approvals.filter(decision__isnull=False).exists()
