"""Admin for agents, MCP servers, credentials, sessions, executions (live execution page and
changelist), decisions on gated tool calls, model prices and budgets, runner tokens, webhook endpoints
and their delivery log."""
from django.contrib import admin

from executions.admin.agents import AgentAdmin
from executions.admin.approvals import ToolCallDecisionAdmin
from executions.admin.credentials import CredentialAdmin
from executions.admin.executions import AgentExecutionAdmin
from executions.admin.mcp_servers import McpServerAdmin
from executions.admin.prices import ModelPriceAdmin, UserBudgetAdmin
from executions.admin.runners import RunnerTokenAdmin
from executions.admin.sessions import SessionAdmin
from executions.admin.webhooks import WebhookDeliveryAdmin, WebhookEndpointAdmin

__all__ = [
    "AgentAdmin", "AgentExecutionAdmin", "CredentialAdmin", "McpServerAdmin", "ModelPriceAdmin",
    "RunnerTokenAdmin", "SessionAdmin", "ToolCallDecisionAdmin", "UserBudgetAdmin", "WebhookDeliveryAdmin",
    "WebhookEndpointAdmin",
]

# The index links to the dashboard (executions/admin/dashboard.py).
admin.site.index_template = "admin/executions/index.html"
