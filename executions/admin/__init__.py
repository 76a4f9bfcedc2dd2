"""Admin for agents, MCP servers, sessions and executions (live execution page and changelist)."""
from executions.admin.agents import AgentAdmin
from executions.admin.executions import AgentExecutionAdmin
from executions.admin.mcp_servers import McpServerAdmin
from executions.admin.sessions import SessionAdmin

__all__ = ["AgentAdmin", "AgentExecutionAdmin", "McpServerAdmin", "SessionAdmin"]
