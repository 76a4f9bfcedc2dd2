"""Admin for agents, MCP servers, credentials, sessions, executions (live execution page and
changelist), model prices and budgets."""
from django.contrib import admin

from executions.admin.agents import AgentAdmin
from executions.admin.credentials import CredentialAdmin
from executions.admin.executions import AgentExecutionAdmin
from executions.admin.mcp_servers import McpServerAdmin
from executions.admin.prices import ModelPriceAdmin, UserBudgetAdmin
from executions.admin.sessions import SessionAdmin

__all__ = [
    "AgentAdmin", "AgentExecutionAdmin", "CredentialAdmin", "McpServerAdmin", "ModelPriceAdmin",
    "SessionAdmin", "UserBudgetAdmin",
]

# The index links to the dashboard (executions/admin/dashboard.py).
admin.site.index_template = "admin/executions/index.html"
