"""The floor: a bare Temporal workflow of our shape, no Django, no database, no agent.

Two activities on a second task queue chosen by memo, with the contract's
timeouts; one process runs the workflow worker, another the activity worker
(as our orchestration and runner workers do), with the runner's concurrency.
The agent floor's activity worker runs our LangGraph agent in its second
activity instead of a no-op (an in-memory checkpointer, still no Django, no
database, no pushes): what the agent alone adds to the floor.
`python -m bench.floor_worker workflow|activities|agent-activities HOST:PORT QUEUE`.
"""
import sys
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

WORKFLOW = "bench/floor"
MEMO_QUEUE = "activityTaskQueue"
RUNNER_CONCURRENCY = 20  # TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES's default


@activity.defn(name="FloorEnsureThread")
async def ensure_thread(session_id: str, agent_id: str) -> str:
    return f"thread-{session_id}"


@activity.defn(name="FloorExecute")
async def execute(message: str, thread_id: str) -> dict:
    return {"phase": "COMPLETED", "output": "The result is 42."}


def agent_execute():
    """FloorExecute running our agent as ExecuteGraphton streams it, minus
    the event log: the graph of bench/peer_graph.py, memory in-process."""
    from langchain_core.messages import AIMessage, HumanMessage
    from langgraph.checkpoint.memory import InMemorySaver

    from bench.peer_graph import make_graph

    agent = make_graph(checkpointer=InMemorySaver())

    @activity.defn(name="FloorExecute")
    async def execute_agent(message: str, thread_id: str) -> dict:
        answer = ""
        async for mode, chunk in agent.astream(
            {"messages": [HumanMessage(message)]},
            {"configurable": {"thread_id": thread_id}, "recursion_limit": 55},
            stream_mode=["updates", "messages"], durability="exit",
        ):
            for update in (chunk or {}).values() if mode == "updates" else ():
                for msg in (update or {}).get("messages", []):
                    if isinstance(msg, AIMessage) and not msg.tool_calls:
                        answer = msg.content
        return {"phase": "COMPLETED", "output": answer}

    return execute_agent


@workflow.defn(name=WORKFLOW)
class FloorWorkflow:
    @workflow.run
    async def run(self, message: str) -> dict:
        queue = workflow.memo_value(MEMO_QUEUE, type_hint=str)
        thread_id = await workflow.execute_activity(
            "FloorEnsureThread", args=[workflow.info().workflow_id, "agent"], task_queue=queue, result_type=str,
            start_to_close_timeout=timedelta(seconds=30), schedule_to_start_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=3),
        )
        return await workflow.execute_activity(
            "FloorExecute", args=[message, thread_id], task_queue=queue, result_type=dict,
            start_to_close_timeout=timedelta(seconds=600), schedule_to_start_timeout=timedelta(seconds=60),
            heartbeat_timeout=timedelta(seconds=30), retry_policy=RetryPolicy(maximum_attempts=1),
        )


async def main(role: str, host_port: str, queue: str) -> None:
    client = await Client.connect(host_port)
    if role == "workflow":
        # The sandbox as our orchestration worker configures it
        # (executions/temporal/workers.py), so the two differ only in work.
        runner = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())
        # By its module's name, not __main__'s: a passed-through sandbox
        # imports the workflow's module, and `python -m` has none by that name.
        from bench.floor_worker import FloorWorkflow as workflow_class

        worker = Worker(client, task_queue=queue, workflows=[workflow_class], workflow_runner=runner)
    else:
        worker = Worker(
            client, task_queue=queue,
            activities=[ensure_thread, agent_execute() if role == "agent-activities" else execute],
            max_concurrent_activities=RUNNER_CONCURRENCY,
        )
    print("floor worker polling", flush=True)
    await worker.run()


if __name__ == "__main__":
    # The same event loop as our workers run on (executions/ops/loops.py), so the
    # comparison is of the work done, not of the loop.
    import uvloop

    uvloop.run(main(*sys.argv[1:4]))
