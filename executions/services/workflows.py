"""Starting and cancelling executions' workflows from synchronous code."""
import logging
from functools import partial

from django.utils import timezone

from executions.models import AgentExecution, EventType, Phase
from executions.services.events import execution_event_append
from executions.temporal.client import temporal_bridge
from executions.temporal.config import TemporalConfig, temporal_config
from executions.temporal.contract import AgentExecutionInput, ApprovalPolicy
from executions.temporal.starter import workflow_handle, workflow_start
from stigmer.tracing import attached

logger = logging.getLogger(__name__)


def execution_workflow_input(
    execution: AgentExecution, config: TemporalConfig
) -> AgentExecutionInput:
    return AgentExecutionInput(
        execution_id=str(execution.pk),
        agent_id=str(execution.agent_id),
        session_id=str(execution.session_id),
        message=execution.message,
        model=execution.model,
        timeouts=config.timeouts(execution_timeout=execution.agent.execution_timeout_seconds),
        # The policy as the run starts: a run never waits on a rule it did not start with.
        approval=ApprovalPolicy(
            tools=list(execution.agent.approval_tools),
            timeout=float(execution.agent.approval_timeout_seconds),
        ),
    )


def execution_workflow_start(*, execution_id) -> bool:
    """Start the workflow of a PENDING execution; True once it is running.

    When Temporal cannot be reached the execution stays PENDING with the reason
    recorded (logged at each attempt, one event per outage); the reconciler
    retries.
    """
    execution = AgentExecution.objects.select_related("agent").get(pk=execution_id)
    if execution.phase != Phase.PENDING or execution.workflow_started_at:
        return execution.workflow_started_at is not None
    return execution_workflow_start_loaded(execution=execution)


def execution_workflow_start_loaded(*, execution: AgentExecution) -> bool:
    """Start the workflow of an execution the caller has just read as PENDING
    and not started (the create pipeline, right after its own commit)."""
    config = temporal_config()
    payload = execution_workflow_input(execution, config)
    try:
        temporal_bridge.run(
            partial(_start_in_trace, execution.traceparent, payload, config, execution.depth),
            timeout=config.connect_timeout,
        )
    except Exception as exc:  # noqa: BLE001 - any failure to start leaves it PENDING
        reason = f"Temporal unreachable at {config.host_port}: {str(exc) or type(exc).__name__}"
        logger.warning(
            "execution %s not started: %s", execution.pk, reason,
            extra={"execution_id": str(execution.pk), "workflow_id": execution.workflow_id},
        )
        _record_start_error(execution, reason)
        return False
    _record_started(execution)
    return True


async def _start_in_trace(
    traceparent: str, payload: AgentExecutionInput, config: TemporalConfig, depth: int, client
) -> None:
    """On the bridge's loop, under the execution's create span: Temporal's
    tracing interceptor puts that context in the workflow's headers."""
    with attached(traceparent):
        await workflow_start(client, payload=payload, config=config, depth=depth)


# The creator's own start after commit, the reconciler of every orchestration
# worker and a retry can race for one execution: each record below is a
# conditional update, and only the starter whose update changed the row
# appends the event, so the log says it once.


def _record_started(execution: AgentExecution) -> None:
    now = timezone.now()
    not_started = AgentExecution.objects.filter(pk=execution.pk, workflow_started_at__isnull=True)
    execution.workflow_started_at, execution.start_error = now, ""
    if not_started.filter(start_error="").update(workflow_started_at=now, updated_at=now):
        return
    if not_started.exclude(start_error="").update(workflow_started_at=now, start_error="", updated_at=now):
        execution_event_append(
            execution_id=execution.pk,
            type=EventType.SYSTEM,
            data={"message": "Temporal reachable again; workflow started"},
        )


def _record_start_error(execution: AgentExecution, reason: str) -> None:
    """One event per outage: the first starter to fail records it; later
    attempts (the reconciler's, another process's, with other error texts)
    find the outage already said and keep its first reason."""
    changed = (
        AgentExecution.objects.filter(pk=execution.pk, workflow_started_at__isnull=True, start_error="")
        .update(start_error=reason)
    )
    if changed:
        execution.start_error = reason
        said = execution_event_append(
            execution_id=execution.pk, type=EventType.SYSTEM, data={"message": reason}
        )
        if said is not None:
            execution.last_sequence = said.sequence  # the creator's 201 shows it
    else:
        execution.refresh_from_db(fields=["start_error"])


def execution_workflow_cancel(*, execution: AgentExecution) -> None:
    """Ask Temporal to cancel the workflow; the runner then stops the agent."""
    temporal_bridge.run(lambda client: workflow_handle(client, str(execution.pk)).cancel())
