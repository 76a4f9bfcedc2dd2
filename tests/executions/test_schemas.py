"""docs/schemas/: one JSON Schema per payload, and real payloads fit them: every
payload of every captured history (tests/executions/histories/), the local
activities' inputs as the workflow encodes them, and the runner API's bodies
(tests/runner_api, tests/polyglot)."""
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError
from temporalio.converter import DataConverter

from executions.temporal.contract import (
    ActivityTimeouts,
    AgentExecutionInput,
    ExecutionStatus,
    DecisionRecord,
    RunnerQueueCheck,
    ToolCallDecision,
    StatusUpdate,
    TokenUsage,
)
from tests.schemas import SCHEMAS, history_payloads, validate

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_each_schema_is_a_valid_schema(path):
    Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
def test_every_payload_of_a_real_history_fits_its_schema(path):
    payloads = history_payloads(json.loads(path.read_text())["history"])
    assert payloads
    for name, value, where in payloads:
        validate(name, value)  # raises with the path of the misfit


def test_the_histories_cover_every_temporal_payload():
    covered = {name for path in HISTORIES for name, _, _ in history_payloads(json.loads(path.read_text())["history"])}
    assert covered == {
        "agent-execution-input.json", "workflow-memo.json", "ensure-thread-input.json", "thread-id.json",
        "execute-graphton-input.json", "execution-status.json", "local-activity-result.json",
        "tool-call-decision.json",
    }


def _encoded(value) -> object:
    """As Temporal's default converter puts it on the wire."""
    payload = DataConverter.default.payload_converter.to_payloads([value])[0]
    return json.loads(payload.data)


def test_the_local_activities_inputs_fit_their_schemas():
    status = ExecutionStatus(phase="FAILED", error="no runner worker is polling queue q", usage=TokenUsage())
    validate("status-update.json", _encoded(StatusUpdate(execution_id="91602881-2257-45f4-a15d-f3e29598ae39", status=status)))
    validate("runner-queue-check.json", _encoded(RunnerQueueCheck(execution_id="91602881-2257-45f4-a15d-f3e29598ae39", queue="q")))
    decision = ToolCallDecision(tool_call_id="call_1", decision="edit", args={"order": 7}, decided_by=3, surface="admin")
    validate("decision-record.json", _encoded(DecisionRecord(execution_id="91602881-2257-45f4-a15d-f3e29598ae39", decision=decision)))


def test_required_fields_are_required_and_unknown_ones_refused():
    execution = _encoded(AgentExecutionInput(
        execution_id="91602881-2257-45f4-a15d-f3e29598ae39", agent_id="1",
        session_id="36b553bc-0053-40cb-b0b0-818c1bc585bf", message="hi", timeouts=ActivityTimeouts(),
    ))
    validate("agent-execution-input.json", execution)
    minimal = {key: execution[key] for key in ("execution_id", "agent_id", "session_id", "message")}
    validate("agent-execution-input.json", minimal)  # model and timeouts have defaults
    with pytest.raises(ValidationError):
        validate("agent-execution-input.json", {**minimal, "api_key": "sk-…"})
    with pytest.raises(ValidationError):
        validate("agent-execution-input.json", {k: v for k, v in minimal.items() if k != "message"})
    validate("execution-status.json", {"phase": "CANCELLED"})
    with pytest.raises(ValidationError):
        validate("execution-status.json", {"output": "no phase"})


def test_the_timeouts_are_floats_on_the_wire():
    from executions.temporal.config import temporal_config

    timeouts = _encoded(temporal_config().timeouts(execution_timeout=600))
    assert all(isinstance(value, float) for value in timeouts.values()), timeouts
    assert json.dumps(timeouts["execute_start_to_close"]) == "600.0"
