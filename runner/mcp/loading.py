"""Connect to a run's MCP servers and turn their tools into the agent's.

Each server gets one session for the whole run, held open by a task of its
own until the run ends, however it ends (a stdio server's process is then
stopped). The transports run anyio task groups that report a failure only
when their context exits; the holding task exits them as soon as that
happens, so a server that cannot be reached, or dies, is known at once and
by name. Tools are named `<server>__<tool>` and filtered by `enabled_tools`.
"""
import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException

from stigmer.run_config import McpServerConfig
from runner.mcp.connection import mcp_connection
from runner.mcp.errors import McpServerError
from runner.redaction import redact
from runner.tools.wrapping import DEFAULT, ToolTimeout, within
from stigmer.config import env

CONNECT_TIMEOUT_ENV = "STIGMER_MCP_CONNECT_TIMEOUT_SECONDS"
PING_ENV = "STIGMER_MCP_PING_SECONDS"
logger = logging.getLogger(__name__)


def mcp_tool_name(server: str, tool: str) -> str:
    return f"{server}__{tool}"


def _reason(exc: BaseException) -> str:
    """The innermost useful message: anyio wraps transport failures in groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@asynccontextmanager
async def mcp_sessions() -> AsyncIterator[AsyncExitStack]:
    """Where a run's server sessions are kept; closing them never raises."""
    async with AsyncExitStack() as stack:
        yield stack


async def mcp_tools_open(
    servers, stack: AsyncExitStack, timeout: float | None = None, secrets: dict[str, str] | None = None
) -> list[BaseTool]:
    """Every tool the run may use from its servers; McpServerError if one cannot be
    reached (within `timeout`, by default STIGMER_MCP_CONNECT_TIMEOUT_SECONDS)."""
    tools: list[BaseTool] = []
    for server in servers:
        tools.extend(await _ServerSession(server, secrets or {}).open(stack, timeout))
    return tools


class _ServerSession:
    def __init__(self, server: McpServerConfig, secrets: dict[str, str]) -> None:
        self.server = server
        self.secrets = secrets  # the values its env and headers refer to
        self.failure: str | None = None  # why the server stopped, once it has
        self._listed: asyncio.Future = asyncio.get_running_loop().create_future()
        self._done = asyncio.Event()
        self._stopped = asyncio.Event()  # set when the server fails
        self._session = None

    async def open(self, stack: AsyncExitStack, timeout: float | None = None) -> list[BaseTool]:
        name = self.server.name
        holder = asyncio.create_task(self._hold(), name=f"mcp-{name}")
        stack.push_async_callback(self._close, holder)
        seconds = timeout or env(CONNECT_TIMEOUT_ENV)
        try:
            async with asyncio.timeout(seconds):
                listed = await asyncio.shield(self._listed)
        except TimeoutError:
            raise McpServerError(
                f"MCP server {name!r} cannot be reached: no answer within {seconds:g} s"
            ) from None
        allowed = set(self.server.enabled_tools)
        return [self._namespaced(tool) for tool in listed if not allowed or tool.name in allowed]

    async def _hold(self) -> None:
        from langchain_mcp_adapters.sessions import create_session
        from langchain_mcp_adapters.tools import load_mcp_tools

        try:
            async with create_session(mcp_connection(self.server, self.secrets)) as session:
                await session.initialize()
                self._session = session
                listed = await load_mcp_tools(
                    session, server_name=self.server.name, handle_tool_errors=False
                )
                self._listed.set_result(listed)
                await self._done.wait()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 (anyio raises exception groups)
            # A server's complaint may quote what it was sent (a refused token).
            self.failure = redact(_reason(exc), self.secrets.values())
            self._stopped.set()
            if not self._listed.done():
                self._listed.set_exception(McpServerError(
                    f"MCP server {self.server.name!r} cannot be reached: {self.failure}"
                ))
            elif not self._done.is_set():
                logger.warning("MCP server %r stopped: %s", self.server.name, self.failure)

    async def _close(self, holder: asyncio.Task) -> None:
        self._done.set()
        if not self._listed.done():
            holder.cancel()
        await asyncio.gather(holder, return_exceptions=True)

    def _namespaced(self, tool: BaseTool) -> BaseTool:
        name = mcp_tool_name(self.server.name, tool.name)
        server = self.server.name

        async def call(config: RunnableConfig, **arguments):
            from mcp.shared.exceptions import McpError
            from mcp.types import CONNECTION_CLOSED

            try:
                return await self._unless_stopped(name, within(DEFAULT, name, tool.ainvoke(arguments, config)))
            except McpError as exc:
                if exc.error.code != CONNECTION_CLOSED:
                    raise  # the server answered with an error: the model reads it
                raise McpServerError(
                    f"MCP server {server!r} closed the connection during {name}"
                ) from exc
            except (McpServerError, ToolException, ToolTimeout, ValueError, TypeError):
                raise  # already the server's, or the call's own failure
            except Exception as exc:
                raise McpServerError(f"MCP server {server!r} failed during {name}: {_reason(exc)}") from exc

        return StructuredTool(
            name=name, description=tool.description, args_schema=tool.args_schema,
            coroutine=call, metadata={"mcp_server": server},
        )

    async def _unless_stopped(self, name: str, work):
        """`work`, or McpServerError as soon as the server fails. While the
        call is pending the server is pinged: a streamable HTTP server that
        dies mid-call leaves the call unanswered (the SDK waits on), and only
        a failed request makes the session fail."""
        if self.failure:
            work.close()
            raise McpServerError(f"MCP server {self.server.name!r} stopped: {self.failure}")
        attempt = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self._stopped.wait())
        watch = asyncio.ensure_future(self._watch())
        try:
            await asyncio.wait({attempt, stopped, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            watch.cancel()
            interrupted = not attempt.done()
            if interrupted:
                attempt.cancel()
                await asyncio.gather(attempt, return_exceptions=True)
        if interrupted:
            raise McpServerError(f"MCP server {self.server.name!r} stopped during {name}: {self.failure}")
        return attempt.result()

    async def _watch(self) -> None:
        """Returns when a ping to the server fails. A slow answer is no sign of
        death (a busy server may answer late); a refused request is, and it also
        makes the session fail, which sets `_stopped`."""
        from mcp.shared.exceptions import McpError
        from mcp.types import CONNECTION_CLOSED

        interval = env(PING_ENV)
        while True:
            await asyncio.sleep(interval)
            try:
                await self._session.send_ping()
            except McpError as exc:
                if exc.error.code != CONNECTION_CLOSED:
                    continue  # it answered, if only with an error: it is alive
                self.failure = self.failure or "it closed the connection"
                return
            except Exception as exc:  # noqa: BLE001
                self.failure = self.failure or f"a ping failed ({_reason(exc)})"
                return
