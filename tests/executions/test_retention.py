"""Retention: what is pruned and what is kept, batches, the dry run, and the
job running once per period with two orchestration workers."""
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from temporalio.client import WorkflowExecutionStatus

from executions.models import Agent, AgentExecution, ExecutionEvent, Phase, PruneRun, Session
from executions.services.bootstrap import DEMO_TOOLS
from executions.services.executions import execution_create
from executions.services.retention import executions_prune
from executions.temporal.client import temporal_bridge
from executions.temporal.config import temporal_config
from executions.temporal.contract import PRUNE_WORKFLOW_TYPE
from executions.temporal.retention import retention_schedule_ensure, retention_schedule_id
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_worker
from tests.executions.checkpoints import human_turns
from tests.production.test_metrics import scrape
from tests.temporal_harness import WorkerThread
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def age(execution: AgentExecution, days: float) -> None:
    """Move an execution (and its session, when it was the first turn) into the past."""
    past = timezone.now() - timedelta(days=days)
    AgentExecution.objects.filter(pk=execution.pk).update(
        created_at=past, completed_at=past if execution.completed_at else None
    )
    Session.objects.filter(pk=execution.session_id, created_at__gt=past).update(created_at=past)


def test_prune_deletes_old_finished_executions_and_idle_memory_and_keeps_the_rest(
    workers, demo_agent, settings, client
):
    settings.STIGMER_RETENTION_DAYS = 30  # the global default
    demo_agent.retention_days = 7
    demo_agent.save()
    keeper = Agent.objects.create(slug="keeper", name="Keeper", tools=DEMO_TOOLS, retention_days=0)
    done = lambda agent, message, **kw: wait_for_phase(  # noqa: E731
        execution_create(agent=agent, message=message, **kw), Phase.COMPLETED
    )
    old = done(demo_agent, "What is 1+1?")
    recent = done(demo_agent, "What is 2+2?")
    global_default = done(Agent.objects.create(slug="plain", name="Plain", tools=DEMO_TOOLS), "What is 3+3?")
    forever = done(keeper, "What is 4+4?")
    busy_first = done(demo_agent, "What is 5+5?")
    running = execution_create(agent=demo_agent, message="sleep 30 then tell me", session=busy_first.session)
    wait_until(lambda: running.events.filter(type="tool_call_started").exists(), message="the sleep call")
    age(old, 8)
    age(global_default, 8)  # younger than the global 30 days
    age(forever, 400)
    age(busy_first, 8)
    age(running, 8)
    old_events = old.events.count()
    assert old_events > 5

    out = io.StringIO()
    call_command("prune_executions", "--dry-run", stdout=out)

    assert out.getvalue().strip() == (
        f"would prune 2 executions, {old_events + busy_first.events.count()} events, 1 session checkpoints"
    )
    assert AgentExecution.objects.count() == 6 and not PruneRun.objects.exists()

    report = executions_prune()

    assert (report.executions, report.checkpoints) == (2, 1)
    assert set(AgentExecution.objects.values_list("pk", flat=True)) == {
        recent.pk, global_default.pk, forever.pk, running.pk
    }
    assert not ExecutionEvent.objects.filter(execution_id__in=[old.pk, busy_first.pk]).exists()
    # The idle session's memory is gone; the busy session's is kept, as is every recent one.
    assert human_turns(old.session) == []
    assert Session.objects.get(pk=old.session_id).thread_id == ""
    assert human_turns(busy_first.session) == ["What is 5+5?"]
    assert human_turns(recent.session) == ["What is 2+2?"]
    assert human_turns(forever.session) == ["What is 4+4?"]
    running.refresh_from_db()
    assert running.phase == Phase.IN_PROGRESS
    samples = scrape(client)
    assert samples[("stigmer_pruned_total", (("kind", "executions"),))] == 2
    assert samples[("stigmer_pruned_total", (("kind", "checkpoints"),))] == 1
    assert samples[("stigmer_pruned_total", (("kind", "events"),))] == report.events
    assert samples[("stigmer_prune_runs_total", ())] == 1
    assert executions_prune().executions == 0  # a second pass finds nothing
    # The pruned session goes on, with a fresh memory.
    again = done(demo_agent, "What did I ask before?", session=old.session)
    assert again.turn == 2 and human_turns(old.session) == ["What did I ask before?"]
    call_command("cancel_execution", str(running.pk))
    wait_for_phase(running, Phase.CANCELLED)


