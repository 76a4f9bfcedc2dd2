"""The workflow's wait for people's decisions on gated tool calls.

Workflow code (deterministic, sandboxed: temporalio and the contract only),
mixed into the orchestration workflow since patch `approvals`. The runner
stops a turn on its gated calls and returns WAITING_APPROVAL with them; the
workflow then holds no worker: it waits for one `decide_tool_call` Update per
call, or for the policy's timeout (the calls still undecided are then rejected
with surface "timeout"), and hands the decisions to a new ExecuteGraphton,
which resumes the thread from its checkpoint.
"""
import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from executions.temporal.contract import (
        DECIDE_TOOL_CALL,
        RECORD_DECISION_RETRY,
        RECORD_TOOL_CALL_DECISION,
        AgentExecutionInput,
        ApprovalResume,
        DecisionRecord,
        ExecutionStatus,
        ToolCallDecision,
        ToolCallRequest,
    )

DECISIONS = ("approve", "edit", "reject")


class ApprovalGate:
    def __init__(self) -> None:
        self._execution_id = ""
        self._record_timeout = 30.0
        self._waiting: dict[str, ToolCallRequest] = {}
        self._decisions: dict[str, ToolCallDecision] = {}
        self._recorded: set[str] = set()
        self._round = 0
        self._agent_seconds = 0.0  # spent in ExecuteGraphton, against the execution timeout

    @workflow.update(name=DECIDE_TOOL_CALL)
    async def decide_tool_call(self, decision: ToolCallDecision) -> None:
        """Accept one decision; returns once it is recorded (the audit log
        holds every decision a sender saw accepted)."""
        # Again here, not only in the validator: two Updates delivered together
        # pass their validators before either handler runs.
        self._refusal(decision)
        call_id = decision.tool_call_id
        self._decisions[call_id] = decision
        try:
            await self._record(decision)
        except ActivityError as err:
            del self._decisions[call_id]  # not taken: it may be sent again
            raise ApplicationError(
                f"the decision could not be recorded: {err.cause or err}", type="DecisionNotRecorded"
            ) from None

    @decide_tool_call.validator
    def _validate_decision(self, decision: ToolCallDecision) -> None:
        self._refusal(decision)

    def _refusal(self, decision: ToolCallDecision) -> None:
        call_id = decision.tool_call_id
        if call_id not in self._waiting:
            raise ApplicationError(f"tool call {call_id} is not waiting for a decision", type="NotWaiting")
        if call_id in self._decisions:
            raise ApplicationError(f"tool call {call_id} was decided already", type="AlreadyDecided")
        if decision.decision not in DECISIONS:
            raise ApplicationError(f"unknown decision {decision.decision!r}", type="BadDecision")

    async def _record(self, decision: ToolCallDecision) -> None:
        await workflow.execute_local_activity(
            RECORD_TOOL_CALL_DECISION,
            DecisionRecord(execution_id=self._execution_id, decision=decision),
            result_type=bool,
            schedule_to_close_timeout=timedelta(seconds=self._record_timeout),
            retry_policy=RECORD_DECISION_RETRY,
        )
        self._recorded.add(decision.tool_call_id)

    def _all_recorded(self) -> bool:
        return all(call_id in self._recorded for call_id in self._waiting)

    async def _decisions_for(self, execution: AgentExecutionInput, status: ExecutionStatus) -> ApprovalResume:
        """Wait for a decision on each call `status` stopped on, or the timeout."""
        self._execution_id = execution.execution_id
        self._record_timeout = execution.timeouts.update_status_schedule_to_close
        self._waiting = {call.tool_call_id: call for call in status.approvals}
        timeout = execution.approval.timeout
        try:
            await workflow.wait_condition(self._all_recorded, timeout=timedelta(seconds=timeout))
        except asyncio.TimeoutError:
            for call_id in self._waiting:
                if call_id not in self._decisions:
                    decision = ToolCallDecision(
                        tool_call_id=call_id, decision="reject", surface="timeout",
                        comment=f"no decision within {timeout:g} s: rejected automatically",
                    )
                    self._decisions[call_id] = decision
                    await self._record(decision)
            # A person's decision may still be being recorded.
            await workflow.wait_condition(self._all_recorded)
        decisions = [self._decisions[call_id] for call_id in self._waiting]
        self._waiting = {}
        self._round += 1
        return ApprovalResume(round=self._round, decisions=decisions)
