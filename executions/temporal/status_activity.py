"""UpdateExecutionStatus: the orchestration worker's local activity."""
import logging

from channels.db import database_sync_to_async
from temporalio import activity

from executions.services.status import execution_status_apply
from executions.temporal.contract import UPDATE_EXECUTION_STATUS, StatusUpdate
from stigmer.logs import log_context

logger = logging.getLogger(__name__)


@activity.defn(name=UPDATE_EXECUTION_STATUS)
async def update_execution_status(update: StatusUpdate) -> bool:
    with log_context(execution_id=update.execution_id, workflow_id=activity.info().workflow_id):
        changed = await database_sync_to_async(execution_status_apply)(
            execution_id=update.execution_id, status=update.status
        )
        if changed:
            logger.info("execution %s persisted by the workflow", update.status.phase)
        return changed
