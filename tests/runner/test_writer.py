"""The event log written behind the agent: steps never wait for a commit,
steps that arrive during one share the next, order and content are kept, and
a failed write loses nothing."""
import asyncio
import time

import pytest
from django.db import OperationalError

import runner.writer
from executions.models import ExecutionEvent, Phase
from executions.services.events import NewEvent
from executions.services.executions import execution_create
from runner.writer import EventLogWriter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def transactions(monkeypatch):
    """Each write's events (as keys), the database taking 50 ms per commit."""
    record: list[list[str]] = []

    def slow(write):
        def call(**kwargs):
            time.sleep(0.05)
            events = kwargs.get("events") or kwargs.get("following") or kwargs.get("preceding") or []
            record.append([event.key for event in events])
            return write(**kwargs)
        return call

    monkeypatch.setattr(runner.writer, "execution_phase_set", slow(runner.writer.execution_phase_set))
    monkeypatch.setattr(
        runner.writer, "execution_events_append", slow(runner.writer.execution_events_append)
    )
    return record


def step(n: int) -> list[NewEvent]:
    return [NewEvent("system", {"message": f"step {n}"}, f"runner:{n}")]


def logged(execution) -> list[str]:
    events = ExecutionEvent.objects.filter(execution=execution).order_by("sequence")
    return [event.key or event.data["phase"] for event in events if event.key or event.type == "phase"]


async def run(writer: EventLogWriter, steps: int, *, gap: float) -> list[int]:
    """Steps as an agent makes them; what was committed as each was handed over."""
    committed_when_handed = []
    writer.append(step(1))
    for n in range(2, steps + 1):
        await asyncio.sleep(gap)
        writer.append(step(n))
        committed_when_handed.append(await asyncio.to_thread(
            ExecutionEvent.objects.filter(key__startswith="runner:").count
        ))
    await writer.written()
    return committed_when_handed


def test_steps_during_a_commit_share_the_next_and_keep_their_order(temporal_env, demo_agent, transactions):
    execution = execution_create(agent=demo_agent, message="hi")

    seen = asyncio.run(run(EventLogWriter(str(execution.pk)), 8, gap=0.005))

    assert logged(execution) == ["PENDING", *[f"runner:{n}" for n in range(1, 9)]]
    assert [key for batch in transactions for key in batch] == [f"runner:{n}" for n in range(1, 9)]
    assert len(transactions) < 4  # eight steps, while the first commit still ran
    assert seen[0] == 0  # the agent's second step did not wait for the first to commit


def test_steps_slower_than_a_commit_are_one_transaction_each(temporal_env, demo_agent, transactions):
    execution = execution_create(agent=demo_agent, message="hi")

    asyncio.run(run(EventLogWriter(str(execution.pk)), 4, gap=0.2))

    assert transactions == [["runner:1"], ["runner:2"], ["runner:3"], ["runner:4"]]


def test_the_terminal_phase_carries_what_is_unwritten_usage_included(temporal_env, demo_agent, transactions):
    execution = execution_create(agent=demo_agent, message="hi")

    async def scenario():
        writer = EventLogWriter(str(execution.pk))
        writer.append(step(1))
        writer.append(step(2), usage={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7})
        await writer.end(events=step(3), phase=Phase.COMPLETED, output="done")

    asyncio.run(scenario())

    execution.refresh_from_db()
    assert logged(execution) == ["PENDING", "runner:1", "runner:2", "runner:3", "COMPLETED"]
    assert (execution.phase, execution.output, execution.total_tokens) == (Phase.COMPLETED, "done", 7)
    # The writer had not begun when the end came: one transaction took all.
    assert transactions == [["runner:1", "runner:2", "runner:3"]]


def test_a_failed_write_raises_at_the_next_step_and_is_written_once_later(temporal_env, demo_agent, monkeypatch):
    monkeypatch.setenv("STIGMER_DB_WRITE_RETRIES", "1")
    execution = execution_create(agent=demo_agent, message="hi")
    real_append = runner.writer.execution_events_append
    outage = {"on": False}

    def append(**kwargs):
        if outage["on"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real_append(**kwargs)

    monkeypatch.setattr(runner.writer, "execution_events_append", append)

    async def scenario():
        writer = EventLogWriter(str(execution.pk))
        writer.append(step(1))
        await writer.written()
        outage["on"] = True
        writer.append(step(2))
        await asyncio.sleep(0.3)  # the write of step 2 fails meanwhile
        with pytest.raises(OperationalError):
            writer.append(step(3))
        outage["on"] = False
        await writer.written()

    asyncio.run(scenario())

    assert logged(execution) == ["PENDING", "runner:1", "runner:2", "runner:3"]


def test_a_cancelled_wait_leaves_one_writer_so_order_survives_a_failure(temporal_env, demo_agent, monkeypatch):
    monkeypatch.setenv("STIGMER_DB_WRITE_RETRIES", "1")
    execution = execution_create(agent=demo_agent, message="hi")
    real_append = runner.writer.execution_events_append
    calls = []

    def first_write_fails_late(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_append(**kwargs)

    monkeypatch.setattr(runner.writer, "execution_events_append", first_write_fails_late)

    async def scenario():
        writer = EventLogWriter(str(execution.pk))
        writer.append(step(1))
        waiting = asyncio.create_task(writer.written())
        await asyncio.sleep(0.02)
        waiting.cancel()  # as an activity cancel does, mid-write
        writer.append(step(2))  # must not start a second writer beside the first
        await writer.written()

    asyncio.run(scenario())

    assert logged(execution) == ["PENDING", "runner:1", "runner:2"]
