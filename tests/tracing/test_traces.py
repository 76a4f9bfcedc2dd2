"""One trace per execution across processes: the web's request and create,
the workflow start, the orchestration worker's workflow and the runner's
activities, model calls and tool calls, exported by OTLP/HTTP from three OS
processes into a receiver this test runs. And with no endpoint, nothing."""
import os

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token

from executions.models import AgentExecution, Phase
from executions.services.executions import execution_create
from executions.temporal.client import _interceptors
from stigmer.tracing import tracing_enabled
from tests.conftest import free_port
from tests.processes import Stack, database_url
from tests.production.test_scale_out import session_cookie
from tests.tracing.otlp_receiver import OtlpReceiver
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
multi_process = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
    reason="multi-process runs need PostgreSQL and Redis (CI's second pass)",
)


@pytest.fixture
def receiver():
    receiver = OtlpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def traced_stack(temporal_env, demo_agent, receiver, tmp_path):
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "STIGMER_CHECKPOINT_PATH": str(tmp_path / "unused.sqlite3"),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: batches leave quickly
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith(("TEMPORAL_", "STIGMER_HEARTBEAT"))})
    stack = Stack(env, tmp_path)
    port = free_port()
    stack.web(port)
    stack.manage("orchestration", "run_orchestration_worker").wait_for("orchestration worker polling")
    stack.manage("runner", "run_runner_worker").wait_for("runner worker polling")
    stack.url = f"http://127.0.0.1:{port}"
    yield stack
    stack.stop()


EXPECTED = {  # (service, span name) of one run of "What is 6*7?" on the demo agent
    ("stigmer-web", "POST /api/v1/executions/"),
    ("stigmer-web", "execution.create"),
    ("stigmer-web", "StartWorkflow:stigmer/agent-execution/invoke"),
    ("stigmer-orchestration", "RunWorkflow:stigmer/agent-execution/invoke"),
    ("stigmer-orchestration", "StartActivity:EnsureThread"),
    ("stigmer-orchestration", "StartActivity:ExecuteGraphton"),
    ("stigmer-runner", "RunActivity:EnsureThread"),
    ("stigmer-runner", "RunActivity:ExecuteGraphton"),
    ("stigmer-runner", "chat demo"),
    ("stigmer-runner", "execute_tool calculator"),
}


@multi_process
def test_one_trace_links_web_orchestration_and_runner_processes(traced_stack, receiver):
    user = get_user_model().objects.create_user("tracer", password="x", is_staff=True)
    token = Token.objects.create(user=user)
    response = httpx.post(
        f"{traced_stack.url}/api/v1/executions/", json={"agent": "demo", "message": "What is 6*7?"},
        headers={"Authorization": f"Token {token.key}"}, timeout=30,
    )
    assert response.status_code == 201, response.text
    trace_id = response.json()["trace_id"]
    assert len(trace_id) == 32
    execution = wait_for_phase(AgentExecution.objects.get(pk=response.json()["id"]), Phase.COMPLETED, Phase.FAILED)
    assert execution.phase == Phase.COMPLETED, execution.error

    def seen() -> set:
        return {(span.service, span.name) for span in receiver.of_trace(trace_id)}

    try:
        wait_until(lambda: EXPECTED <= seen(), timeout=60, message="the run's spans")
    except AssertionError:
        raise AssertionError(f"missing {EXPECTED - seen()}; runner:\n{traced_stack.output('runner')[-3000:]}") from None
    spans = receiver.of_trace(trace_id)
    ids = {span.span_id for span in spans}
    roots = [span for span in spans if not span.parent_span_id]
    assert [(root.service, root.name) for root in roots] == [("stigmer-web", "POST /api/v1/executions/")]
    assert all(span.parent_span_id in ids for span in spans if span.parent_span_id), "every span's parent is in the trace"
    chats = [span for span in spans if span.name == "chat demo"]
    assert len(chats) == 2
    assert sum(span.attributes["gen_ai.usage.input_tokens"] for span in chats) == execution.input_tokens
    assert sum(span.attributes["gen_ai.usage.output_tokens"] for span in chats) == execution.output_tokens
    [tool] = [span for span in spans if span.name == "execute_tool calculator"]
    assert tool.attributes["gen_ai.tool.name"] == "calculator" and not tool.error
    assert {span.trace_id for span in receiver.spans if span.name == "execution.create"} == {trace_id}

    page = httpx.get(
        f"{traced_stack.url}/admin/executions/agentexecution/{execution.pk}/change/",
        headers={"Cookie": session_cookie(user)}, timeout=30,
    )
    assert page.status_code == 200 and trace_id in page.text


def test_without_an_endpoint_nothing_is_traced(workers, demo_agent, django_user_model):
    assert not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    assert not tracing_enabled()
    assert not any("tracing" in name for name in settings.MIDDLEWARE)
    assert _interceptors() == []
    owner = django_user_model.objects.create_user("owner", is_staff=True)
    execution = wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?", owner=owner), Phase.COMPLETED)
    assert execution.traceparent == "" and execution.trace_id == ""
    admin = Client()
    admin.force_login(owner)
    page = admin.get(f"/admin/executions/agentexecution/{execution.pk}/change/").content.decode()
    assert "not traced (OTEL_EXPORTER_OTLP_ENDPOINT unset" in page
