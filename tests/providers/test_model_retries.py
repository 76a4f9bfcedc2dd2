"""Provider failures on the real workers: transient ones retried inside the
run (each retry a model_retry event), the rest failing at once with a reason
that names the provider and the status."""
import pytest
from temporalio.client import WorkflowFailureError

from executions.models import Agent, Phase
from executions.services.executions import execution_cancel, execution_create
from executions.temporal.client import temporal_bridge
from tests.providers.conftest import KEY, PROVIDERS
from tests.providers.servers.base import Error, Stream, Turn
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = Turn(text="All good here.", input_tokens=5, output_tokens=3)


def run(name: str, **agent_fields):
    agent = Agent.objects.create(slug="wire", name="Wire", model=PROVIDERS[name].spec, **agent_fields)
    execution = execution_create(agent=agent, message="How are you?")
    return wait_for_phase(execution, *Phase.terminal())


def history_json(workflow_id: str) -> str:
    async def closed_history(client):
        handle = client.get_workflow_handle(workflow_id)
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        return (await handle.fetch_history()).to_json()

    return temporal_bridge.run(closed_history)


def retries(execution) -> list[dict]:
    return [e.data for e in execution.events.filter(type="model_retry").order_by("sequence")]


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_rate_limited_twice_then_answered_completes_with_two_retries(workers, wire, name):
    server = wire(name).script(
        Error(429, "Rate limit reached", {"retry-after": "1"}), Error(429, "Rate limit reached"), Stream(ANSWER)
    )

    execution = run(name)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert execution.output == ANSWER.text
    assert [(r["attempt"], r["status"], r["wait"]) for r in retries(execution)] == [
        (1, "429", 1.0),  # the server's Retry-After
        (2, "429", 0.1),  # the backoff: 0.05 s doubling
    ]
    assert len(server.requests) == 3
    assert (execution.input_tokens, execution.output_tokens) == (5, 3)  # the answered call's
    assert retries(execution)[0]["message"] == (
        f"model provider {name} is rate limiting (429): attempt 1 of 5 failed, trying again in 1 s"
    )


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_refused_credentials_fail_at_once_with_a_readable_reason(workers, wire, name, caplog):
    # Providers echo (part of) a refused key: it must go no further than the runner.
    server = wire(name).script(Error(401, f"Incorrect API key provided: {KEY}"))

    execution = run(name)

    assert execution.phase == Phase.FAILED
    assert execution.error == f"model provider {name} refused the credentials (401)"
    assert len(server.requests) == 1 and retries(execution) == []
    assert KEY not in str(list(execution.events.values_list("data", flat=True)))
    assert KEY not in history_json(execution.workflow_id)  # no SDK error chained into Temporal
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    ("status", "message", "reason"),
    [
        (404, "The model `gpt-wire` does not exist", "has no model 'gpt-wire' (404): The model `gpt-wire` does not exist"),
        (400, "Invalid value for 'temperature'", "rejected the request (400): Invalid value for 'temperature'"),
        (403, "Project has no access", "denied access (403): Project has no access"),
    ],
)  # fmt: skip
def test_errors_that_will_not_heal_fail_at_once(workers, wire, status, message, reason):
    server = wire("openai").script(Error(status, message))

    execution = run("openai")

    assert (execution.phase, execution.error) == (Phase.FAILED, f"model provider openai {reason}")
    assert len(server.requests) == 1


def test_stalled_stream_is_retried_after_the_per_call_timeout(workers, wire, monkeypatch):
    monkeypatch.setenv("STIGMER_MODEL_CALL_TIMEOUT_SECONDS", "1")
    server = wire("openai").script(Stream(ANSWER, stall_after=2), Stream(ANSWER))

    execution = run("openai")

    assert execution.phase == Phase.COMPLETED, execution.error
    assert execution.output == ANSWER.text
    assert [(r["attempt"], r["status"]) for r in retries(execution)] == [(1, "timeout")]
    assert server.hung_up.wait(10)  # the stalled stream was closed, not left open


def test_connection_dropped_mid_stream_is_retried(workers, wire):
    wire("anthropic").script(Stream(ANSWER, reset_after=3), Stream(ANSWER))

    execution = run("anthropic")

    assert execution.phase == Phase.COMPLETED, execution.error
    assert [(r["attempt"], r["status"]) for r in retries(execution)] == [(1, "connection error")]


def test_server_errors_use_up_the_attempts(workers, wire, monkeypatch):
    monkeypatch.setenv("STIGMER_MODEL_ATTEMPTS", "3")
    wire("ollama").script(*[Error(503, "overloaded")] * 3)

    execution = run("ollama")

    assert execution.phase == Phase.FAILED
    assert execution.error == "model provider ollama is unavailable (503); gave up after 3 attempts"
    assert [r["attempt"] for r in retries(execution)] == [1, 2]


def test_a_retry_never_waits_past_the_execution_timeout(workers, wire):
    wire("openai").script(Error(429, "Rate limit reached", {"retry-after": "60"}))

    execution = run("openai", execution_timeout_seconds=20)

    assert execution.phase == Phase.FAILED
    assert execution.error == (
        "model provider openai is rate limiting (429); gave up after 1 attempt: "
        "waiting 60 s more would pass the execution timeout"
    )


def test_cancel_mid_stream_closes_the_providers_stream(workers, wire):
    server = wire("openai").script(Stream(ANSWER, stall_after=3))
    agent = Agent.objects.create(slug="wire", name="Wire", model=PROVIDERS["openai"].spec)
    execution = execution_create(agent=agent, message="How are you?")
    assert server.holding.wait(30), "the stream never started"

    execution_cancel(execution=execution)

    assert wait_for_phase(execution, *Phase.terminal()).phase == Phase.CANCELLED
    assert server.hung_up.wait(10), "the provider's stream was left open"


def test_waiting_to_retry_keeps_heartbeating(workers, wire, monkeypatch):
    monkeypatch.setenv("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS", "1")
    wire("openai").script(Error(503, "busy", {"retry-after": "3"}), Stream(ANSWER))

    execution = run("openai")

    # Not "runner worker lost": the wait is longer than the heartbeat timeout.
    assert execution.phase == Phase.COMPLETED, execution.error
    assert [r["wait"] for r in retries(execution)] == [3.0]
