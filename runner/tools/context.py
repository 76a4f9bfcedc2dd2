"""The run's context, handed to a tool that asks for it by annotation.

A tool declares a parameter typed `ToolContext` (any name); the parameter is
left out of the schema the model sees and filled in at call time from the
run's LangGraph config, where the runner puts it for each execution.
"""
import typing

from langchain_core.runnables import RunnableConfig

from stigmer.run_config import RunContext

ToolContext = RunContext
CONTEXT_KEY = "stigmer_tool_context"


class MissingToolContext(RuntimeError):
    """A tool that reads its run's context was called outside an execution."""


def context_parameter(func) -> str | None:
    """The name of `func`'s ToolContext parameter, if it has one."""
    hints = typing.get_type_hints(func)
    names = [name for name, hint in hints.items() if hint is ToolContext and name != "return"]
    if len(names) > 1:
        raise TypeError(f"{func.__qualname__} has more than one ToolContext parameter: {names}")
    return names[0] if names else None


def context_config(context: ToolContext) -> dict:
    """The `configurable` entry that carries the context to the run's tools."""
    return {CONTEXT_KEY: context}


def context_from(config: RunnableConfig | None, tool_name: str) -> ToolContext:
    context = ((config or {}).get("configurable") or {}).get(CONTEXT_KEY)
    if context is None:
        raise MissingToolContext(
            f"tool {tool_name!r} reads its run's context, which only an execution provides"
        )
    return context
