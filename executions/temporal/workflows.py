"""The orchestration workflow. Deterministic and sandboxed: no Django, no I/O."""
import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    TimeoutError,
    TimeoutType,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from executions.temporal.contract import (
        ADVANCE_SESSION_TURN,
        ADVANCE_SESSION_TURN_RETRY,
        CHECK_RUNNER_QUEUE,
        CHECK_RUNNER_QUEUE_RETRY,
        DEFAULT_RUNNER_QUEUE,
        ENSURE_THREAD,
        ENSURE_THREAD_RETRY,
        EXECUTE_GRAPHTON,
        EXECUTE_GRAPHTON_RETRY,
        MEMO_ACTIVITY_QUEUE,
        PATCH_APPROVALS,
        PATCH_RUNNER_OWNS_COMPLETED,
        PATCH_RUNNER_SLOTS,
        PATCH_SESSION_TURNS,
        UPDATE_EXECUTION_STATUS,
        UPDATE_STATUS_RETRY,
        WORKFLOW_TYPE,
        AgentExecutionInput,
        ApprovalResume,
        ExecutionStatus,
        RunnerQueueCheck,
        StatusUpdate,
    )
    from executions.temporal.approval_gate import ApprovalGate


def never_started(err: ActivityError) -> bool:
    cause = err.cause
    return isinstance(cause, TimeoutError) and cause.type == TimeoutType.SCHEDULE_TO_START


def describe_activity_failure(err: ActivityError, queue: str) -> str:
    """A reason a person can act on, rather than Temporal's raw failure."""
    cause = err.cause
    if isinstance(cause, TimeoutError):
        if cause.type == TimeoutType.SCHEDULE_TO_START:
            return f"no runner worker is polling queue {queue}"
        if cause.type == TimeoutType.HEARTBEAT:
            return f"runner worker lost: {err.activity_type} stopped heartbeating"
        return f"{err.activity_type} timed out ({cause.type.name.lower().replace('_', '-')})"
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause or err)


