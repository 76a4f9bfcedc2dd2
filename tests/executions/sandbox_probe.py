"""A workflow that collects garbage, for tests/executions/test_workflow_sandbox.py."""
from temporalio import workflow


@workflow.defn(name="tests/sandbox-probe")
class CollectGarbage:
    @workflow.run
    async def run(self) -> str:
        import gc

        gc.collect()
        return "collected"
