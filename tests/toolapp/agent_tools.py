"""A Django app's own tools, as a project would write them."""
import asyncio
import threading
import time

from django.db import connections
from langchain_core.tools import tool

from runner.tools import ToolContext, agent_tool
from tests.toolapp.models import Order

# What the sync tool saw, for the tests: the thread it ran on and the
# database connection it used.
observed: list[dict] = []


@agent_tool
def refund_order(number: int) -> str:
    """Refund one of the shop's orders.

    Args:
        number: The order's number.
    """
    order = Order.objects.get(number=number)
    order.refunded = True
    order.save(update_fields=["refunded"])
    observed.append({"thread": threading.current_thread().name, "connection": connections["default"]})
    return f"refunded order {order.number} ({order.item})"


@agent_tool
async def whoami(context: ToolContext, greeting: str = "hello") -> dict:
    """Say who the run is for.

    Args:
        greeting: How to greet.
    """
    await asyncio.sleep(0)
    return {"greeting": greeting, **vars(context)}


@agent_tool(timeout=0.5)
async def slow_async(seconds: float) -> str:
    """Wait, asynchronously, longer than this tool's timeout allows."""
    await asyncio.sleep(seconds)
    return "finished"


@agent_tool(timeout=None)
def blocking(seconds: float) -> str:
    """Block its thread (time.sleep) for a while."""
    time.sleep(seconds)
    return f"blocked {seconds} s"


@tool
def shout(text: str) -> str:
    """Repeat the text in capitals."""
    return text.upper()


agent_tool(shout, timeout=5)
