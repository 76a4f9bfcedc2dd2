"""Every provider in the README runs an agent end to end, on the real workers,
against a local server speaking its wire format: two tool calls in one turn,
their results fed back, the answer streamed to a live reader, and the usage
the server reported on every surface."""
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from executions.models import Agent, AgentExecution, Phase
from tests.providers.conftest import KEY, PROVIDERS
from tests.providers.live_reader import LiveReader
from tests.providers.run_agent_thread import RunAgentThread
from tests.providers.servers.base import Stream, ToolCall, Turn
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

TOOL_TURN = Turn(
    tool_calls=[ToolCall("call_a", "calculator", {"expression": "6*7"}),
                ToolCall("call_b", "calculator", {"expression": "2+3"})],
    input_tokens=41, output_tokens=17,
)  # fmt: skip
ANSWER_TURN = Turn(text="The results are 42 and 5.", input_tokens=83, output_tokens=9)
USAGE = {"input_tokens": 124, "output_tokens": 26, "total_tokens": 150}


def tool_schema(name: str, body: dict) -> dict:
    """The calculator's JSON schema as the request declared it."""
    (tool,) = body["tools"]
    return tool["input_schema"] if name == "anthropic" else tool["function"]["parameters"]


def tool_results(name: str, body: dict) -> list[str]:
    """The tool results the client fed back, in order."""
    if name != "anthropic":
        return [m["content"] for m in body["messages"] if m["role"] == "tool"]
    blocks = [b for m in body["messages"] if isinstance(m["content"], list) for b in m["content"]]
    results = [b["content"] for b in blocks if b.get("type") == "tool_result"]
    return [r if isinstance(r, str) else "".join(part["text"] for part in r) for r in results]


def key_sent(headers: dict) -> bool:
    return headers.get("authorization") == f"Bearer {KEY}" or headers.get("x-api-key") == KEY


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_provider_runs_an_agent_end_to_end(workers, wire, name):
    provider = PROVIDERS[name]
    server = wire(name)
    answer_may_start = threading.Event()
    server.script(Stream(TOOL_TURN), Stream(ANSWER_TURN, gate=answer_may_start, pace=0.03))
    Agent.objects.create(slug="wire", name="Wire", model=provider.spec, tools=["calculator"], instructions="Be brief.")

    run = RunAgentThread("wire", "What are 6*7 and 2+3?")
    run.start()
    wait_until(AgentExecution.objects.exists, message="the execution")
    execution = AgentExecution.objects.get()
    reader = LiveReader(execution.pk).start()
    answer_may_start.set()
    code, out = run.result()
    reader.finished()

    execution.refresh_from_db()
    assert (code, execution.phase) == (0, Phase.COMPLETED), (out, execution.error)
    events = list(execution.events.order_by("sequence").values_list("type", "data"))
    assert [(d["name"], d["args"]) for t, d in events if t == "tool_call_started"] == [
        ("calculator", {"expression": "6*7"}), ("calculator", {"expression": "2+3"}),
    ]  # fmt: skip
    assert [d["result"] for t, d in events if t == "tool_call_completed"] == ["42", "5"]
    assert execution.output == ANSWER_TURN.text
    assert "".join(reader.tokens) == ANSWER_TURN.text and len(reader.tokens) >= 2, reader.tokens

    # The usage the server reported, on every surface.
    assert {k: getattr(execution, k) for k in USAGE} == USAGE
    assert "[usage] 124 in / 26 out / 150 total" in out
    staff = Client()
    staff.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    api = staff.get(f"/api/v1/executions/{execution.pk}/").json()
    assert api["usage"] == USAGE
    admin = staff.get(f"/admin/executions/agentexecution/{execution.pk}/change/").content.decode()
    assert all(f'data-field="{k}">{v}<' in admin for k, v in USAGE.items())
    metrics = staff.get("/metrics").content.decode()
    assert f'stigmer_tokens_total{{kind="input",model="{provider.spec}"}} 124.0' in metrics
    assert f'stigmer_tokens_total{{kind="output",model="{provider.spec}"}} 26.0' in metrics

    # What the server received: model, key, the tool's schema, the results fed back.
    first, second = server.requests
    assert first.body["model"] == second.body["model"] == provider.model
    assert key_sent(first.headers) and key_sent(second.headers)
    schema = tool_schema(name, first.body)
    assert (schema["properties"], schema["required"]) == ({"expression": {"type": "string"}}, ["expression"])
    assert tool_results(name, first.body) == [] and tool_results(name, second.body) == ["42", "5"]
    # The key stays on the runner.
    assert KEY not in json.dumps(events) + out + json.dumps(api) + admin + metrics
