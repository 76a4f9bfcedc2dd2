"""Admin for agents, sessions and executions (live execution page and changelist), credentials."""
from executions.admin.agents import AgentAdmin
from executions.admin.credentials import CredentialAdmin
from executions.admin.executions import AgentExecutionAdmin
from executions.admin.sessions import SessionAdmin

__all__ = ["AgentAdmin", "CredentialAdmin", "AgentExecutionAdmin", "SessionAdmin"]
