"""Retention: finished executions, their events and idle sessions' memory,
deleted once older than their agent's limit (or STIGMER_RETENTION_DAYS).

Never pruned: an execution that is not finished, and the memory of a session
with an unfinished turn or any turn created or finished within the limit.
Deletes go in batches of STIGMER_RETENTION_BATCH_SIZE rows, each statement its
own short transaction, so the tables are never locked for long. Idempotent:
a pass cut short and run again deletes the rest. The periodic job is a
Temporal Schedule (executions/temporal/retention.py): one pass per period,
however many orchestration workers run.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from executions.models import Agent, AgentExecution, ExecutionEvent, Phase, PruneRun, Session

logger = logging.getLogger(__name__)


@dataclass
class PruneReport:
    executions: int = 0
    events: int = 0
    checkpoints: int = 0
    batches: int = 0
    dry_run: bool = False


def retention_cutoffs(*, now: datetime) -> list[tuple[int, datetime]]:
    """(agent id, oldest kept time) for every agent with a limit."""
    cutoffs = []
    for agent_id, days in Agent.objects.order_by("pk").values_list("pk", "retention_days"):
        days = settings.STIGMER_RETENTION_DAYS if days is None else days
        if days > 0:
            cutoffs.append((agent_id, now - timedelta(days=days)))
    return cutoffs


def _finished_before(agent_id, cutoff):
    return AgentExecution.objects.filter(
        agent_id=agent_id, phase__in=Phase.terminal(), completed_at__lt=cutoff
    )


def _idle_sessions(agent_id, cutoff):
    """Sessions of the agent with a memory and no turn unfinished, created or
    finished since the cutoff."""
    recent = AgentExecution.objects.filter(session=OuterRef("pk")).filter(
        ~Q(phase__in=Phase.terminal()) | Q(created_at__gte=cutoff) | Q(completed_at__gte=cutoff)
    )
    return Session.objects.filter(agent_id=agent_id, created_at__lt=cutoff).exclude(thread_id="").exclude(
        Exists(recent)
    )


def _record(run: PruneRun | None, **counts) -> None:
    if run is not None and any(counts.values()):
        PruneRun.objects.filter(pk=run.pk).update(**{k: F(k) + v for k, v in counts.items()})


def _prune_executions(agent_id, cutoff, batch: int, report: PruneReport, run) -> None:
    while True:
        ids = list(_finished_before(agent_id, cutoff).order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            return
        events, statements = 0, 1
        while True:  # the events first, a batch of rows per statement
            event_ids = list(
                ExecutionEvent.objects.filter(execution_id__in=ids).order_by().values_list("pk", flat=True)[:batch]
            )
            if not event_ids:
                break
            events += ExecutionEvent.objects.filter(pk__in=event_ids).delete()[0]
            statements += 1
        # Re-filtered: a finished execution stays finished, and nothing else goes.
        executions = _finished_before(agent_id, cutoff).filter(pk__in=ids).delete()[1].get(
            AgentExecution._meta.label, 0
        )
        report.batches += statements
        report.executions += executions
        report.events += events
        _record(run, executions=executions, events=events, batches=statements)


def _prune_checkpoints(agent_id, cutoff, batch: int, report: PruneReport, run) -> None:
    from runner.checkpointer import checkpoint_thread_delete, sync_checkpointer

    skipped: set = set()  # pruned ones drop out of the query by their emptied thread_id
    with sync_checkpointer() as saver:
        while True:
            sessions = list(
                _idle_sessions(agent_id, cutoff).exclude(pk__in=skipped).order_by().values_list("pk", flat=True)[:batch]
            )
            if not sessions:
                return
            pruned = 0
            for session_id in sessions:
                with transaction.atomic():
                    # The session's lock (services/turns.py): no new turn can be
                    # created, and so run, while its memory is being deleted.
                    Session.objects.filter(pk=session_id).update(last_turn=F("last_turn"))
                    session = _idle_sessions(agent_id, cutoff).filter(pk=session_id).first()
                    if session is None:
                        skipped.add(session_id)  # a turn came in meanwhile
                        continue
                    checkpoint_thread_delete(saver, session.thread_id)
                    # Empty until its next turn's EnsureThread: nothing left to prune.
                    Session.objects.filter(pk=session_id).update(thread_id="")
                    pruned += 1
            report.batches += 1
            report.checkpoints += pruned
            _record(run, checkpoints=pruned, batches=1)


def executions_prune(*, dry_run: bool = False, run_id: str = "", now: datetime | None = None) -> PruneReport:
    """One retention pass; with dry_run, the counts it would delete, and no delete."""
    now = now or timezone.now()
    batch = max(1, settings.STIGMER_RETENTION_BATCH_SIZE)
    report = PruneReport(dry_run=dry_run)
    cutoffs = retention_cutoffs(now=now)
    if dry_run:
        for agent_id, cutoff in cutoffs:
            finished = _finished_before(agent_id, cutoff)
            report.executions += finished.count()
            report.events += ExecutionEvent.objects.filter(execution__in=finished).count()
            report.checkpoints += _idle_sessions(agent_id, cutoff).count()
        return report
    run, _ = PruneRun.objects.get_or_create(run_id=run_id or f"manual/{now.isoformat()}")
    for agent_id, cutoff in cutoffs:
        _prune_executions(agent_id, cutoff, batch, report, run)
        _prune_checkpoints(agent_id, cutoff, batch, report, run)
    PruneRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    logger.info(
        "retention pass %s: pruned %d executions, %d events, %d session checkpoints in %d batches",
        run.run_id, report.executions, report.events, report.checkpoints, report.batches,
    )
    return report