@workflow.defn(name=WORKFLOW_TYPE)
class InvokeAgentExecutionWorkflow(ApprovalGate):
    @workflow.run
    async def run(self, execution: AgentExecutionInput) -> ExecutionStatus:
        # However the turn ends, the session's next queued turn may then start
        # (services/turns.py). Not a `finally`: a workflow evicted from the
        # cache or collected mid-run must not run workflow code on its way out.
        try:
            status = await self._invoke(execution)
        except (Exception, asyncio.CancelledError):
            await self._hand_off(execution)
            raise
        await self._hand_off(execution)
        return status

    async def _invoke(self, execution: AgentExecutionInput) -> ExecutionStatus:
        queue = workflow.memo_value(MEMO_ACTIVITY_QUEUE, DEFAULT_RUNNER_QUEUE, type_hint=str)
        timeouts = execution.timeouts
        try:
            thread_id = await workflow.execute_activity(
                ENSURE_THREAD,
                args=[execution.session_id, execution.agent_id],
                task_queue=queue,
                result_type=str,
                start_to_close_timeout=timedelta(seconds=timeouts.ensure_thread_start_to_close),
                schedule_to_start_timeout=timedelta(seconds=timeouts.schedule_to_start),
                retry_policy=ENSURE_THREAD_RETRY,
            )
            status = await self._execute(execution, thread_id, queue)
        except asyncio.CancelledError:
            # Cancelled before any activity was scheduled: a cancel can reach a
            # run that was continued as new while it waited for a runner slot.
            if workflow.patched(PATCH_RUNNER_SLOTS):
                await self._persist(execution, ExecutionStatus(phase="CANCELLED"))
            raise
        except ActivityError as err:
            if not is_cancelled_exception(err) and never_started(err) and workflow.patched(PATCH_RUNNER_SLOTS):
                try:
                    await self._wait_for_runner_slot(execution, queue)
                except (ActivityError, asyncio.CancelledError) as waiting:
                    if not is_cancelled_exception(waiting):
                        raise
                    await self._persist(execution, ExecutionStatus(phase="CANCELLED"))
                    raise
            if is_cancelled_exception(err):
                await self._persist(execution, ExecutionStatus(phase="CANCELLED"))
                raise
            reason = describe_activity_failure(err, queue)
            await self._persist(execution, ExecutionStatus(phase="FAILED", error=reason))
            raise ApplicationError(reason, type="AgentExecutionFailed", non_retryable=True)
        # Stopped on tool calls that wait for people (since patch `approvals`):
        # no worker is held while the workflow waits for the decisions.
        while status.phase == "WAITING_APPROVAL" and workflow.patched(PATCH_APPROVALS):
            status = await self._resume_after_decisions(execution, thread_id, queue, status)
        if not workflow.patched(PATCH_RUNNER_OWNS_COMPLETED):
            await self._persist(execution, status)  # before: written twice
        if status.phase == "FAILED":
            raise ApplicationError(status.error, type="AgentExecutionFailed", non_retryable=True)
        return status

    async def _execute(
        self, execution: AgentExecutionInput, thread_id: str, queue: str, resume: ApprovalResume | None = None
    ) -> ExecutionStatus:
        """ExecuteGraphton: the turn, or its resumption with decisions. The
        execution timeout is the agent's time: a resumption gets what the
        earlier runs left of it; the waits for people are not counted."""
        timeouts = execution.timeouts
        budget = timeouts.execute_start_to_close
        if resume is not None:
            budget -= self._agent_seconds
            if budget < 1:
                reason = f"execution timeout: the agent used its {timeouts.execute_start_to_close:g} s"
                await self._persist(execution, ExecutionStatus(phase="FAILED", error=reason))
                raise ApplicationError(reason, type="AgentExecutionFailed", non_retryable=True)
        started = workflow.now()
        status = await workflow.execute_activity(
            EXECUTE_GRAPHTON,
            args=[execution, thread_id] if resume is None else [execution, thread_id, resume],
            task_queue=queue,
            result_type=ExecutionStatus,
            start_to_close_timeout=timedelta(seconds=budget),
            schedule_to_start_timeout=timedelta(seconds=timeouts.schedule_to_start),
            heartbeat_timeout=timedelta(seconds=timeouts.execute_heartbeat),
            retry_policy=EXECUTE_GRAPHTON_RETRY,
            # The runner records CANCELLED itself once its agent has stopped.
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
        self._agent_seconds += (workflow.now() - started).total_seconds()
        return status

    async def _resume_after_decisions(
        self, execution: AgentExecutionInput, thread_id: str, queue: str, status: ExecutionStatus
    ) -> ExecutionStatus:
        """WAITING_APPROVAL recorded with its calls, the decisions awaited
        (approval_gate.py), then the thread resumed with them."""
        await self._persist(execution, status)
        try:
            resume = await self._decisions_for(execution, status)
        except asyncio.CancelledError:
            await self._persist(execution, ExecutionStatus(phase="CANCELLED"))
            raise
        while True:
            try:
                return await self._execute(execution, thread_id, queue, resume)
            except ActivityError as err:
                if is_cancelled_exception(err):
                    await self._persist(execution, ExecutionStatus(phase="CANCELLED"))
                    raise
                # Runners busy: schedule it again. Not continued as new, which
                # would start the turn over: a run that can wait for people
                # has no run timeout to escape.
                if never_started(err) and await self._runners_serving(execution, queue):
                    continue
                reason = describe_activity_failure(err, queue)
                await self._persist(execution, ExecutionStatus(phase="FAILED", error=reason))
                raise ApplicationError(reason, type="AgentExecutionFailed", non_retryable=True)

    def _check_runner_queue(self, execution: AgentExecutionInput, queue: str):
        """CheckRunnerQueue, as both of its callers ask it (the same command on replay)."""
        return workflow.execute_local_activity(
            CHECK_RUNNER_QUEUE,
            RunnerQueueCheck(execution_id=execution.execution_id, queue=queue),
            result_type=bool,
            schedule_to_close_timeout=timedelta(seconds=execution.timeouts.update_status_schedule_to_close),
            retry_policy=CHECK_RUNNER_QUEUE_RETRY,
        )

    async def _runners_serving(self, execution: AgentExecutionInput, queue: str) -> bool:
        try:
            return await self._check_runner_queue(execution, queue)
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise
            return False

    async def _wait_for_runner_slot(self, execution: AgentExecutionInput, queue: str) -> None:
        """Runners busy: start over in a new run (no activity of this one ran
        the agent), so the wait is not cut short by the run timeout. None
        polling: return, and the run fails saying so."""
        try:
            serving = await self._check_runner_queue(execution, queue)
        except ActivityError as err:
            if is_cancelled_exception(err):
                raise
            # Unable to ask: the schedule-to-start timeout's own reason stands.
            workflow.logger.warning("checking the runner queue failed: %s", err)
            return
        if serving:
            workflow.continue_as_new(
                execution,
                memo={MEMO_ACTIVITY_QUEUE: queue},
                # As at the start (starter.py): none for a run that can wait for people.
                run_timeout=None if execution.approval.tools
                else timedelta(seconds=execution.timeouts.execute_start_to_close),
            )

    async def _persist(self, execution: AgentExecutionInput, status: ExecutionStatus) -> None:
        await workflow.execute_local_activity(
            UPDATE_EXECUTION_STATUS,
            StatusUpdate(execution_id=execution.execution_id, status=status),
            schedule_to_close_timeout=timedelta(
                seconds=execution.timeouts.update_status_schedule_to_close
            ),
            retry_policy=UPDATE_STATUS_RETRY,
        )

    async def _hand_off(self, execution: AgentExecutionInput) -> None:
        if not workflow.patched(PATCH_SESSION_TURNS):
            return  # a run of before this change ends as it did then
        try:
            await workflow.execute_local_activity(
                ADVANCE_SESSION_TURN,
                execution.session_id,
                result_type=str,
                schedule_to_close_timeout=timedelta(
                    seconds=execution.timeouts.update_status_schedule_to_close
                ),
                retry_policy=ADVANCE_SESSION_TURN_RETRY,
            )
        except ActivityError:
            # The turn's own outcome stands; the reconciler starts the next.
            workflow.logger.warning("session hand-off failed; the reconciler will start the next turn")
