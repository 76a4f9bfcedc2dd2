"""Agents, MCP servers, credentials, sessions, executions and the per-execution
event log; model prices and monthly budgets: one module per kind, all
importable from here."""
from executions.models.agents import Agent
from executions.models.choices import EventType, MultitaskStrategy, Phase
from executions.models.costs import MONEY, PRICE, ModelPrice, UserBudget
from executions.models.credentials import Credential
from executions.models.events import ExecutionEvent
from executions.models.executions import AgentExecution, Session
from executions.models.mcp_servers import McpServer, McpTransport
from executions.models.retention import PruneRun

__all__ = [
    "MONEY", "PRICE", "Agent", "AgentExecution", "Credential", "EventType", "ExecutionEvent",
    "McpServer", "McpTransport", "ModelPrice", "MultitaskStrategy", "Phase", "PruneRun",
    "Session", "UserBudget",
]
