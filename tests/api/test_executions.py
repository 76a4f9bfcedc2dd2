from datetime import timedelta

import pytest
from django.utils import timezone

from executions.models import AgentExecution, Agent, EventType, ExecutionEvent
from tests.api.conftest import client_for, make_execution

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/executions/"


def test_create_records_a_pending_execution_in_a_new_session(api, alice, demo_agent, fast_start):
    response = api.post(URL, {"agent": "demo", "message": "What is 6*7?"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phase"] == "PENDING" and body["agent"] == "demo" and body["owner"] == "alice"
    assert body["session"] and body["messages"] == [] and body["tool_calls"] == []
    execution = AgentExecution.objects.get(pk=body["id"])
    assert execution.owner == alice and execution.start_error  # no Temporal reachable


def test_the_201_is_the_execution_as_written_without_reading_it_back(api, demo_agent, fast_start):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        created = api.post(URL, {"agent": "demo", "message": "What is 6*7?"}, format="json").json()
    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert not [sql for sql in selects if "executions_executionevent" in sql], selects
    assert not [sql for sql in selects if '"parent_id" IN' in sql or '"parent_id" =' in sql], selects
    read = api.get(f"{URL}{created['id']}/").json()
    assert created == read  # PENDING stays: no Temporal is reachable


def test_create_continues_an_own_session_with_a_model_override(api, demo_agent, fast_start):
    session = api.post("/api/v1/sessions/", {"agent": "demo"}, format="json").json()["id"]
    body = {"agent": "demo", "message": "hi", "session": session, "model": "scripted:demo"}
    created = api.post(URL, body, format="json").json()
    assert created["session"] == session and created["model"] == "scripted:demo"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"agent": "ghost", "message": "hi"}, "agent"),
        ({"agent": "demo", "message": "   "}, "message"),
        ({"agent": "demo", "message": ""}, "message"),
        ({"agent": "demo"}, "message"),
        ({"agent": "demo", "message": 42}, "message"),
        ({"agent": ["demo"], "message": "hi"}, "agent"),
        ({"agent": "demo", "message": "hi", "model": "nonsense"}, "model"),
        ({"agent": "demo", "message": "hi", "session": "not-a-uuid"}, "session"),
        ({"agent": "demo", "message": "hi", "phase": "COMPLETED"}, "phase"),
        ({"agent": "demo", "message": "x" * 40_000}, "message"),
    ],
)
def test_bad_create_input_is_a_400_with_field_errors_and_saves_nothing(api, demo_agent, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not AgentExecution.objects.exists()


def test_someone_elses_session_is_unknown(api, bob, demo_agent):
    theirs = make_execution(agent=demo_agent, owner=bob).session_id
    body = {"agent": "demo", "message": "hi", "session": str(theirs)}
    response = api.post(URL, body, format="json")
    assert response.json()["error"]["fields"] == {"session": [f"Unknown session {theirs}."]}
    assert AgentExecution.objects.count() == 1


def test_disabled_agent_is_rejected(api, demo_agent):
    Agent.objects.filter(pk=demo_agent.pk).update(enabled=False)
    response = api.post(URL, {"agent": "demo", "message": "hi"}, format="json")
    assert "agent" in response.json()["error"]["fields"]


def test_detail_has_usage_timings_messages_and_tool_calls(api, alice, demo_agent):
    now = timezone.now()
    execution = make_execution(
        agent=demo_agent, owner=alice, phase="COMPLETED", output="The result is 42.",
        input_tokens=3, output_tokens=4, total_tokens=7,
        started_at=now, completed_at=now + timedelta(seconds=2),
    )
    log = [
        (EventType.PHASE, {"phase": "IN_PROGRESS"}),
        (EventType.MESSAGE, {"role": "human", "content": "What is 6*7?"}),
        (EventType.MESSAGE, {"role": "ai", "content": "", "tool_calls": [{"id": "c1", "name": "calculator", "args": {"expression": "6*7"}}]}),
        (EventType.TOOL_CALL_STARTED, {"id": "c1", "name": "calculator", "args": {"expression": "6*7"}}),
        (EventType.TOOL_CALL_COMPLETED, {"id": "c1", "name": "calculator", "result": "42", "duration_ms": 1.5}),
        (EventType.TOOL_CALL_STARTED, {"id": "c2", "name": "sleep", "args": {"seconds": 1}}),
        (EventType.TOOL_CALL_FAILED, {"id": "c2", "name": "sleep", "error": "boom", "duration_ms": 2}),
        (EventType.MESSAGE, {"role": "tool", "content": "42", "tool_call_id": "c1"}),
        (EventType.MESSAGE, {"role": "ai", "content": "The result is 42."}),
        (EventType.PHASE, {"phase": "COMPLETED"}),
    ]
    for sequence, (type, data) in enumerate(log, start=1):
        ExecutionEvent.objects.create(execution=execution, sequence=sequence, type=type, data=data)
    body = api.get(f"{URL}{execution.pk}/").json()
    assert body["output"] == "The result is 42." and body["phase"] == "COMPLETED"
    assert body["usage"] == {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}
    assert body["timings"]["duration_ms"] == 2000
    assert [m["role"] for m in body["messages"]] == ["human", "ai", "tool", "ai"]
    assert body["messages"][1]["tool_calls"][0]["name"] == "calculator"
    calc, sleep = body["tool_calls"]
    assert (calc["status"], calc["result"], calc["args"]) == ("completed", "42", {"expression": "6*7"})
    assert (sleep["status"], sleep["error"]) == ("failed", "boom")


def test_list_filters_by_phase_agent_session_and_created_range(api, alice, demo_agent):
    other = Agent.objects.create(slug="other", name="Other")
    done = make_execution(agent=demo_agent, owner=alice, phase="COMPLETED", message="done")
    failed = make_execution(agent=demo_agent, owner=alice, phase="FAILED", message="failed")
    make_execution(agent=other, owner=alice, message="elsewhere")
    old = timezone.now() - timedelta(days=3)
    AgentExecution.objects.filter(pk=done.pk).update(created_at=old)

    def messages(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(e["message"] for e in response.json()["results"])

    assert messages(phase="COMPLETED") == ["done"]
    assert messages(phase=["COMPLETED", "FAILED"]) == ["done", "failed"]
    assert messages(agent="other") == ["elsewhere"]
    assert messages(session=str(failed.session_id)) == ["failed"]
    cutoff = (old + timedelta(days=1)).isoformat()
    assert messages(created_after=cutoff) == ["elsewhere", "failed"]
    assert messages(created_before=cutoff) == ["done"]
    assert messages() == ["done", "elsewhere", "failed"]


@pytest.mark.parametrize(
    "params", [{"phase": "DONE"}, {"session": "x"}, {"created_after": "yesterday"}]
)
def test_bad_filters_are_400(api, db, params):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(params)


def test_list_is_cursor_paginated_newest_first(api, alice, demo_agent):
    for i in range(5):
        make_execution(agent=demo_agent, owner=alice, message=f"m{i}")
    seen, url = [], URL + "?page_size=2"
    while url:
        page = api.get(url).json()
        assert len(page["results"]) <= 2
        seen += [e["message"] for e in page["results"]]
        url = page["next"]
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    assert api.get(URL, {"cursor": "garbage"}).status_code == 404


def test_cancel_a_pending_execution_and_409_once_finished(api, alice, demo_agent):
    execution = make_execution(agent=demo_agent, owner=alice)
    response = api.post(f"{URL}{execution.pk}/cancel/")
    assert response.status_code == 200 and response.json()["phase"] == "CANCELLED"
    again = api.post(f"{URL}{execution.pk}/cancel/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_cancellable"


def test_delete_cancels_a_pending_execution_then_removes_it(api, alice, demo_agent):
    pending = make_execution(agent=demo_agent, owner=alice)
    finished = make_execution(agent=demo_agent, owner=alice, phase="COMPLETED")
    assert api.delete(f"{URL}{pending.pk}/").status_code == 204
    assert api.delete(f"{URL}{finished.pk}/").status_code == 204
    assert not AgentExecution.objects.exists()


def test_events_page_after_n(api, alice, demo_agent):
    execution = make_execution(agent=demo_agent, owner=alice)
    for sequence in range(1, 6):
        ExecutionEvent.objects.create(
            execution=execution, sequence=sequence, type="system", data={"message": str(sequence)}
        )
    page = api.get(f"{URL}{execution.pk}/events/", {"after": 1, "limit": 2}).json()
    assert [e["sequence"] for e in page["results"]] == [2, 3]
    assert page["next_after"] == 3 and page["has_more"] and not page["terminal"]
    rest = api.get(f"{URL}{execution.pk}/events/", {"after": 3}).json()
    assert [e["sequence"] for e in rest["results"]] == [4, 5] and not rest["has_more"]
    bad = api.get(f"{URL}{execution.pk}/events/", {"after": -1})
    assert bad.status_code == 400 and "after" in bad.json()["error"]["fields"]


def test_executions_are_private_a_viewer_sees_all(api, alice, bob, staff, viewer, demo_agent, anon):
    mine = make_execution(agent=demo_agent, owner=alice, message="mine")
    theirs = make_execution(agent=demo_agent, owner=bob, message="theirs")
    assert [e["message"] for e in api.get(URL).json()["results"]] == ["mine"]
    for path in ("", "events/", "stream/"):
        assert api.get(f"{URL}{theirs.pk}/{path}").status_code == 404, path
    assert api.post(f"{URL}{theirs.pk}/cancel/").status_code == 404
    assert api.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert AgentExecution.objects.get(pk=theirs.pk).phase == "PENDING"
    assert client_for(staff).get(URL).json()["results"] == []  # the staff flag alone
    everyone = client_for(viewer).get(URL).json()["results"]
    assert {e["message"] for e in everyone} == {"mine", "theirs"}
    assert client_for(viewer).get(f"{URL}{mine.pk}/").status_code == 200
    for path in ("", f"{mine.pk}/", f"{mine.pk}/events/", f"{mine.pk}/stream/"):
        assert anon.get(f"{URL}{path}").status_code == 401, path
    assert anon.post(URL, {"agent": "demo", "message": "hi"}, format="json").status_code == 401
