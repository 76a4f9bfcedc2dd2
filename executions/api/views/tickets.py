"""POST /live-tickets/: trade the API token for a short-lived ticket that
opens the WebSocket or the SSE stream (`?ticket=`), for clients that cannot
send headers there (executions/live/tickets.py)."""
from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.live.tickets import live_ticket_issue, live_ticket_user

TicketSerializer = inline_serializer(
    "LiveTicket",
    {"ticket": serializers.CharField(), "expires_in": serializers.IntegerField(help_text="seconds")},
)


class LiveTicketView(APIView):
    @extend_schema(tags=["live"], request=None, responses={201: TicketSerializer})
    def post(self, request):
        """A ticket for `/ws/executions/…?ticket=` and `/api/v1/executions/{id}/stream/?ticket=`."""
        ticket = live_ticket_issue(user=request.user)
        return Response(
            {"ticket": ticket, "expires_in": settings.STIGMER_LIVE_TICKET_SECONDS}, status=status.HTTP_201_CREATED
        )


class LiveTicketAuthentication(BaseAuthentication):
    """`?ticket=` on the SSE stream, for EventSource (it sends no headers)."""

    def authenticate(self, request):
        ticket = request.query_params.get("ticket")
        if not ticket:
            return None
        user = live_ticket_user(ticket)
        return (user, None) if user is not None else None


class LiveTicketScheme(OpenApiAuthenticationExtension):
    target_class = LiveTicketAuthentication
    name = "liveTicket"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "query", "name": "ticket"}
