"""Tool calls that wait for a person: requesting, deciding and recording decisions.

`tool_call_decide` is the one way every surface (admin, API, command,
`run_agent` at its terminal) decides. It checks the rule
(permissions.may_decide) and the input, then sends the decision to the
execution's workflow as the `decide_tool_call` Update: the workflow is what
knows which calls still wait, so its validator refuses an unknown or already
decided call (ApprovalConflict, 409 in the API) and two racing deciders cannot
both win. The Update's handler records the decision (RecordToolCallDecision,
`tool_call_decision_record`) before it returns, so a decision the caller saw
accepted is in the audit log.
"""
import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from executions.errors import ExecutionError
from executions.models import (
    AgentExecution,
    Decision,
    DecisionSurface,
    EventType,
    Phase,
    ToolCallApproval,
    ToolCallDecisionRecord,
)
from executions.permissions import may_decide
from executions.services.events import NewEvent, execution_event_append
from executions.services.phases import execution_phase_set
from executions.temporal.contract import DECIDE_TOOL_CALL, ToolCallDecision, ToolCallRequest

logger = logging.getLogger(__name__)

MAX_COMMENT = 2000


class ApprovalConflict(ExecutionError):
    """The call is not waiting for a decision (unknown, or decided already)."""


class ApprovalUnavailable(ExecutionError):
    """Temporal did not take the decision (unreachable, or no orchestration
    worker answered in time): nothing was recorded, it may be sent again."""


def timeout_decision(call_id: str, timeout: float) -> ToolCallDecision:
    """The rejection the workflow sends itself when nobody decided in time."""
    return ToolCallDecision(
        tool_call_id=call_id, decision=Decision.REJECT, surface=DecisionSurface.TIMEOUT,
        comment=f"no decision within {timeout:g} s: rejected automatically",
    )


def execution_approvals_request(
    *, execution_id, calls: list[ToolCallRequest], timeout: float, usage: dict | None = None
) -> bool:
    """WAITING_APPROVAL, with one `approval_requested` event and one
    ToolCallApproval per call, in one transaction; False when nothing changed
    (already waiting on them, or terminal). Written by the workflow's
    UpdateExecutionStatus once it knows the calls, so a decision sent as soon as
    the phase shows is never refused as unknown."""
    now = timezone.now()
    expires = now + timedelta(seconds=timeout)
    events = [
        NewEvent(
            EventType.APPROVAL_REQUESTED,
            {"id": call.tool_call_id, "name": call.tool, "args": call.args, "expires_at": expires.isoformat()},
        )
        for call in calls
    ]
    with transaction.atomic():
        changed = execution_phase_set(
            execution_id=execution_id, phase=Phase.WAITING_APPROVAL, usage=usage, following=events
        )
        if changed:
            ToolCallApproval.objects.bulk_create(
                [
                    ToolCallApproval(
                        execution_id=execution_id, tool_call_id=call.tool_call_id, tool=call.tool,
                        args=call.args, requested_at=now, expires_at=expires,
                    )
                    for call in calls
                ],
                ignore_conflicts=True,
            )
    return changed


def decision_input_clean(*, decision: str, args, comment: str) -> ToolCallDecision:
    """The decision a surface was given, checked: ValidationError per field."""
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = f"Choose one of: {', '.join(Decision.values)}."
    if decision == Decision.EDIT:
        if not isinstance(args, dict):
            errors["args"] = "An edit gives the call's new arguments as a JSON object."
    elif args not in (None, {}):
        errors["args"] = "Only an edit gives arguments."
    if not isinstance(comment, str):
        errors["comment"] = "A comment is text."
    elif len(comment) > MAX_COMMENT or "\x00" in comment:
        errors["comment"] = f"At most {MAX_COMMENT} characters, without null characters."
    if errors:
        raise ValidationError(errors)
    return ToolCallDecision(
        tool_call_id="", decision=decision, args=args if decision == Decision.EDIT else None, comment=comment
    )


