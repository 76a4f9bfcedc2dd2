"""Who is on the other end of a socket, at the handshake and later on.

At the handshake: the admin's session cookie (Channels' AuthMiddlewareStack),
or a live ticket (`?ticket=`, executions/live/tickets.py) for API clients.
Later: `current_user` reads the user again from the database, so a socket's
periodic re-check (recheck.py) sees a logout, a deactivation or a revoked
permission.
"""
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from django.contrib.auth.models import AnonymousUser

from executions.live.tickets import live_ticket_user
from executions.permissions import signed_in


def query_ticket(scope) -> str:
    return parse_qs(scope.get("query_string", b"").decode()).get("ticket", [""])[0]


class TicketAuthMiddleware(BaseMiddleware):
    """A `?ticket=` authenticates the socket, whatever cookie comes with it."""

    async def __call__(self, scope, receive, send):
        ticket = query_ticket(scope)
        if ticket:
            user = await database_sync_to_async(live_ticket_user)(ticket)
            scope = {**scope, "user": user or AnonymousUser(), "ticket": True}
        return await super().__call__(scope, receive, send)


def current_user(scope):
    """The socket's user as the database says now, or None if no longer
    signed in (logged out, deactivated, password changed)."""
    user = scope.get("user")
    if not signed_in(user):
        return None
    if scope.get("ticket"):
        return get_user_model().objects.filter(pk=user.pk, is_active=True).first()
    session = scope.get("session")
    key = session.session_key if session is not None else None
    if not key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(SimpleNamespace(session=store))  # checks the session's auth hash
    return user if signed_in(user) else None
