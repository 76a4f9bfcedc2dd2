"""The event log written behind the agent: steps never wait for a commit,
steps that arrive during one share the next, order and content are kept, and
a failed write loses nothing."""
import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.db import OperationalError
from langchain_core.messages import AIMessage

import executions.runner_platform as in_process
from executions.models import ExecutionEvent, Phase
from executions.services.events import NewEvent
from executions.services.executions import execution_create
from runner.progress import ProgressReporter
from runner.writer import EventLogWriter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def transactions(monkeypatch):
    """Each write's events (as keys), the database taking 100 ms per commit."""
    record: list[list[str]] = []

    def slow(write):
        def call(**kwargs):
            time.sleep(0.1)
            events = kwargs.get("events") or kwargs.get("following") or kwargs.get("preceding") or []
            record.append([event.key for event in events])
            return write(**kwargs)
        return call

    monkeypatch.setattr(in_process, "execution_phase_set", slow(in_process.execution_phase_set))
    monkeypatch.setattr(
        in_process, "execution_events_append", slow(in_process.execution_events_append)
    )
    return record


def read(query):
    """Beside the writer's database thread, not behind it; its connection closed after."""
    return database_sync_to_async(query, thread_sensitive=False)


@pytest.fixture
def outage(monkeypatch):
    """Set `on` and every step write fails at once (no retry)."""
    monkeypatch.setenv("STIGMER_DB_WRITE_RETRIES", "1")
    real_append = in_process.execution_events_append
    state = {"on": False}

    def append(**kwargs):
        if state["on"]:
            raise OperationalError("server closed the connection unexpectedly")
        return real_append(**kwargs)

    monkeypatch.setattr(in_process, "execution_events_append", append)
    return state


def step(n: int) -> list[NewEvent]:
    return [NewEvent("system", {"message": f"step {n}"}, f"runner:{n}")]


def logged(execution) -> list[str]:
    events = ExecutionEvent.objects.filter(execution=execution).order_by("sequence")
    return [event.key or event.data["phase"] for event in events if event.key or event.type == "phase"]


async def run(writer: EventLogWriter, steps: int, *, gap: float = 0.0, settle: bool = False) -> list[int]:
    """Steps as an agent makes them, `gap` apart, or each once the one before
    is committed (`settle`); what was committed as each was handed over."""
    committed = ExecutionEvent.objects.filter(key__startswith="runner:").count
    committed_when_handed = []
    writer.append(step(1))
    for n in range(2, steps + 1):
        await asyncio.sleep(gap)
        while settle and await read(committed)() < n - 1:
            await asyncio.sleep(0.01)
        writer.append(step(n))
        committed_when_handed.append(await read(committed)())
    await writer.written()
    return committed_when_handed


def test_steps_during_a_commit_share_the_next_and_keep_their_order(temporal_env, demo_agent, transactions):
    execution = execution_create(agent=demo_agent, message="hi")

    seen = asyncio.run(run(EventLogWriter(str(execution.pk)), 8, gap=0.005))

    assert logged(execution) == ["PENDING", *[f"runner:{n}" for n in range(1, 9)]]
    assert [key for batch in transactions for key in batch] == [f"runner:{n}" for n in range(1, 9)]
    assert len(transactions) < 4  # eight steps, 40 ms, while the first commit took 100
    assert seen[0] == 0  # the agent's second step did not wait for the first to commit


def test_steps_after_a_commit_are_one_transaction_each(temporal_env, demo_agent, transactions):
    execution = execution_create(agent=demo_agent, message="hi")

    asyncio.run(run(EventLogWriter(str(execution.pk)), 4, settle=True))

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


def test_a_failed_write_raises_at_the_next_step_and_is_written_once_later(temporal_env, demo_agent, outage):
    execution = execution_create(agent=demo_agent, message="hi")

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
    real_append = in_process.execution_events_append
    calls = []

    def first_write_fails_late(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_append(**kwargs)

    monkeypatch.setattr(in_process, "execution_events_append", first_write_fails_late)

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


def test_a_database_that_stays_down_fails_the_wait(temporal_env, demo_agent, outage):
    execution = execution_create(agent=demo_agent, message="hi")
    outage["on"] = True

    async def scenario():
        writer = EventLogWriter(str(execution.pk))
        writer.append(step(1))
        with pytest.raises(OperationalError):
            await writer.written()

    asyncio.run(scenario())

    assert logged(execution) == ["PENDING"]


def test_the_reporters_flush_retries_a_step_whose_write_failed(temporal_env, demo_agent, outage):
    """The cancel and error paths flush: a step whose background write failed
    is written there once the database answers, not given up on."""
    execution = execution_create(agent=demo_agent, message="hi")
    outage["on"] = True
    call = {"id": "call-1", "name": "calculator", "args": {"expression": "6*7"}}

    async def scenario():
        reporter = ProgressReporter(str(execution.pk))
        await reporter.handle("updates", {"agent": {"messages": [AIMessage(content="", tool_calls=[call])]}})
        await asyncio.sleep(0.2)  # its write fails meanwhile
        # An answer, held for COMPLETED: the run is cancelled before that.
        await reporter.handle("updates", {"agent": {"messages": [AIMessage(content="42")]}})
        outage["on"] = False
        await reporter.flush()

    asyncio.run(scenario())

    # The AI turn, its tool call, and the held answer.
    assert logged(execution) == ["PENDING", "runner:1", "runner:2", "runner:3"]
