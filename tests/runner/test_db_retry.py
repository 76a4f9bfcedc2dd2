"""Progress writes survive a dropped connection without doubling a step."""
import asyncio

import pytest
from django.db import OperationalError, connection, connections

from executions.models import ExecutionEvent
from executions.services.events import execution_event_append
from executions.services.executions import execution_create
from runner.db import db, db_write

pytestmark = pytest.mark.django_db(transaction=True)


def test_write_committed_before_the_drop_is_not_repeated(temporal_env, demo_agent):
    execution = execution_create(agent=demo_agent, message="hi")
    attempts = []

    def append_then_lose_the_connection(**kwargs):
        attempts.append(1)
        event = execution_event_append(**kwargs)
        if len(attempts) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return event

    event = asyncio.run(
        db_write(append_then_lose_the_connection)(
            execution_id=execution.pk, type="system", data={"message": "step"}, key="runner:1"
        )
    )

    assert len(attempts) == 2
    assert ExecutionEvent.objects.filter(execution=execution, key="runner:1").count() == 1
    assert event.sequence == 2  # after PENDING


def test_write_gives_up_after_the_retries(temporal_env, demo_agent, monkeypatch):
    monkeypatch.setenv("STIGMER_DB_WRITE_RETRIES", "2")

    def always_down(**kwargs):
        raise OperationalError("connection refused")

    with pytest.raises(OperationalError):
        asyncio.run(db_write(always_down)())


def test_a_write_makes_no_health_check_where_a_read_does(temporal_env, demo_agent, monkeypatch):
    """Health-checked persistent connections, as in production: a read is
    checked after the cleanup around it; a write, which retries on a dead
    connection anyway, goes without the check's SELECT 1."""
    execution = execution_create(agent=demo_agent, message="hi")
    default = connections["default"]
    monkeypatch.setitem(default.settings_dict, "CONN_HEALTH_CHECKS", True)
    monkeypatch.setitem(default.settings_dict, "CONN_MAX_AGE", None)
    checks = []
    is_usable = type(default).is_usable
    monkeypatch.setattr(type(default), "is_usable", lambda self: checks.append(1) or is_usable(self))

    def read() -> int:
        return ExecutionEvent.objects.filter(execution_id=execution.pk).count()

    def close() -> None:
        connection.close()  # the calling thread's

    async def calls() -> tuple[int, int]:
        await db(close)()  # the next connection takes the settings above
        await db(read)()  # connects: nothing to check yet
        checks.clear()
        for step in (1, 2):
            await db_write(execution_event_append)(
                execution_id=execution.pk, type="system", data={"message": "step"}, key=f"runner:{step}"
            )
        writes = len(checks)
        await db(read)()
        await db(read)()
        reads = len(checks) - writes
        await db(close)()
        return writes, reads

    writes, reads = asyncio.run(calls())

    assert reads >= 1  # the settings do make Django check
    assert writes == 0
    assert ExecutionEvent.objects.filter(execution=execution, key__startswith="runner:").count() == 2
