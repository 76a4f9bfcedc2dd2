"""Tools for agents: register your own with `@agent_tool` in an app's `agent_tools.py`.

    from runner.tools import ToolContext, agent_tool

    @agent_tool(timeout=10)
    def lookup_order(order_id: int, context: ToolContext) -> str:
        \"\"\"Look up one of the user's orders.

        Args:
            order_id: The order's number.
        \"\"\"
        return str(Order.objects.get(pk=order_id, customer_id=context.owner_id))
"""
from runner.tools.context import MissingToolContext, ToolContext
from runner.tools.registry import (
    RegisteredTool,
    ToolRegistrationError,
    UnknownToolError,
    agent_tool,
    get_tools,
    registered_tools,
    tool_names,
)
from runner.tools.wrapping import ToolTimeout

__all__ = [
    "MissingToolContext",
    "RegisteredTool",
    "ToolContext",
    "ToolRegistrationError",
    "ToolTimeout",
    "UnknownToolError",
    "agent_tool",
    "get_tools",
    "registered_tools",
    "tool_names",
]
