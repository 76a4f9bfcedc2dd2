"""The bench's user (API token and session cookie) and agents, made through the ORM."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token

from executions.models import Agent

QUESTION = "What is 6*7?"
ANSWER = "The result is 42."


@dataclass
class Client:
    user: object
    token: str
    cookie: str

    @property
    def api_headers(self) -> dict:
        return {"Authorization": f"Token {self.token}"}


def bench_client() -> Client:
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    token, _ = Token.objects.get_or_create(user=user)
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return Client(user=user, token=token.key, cookie=f"{settings.SESSION_COOKIE_NAME}={store.session_key}")


def bench_agent(*, slug: str = "bench", tool_calls: int = 1) -> Agent:
    """The scripted model at zero delay with the calculator: one tool call per
    question by default, `tool_calls` of them for long transcripts."""
    options = {"tool_calls": tool_calls} if tool_calls > 1 else {}
    agent, _ = Agent.objects.update_or_create(
        slug=slug,
        defaults={
            "name": f"Bench ({tool_calls} tool call(s), offline scripted model)",
            "model": "scripted:demo",
            "model_options": options,
            "tools": ["calculator"],
            "instructions": "You are a helpful assistant.",
            "max_tool_calls": max(25, tool_calls),
        },
    )
    return agent
