"""Temporal unreachable at create: PENDING with the reason, started later, once."""
import pytest
from django.core.management import call_command

from executions.models import Phase
from executions.services.executions import execution_create
from tests.conftest import free_port
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def temporal_down(monkeypatch, temporal_env):
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    return lambda: monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)


def test_unreachable_temporal_keeps_pending_then_reconcile_completes(
    workers, demo_agent, temporal_down, capsys
):
    execution = execution_create(agent=demo_agent, message="What is 6*7?")
    execution.refresh_from_db()

    assert execution.phase == Phase.PENDING
    assert execution.workflow_started_at is None
    assert "Temporal unreachable" in execution.start_error
    assert execution.events.filter(type="system", data__message__icontains="unreachable").count() == 1

    temporal_down()  # Temporal is back
    call_command("reconcile_executions")
    call_command("reconcile_executions")  # a second pass starts nothing twice

    execution = wait_for_phase(execution, Phase.COMPLETED)
    assert "42" in execution.output
    assert execution.start_error == ""
    assert execution.events.filter(type="message", data__role="human").count() == 1
    assert "1 started" in capsys.readouterr().out