def test_prune_goes_in_batches_and_logs_its_counts(demo_agent, settings, caplog):
    settings.STIGMER_RETENTION_BATCH_SIZE = 2
    demo_agent.retention_days = 1
    demo_agent.save()
    past = timezone.now() - timedelta(days=2)
    session = Session.objects.create(agent=demo_agent)
    executions = AgentExecution.objects.bulk_create(
        AgentExecution(agent=demo_agent, session=session, message=f"m{i}", phase=Phase.COMPLETED, completed_at=past)
        for i in range(5)
    )
    ExecutionEvent.objects.bulk_create(
        ExecutionEvent(execution=e, sequence=s, type="message") for e in executions for s in range(1, 4)
    )

    report = executions_prune()

    assert (report.executions, report.events) == (5, 15)
    # 3 batches of at most 2 executions; each: its events 2 rows a statement, then the executions.
    assert report.batches == 3 + 8
    assert not AgentExecution.objects.exists() and not ExecutionEvent.objects.exists()
    run = PruneRun.objects.get()
    assert (run.executions, run.events, run.batches) == (5, 15, 11) and run.finished_at
    assert f"retention pass {run.run_id}: pruned 5 executions, 15 events, 0 session checkpoints in 11 batches" in caplog.text


def test_the_job_runs_once_per_period_with_two_orchestration_workers(temporal_env, demo_agent, transactional_db):
    demo_agent.retention_days = 1
    demo_agent.save()
    past = timezone.now() - timedelta(days=2)
    session = Session.objects.create(agent=demo_agent)
    AgentExecution.objects.bulk_create(
        AgentExecution(agent=demo_agent, session=session, message=f"m{i}", phase=Phase.COMPLETED, completed_at=past)
        for i in range(3)
    )
    config = temporal_config()
    # Two orchestration workers, each with its own connection, as two processes would be.
    threads = [WorkerThread(build_orchestration_worker, build_runner_worker).start(),
               WorkerThread(build_orchestration_worker).start()]
    try:
        for _ in range(2):  # each orchestration worker ensures the Schedule at start
            temporal_bridge.run(lambda client: retention_schedule_ensure(client, config, interval=1))
        wait_until(lambda: PruneRun.objects.filter(finished_at__isnull=False).count() >= 3, timeout=30,
                   message="three retention passes")
        description = temporal_bridge.run(lambda client: _pause(client, retention_schedule_id(config)))
        runs = _closed_runs(config)
    finally:
        for thread in threads:
            thread.stop()
    assert description.info.num_actions == len(runs) == PruneRun.objects.count()
    assert sorted(PruneRun.objects.values_list("run_id", flat=True)) == sorted(runs)
    times = [action.scheduled_at for action in description.info.recent_actions]
    assert len(times) == len(set(times))  # one pass per period
    assert sum(PruneRun.objects.values_list("executions", flat=True)) == 3  # each deleted once
    assert not AgentExecution.objects.exists()


async def _pause(client, schedule_id):
    handle = client.get_schedule_handle(schedule_id)
    await handle.pause(note="test over")
    return await handle.describe()


def _closed_runs(config) -> list[str]:
    """Every prune workflow the Schedule started for this queue, once all are closed."""
    query = f"WorkflowType = '{PRUNE_WORKFLOW_TYPE}' AND TaskQueue = '{config.stigmer_queue}'"

    async def listed(client):
        return [(w.id, w.status) async for w in client.list_workflows(query)]

    def all_closed():
        found = temporal_bridge.run(listed)
        return found and all(status != WorkflowExecutionStatus.RUNNING for _, status in found)

    wait_until(all_closed, timeout=20, message="the prune workflows to close")
    described = temporal_bridge.run(lambda c: c.get_schedule_handle(retention_schedule_id(config)).describe())
    wait_until(lambda: len(temporal_bridge.run(listed)) >= described.info.num_actions, timeout=20,
               message="visibility to list every pass")
    return [workflow_id for workflow_id, _ in temporal_bridge.run(listed)]
