"""The runner's spans for model and tool calls, from a real agent run on the
scripted model, into an in-memory exporter."""
import asyncio

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runner.graph import build_agent
from runner.llms import resolve_chat_model
from runner.tools import get_tools
from runner.tracing import SpanCallbacks


def run_traced(message: str):
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    agent = build_agent(model=resolve_chat_model("scripted:demo"), tools=get_tools(["calculator"]), instructions="")

    async def run():
        with tracer.start_as_current_span("RunActivity:ExecuteGraphton") as activity_span:
            callbacks = SpanCallbacks(model_spec="scripted:demo", execution_id="e-1", tracer_=tracer)
            await agent.ainvoke({"messages": [("user", message)]}, {"callbacks": [callbacks]})
            return activity_span

    activity_span = asyncio.run(run())
    return activity_span, exporter.get_finished_spans()


def test_each_model_call_and_tool_call_is_a_child_span_with_model_tokens_and_tool():
    parent, spans = run_traced("What is 6*7?")
    names = [span.name for span in spans]
    assert names == ["chat demo", "execute_tool calculator", "chat demo", "RunActivity:ExecuteGraphton"]
    context = parent.get_span_context()
    for span in spans[:-1]:
        assert span.parent.span_id == context.span_id and span.context.trace_id == context.trace_id
        assert span.attributes["stigmer.execution_id"] == "e-1"
        assert span.end_time > span.start_time
    chat = spans[0]
    assert chat.attributes["gen_ai.system"] == "scripted" and chat.attributes["gen_ai.request.model"] == "demo"
    assert chat.attributes["gen_ai.usage.input_tokens"] > 0 and chat.attributes["gen_ai.usage.output_tokens"] > 0
    assert spans[1].attributes["gen_ai.tool.name"] == "calculator"
    assert spans[1].status.status_code == trace.StatusCode.UNSET


def test_a_failing_tool_call_is_an_error_span():
    _, spans = run_traced("What is 1/0?")
    [tool] = [span for span in spans if span.name == "execute_tool calculator"]
    assert tool.status.status_code == trace.StatusCode.ERROR
    assert "division by zero" in tool.status.description
