"""WebSocket handshakes only from the site's own pages.

Channels' AllowedHostsOriginValidator compares the Origin's host with
ALLOWED_HOSTS and ignores scheme and port, so a page served by anything else
on an allowed host (another port, plain http) could open a socket with the
user's cookies. Here the Origin must be exactly the origin the socket was
reached at (scheme, host and port, as Django's CSRF check compares them) or
one of CSRF_TRUSTED_ORIGINS, and the host must be allowed. Sockets opened
with a live ticket (executions/live/tickets.py) carry their own credential.
"""
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from executions.consumers.auth import query_ticket


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return ""


def origin_allowed(scope) -> bool:
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    domain, _ = split_domain_port(host)
    if not origin or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    return origin == f"{scheme}://{host}" or origin in settings.CSRF_TRUSTED_ORIGINS


class _Denier(WebsocketDenier):
    # No channel layer: Channels' denier opened a receive on the layer that
    # outlived the refused handshake (on Redis, until the client went away).
    channel_layer_alias = "refused-handshakes-use-no-layer"


class SameOriginValidator:
    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        # A ticket is no ambient credential a foreign page could ride on.
        if scope["type"] == "websocket" and not query_ticket(scope) and not origin_allowed(scope):
            return await _Denier()(scope, receive, send)
        return await self.application(scope, receive, send)
