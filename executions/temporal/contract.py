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
RECORD_TOOL_CALL_DECISION = "RecordToolCallDecision"
# The Update a person's decision on a gated tool call is sent as.
DECIDE_TOOL_CALL = "decide_tool_call"
CHECK_RUNNER_QUEUE = "CheckRunnerQueue"

# The retention job: a Temporal Schedule starts this workflow once per period on
# the orchestration queue; its one activity prunes (services/retention.py).
PRUNE_WORKFLOW_TYPE = "stigmer/retention/prune"
PRUNE_EXECUTIONS = "PruneExecutions"
PRUNE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=10), maximum_attempts=3)

# Webhooks: one workflow per delivery, on the orchestration queue; its activity
# POSTs the signed event, retried with backoff (services/webhooks.py).
WEBHOOK_WORKFLOW_TYPE = "stigmer/webhooks/deliver"
DELIVER_WEBHOOK = "DeliverWebhook"
WEBHOOK_DELIVERY_GIVE_UP = "WebhookDeliveryGiveUp"
WEBHOOK_GIVE_UP_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=10)

# workflow.patched ids, one per change of the workflow's behaviour
# (docs/temporal-contract.md, "Versioning").
PATCH_SESSION_TURNS = "session-turns"
# A schedule-to-start timeout asks whether runners are serving the queue: busy
# ones keep the run waiting (continue-as-new); only none polling fails it.
PATCH_RUNNER_SLOTS = "runner-slots"
# A run stopped on gated tool calls waits for people's decisions (the
# decide_tool_call Update) and resumes its thread with them.
PATCH_APPROVALS = "approvals"

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
# Recording a decision is idempotent (one record per call); a decision that
# cannot be recorded is refused to its sender, who may send it again.
RECORD_DECISION_RETRY = RetryPolicy(maximum_attempts=5)
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


def webhook_workflow_id_for(delivery_id: str) -> str:
    return f"{WEBHOOK_WORKFLOW_TYPE}/{delivery_id}"


@dataclass
class ActivityTimeouts:
    """Seconds. Defaults are the contract's; the execution timeout follows the agent."""

    ensure_thread_start_to_close: float = 30.0
    schedule_to_start: float = 60.0
    execute_start_to_close: float = 600.0
    execute_heartbeat: float = 30.0
    update_status_schedule_to_close: float = 30.0


@dataclass
class ApprovalPolicy:
    """The agent's approval policy when the run started: the tools whose calls
    wait for a person's decision, and for how long (seconds) before they are
    rejected automatically. No tools: nothing waits."""

    tools: list[str] = field(default_factory=list)
    timeout: float = 86400.0


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
    approval: ApprovalPolicy = field(default_factory=ApprovalPolicy)


@dataclass
class ToolCallRequest:
    """A gated tool call waiting for a decision, as the model made it."""

    tool_call_id: str
    tool: str
    args: dict = field(default_factory=dict)


@dataclass
class ToolCallDecision:
    """The `decide_tool_call` Update's argument, and one decision of a resume.

    `decision`: approve | edit | reject. `args`: the arguments to run with
    (edit only). `decided_by`: the deciding user's id, None for the operator's
    shell and for the timeout; `surface`: admin | api | command | timeout.
    """

    tool_call_id: str
    decision: str
    args: dict | None = None
    comment: str = ""
    decided_by: int | None = None
    surface: str = "api"


@dataclass
class ApprovalResume:
    """ExecuteGraphton's third argument when it resumes a thread that waited
    for decisions: one per gated call of the turn. `round` counts the
    resumptions of this execution (1, 2, …): it keeps event keys unique."""

    round: int
    decisions: list[ToolCallDecision] = field(default_factory=list)


@dataclass
class DecisionRecord:
    """RecordToolCallDecision's input (local activity on the orchestration worker)."""

    execution_id: str
    decision: ToolCallDecision


@dataclass
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass
class ExecutionStatus:
    """ExecuteGraphton's result: the final state of the execution, or
    WAITING_APPROVAL with the calls that wait for a decision."""

    phase: str
    output: str = ""
    error: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    approvals: list[ToolCallRequest] = field(default_factory=list)
    # Seconds a decision may take (WAITING_APPROVAL only): shown with the request.
    approval_timeout: float = 0.0


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


@dataclass
class WebhookDeliveryInput:
    """The webhook workflow's input: which delivery, and how to retry it.

    The retry schedule travels in the input (read from settings by the
    starter) because workflow code reads no settings. No body and no secret:
    the activity reads both from the delivery's row.
    """

    delivery_id: str
    backoff_seconds: float = 5.0
    backoff_cap_seconds: float = 3600.0
    attempts: int = 20
    timeout_seconds: float = 10.0
