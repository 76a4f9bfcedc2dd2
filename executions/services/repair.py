"""Stuck-run repair: make records agree with Temporal's truth.

An execution can be left PENDING or IN_PROGRESS while its workflow is closed
or gone (a worker died between the workflow's end and its status write, the
server lost its history, a run timeout fired). Each repair is one
row-locked, terminal-guarded transaction, so several reconcilers may run at
once and only one of them writes.
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from executions.models import AgentExecution, EventType, Phase
from executions.services.events import execution_event_append_locked
from executions.services.status import execution_status_apply
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import ExecutionStatus, workflow_id_for

logger = logging.getLogger(__name__)
MISSING = "MISSING"


async def _workflow_truth(client, execution_id: str) -> tuple[str, ExecutionStatus | None]:
    handle = client.get_workflow_handle(workflow_id_for(execution_id), result_type=ExecutionStatus)
    try:
        status = (await handle.describe()).status
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return MISSING, None
        raise
    if status in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW):
        return status.name, None
    if status == WorkflowExecutionStatus.COMPLETED:
        return status.name, await handle.result()
    if status == WorkflowExecutionStatus.FAILED:
        try:
            await handle.result()
        except WorkflowFailureError as exc:
            return status.name, ExecutionStatus(phase=Phase.FAILED, error=str(exc.cause or exc))
    if status == WorkflowExecutionStatus.CANCELED:
        return status.name, ExecutionStatus(phase=Phase.CANCELLED)
    reason = {
        WorkflowExecutionStatus.TERMINATED: "the workflow was terminated in Temporal",
        WorkflowExecutionStatus.TIMED_OUT: "the workflow ran past its run timeout",
    }.get(status, f"the workflow closed as {status.name}")
    return status.name, ExecutionStatus(phase=Phase.FAILED, error=reason)


async def _running(client, execution_ids: list[str]) -> set[str]:
    """Which of these executions' workflows Temporal lists as running: one
    visibility query per hundred, instead of a describe per execution. The
    list may lag; anything it leaves out is described one by one."""
    running: set[str] = set()
    workflow_ids = [workflow_id_for(execution_id) for execution_id in execution_ids]
    for start in range(0, len(workflow_ids), 100):
        quoted = ", ".join(f"'{workflow_id}'" for workflow_id in workflow_ids[start:start + 100])
        query = f"WorkflowId IN ({quoted}) AND ExecutionStatus = 'Running'"
        async for listed in client.list_workflows(query):
            running.add(listed.id)
    return running


def _running_or_none(execution_ids: list[str]) -> set[str]:
    if not execution_ids:
        return set()
    try:
        return temporal_bridge.run(lambda client: _running(client, execution_ids))
    except Exception as exc:  # noqa: BLE001 - visibility is an optimisation; describe instead
        logger.info("listing running workflows failed (%s); describing each", exc)
        return set()


def _apply(execution_id, truth: str, status: ExecutionStatus) -> bool:
    with transaction.atomic():
        execution = AgentExecution.objects.select_for_update().get(pk=execution_id)
        if execution.is_terminal:
            return False
        execution_event_append_locked(
            execution=execution,
            type=EventType.SYSTEM,
            data={"message": f"record repaired from Temporal (workflow {truth})"},
        )
        return execution_status_apply(execution_id=execution_id, status=status)


def _restart(execution_id) -> None:
    """PENDING and its workflow never reached Temporal's history: start again."""
    with transaction.atomic():
        execution = AgentExecution.objects.select_for_update().get(pk=execution_id)
        if execution.phase != Phase.PENDING or execution.workflow_started_at is None:
            return
        AgentExecution.objects.filter(pk=execution_id).update(workflow_started_at=None)
        execution_event_append_locked(
            execution=execution,
            type=EventType.SYSTEM,
            data={"message": "workflow missing from Temporal; starting it again"},
        )


def executions_repair(*, grace_seconds: float = 10.0) -> list[str]:
    """Repair every unfinished execution whose workflow is closed or missing."""
    repaired = []
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    candidates = list(
        AgentExecution.objects.filter(
            phase__in=Phase.unfinished(), workflow_started_at__lt=cutoff
        ).values_list("pk", "phase")
    )
    running = _running_or_none([str(execution_id) for execution_id, _ in candidates])
    for execution_id, phase in candidates:
        if workflow_id_for(str(execution_id)) in running:
            continue
        truth, status = temporal_bridge.run(lambda c: _workflow_truth(c, str(execution_id)))
        if truth == MISSING and phase == Phase.PENDING:
            _restart(execution_id)
            repaired.append(str(execution_id))
        elif truth == MISSING:
            status = ExecutionStatus(phase=Phase.FAILED, error="the workflow is missing from Temporal")
        if status is not None and _apply(execution_id, truth, status):
            logger.warning("execution %s repaired: workflow %s", execution_id, truth,
                           extra={"execution_id": str(execution_id)})
            repaired.append(str(execution_id))
    return repaired
