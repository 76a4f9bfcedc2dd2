"""Progress writes survive a dropped connection without doubling a step."""
import asyncio

import pytest
from django.db import OperationalError

from executions.models import ExecutionEvent
from executions.services.events import execution_event_append
from executions.services.executions import execution_create
from runner.db import db_write

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
