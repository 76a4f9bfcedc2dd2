"""The runner API: runners only, and the same rules of the log as the in-process runner
(the same service functions): in order, each keyed event once, nothing after terminal."""
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from executions.models import AgentExecution, Credential, ExecutionEvent, RunnerToken, Session
from executions.services.credentials import credential_create
from executions.services.runner_tokens import runner_token_issue
from tests.api.conftest import alice, client_for, superuser  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
API = "/api/v1/runner"


@pytest.fixture
def runner_api(db) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Runner {runner_token_issue(name='test-runner')}")
    return client


@pytest.fixture
def execution(demo_agent, fast_start) -> AgentExecution:
    """PENDING, never started (no Temporal): a run the test drives through the API."""
    from executions.services.executions import execution_create

    return execution_create(agent=demo_agent, message="What is 6*7?")


def log(execution) -> list[tuple[str, dict]]:
    return [(e.type, e.data) for e in ExecutionEvent.objects.filter(execution=execution).order_by("sequence")]


def step(n: int, content: str = "") -> dict:
    return {"type": "message", "data": {"role": "ai", "content": content or f"step {n}"}, "key": f"runner:{n}"}


def test_only_runner_tokens_open_it(execution, alice, superuser):
    anonymous = APIClient().get(f"{API}/executions/{execution.pk}/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Runner"
    for user in (alice, superuser):
        refused = client_for(user).get(f"{API}/executions/{execution.pk}/")
        assert refused.status_code == 403, refused.content
        assert refused.json()["error"]["code"] == "permission_denied"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Runner srt_not-a-token")
    assert bad.get(f"{API}/executions/{execution.pk}/").status_code == 401
    # A runner token opens nothing else.
    runner = APIClient()
    runner.credentials(HTTP_AUTHORIZATION=f"Runner {runner_token_issue(name='r2')}")
    assert runner.get(f"{API}/executions/{execution.pk}/").status_code == 200
    assert runner.get("/api/v1/executions/").status_code in (401, 403)


def test_a_revoked_token_is_refused(execution):
    token = runner_token_issue(name="old")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Runner {token}")
    assert client.get(f"{API}/executions/{execution.pk}/").status_code == 200
    RunnerToken.objects.filter(name="old").update(revoked=True)
    assert client.get(f"{API}/executions/{execution.pk}/").status_code == 401


def test_only_a_digest_is_kept_and_the_command_prints_the_token(capsys):
    call_command("issue_runner_token", "fleet-a")
    token = capsys.readouterr().out.strip()
    assert token.startswith("srt_")
    record = RunnerToken.objects.get(name="fleet-a")
    assert token not in record.digest
    with pytest.raises(CommandError, match="--rotate"):
        call_command("issue_runner_token", "fleet-a")
    call_command("issue_runner_token", "fleet-a", "--rotate")
    assert capsys.readouterr().out.strip() != token


def test_a_run_through_the_api(runner_api, execution):
    human = {"type": "message", "data": {"role": "human", "content": "What is 6*7?"}, "key": "runner:1"}
    started = runner_api.post(f"{API}/executions/{execution.pk}/start/", {"events": [human]}, format="json")
    assert started.status_code == 200, started.content
    config = started.json()
    assert config["phase"] == "IN_PROGRESS"
    assert config["model"] == "scripted:demo"
    assert config["instructions"] == "You are a helpful assistant."
    assert config["context"]["execution_id"] == str(execution.pk)
    assert config["context"]["session_id"] == str(execution.session_id)
    assert "calculator" in config["tools"]
    # A second start (a retry after a lost reply) changes nothing.
    again = runner_api.post(f"{API}/executions/{execution.pk}/start/", {"events": [human]}, format="json")
    assert again.json()["phase"] == "IN_PROGRESS"

    batch = {"events": [step(2), step(3)], "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}}
    appended = runner_api.post(f"{API}/executions/{execution.pk}/events/", batch, format="json")
    assert appended.status_code == 200, appended.content
    assert appended.json() == {"sequences": [4, 5], "phase": "IN_PROGRESS"}
    # The same batch again (its reply was lost): nothing twice.
    assert runner_api.post(f"{API}/executions/{execution.pk}/events/", batch, format="json").json()["sequences"] == []

    end = {"phase": "COMPLETED", "output": "42", "events": [step(4, "42")],
           "usage": {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12}}
    finished = runner_api.post(f"{API}/executions/{execution.pk}/finish/", end, format="json")
    assert finished.json() == {"changed": True, "phase": "COMPLETED"}
    assert runner_api.post(f"{API}/executions/{execution.pk}/finish/", end, format="json").json()["changed"] is False
    # None after terminal.
    late = runner_api.post(f"{API}/executions/{execution.pk}/events/", {"events": [step(9)]}, format="json")
    assert late.json() == {"sequences": [], "phase": "COMPLETED"}

    execution.refresh_from_db()
    assert (execution.phase, execution.output, execution.total_tokens) == ("COMPLETED", "42", 12)
    assert execution.started_at is not None
    assert [(t, d.get("phase") or d.get("content")) for t, d in log(execution)] == [
        ("phase", "PENDING"), ("phase", "IN_PROGRESS"), ("message", "What is 6*7?"),
        ("message", "step 2"), ("message", "step 3"), ("message", "42"), ("phase", "COMPLETED"),
    ]


def test_a_cancelled_execution_starts_nothing(runner_api, execution):
    from executions.services.executions import execution_cancel

    execution_cancel(execution=execution)
    started = runner_api.post(f"{API}/executions/{execution.pk}/start/", {"events": [step(1)]}, format="json")
    assert started.json()["phase"] == "CANCELLED"
    assert [d["phase"] for _, d in log(execution)] == ["PENDING", "CANCELLED"]


def test_bad_input_is_a_400_with_fields(runner_api, execution):
    url = f"{API}/executions/{execution.pk}"
    phase_step = {"events": [{"type": "phase", "data": {"phase": "COMPLETED"}}]}
    refused = runner_api.post(f"{url}/events/", phase_step, format="json")
    assert refused.status_code == 400
    assert "events" in refused.json()["error"]["fields"]
    assert runner_api.post(f"{url}/finish/", {"phase": "IN_PROGRESS"}, format="json").status_code == 400
    assert runner_api.post(f"{url}/events/", {"events": "no"}, format="json").status_code == 400
    negative = {"events": [], "usage": {"input_tokens": -1, "output_tokens": 0, "total_tokens": 0}}
    assert runner_api.post(f"{url}/events/", negative, format="json").status_code == 400
    assert runner_api.post(f"{API}/executions/not-an-id/events/", {"events": []}, format="json").status_code == 404
    unknown = "00000000-0000-0000-0000-000000000000"
    assert runner_api.post(f"{API}/executions/{unknown}/start/", {}, format="json").status_code == 404


def test_the_session_thread_is_recorded(runner_api, execution):
    url = f"{API}/sessions/{execution.session_id}/thread/"
    answer = runner_api.post(url, {"agent_id": str(execution.agent_id)}, format="json")
    assert answer.json() == {"thread_id": f"thread-{execution.session_id}"}
    assert Session.objects.get(pk=execution.session_id).thread_id == f"thread-{execution.session_id}"
    assert runner_api.post(url, {"agent_id": "999"}, format="json").status_code == 404


def test_credentials_cross_encrypted(runner_api):
    credential_create(name="openai-prod", value="sk-secret-value")
    answer = runner_api.post(f"{API}/credentials/", {"names": ["openai-prod"]}, format="json")
    assert answer.status_code == 200
    assert "sk-secret-value" not in answer.content.decode()
    assert answer.json()["credentials"]["openai-prod"] == Credential.objects.get().value_encrypted
    unknown = runner_api.post(f"{API}/credentials/", {"names": ["nope"]}, format="json")
    assert unknown.status_code == 400
    assert "nope" in unknown.json()["error"]["fields"]["names"][0]


def test_delegation_and_cancel(runner_api, demo_agent, fast_start):
    from executions.models import Agent
    from executions.services.executions import execution_create
    from tests.schemas import validate

    boss = Agent.objects.create(slug="boss", name="Boss", model="scripted:demo")
    boss.sub_agents.set([demo_agent])
    parent = execution_create(agent=boss, message="delegate")
    body = {"agent": "demo", "message": "What is 6*7?", "tool": "delegate_to_demo"}
    validate("delegation-request.json", body)
    created = runner_api.post(f"{API}/executions/{parent.pk}/delegations/", body, format="json")
    assert created.status_code == 201, created.content
    validate("delegation-response.json", created.json())
    child = AgentExecution.objects.get(pk=created.json()["execution"])
    assert (child.parent_id, child.depth) == (parent.pk, 1)
    assert ("delegation", {"tool": "delegate_to_demo", "agent": "demo", "execution": str(child.pk), "depth": 1}) in log(parent)
    refused = runner_api.post(f"{API}/executions/{parent.pk}/delegations/", {**body, "agent": "boss"}, format="json")
    assert refused.status_code == 400 and "agent" in refused.json()["error"]["fields"]

    cancelled = runner_api.post(f"{API}/executions/{child.pk}/cancel/")
    assert cancelled.status_code == 202
    validate("execution-state.json", cancelled.json())
    assert cancelled.json()["phase"] == "CANCELLED"
    assert runner_api.post(f"{API}/executions/{child.pk}/cancel/").status_code == 409


def test_requests_and_responses_fit_the_published_schemas(runner_api, execution):
    from tests.schemas import validate

    credential_create(name="k", value="v")
    calls = [
        ("credentials/", {"names": ["k"]}, "credentials-request.json", "credentials-response.json"),
        (f"sessions/{execution.session_id}/thread/", {"agent_id": str(execution.agent_id)},
         "thread-request.json", "thread-response.json"),
        (f"executions/{execution.pk}/start/", {"events": [step(1)]}, "run-start-request.json", "run-config.json"),
        (f"executions/{execution.pk}/tokens/", {"delta": "The "}, "token-request.json", None),
        (f"executions/{execution.pk}/events/", {"events": [step(2)], "usage": None},
         "events-request.json", "events-response.json"),
        (f"executions/{execution.pk}/finish/", {"phase": "COMPLETED", "output": "done", "events": [step(3)]},
         "finish-request.json", "finish-response.json"),
    ]
    for path, body, request_schema, response_schema in calls:
        validate(request_schema, body)
        answer = runner_api.post(f"{API}/{path}", body, format="json")
        assert answer.status_code in (200, 204), (path, answer.content)
        if response_schema:
            validate(response_schema, answer.json())
    validate("execution-state.json", runner_api.get(f"{API}/executions/{execution.pk}/").json())
