"""Every tool an agent may use, described for people and forms: the registry's
(built-in and app tools) and each MCP server's, listed live from the server."""
import asyncio

from langchain_core.tools import BaseTool

from stigmer.credential_refs import credential_names
from runner.mcp.errors import McpServerError
from runner.mcp.loading import mcp_sessions, mcp_tools_open
from runner.tools import registered_tools
from stigmer.config import env

# A listing answers a page or a form: it waits less for a server than a run does.
LIST_TIMEOUT_ENV = "STIGMER_MCP_LIST_TIMEOUT_SECONDS"


def tool_schema(tool: BaseTool) -> dict:
    """The JSON schema of the arguments the model gives (injected ones left out)."""
    schema = tool.tool_call_schema
    return schema if isinstance(schema, dict) else schema.model_json_schema()


def project_tools_described() -> list[dict]:
    return [
        {"name": entry.name, "description": entry.tool.description, "schema": tool_schema(entry.tool),
         "source": entry.source, "app": entry.app, "server": None}
        for entry in registered_tools()
    ]


async def _server_tools_described(server) -> list[dict]:
    if credential_names([server.env, server.headers]):
        # Listing runs in the web process, and credentials are read on the runner only.
        raise McpServerError(
            f"MCP server {server.name!r} is not listed here: it connects with credentials, "
            "which only the runner reads; its tools are offered in runs"
        )
    async with mcp_sessions() as stack:
        tools = await mcp_tools_open([server], stack, env(LIST_TIMEOUT_ENV))
    return [
        {"name": tool.name, "description": tool.description, "schema": tool_schema(tool),
         "source": "mcp", "app": None, "server": server.name}
        for tool in tools
    ]


async def tools_catalogue(*, servers) -> dict:
    """{"tools": [...], "unreachable": [{"server", "error"}]}; servers are listed
    concurrently, and one that cannot be reached is reported, not fatal."""
    tools = project_tools_described()
    unreachable = []
    results = await asyncio.gather(
        *(_server_tools_described(server) for server in servers), return_exceptions=True
    )
    for server, result in zip(servers, results):
        if isinstance(result, McpServerError):
            unreachable.append({"server": server.name, "error": str(result)})
        elif isinstance(result, BaseException):
            raise result
        else:
            tools.extend(result)
    return {"tools": tools, "unreachable": unreachable}
