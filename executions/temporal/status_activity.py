"""UpdateExecutionStatus: the orchestration worker's local activity."""
from channels.db import database_sync_to_async
from temporalio import activity

from executions.services.status import execution_status_apply
from executions.temporal.contract import UPDATE_EXECUTION_STATUS, StatusUpdate


@activity.defn(name=UPDATE_EXECUTION_STATUS)
async def update_execution_status(update: StatusUpdate) -> bool:
    return await database_sync_to_async(execution_status_apply)(
        execution_id=update.execution_id, status=update.status
    )
