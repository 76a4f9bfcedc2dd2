"""Short-lived tickets that let an API client follow its runs live.

A browser's WebSocket and EventSource cannot send an Authorization header,
and an API token in a URL would end up in proxies' logs for good. So a client
trades its token for a ticket (`POST /api/v1/live-tickets/`), signed with the
project's SECRET_KEY and valid for STIGMER_LIVE_TICKET_SECONDS, and passes it
as `?ticket=` to the WebSocket or the SSE stream. A ticket is a credential of
its own: the Origin check that guards cookie-authenticated sockets (a page of
another site riding on the user's cookies) does not apply to it.
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing

SALT = "stigmer.live-ticket"


def live_ticket_issue(*, user) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(user.pk))


def live_ticket_user(ticket: str):
    """The active user a valid, unexpired ticket was issued to, else None."""
    try:
        user_id = signing.TimestampSigner(salt=SALT).unsign(ticket, max_age=settings.STIGMER_LIVE_TICKET_SECONDS)
    except signing.BadSignature:  # expired tickets too
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()
