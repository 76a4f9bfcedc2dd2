"""Every database connection cut at once (a restart, a failover, an
operator's pg_terminate_backend): runs, the checkpointer and the pooled web
process carry on. Each blink terminates all of the test database's backends
but the test's own, whatever their name."""
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from executions.models import AgentExecution, ExecutionEvent, Phase
from executions.services.executions import execution_create
from tests.conftest import free_port
from tests.processes import database_url
from tests.faults.conftest import assert_no_duplicate_steps, model_calls, requires_pg_redis
from tests.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), requires_pg_redis]


def terminate_every_backend() -> list[str]:
    """The application names of the connections it terminated."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT application_name FROM pg_stat_activity, pg_terminate_backend(pid) AS killed "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND killed"
        )
        return [name for (name,) in cursor.fetchall()]


def test_runs_complete_when_every_connection_is_cut_at_several_moments(fault_stack, demo_agent):
    fault_stack.manage("orchestration", "run_orchestration_worker").wait_for("polling")
    runner = fault_stack.manage("runner", "run_runner_worker").wait_for("polling")
    executions = [execution_create(agent=demo_agent, message="sleep 2 please") for _ in range(5)]
    ids = [execution.pk for execution in executions]
    events = ExecutionEvent.objects.filter(execution_id__in=ids)
    completed = AgentExecution.objects.filter(pk__in=ids, phase=Phase.COMPLETED)

    # Each run waiting on its tool; then writing its result; then finishing.
    moments = [
        (lambda: events.filter(type="tool_call_started").count() == 5, "every tool call started"),
        (lambda: events.filter(type="tool_call_completed").exists(), "a tool call completed"),
        (lambda: completed.exists(), "a run completed"),
    ]
    killed = []
    for reached, name in moments:
        wait_until(reached, timeout=60, message=name)
        killed += terminate_every_backend()
    assert "stigmer-checkpointer" in killed, killed

    wait_until(lambda: AgentExecution.objects.filter(pk__in=ids, phase__in=Phase.terminal()).count() == 5,
               timeout=90, message="all five ended")
    for execution in executions:
        execution.refresh_from_db()
        assert execution.phase == Phase.COMPLETED, execution.error + runner.output()[-3000:]
        assert execution.output == "Done: slept 2.0 seconds."
        assert model_calls(fault_stack, execution) == 2
        assert_no_duplicate_steps(execution)


def test_pooled_web_answers_at_once_after_a_blink(fault_stack, demo_agent):
    port = free_port()
    web = fault_stack.web(port, DATABASE_POOL="1", DATABASE_URL=database_url())  # default names
    user = get_user_model().objects.create_user("pooled")
    token = Token.objects.create(user=user)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                      headers={"Authorization": f"Token {token.key}"}) as client:
        # Requests at once, so the pool holds several connections for the blink
        # to kill (psycopg_pool's own check stalled 30 s on eight dead ones).
        with ThreadPoolExecutor(10) as threads:
            statuses = list(threads.map(lambda _: client.get("/api/v1/executions/").status_code, range(30)))
        assert statuses == [200] * 30

        killed = terminate_every_backend()
        assert killed.count("stigmer-pool") >= 5, killed

        assert client.get("/api/v1/executions/").status_code == 200
        created = client.post("/api/v1/executions/", json={"agent": demo_agent.slug, "message": "What is 2*3?"})
        assert created.status_code == 201, created.text
    assert "Traceback" not in web.output(), web.output()[-3000:]
