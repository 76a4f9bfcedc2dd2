"""The admin: the live page's approvals section, deciding from it, the changelist filter, the audit."""
import pytest
from django.test import Client

from executions.models import Phase, ToolCallDecisionRecord
from tests.approvals.conftest import finished, refund, refunded, waiting

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_owner(owner):
    owner.is_staff = True
    owner.save()
    return owner


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def decide_url(execution, call_id: str) -> str:
    return f"/admin/executions/agentexecution/{execution.pk}/approvals/{call_id}/decide/"


def test_the_owner_decides_from_the_execution_page(workers, shop, staff_owner):
    execution, [approval] = waiting(shop, refund(7), owner=staff_owner)
    client = admin_client(staff_owner)

    page = client.get(f"/admin/executions/agentexecution/{execution.pk}/change/")
    assert page.status_code == 200
    assert b'data-can-decide="1"' in page.content
    listed = client.get("/admin/executions/agentexecution/", {"phase__exact": "WAITING_APPROVAL"})
    assert str(execution.pk)[:8] in listed.content.decode()

    response = client.post(
        decide_url(execution, approval.tool_call_id),
        {"decision": "edit", "args": '{"number": 8}', "comment": "typo"},
    )

    assert response.status_code == 302
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded(8)
    record = ToolCallDecisionRecord.objects.get(approval=approval)
    assert (record.surface, record.decided_by, record.approved_args) == ("admin", staff_owner, {"number": 8})
    # The audit: on the execution's page and in its own read-only list.
    assert b"typo" in client.get(f"/admin/executions/agentexecution/{execution.pk}/change/").content
    audit = client.get("/admin/executions/toolcalldecisionrecord/")
    assert audit.status_code == 200 and approval.tool_call_id in audit.content.decode()
    assert client.get(f"/admin/executions/toolcalldecisionrecord/{approval.pk}/delete/").status_code == 403


def test_background_posts_answer_json_with_the_reason(workers, shop, staff_owner):
    execution, [approval] = waiting(shop, refund(7), owner=staff_owner)
    client = admin_client(staff_owner)
    headers = {"X-Requested-With": "stigmer-live"}

    bad = client.post(decide_url(execution, approval.tool_call_id), {"decision": "edit", "args": "{"}, headers=headers)
    assert bad.status_code == 400 and "not JSON" in bad.json()["error"]
    done = client.post(decide_url(execution, approval.tool_call_id), {"decision": "reject"}, headers=headers)
    assert done.status_code == 200 and done.json() == {"decision": "reject"}
    again = client.post(decide_url(execution, approval.tool_call_id), {"decision": "approve"}, headers=headers)
    assert again.status_code == 409
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded()
