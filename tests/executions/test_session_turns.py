"""One turn at a time per session: enqueue, reject and interrupt, with real workers."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from executions.errors import SessionBusy
from executions.models import AgentExecution, MultitaskStrategy, Phase
from executions.services.executions import execution_cancel, execution_create
from executions.services.phases import execution_phase_set
from executions.services.turns import HANDED_OFF, SESSION_WAIT_REASON
from tests.conftest import free_port
from tests.executions.checkpoints import human_turns, session_memory
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def concurrently(create, messages: list[str]) -> list[AgentExecution | BaseException]:
    """Call create(message) from one thread (one connection) per message, all at once."""
    barrier = threading.Barrier(len(messages))
    results: list = [None] * len(messages)

    def run(i: int, message: str) -> None:
        barrier.wait()
        try:
            results[i] = create(message)
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(messages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def assert_one_at_a_time(executions: list[AgentExecution]) -> None:
    """In turn order, each started after the previous one had ended, once."""
    for execution in executions:
        execution.refresh_from_db()
        phases = list(execution.events.filter(type="phase").values_list("data__phase", flat=True))
        assert phases.count("IN_PROGRESS") <= 1 and execution.events.filter(
            type="message", data__role="human").count() <= 1, phases
    ran = [e for e in executions if e.started_at]
    for earlier, later in zip(ran, ran[1:]):
        assert later.started_at >= earlier.completed_at, (earlier.pk, later.pk)


def test_enqueue_runs_concurrent_turns_one_at_a_time_in_creation_order(workers, demo_agent):
    first = execution_create(agent=demo_agent, message="please sleep 4")
    session = first.session
    messages = ["What is 5*5?", "What is 2+3?", "What is 7*6?", "What is 9-4?"]

    created = concurrently(
        lambda message: execution_create(agent=demo_agent, message=message, session=session), messages
    )

    assert all(isinstance(e, AgentExecution) for e in created), created
    for execution in created:  # created while the first turn sleeps: all queued
        assert execution.phase == Phase.PENDING and execution.start_error == SESSION_WAIT_REASON
        assert execution.workflow_started_at is None
        assert execution.events.filter(type="system", data__message=SESSION_WAIT_REASON).exists()
    turns = sorted([first, *created], key=lambda e: e.turn)
    assert [e.turn for e in turns] == [1, 2, 3, 4, 5]
    for execution in turns:
        wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED, timeout=60)
        assert execution.phase == Phase.COMPLETED, execution.error
    assert_one_at_a_time(turns)
    for execution in turns[1:]:
        assert execution.events.filter(type="system", data__message=HANDED_OFF).count() == 1
    assert human_turns(session) == [e.message for e in turns]
    answers = [content for kind, content in session_memory(session) if kind == "ai" and content]
    assert answers == [e.output for e in turns]


def test_reject_refuses_a_turn_while_the_session_is_busy(workers, demo_agent, client):
    first = execution_create(agent=demo_agent, message="please sleep 4")
    session = first.session
    before = AgentExecution.objects.count()

    with pytest.raises(SessionBusy, match=f"execution {first.pk} is still"):
        execution_create(agent=demo_agent, message="hi", session=session, multitask_strategy="reject")
    with pytest.raises(CommandError, match="is busy"):
        call_command(
            "run_agent", "demo", "hi", "--session", str(session.pk), "--multitask-strategy", "reject"
        )
    demo_agent.multitask_strategy = MultitaskStrategy.REJECT
    demo_agent.save()
    with pytest.raises(SessionBusy):  # the agent's own strategy
        execution_create(agent=demo_agent, message="hi", session=session)

    assert AgentExecution.objects.count() == before
    session.refresh_from_db()
    assert session.last_turn == 1  # the refused turns' numbers were rolled back
    wait_for_phase(first, Phase.COMPLETED)
    later = wait_for_phase(execution_create(agent=demo_agent, message="What is 2+2?", session=session), Phase.COMPLETED)
    assert later.turn == 2
    assert human_turns(session) == ["please sleep 4", "What is 2+2?"]


def test_reject_through_the_api_and_the_admin(workers, demo_agent, client):
    user = get_user_model().objects.create_superuser("alice", password="pw")
    client.force_login(user)
    first = execution_create(agent=demo_agent, message="please sleep 4", owner=user)
    session = first.session

    response = client.post(
        "/api/v1/executions/",
        {"agent": "demo", "message": "hi", "session": str(session.pk), "multitask_strategy": "reject"},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "is busy" in response.json()["error"]["message"]
    response = client.post(
        "/api/v1/executions/",
        {"agent": "demo", "message": "hi", "session": str(session.pk), "multitask_strategy": "sometimes"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "multitask_strategy" in response.json()["error"]["fields"]

    page = client.post(
        f"/admin/executions/agent/{demo_agent.pk}/run/",
        {"message": "hi", "session": str(session.pk), "multitask_strategy": "reject"},
    )
    assert page.status_code == 200
    assert "is busy" in page.content.decode()
    page = client.post(
        "/admin/executions/agentexecution/add/",
        {"agent": demo_agent.pk, "session": str(session.pk), "owner": user.pk, "message": "hi",
         "model": "", "multitask_strategy": "reject"},
    )
    assert page.status_code == 200 and "is busy" in page.content.decode()
    assert AgentExecution.objects.filter(session=session).count() == 1

    response = client.post(
        "/api/v1/executions/",
        {"agent": "demo", "message": "What is 3*3?", "session": str(session.pk)},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["start_error"] == SESSION_WAIT_REASON
    assert response.json()["turn"] == 2 and response.json()["multitask_strategy"] == "enqueue"
    wait_for_phase(AgentExecution.objects.get(pk=response.json()["id"]), Phase.COMPLETED)


def test_interrupt_cancels_the_running_turn_and_keeps_its_transcript(workers, demo_agent):
    first = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    session = first.session
    wait_until(
        lambda: first.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the sleep tool call",
    )

    second = execution_create(
        agent=demo_agent, message="What is 5*5?", session=session, multitask_strategy="interrupt"
    )

    first = wait_for_phase(first, Phase.CANCELLED, Phase.COMPLETED, Phase.FAILED, timeout=20)
    assert first.phase == Phase.CANCELLED
    assert first.events.filter(type="message", data__role="human").exists()
    assert first.events.filter(type="tool_call_started", data__name="sleep").exists()
    second = wait_for_phase(second, Phase.COMPLETED, Phase.FAILED, timeout=30)
    assert second.phase == Phase.COMPLETED and second.output == "The result is 25."
    assert second.started_at >= first.completed_at
    # The cancelled turn's steps so far stay in the memory, before the new turn.
    assert human_turns(session) == ["sleep 30 then tell me", "What is 5*5?"]
    assert session_memory(session)[-1] == ("ai", "The result is 25.")


def test_cancel_of_a_queued_turn_skips_it(workers, demo_agent):
    first = execution_create(agent=demo_agent, message="please sleep 4")
    session = first.session
    second = execution_create(agent=demo_agent, message="What is 1+1?", session=session)
    third = execution_create(agent=demo_agent, message="What is 2+2?", session=session)

    second = execution_cancel(execution=second)

    assert second.phase == Phase.CANCELLED and second.workflow_started_at is None
    third = wait_for_phase(third, Phase.COMPLETED, timeout=30)
    first.refresh_from_db()
    assert third.started_at >= first.completed_at
    assert not second.events.filter(type="message").exists()
    assert human_turns(session) == ["please sleep 4", "What is 2+2?"]


def test_reconciler_starts_a_queued_turn_whose_previous_turn_ended_without_hand_off(
    workers, demo_agent, monkeypatch, temporal_env
):
    # The first turn never reaches Temporal; the second queues behind it.
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    first = execution_create(agent=demo_agent, message="hello")
    second = execution_create(agent=demo_agent, message="What is 4*4?", session=first.session)
    assert second.start_error == SESSION_WAIT_REASON
    # It ends with no workflow to hand over (as a repair would end it).
    execution_phase_set(execution_id=first.pk, phase=Phase.FAILED, error="lost")
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)

    call_command("reconcile_executions")

    second = wait_for_phase(second, Phase.COMPLETED, timeout=30)
    assert second.events.filter(type="system", data__message=HANDED_OFF).count() == 1
    assert human_turns(first.session) == ["What is 4*4?"]


def test_session_shows_its_turns_in_order_and_its_queue(workers, demo_agent, client):
    user = get_user_model().objects.create_superuser("alice", password="pw")
    client.force_login(user)
    first = execution_create(agent=demo_agent, message="please sleep 4", owner=user)
    session = first.session
    second = execution_create(agent=demo_agent, message="What is 5*5?", session=session, owner=user)
    third = execution_create(agent=demo_agent, message="What is 6*6?", session=session, owner=user)

    body = client.get(f"/api/v1/sessions/{session.pk}/").json()

    assert [t["id"] for t in body["turns"]] == [str(first.pk), str(second.pk), str(third.pk)]
    assert [t["turn"] for t in body["turns"]] == [1, 2, 3]
    assert [t["queued"] for t in body["turns"]] == [False, True, True]
    assert body["turns"][1]["phase"] == "PENDING"
    assert body["queue"] == [str(second.pk), str(third.pk)]
    page = client.get(f"/admin/executions/session/{session.pk}/change/").content.decode()
    assert page.index("please sleep 4") < page.index("What is 5*5?") < page.index("What is 6*6?")
    queue = page[page.index("field-queue"):page.index("field-turns")]
    assert f"/agentexecution/{second.pk}/change/" in queue and f"/agentexecution/{third.pk}/" in queue
    assert f"/agentexecution/{first.pk}/" not in queue
    assert "turns" not in client.get("/api/v1/sessions/").json()["results"][0]

    wait_for_phase(third, Phase.COMPLETED, timeout=30)
    body = client.get(f"/api/v1/sessions/{session.pk}/").json()
    assert [t["phase"] for t in body["turns"]] == ["COMPLETED"] * 3
    assert body["queue"] == [] and body["turns"][2]["output"] == "The result is 36."
    page = client.get(f"/admin/executions/session/{session.pk}/change/").content.decode()
    assert "empty" in page[page.index("field-queue"):page.index("field-turns")]


def test_deleting_a_session_cancels_its_queued_turns_before_the_running_one(workers, demo_agent):
    from temporalio.service import RPCError

    from executions.services.records import session_delete
    from executions.temporal.client import temporal_bridge

    first = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    queued = [execution_create(agent=demo_agent, message=f"What is {i}*2?", session=first.session) for i in (1, 2)]
    wait_until(lambda: first.events.filter(type="tool_call_started").exists(), message="the sleep call")

    session_delete(session=first.session)

    assert not AgentExecution.objects.filter(pk__in=[first.pk, *[q.pk for q in queued]]).exists()
    for turn in queued:  # never started: the running turn's hand-off found them cancelled
        with pytest.raises(RPCError, match="not found"):
            temporal_bridge.run(lambda client: client.get_workflow_handle(turn.workflow_id).describe())


def test_interrupt_cancels_queued_turns_at_once_and_only_the_new_turn_runs_next(workers, demo_agent):
    first = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    queued = execution_create(agent=demo_agent, message="What is 1+1?", session=first.session)
    wait_until(lambda: first.events.filter(type="tool_call_started").exists(), message="the sleep call")

    latest = execution_create(
        agent=demo_agent, message="What is 3*3?", session=first.session, multitask_strategy="interrupt"
    )

    latest = wait_for_phase(latest, Phase.COMPLETED, Phase.FAILED, timeout=30)
    assert latest.output == "The result is 9."
    queued.refresh_from_db()
    first.refresh_from_db()
    assert (first.phase, queued.phase) == (Phase.CANCELLED, Phase.CANCELLED)
    assert queued.workflow_started_at is None and not queued.events.filter(type="message").exists()
    assert human_turns(first.session) == ["sleep 30 then tell me", "What is 3*3?"]


def test_a_hand_off_cut_short_before_the_start_is_completed_when_re_run(
    workers, demo_agent, monkeypatch, temporal_env
):
    from executions.services.turns import session_turn_advance

    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    first = execution_create(agent=demo_agent, message="hello")
    second = execution_create(agent=demo_agent, message="What is 8*8?", session=first.session)
    execution_phase_set(execution_id=first.pk, phase=Phase.FAILED, error="lost")
    # The hand-off's transaction committed, then its worker died before the start.
    AgentExecution.objects.filter(pk=second.pk).update(start_error="")
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)

    assert session_turn_advance(session_id=first.session_id) == str(second.pk)  # the re-run on replay

    second = wait_for_phase(second, Phase.COMPLETED, timeout=30)
    assert second.output == "The result is 64."
    assert session_turn_advance(session_id=first.session_id) is None  # nothing left to start
