"""The orchestration worker's local activities: UpdateExecutionStatus,
AdvanceSessionTurn, RecordToolCallDecision. Each write is idempotent, so it
goes through the runner's retried writes (no health check before it; a
dropped connection is retried at once rather than failing the attempt)."""
import logging

from temporalio import activity

from executions.services.approvals import tool_call_decision_record
from executions.services.status import execution_status_apply
from executions.services.turns import session_turn_advance
from executions.temporal.contract import (
    ADVANCE_SESSION_TURN,
    RECORD_TOOL_CALL_DECISION,
    UPDATE_EXECUTION_STATUS,
    DecisionRecord,
    StatusUpdate,
)
from runner.db import db_write
from stigmer.logs import log_context

logger = logging.getLogger(__name__)


@activity.defn(name=UPDATE_EXECUTION_STATUS)
async def update_execution_status(update: StatusUpdate) -> bool:
    with log_context(execution_id=update.execution_id, workflow_id=activity.info().workflow_id):
        changed = await db_write(execution_status_apply)(
            execution_id=update.execution_id, status=update.status
        )
        if changed:
            logger.info("execution %s persisted by the workflow", update.status.phase)
        return changed


@activity.defn(name=ADVANCE_SESSION_TURN)
async def advance_session_turn(session_id: str) -> str:
    """Start the session's next queued turn, if any; its id, or ""."""
    with log_context(workflow_id=activity.info().workflow_id):
        started = await db_write(session_turn_advance)(session_id=session_id)
        if started:
            logger.info("session %s handed to execution %s", session_id, started)
        return started or ""


@activity.defn(name=RECORD_TOOL_CALL_DECISION)
async def record_tool_call_decision(record: DecisionRecord) -> bool:
    """The audit record and event of a decision the workflow accepted."""
    with log_context(execution_id=record.execution_id, workflow_id=activity.info().workflow_id):
        return await db_write(tool_call_decision_record)(
            execution_id=record.execution_id, decision=record.decision
        )