def tool_call_decide(
    *,
    execution: AgentExecution,
    tool_call_id: str,
    decision: str,
    args: dict | None = None,
    comment: str = "",
    user=None,
    surface: str,
) -> ToolCallDecisionRecord:
    """Approve, edit or reject a waiting call, for every surface.

    PermissionDenied when `user` may not decide (user None: the operator's
    shell), ValidationError for bad input, ApprovalConflict when the call is
    not waiting (unknown, decided already, or the run is not waiting)."""
    if not may_decide(user, execution):
        raise PermissionDenied("You may not decide on this execution's tool calls.")
    payload = decision_input_clean(decision=decision, args=args, comment=comment)
    payload.tool_call_id, payload.surface = tool_call_id, surface
    payload.decided_by = user.pk if user is not None else None
    approval = ToolCallApproval.objects.filter(execution=execution, tool_call_id=tool_call_id).first()
    if approval is None:
        raise ApprovalConflict(f"No tool call {tool_call_id} of execution {execution.pk} waits for a decision.")
    if approval.decided:
        raise ApprovalConflict(f"Tool call {tool_call_id} was decided already ({approval.decision.decision}).")
    _send(execution, payload)
    return ToolCallDecisionRecord.objects.select_related("approval", "decided_by").get(approval=approval)


def _send(execution: AgentExecution, payload: ToolCallDecision) -> None:
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.service import RPCError, RPCStatusCode

    from executions.temporal.client import temporal_bridge
    from executions.temporal.starter import workflow_handle

    async def update(client):
        await workflow_handle(client, str(execution.pk)).execute_update(DECIDE_TOOL_CALL, payload)

    try:
        temporal_bridge.run(update)
    except WorkflowUpdateFailedError as exc:
        # The validator's (or the handler's) refusal: its message says why.
        raise ApprovalConflict(str(getattr(exc.cause, "message", exc.cause) or exc)) from None
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            # The workflow has closed (cancelled, finished) meanwhile.
            raise ApprovalConflict(f"Execution {execution.pk} no longer waits: {exc.message}") from None
        raise ApprovalUnavailable(f"Temporal did not take the decision: {exc.message}; send it again") from None
    except Exception as exc:  # noqa: BLE001 - unreachable, no answer in time: not taken
        reason = str(exc) or type(exc).__name__
        raise ApprovalUnavailable(f"Temporal did not take the decision: {reason}; send it again") from None


def tool_call_decision_record(*, execution_id, decision: ToolCallDecision) -> bool:
    """The audit record and the `approval_decided` event of one decision.
    Idempotent (the local activity may be retried): False when it exists."""
    approval = ToolCallApproval.objects.get(execution_id=execution_id, tool_call_id=decision.tool_call_id)
    user = get_user_model().objects.filter(pk=decision.decided_by).first() if decision.decided_by else None
    approved_args = None
    if decision.decision == Decision.APPROVE:
        approved_args = approval.args
    elif decision.decision == Decision.EDIT:
        approved_args = decision.args
    try:
        with transaction.atomic():
            record = ToolCallDecisionRecord.objects.create(
                approval=approval, decision=decision.decision, approved_args=approved_args,
                decided_by=user, decided_by_name=user.get_username() if user else "",
                surface=decision.surface, comment=decision.comment, decided_at=timezone.now(),
            )
            execution_event_append(
                execution_id=execution_id, type=EventType.APPROVAL_DECIDED,
                data=decision_event_data(record), key=f"approval-decided:{decision.tool_call_id}",
            )
    except IntegrityError:
        return False
    return True


def decision_event_data(record: ToolCallDecisionRecord) -> dict:
    approval = record.approval
    return {
        "id": approval.tool_call_id,
        "name": approval.tool,
        "decision": record.decision,
        "requested_args": approval.args,
        "args": record.approved_args,
        "by": record.decided_by_name,
        "surface": record.surface,
        "comment": record.comment,
        "at": record.decided_at.isoformat(),
    }
