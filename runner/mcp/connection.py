"""The one place an MCP server's stored settings become a live connection's.

Environment values and headers may be credential references (`{"credential": "<name>"}`):
they are replaced here by the values the run read (runner/credentials.py), on the runner
and nowhere else.
"""
from stigmer.credential_refs import credentials_substitute
from stigmer.run_config import McpServerConfig


def mcp_connection(server: McpServerConfig, secrets: dict[str, str]) -> dict:
    """langchain-mcp-adapters' connection config for the server; `secrets` holds the values
    of the credentials its env and headers refer to."""
    if server.transport == "stdio":
        return {
            "transport": "stdio",
            "command": server.command,
            "args": list(server.args),
            # None lets the SDK pass its safe default environment (PATH, HOME…);
            # given values are added to that default, never replace it.
            "env": _stdio_env(credentials_substitute(server.env, secrets)),
        }
    headers = credentials_substitute(server.headers, secrets)
    return {"transport": "streamable_http", "url": server.url, "headers": headers}


def _stdio_env(extra: dict[str, str]) -> dict[str, str] | None:
    if not extra:
        return None
    from mcp.client.stdio import get_default_environment

    return {**get_default_environment(), **extra}
