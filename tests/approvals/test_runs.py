"""Gated tool calls on real workers and a real dev server: the run waits,
holding no worker, for a decision sent as a Temporal Update, then resumes its
thread from the checkpoint (runner/approvals.py, executions/temporal/approval_gate.py)."""
import pytest
from temporalio.client import WorkflowExecutionStatus

from executions.models import Phase, ToolCallDecisionRecord
from executions.services.approvals import ApprovalConflict, tool_call_decide
from executions.services.executions import execution_cancel
from executions.temporal.client import temporal_bridge
from tests.approvals.conftest import events_of, finished, pending_activities, refund, refunded, waiting

pytestmark = pytest.mark.django_db(transaction=True)


def decide(execution, approval, decision, **extra):
    extra.setdefault("user", execution.owner)
    return tool_call_decide(
        execution=execution, tool_call_id=approval.tool_call_id, decision=decision, surface="api", **extra
    )


def test_an_approved_call_runs_after_the_decision_and_the_run_completes(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    # Nothing ran, and no worker is held while it waits.
    assert refunded()
    assert not events_of(execution, "tool_call_completed")
    assert pending_activities(execution) == 0
    [requested] = events_of(execution, "approval_requested")
    assert (requested["id"], requested["name"], requested["args"]) == (approval.tool_call_id, "refund_order", {"number": 7})

    record = decide(execution, approval, "approve", comment="customer verified")
    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded(7)
    assert execution.output == "The refund_order tool returned: refunded order 7 (item 7)."
    assert (record.decision, record.approved_args, record.decided_by, record.surface, record.comment) == (
        "approve", {"number": 7}, owner, "api", "customer verified",
    )
    [decided] = events_of(execution, "approval_decided")
    assert decided["decision"] == "approve" and decided["by"] == "olivia"
    phases = [data["phase"] for data in events_of(execution, "phase")]
    assert phases == ["PENDING", "IN_PROGRESS", "WAITING_APPROVAL", "IN_PROGRESS", "COMPLETED"]


def test_an_edited_call_runs_with_the_new_arguments_and_both_are_recorded(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    record = decide(execution, approval, "edit", args={"number": 8}, comment="wrong order number")
    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded(8)
    assert (record.approval.args, record.approved_args) == ({"number": 7}, {"number": 8})
    [completed] = events_of(execution, "tool_call_completed")
    assert completed["result"] == "refunded order 8 (item 8)"


def test_a_rejected_call_never_runs_and_the_model_reads_the_rejection(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    decide(execution, approval, "reject", comment="refunds need a receipt")
    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded()
    assert execution.output == "The tool failed: Rejected by the approver: refunds need a receipt"
    [failed] = events_of(execution, "tool_call_failed")
    assert failed["error"] == "Rejected by the approver: refunds need a receipt"


def test_a_call_nobody_decides_is_rejected_at_the_timeout(workers, shop, owner):
    shop.approval_timeout_seconds = 2
    shop.save()
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded()
    record = ToolCallDecisionRecord.objects.get(approval=approval)
    assert (record.decision, record.surface, record.decided_by) == ("reject", "timeout", None)
    assert "no decision within 2 s" in execution.output


def test_a_waiting_run_can_be_cancelled(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    execution_cancel(execution=execution)
    execution = finished(execution)

    assert execution.phase == Phase.CANCELLED
    status = temporal_bridge.run(lambda c: c.get_workflow_handle(execution.workflow_id).describe())
    assert status.status == WorkflowExecutionStatus.CANCELED
    with pytest.raises(ApprovalConflict):
        decide(execution, approval, "approve")
    assert refunded()


def test_each_gated_call_of_a_turn_needs_its_own_decision(workers, shop, owner):
    message = f"{refund(7)}\n{refund(8)}\ncall calculator with {{\"expression\": \"2+2\"}}"
    execution, [first, second] = waiting(shop, message, owner=owner, calls=2)

    decide(execution, first, "approve")
    execution.refresh_from_db()
    assert execution.phase == Phase.WAITING_APPROVAL  # the second still waits
    assert not events_of(execution, "tool_call_completed")
    decide(execution, second, "reject", comment="not this one")
    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded(7)
    results = {data["name"]: data for data in events_of(execution, "tool_call_completed")}
    assert results["calculator"]["result"] == "4"
    [failed] = events_of(execution, "tool_call_failed")
    assert failed["error"] == "Rejected by the approver: not this one"


def test_a_second_decision_is_refused(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    decide(execution, approval, "reject")

    with pytest.raises(ApprovalConflict, match="decided already"):
        decide(execution, approval, "approve")
    finished(execution)
    assert ToolCallDecisionRecord.objects.filter(approval=approval).count() == 1
    assert refunded()


def test_an_unknown_call_is_refused(workers, shop, owner):
    execution, _ = waiting(shop, refund(7), owner=owner)

    with pytest.raises(ApprovalConflict):
        tool_call_decide(execution=execution, tool_call_id="call_nope", decision="approve", user=owner, surface="api")


def test_waiting_does_not_count_against_the_execution_timeout(workers, shop, owner):
    # The wait (5 s, then rejected by the timer) outlasts the agent's 3 s: under
    # a run timeout equal to the execution timeout the workflow would time out.
    shop.execution_timeout_seconds = 3
    shop.approval_timeout_seconds = 5
    shop.save()
    execution, _ = waiting(shop, refund(7), owner=owner)
    described = temporal_bridge.run(lambda c: c.get_workflow_handle(execution.workflow_id).describe())
    assert not described.raw_description.execution_config.HasField("workflow_run_timeout") or (
        described.raw_description.execution_config.workflow_run_timeout.ToSeconds() == 0
    )

    execution = finished(execution)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert "no decision within 5 s" in execution.output


def test_of_two_racing_decisions_exactly_one_is_taken(workers, shop, owner):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    execution, [approval] = waiting(shop, refund(7), owner=owner)

    def attempt(decision):
        try:
            return decide(execution, approval, decision).decision
        except ApprovalConflict:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, ["approve", "reject"]))

    assert outcomes in (["approve", "refused"], ["refused", "reject"])
    assert ToolCallDecisionRecord.objects.filter(approval=approval).count() == 1
    assert finished(execution).phase == Phase.COMPLETED
    assert refunded(7) == (outcomes[0] == "approve")
