"""First-run data: the demo agent and an admin superuser."""
import secrets

from django.contrib.auth import get_user_model

from executions.models import Agent

DEMO_TOOLS = ["calculator", "current_time", "sleep"]


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


def admin_user_ensure(*, username: str = "admin", password: str | None) -> str | None:
    """Create the superuser if missing; returns the password when one was generated."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return None
    generated = None if password else secrets.token_urlsafe(12)
    User.objects.create_superuser(username=username, email="", password=password or generated)
    return generated
