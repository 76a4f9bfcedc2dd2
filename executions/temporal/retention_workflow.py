"""The retention job's workflow. Deterministic and sandboxed: no Django, no I/O."""
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from executions.temporal.contract import PRUNE_EXECUTIONS, PRUNE_RETRY, PRUNE_WORKFLOW_TYPE


@workflow.defn(name=PRUNE_WORKFLOW_TYPE)
class RetentionPruneWorkflow:
    """One retention pass, started by the retention Schedule once per period."""

    @workflow.run
    async def run(self) -> dict:
        # Its own workflow id names the pass: a retried activity adds to the
        # same record instead of counting a second pass.
        return await workflow.execute_activity(
            PRUNE_EXECUTIONS,
            workflow.info().workflow_id,
            result_type=dict,
            start_to_close_timeout=timedelta(hours=1),
            retry_policy=PRUNE_RETRY,
        )
