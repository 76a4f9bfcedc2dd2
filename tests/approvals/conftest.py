"""Agents whose `refund_order` calls wait for a person (tests/toolapp's tool)."""
import pytest
from django.contrib.auth import get_user_model

from executions.models import Agent, ApprovalDeciders, Phase, ToolCallApproval
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import workflow_id_for
from tests.toolapp.models import Order
from tests.waiting import wait_for_phase


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("olivia", password="pw")


@pytest.fixture
def shop(db):
    Order.objects.bulk_create([Order(number=n, item=f"item {n}") for n in (7, 8, 9)])
    return Agent.objects.create(
        slug="shop", name="Shop", model="scripted:demo", tools=["refund_order", "calculator"],
        approval_tools=["refund_order"],
    )


@pytest.fixture
def four_eyes_shop(shop):
    shop.approval_deciders = ApprovalDeciders.APPROVERS
    shop.save()
    return shop


def refund(number: int) -> str:
    return f'call refund_order with {{"number": {number}}}'


def waiting(agent, message: str, *, owner=None, calls: int = 1):
    """An execution stopped on its gated calls, with the calls' records."""
    execution = execution_create(agent=agent, message=message, owner=owner)
    execution = wait_for_phase(execution, Phase.WAITING_APPROVAL, Phase.FAILED, timeout=60)
    assert execution.phase == Phase.WAITING_APPROVAL, execution.error
    approvals = list(ToolCallApproval.objects.filter(execution=execution).order_by("id"))
    assert len(approvals) == calls
    return execution, approvals


def refunded(*numbers: int) -> bool:
    return set(Order.objects.filter(refunded=True).values_list("number", flat=True)) == set(numbers)


def events_of(execution, type_: str) -> list[dict]:
    return list(execution.events.filter(type=type_).order_by("sequence").values_list("data", flat=True))


def pending_activities(execution) -> int:
    """Activities the workflow has scheduled or running: 0 while it waits holding no worker."""

    async def describe(client):
        description = await client.get_workflow_handle(workflow_id_for(str(execution.pk))).describe()
        return len(description.raw_description.pending_activities)

    return temporal_bridge.run(describe)


def finished(execution, timeout: float = 60):
    return wait_for_phase(execution, *Phase.terminal(), timeout=timeout)

