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


def test_racing_starters_record_the_outage_and_the_start_once(workers, demo_agent, temporal_down):
    """The creator's start and a reconciler's pass, each holding its own read
    of the record, both fail and then both succeed: the log says each once."""
    from executions.models import AgentExecution
    from executions.services.workflows import execution_workflow_start_loaded

    execution = execution_create(agent=demo_agent, message="What is 6*7?")
    first, second = (AgentExecution.objects.select_related("agent").get(pk=execution.pk) for _ in range(2))
    execution_workflow_start_loaded(execution=first)
    execution_workflow_start_loaded(execution=second)
    temporal_down()  # Temporal is back
    assert execution_workflow_start_loaded(execution=first)
    assert execution_workflow_start_loaded(execution=second)

    system = [e.data["message"] for e in execution.events.filter(type="system").order_by("sequence")]
    assert len(system) == 2, system
    assert "Temporal unreachable" in system[0] and system[1] == "Temporal reachable again; workflow started"
    assert wait_for_phase(execution, Phase.COMPLETED).phase == Phase.COMPLETED
