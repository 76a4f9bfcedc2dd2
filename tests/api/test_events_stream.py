"""SSE: resume with Last-Event-ID loses and repeats nothing (over a real uvicorn server,
and against commits racing the stream's reads)."""
import httpx
import pytest
from asgiref.sync import async_to_sync

from executions.api.views import stream
from executions.live import reader
from executions.models import Agent, ExecutionEvent
from executions.selectors import execution_events_after
from executions.services.phases import execution_phase_set
from tests.api.conftest import make_execution
from tests.api.live import sse_events
from tests.asgi_server import AsgiTestServer
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server():
    live = AsgiTestServer().start()
    yield live
    live.stop()


def _headers(user, **extra) -> dict:
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}", **extra}


def test_disconnect_mid_run_and_resume_with_last_event_id(workers, server, alice, demo_agent):
    Agent.objects.filter(pk=demo_agent.pk).update(model_options={"token_delay": 0.05})
    with httpx.Client(base_url=server.url, headers=_headers(alice), timeout=30) as http:
        created = http.post("/api/v1/executions/", json={"agent": "demo", "message": "sleep 2"})
        assert created.status_code == 201, created.text
        execution_id = created.json()["id"]
        stream_url = f"/api/v1/executions/{execution_id}/stream/"
        first: list[int] = []
        with http.stream("GET", stream_url) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for sequence, _type, _data in sse_events(response):
                first.append(sequence)
                if len(first) == 3:
                    break  # disconnect mid-run
        from executions.models import AgentExecution

        assert AgentExecution.objects.get(pk=execution_id).phase in {"PENDING", "IN_PROGRESS"}
        rest: list[tuple[int, str, dict]] = []
        tokens: list[str] = []
        with http.stream("GET", stream_url, headers={"Last-Event-ID": str(first[-1])}) as response:
            rest = list(sse_events(response, tokens))  # ends by itself after the terminal phase
    execution = wait_for_phase(AgentExecution.objects.get(pk=execution_id), "COMPLETED")
    logged = [e.sequence for e in execution_events_after(execution_id=execution.pk)]
    received = first + [sequence for sequence, _, _ in rest]
    assert received == logged  # every event once, in order
    assert rest[-1][1] == "phase" and rest[-1][2]["data"]["phase"] == "COMPLETED"
    assert any(t == "tool_call_completed" for _, t, _ in rest)
    # The answer streamed token by token before its message event.
    answer = next(data["data"]["content"] for _, t, data in rest if t == "message" and data["data"]["role"] == "ai"
                  and data["data"]["content"])
    assert len(tokens) > 1 and "".join(tokens).endswith(answer)


def test_stream_of_finished_execution_replays_and_ends(server, alice, demo_agent):
    execution = make_execution(agent=demo_agent, owner=alice, phase="COMPLETED")
    for sequence, phase in enumerate(["PENDING", "IN_PROGRESS", "COMPLETED"], start=1):
        ExecutionEvent.objects.create(
            execution=execution, sequence=sequence, type="phase", data={"phase": phase}
        )
    url = f"{server.url}/api/v1/executions/{execution.pk}/stream/"
    with httpx.Client(headers=_headers(alice), timeout=10) as http:
        with http.stream("GET", url, params={"after": 1}) as response:
            assert [s for s, _, _ in sse_events(response)] == [2, 3]
        with http.stream("GET", url, headers={"Last-Event-ID": "3"}) as response:
            assert list(sse_events(response)) == []
        bad = http.get(url, headers={"Last-Event-ID": "x", "Accept": "text/event-stream"})
        assert bad.status_code == 400
        assert list(bad.json()["error"]["fields"]) == ["Last-Event-ID"]


def test_stream_sends_keepalives_and_ends_at_the_time_limit(server, alice, demo_agent, settings):
    settings.STIGMER_SSE_KEEPALIVE_SECONDS = 0.2
    settings.STIGMER_SSE_MAX_SECONDS = 1
    execution = make_execution(agent=demo_agent, owner=alice)  # PENDING, never runs
    url = f"{server.url}/api/v1/executions/{execution.pk}/stream/"
    with httpx.Client(headers=_headers(alice), timeout=10) as http:
        body = http.get(url).text
    assert body.count(": keep-alive") >= 2


def test_a_completion_committed_between_the_streams_reads_still_reaches_the_client(
    monkeypatch, settings, alice, demo_agent
):
    """The terminal phase and its event commit together; whichever of the
    stream's two reads that commit falls between, the client gets the event."""
    execution = make_execution(agent=demo_agent, owner=alice, phase="IN_PROGRESS")
    read_events = reader.execution_events_after

    def read_then_complete(**kwargs):
        events = read_events(**kwargs)
        execution_phase_set(execution_id=execution.pk, phase="COMPLETED", output="done")
        return events

    monkeypatch.setattr(reader, "execution_events_after", read_then_complete)

    async def collect() -> list[str]:
        return [chunk async for chunk in stream.event_stream(execution.pk, 0)]

    body = "".join(async_to_sync(collect)())
    assert "event: phase" in body and '"phase": "COMPLETED"' in body
