"""First-run data: the demo and assistant agents, the demo MCP server, an admin superuser."""
import secrets
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from executions.models import Agent, McpServer

DEMO_TOOLS = ["calculator", "current_time", "sleep"]
DEMO_MCP_SERVER = Path(__file__).resolve().parents[2] / "runner" / "mcp" / "demo_server.py"


def demo_agent_ensure() -> Agent:
    agent, _ = Agent.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Demo agent (offline scripted model)",
            "description": "Runs on the offline scripted model: no API key, no network.",
            "instructions": "You are a helpful assistant. Use tools for arithmetic and time.",
            "model": "scripted:demo",
            "model_options": {"token_delay": 0.02},
            "tools": DEMO_TOOLS,
        },
    )
    return agent


def demo_mcp_server_ensure() -> McpServer:
    """The toolbox server shipped in the repo, started over stdio by this Python.

    Its command and path are set again at every start, so the record follows
    the checkout and its virtualenv."""
    server, _ = McpServer.objects.update_or_create(
        name="toolbox",
        defaults={"transport": "stdio", "command": sys.executable, "args": [str(DEMO_MCP_SERVER)]},
        create_defaults={
            "transport": "stdio", "command": sys.executable, "args": [str(DEMO_MCP_SERVER)],
            "description": "The demo MCP server shipped in runner/mcp/demo_server.py",
        },
    )
    return server


@transaction.atomic
def assistant_agent_ensure() -> Agent:
    """The `assistant` agent: a project tool (platform_status) and the demo MCP server."""
    agent, created = Agent.objects.get_or_create(
        slug="assistant",
        defaults={
            "name": "Assistant (offline scripted model)",
            "description": "A project tool and an MCP server over stdio, on the offline scripted model.",
            "instructions": "You are a helpful assistant. Use your tools.",
            "model": "scripted:demo",
            "tools": ["calculator", "platform_status"],
        },
    )
    if created:
        agent.mcp_servers.set([demo_mcp_server_ensure()])
    return agent


def admin_user_ensure(*, username: str = "admin", password: str | None) -> str | None:
    """Create the superuser if missing; returns the password when one was generated."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return None
    generated = None if password else secrets.token_urlsafe(12)
    User.objects.create_superuser(username=username, email="", password=password or generated)
    return generated
