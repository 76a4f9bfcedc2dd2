"""The Temporal wire contract: names, queues, timeouts and payloads.

Shared by the workflow (sandboxed, so this module imports nothing but the
standard library and temporalio) and by any runner, in any language, that
implements EnsureThread and ExecuteGraphton. docs/temporal-contract.md shows
every payload as JSON.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.common import RetryPolicy

WORKFLOW_TYPE = "stigmer/agent-execution/invoke"
ENSURE_THREAD = "EnsureThread"
EXECUTE_GRAPHTON = "ExecuteGraphton"
UPDATE_EXECUTION_STATUS = "UpdateExecutionStatus"
ADVANCE_SESSION_TURN = "AdvanceSessionTurn"
CHECK_RUNNER_QUEUE = "CheckRunnerQueue"

# The retention job: a Temporal Schedule starts this workflow once per period on
# the orchestration queue; its one activity prunes (services/retention.py).
PRUNE_WORKFLOW_TYPE = "stigmer/retention/prune"
PRUNE_EXECUTIONS = "PruneExecutions"
PRUNE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_attempts=3)

# workflow.patched ids, one per change of the workflow's behaviour
# (docs/temporal-contract.md, "Versioning").
PATCH_SESSION_TURNS = "session-turns"
# A schedule-to-start timeout asks whether runners are serving the queue: busy
# ones keep the run waiting (continue-as-new); only none polling fails it.
PATCH_RUNNER_SLOTS = "runner-slots"

RUNNER_SLOT_WAIT_REASON = "waiting for a runner slot"
# The runner owns COMPLETED (docs/architecture.md, "Who moves the phase"): it
# commits it before ExecuteGraphton returns, so the workflow no longer writes
# it again.
PATCH_RUNNER_OWNS_COMPLETED = "runner-owns-completed"

DEFAULT_STIGMER_QUEUE = "agent_execution_stigmer"
DEFAULT_RUNNER_QUEUE = "agent_execution_runner"
MEMO_ACTIVITY_QUEUE = "activityTaskQueue"

ENSURE_THREAD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), backoff_coefficient=2.0, maximum_attempts=3
)
# ExecuteGraphton is not idempotent: an agent step must never run twice.
EXECUTE_GRAPHTON_RETRY = RetryPolicy(maximum_attempts=1)
UPDATE_STATUS_RETRY = RetryPolicy(maximum_attempts=3)
# The hand-off is idempotent; the reconciler is its safety net if all fail.
ADVANCE_SESSION_TURN_RETRY = RetryPolicy(maximum_attempts=5)
CHECK_RUNNER_QUEUE_RETRY = RetryPolicy(maximum_attempts=3)


def runner_queue_for_depth(runner_queue: str, depth: int) -> str:
    """The runner queue of executions at this delegation depth.

    A user's execution (depth 0) runs on the runner queue itself; a sub-agent's
    at depth d on `<runner queue>.d<d>`, served with slots of its own, so a
    parent waiting for its child never holds the slot the child needs.
    """
    return runner_queue if depth <= 0 else f"{runner_queue}.d{depth}"


def workflow_id_for(execution_id: str) -> str:
    return f"{WORKFLOW_TYPE}/{execution_id}"


@dataclass
class ActivityTimeouts:
    """Seconds. Defaults are the contract's; the execution timeout follows the agent."""

    ensure_thread_start_to_close: float = 30.0
    schedule_to_start: float = 60.0
    execute_start_to_close: float = 600.0
    execute_heartbeat: float = 30.0
    update_status_schedule_to_close: float = 30.0


@dataclass
class AgentExecutionInput:
    """The workflow's input and ExecuteGraphton's first argument. No secrets:
    the runner loads the agent's configuration itself by id."""

    execution_id: str
    agent_id: str
    session_id: str
    message: str
    model: str = ""
    timeouts: ActivityTimeouts = field(default_factory=ActivityTimeouts)


@dataclass
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass
class ExecutionStatus:
    """ExecuteGraphton's result: the final state of the execution."""

    phase: str
    output: str = ""
    error: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)


@dataclass
class StatusUpdate:
    """UpdateExecutionStatus's input (local activity on the orchestration worker)."""

    execution_id: str
    status: ExecutionStatus


@dataclass
class RunnerQueueCheck:
    """CheckRunnerQueue's input (local activity on the orchestration worker):
    after a schedule-to-start timeout, is any runner serving `queue`?"""

    execution_id: str
    queue: str
