"""The one place an MCP server's stored settings become a live connection's.

Environment values and headers are used as stored today; credentials
referred to by name will be resolved here, on the runner, and nowhere else.
"""
from executions.selectors import McpServerConfig


def mcp_connection(server: McpServerConfig) -> dict:
    """langchain-mcp-adapters' connection config for the server."""
    if server.transport == "stdio":
        return {
            "transport": "stdio",
            "command": server.command,
            "args": list(server.args),
            # None lets the SDK pass its safe default environment (PATH, HOME…);
            # given values are added to that default, never replace it.
            "env": _stdio_env(server.env),
        }
    return {"transport": "streamable_http", "url": server.url, "headers": dict(server.headers)}


def _stdio_env(extra: dict[str, str]) -> dict[str, str] | None:
    if not extra:
        return None
    from mcp.client.stdio import get_default_environment

    return {**get_default_environment(), **extra}
