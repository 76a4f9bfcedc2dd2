"""Writes for MCP servers: every surface (admin, API) saves through full_clean."""
from django.core.exceptions import ValidationError

from executions.models import McpServer

MCP_SERVER_FIELDS = (
    "name", "description", "transport", "command", "args", "env", "url", "headers", "enabled_tools",
)


def _save(server: McpServer) -> McpServer:
    server.full_clean()
    server.save()
    return server


def mcp_server_create(**fields) -> McpServer:
    return _save(McpServer(**{k: v for k, v in fields.items() if k in MCP_SERVER_FIELDS}))


def mcp_server_update(*, server: McpServer, **fields) -> McpServer:
    for name, value in fields.items():
        if name in MCP_SERVER_FIELDS:
            setattr(server, name, value)
    return _save(server)


def mcp_server_delete(*, server: McpServer) -> None:
    """Agents that used it simply lose its tools."""
    server.delete()


def mcp_servers_named(names: list[str]) -> list[McpServer]:
    """The servers an agent names; a ValidationError on `mcp_servers` for unknown ones."""
    servers = list(McpServer.objects.filter(name__in=names))
    unknown = sorted(set(names) - {server.name for server in servers})
    if unknown:
        raise ValidationError({"mcp_servers": f"Unknown MCP servers: {', '.join(unknown)}."})
    return servers
