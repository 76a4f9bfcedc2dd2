"""A retried batch is never written twice, even when the first attempt's
commit lands while the retry waits for the execution's row lock (on
PostgreSQL a statement's subqueries see the database as it was when the
statement began, not when its lock was granted)."""
import threading
import time

import pytest
from django.db import connection, connections, transaction

from executions.models import AgentExecution, ExecutionEvent
from executions.services.events import NewEvent, events_append_locked, execution_events_append
from executions.services.executions import execution_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and snapshots of PostgreSQL"),
]


def test_a_batch_committed_while_its_retry_waits_for_the_lock_is_not_written_twice(temporal_env, demo_agent):
    execution = execution_create(agent=demo_agent, message="hi")
    batch = [NewEvent("system", {"message": "step"}, "runner:1")]
    holding = threading.Event()

    def first_attempt() -> None:
        try:
            with transaction.atomic():
                row = AgentExecution.objects.select_for_update().get(pk=execution.pk)
                events_append_locked(execution=row, events=batch)
                holding.set()
                time.sleep(0.3)  # the retry's statement begins, and waits, meanwhile
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_attempt)
    thread.start()
    assert holding.wait(5)
    written = execution_events_append(execution_id=execution.pk, events=batch)
    thread.join()

    assert written == []
    assert ExecutionEvent.objects.filter(execution=execution, key="runner:1").count() == 1
