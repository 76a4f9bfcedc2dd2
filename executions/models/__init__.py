"""Agents, MCP servers, credentials, sessions, executions and the per-execution
event log; gated tool calls and their decisions; model prices and monthly budgets; webhook
endpoints and their deliveries: one module per kind, all
importable from here."""
from executions.models.agents import Agent
from executions.models.approvals import ToolCallApproval, ToolCallDecisionRecord
from executions.models.choices import (
    ApprovalDeciders, Decision, DecisionSurface, EventType, MultitaskStrategy, Phase,
)
from executions.models.costs import MONEY, PRICE, ModelPrice, UserBudget
from executions.models.credentials import Credential
from executions.models.events import ExecutionEvent
from executions.models.executions import AgentExecution, Session
from executions.models.mcp_servers import McpServer, McpTransport
from executions.models.retention import PruneRun
from executions.models.runners import RunnerToken
from executions.models.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "MONEY", "PRICE", "Agent", "AgentExecution", "ApprovalDeciders", "Credential", "Decision",
    "DecisionSurface", "EventType", "ExecutionEvent", "McpServer", "McpTransport", "ModelPrice",
    "MultitaskStrategy", "Phase", "PruneRun", "RunnerToken", "Session", "ToolCallApproval",
    "ToolCallDecisionRecord", "UserBudget", "DeliveryStatus", "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
]
