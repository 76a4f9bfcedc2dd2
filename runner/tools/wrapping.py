"""A registered function or LangChain tool, as the tool the agent is given.

Every registered tool runs under its timeout; a sync one runs in a worker
thread, so it never blocks the runner's event loop (heartbeats, other runs),
with Django's database connections closed around each call as a request's
are. The schema comes from the type hints and the (Google-style) docstring.
"""
import asyncio
import functools
import inspect
from concurrent.futures import ThreadPoolExecutor

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.tools.base import create_schema_from_function

from runner.tools.context import context_from, context_parameter
from stigmer.config import env

TIMEOUT_ENV = "STIGMER_TOOL_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 300.0
THREADS_ENV = "STIGMER_TOOL_THREADS"
DEFAULT = object()  # a tool's timeout when it names none: STIGMER_TOOL_TIMEOUT_SECONDS


class ToolTimeout(Exception):
    """A tool ran past its timeout; the model reads this as the tool's error."""


@functools.cache
def _executor() -> ThreadPoolExecutor:
    # Its own pool: sync tools may block for long, and must not queue behind
    # (or hold up) the runner's database thread or the loop's default executor.
    size = env(THREADS_ENV)
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="stigmer-tool")


def in_thread(func):
    """`func` as a coroutine function run on a tool thread, stale database
    connections closed before and after each call (Channels' helper)."""
    from channels.db import database_sync_to_async

    return database_sync_to_async(func, thread_sensitive=False, executor=_executor())


def timeout_seconds(timeout) -> float | None:
    if timeout is DEFAULT:
        return env(TIMEOUT_ENV)
    return timeout


async def within(timeout, name: str, work):
    """Await `work` for at most the tool's timeout."""
    seconds = timeout_seconds(timeout)
    if seconds is None:
        return await work
    try:
        async with asyncio.timeout(seconds) as scope:
            return await work
    except TimeoutError:
        # The tool's own TimeoutError (not ours) is reported as it is.
        if scope.expired():
            raise ToolTimeout(f"tool {name!r} did not finish within {seconds:g} s") from None
        raise


def tool_from(target, *, name=None, description=None, timeout=DEFAULT) -> BaseTool:
    """The agent's tool for a plain function (sync or async) or a LangChain tool."""
    if isinstance(target, BaseTool):
        return _from_langchain_tool(target, name, description, timeout)
    if not callable(target):
        raise TypeError(f"a tool must be a function or a LangChain tool, not {target!r}")
    return _from_function(target, name or target.__name__, description, timeout)


def _from_function(func, name: str, description: str | None, timeout) -> BaseTool:
    context_name = context_parameter(func)
    schema = create_schema_from_function(
        name, func, filter_args=["run_manager", "callbacks", *filter(None, [context_name])],
        parse_docstring=True,
    )
    description = description or (schema.__doc__ or "").strip()
    if not description:
        raise TypeError(f"tool {name!r} needs a docstring (or description=...) for the model")
    call_ = func if inspect.iscoroutinefunction(func) else in_thread(func)

    async def call(config: RunnableConfig, **arguments):
        if context_name:
            arguments[context_name] = context_from(config, name)
        return await within(timeout, name, call_(**arguments))

    return StructuredTool(name=name, description=description, args_schema=schema, coroutine=call)


def _from_langchain_tool(tool: BaseTool, name, description, timeout) -> BaseTool:
    name = name or tool.name
    is_async = (isinstance(tool, StructuredTool) and tool.coroutine is not None) or (
        type(tool)._arun is not BaseTool._arun and not isinstance(tool, StructuredTool)
    )

    async def call(config: RunnableConfig, **arguments):
        work = tool.ainvoke(arguments, config) if is_async else in_thread(tool.invoke)(arguments, config)
        return await within(timeout, name, work)

    return StructuredTool(
        name=name, description=description or tool.description, args_schema=tool.args_schema,
        coroutine=call,
    )
