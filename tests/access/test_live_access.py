"""Live progress for API users (a short-lived ticket opens the WebSocket and
the SSE stream), and open sockets that lose their access close within the
re-check period."""
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session as LoginSession
from rest_framework.test import APIClient

from executions.models import EventType
from executions.services.events import execution_event_append
from stigmer.asgi import application
from tests.access.test_rules import make_actor
from tests.api.conftest import client_for, make_execution
from tests.live.conftest import session_headers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def execution(demo_agent):
    owner = make_actor("stranger")  # a user with no staff flag and no permission
    execution = make_execution(agent=demo_agent, owner=owner)
    execution_event_append(execution_id=execution.pk, type=EventType.PHASE, data={"phase": "PENDING"})
    return execution


def ticket_for(user) -> str:
    response = client_for(user).post("/api/v1/live-tickets/")
    assert response.status_code == 201
    return response.json()["ticket"]


def first_frame(path: str, headers=()) -> dict:
    async def run():
        communicator = WebsocketCommunicator(application, path, headers=list(headers))
        await communicator.connect(timeout=5)
        frame = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return frame

    return async_to_sync(run)()


def test_an_api_user_follows_their_run_with_a_ticket_and_no_cookie(execution):
    ticket = ticket_for(execution.owner)
    frame = first_frame(f"/ws/executions/{execution.pk}/?ticket={ticket}")  # no Origin: a script
    assert frame["type"] == "websocket.send" and '"PENDING"' in frame["text"]
    response = APIClient().get(f"/api/v1/executions/{execution.pk}/stream/?ticket={ticket}")
    assert response.status_code == 200


def test_a_ticket_is_only_its_users_and_expires(execution, settings):
    other = make_actor("staff")
    assert first_frame(f"/ws/executions/{execution.pk}/?ticket={ticket_for(other)}")["code"] == 4403
    assert APIClient().get(f"/api/v1/executions/{execution.pk}/stream/?ticket={ticket_for(other)}").status_code == 404
    ticket = ticket_for(execution.owner)
    settings.STIGMER_LIVE_TICKET_SECONDS = 0
    assert first_frame(f"/ws/executions/{execution.pk}/?ticket={ticket}")["code"] == 4401
    assert APIClient().get(f"/api/v1/executions/{execution.pk}/stream/?ticket={ticket}").status_code == 401
    assert first_frame(f"/ws/executions/{execution.pk}/?ticket=forged")["code"] == 4401


def watch_until_closed(path: str, headers, revoke) -> int:
    async def run():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        assert (await communicator.receive_output(timeout=5))["type"] == "websocket.send"
        await revoke()
        while (frame := await communicator.receive_output(timeout=10))["type"] != "websocket.close":
            pass
        await communicator.disconnect()
        return frame["code"]

    return async_to_sync(run)()


def test_a_revoked_permission_closes_an_open_socket(execution, settings):
    settings.STIGMER_WS_RECHECK_SECONDS = 0.2
    viewer = make_actor("viewer")
    permission = Permission.objects.get(codename="view_agentexecution")

    async def revoke():
        from channels.db import database_sync_to_async

        await database_sync_to_async(viewer.user_permissions.remove)(permission)

    assert watch_until_closed(f"/ws/executions/{execution.pk}/", session_headers(viewer), revoke) == 4403


def test_a_logout_closes_an_open_socket(execution, settings):
    settings.STIGMER_WS_RECHECK_SECONDS = 0.2
    viewer = make_actor("viewer")

    async def log_out():
        from channels.db import database_sync_to_async

        await database_sync_to_async(LoginSession.objects.all().delete)()

    assert watch_until_closed(f"/ws/executions/{execution.pk}/", session_headers(viewer), log_out) == 4401


@pytest.mark.parametrize("path", ["/ws/executions/", "execution"])
def test_sockets_whose_access_holds_stay_open_through_rechecks(execution, settings, monkeypatch, path):
    from executions.consumers.recheck import RechecksAccess

    settings.STIGMER_WS_RECHECK_SECONDS = 0.05
    viewer = make_actor("viewer")
    path = f"/ws/executions/{execution.pk}/" if path == "execution" else path
    answers = []
    real = RechecksAccess._recheck_forever

    async def counted(self):
        original = self.refusal_now
        self.refusal_now = lambda: answers.append(original()) or answers[-1]
        await real(self)

    monkeypatch.setattr(RechecksAccess, "_recheck_forever", counted)
    headers = session_headers(viewer)

    async def run():
        communicator = WebsocketCommunicator(application, path, headers=headers)
        assert (await communicator.connect(timeout=5))[0]
        while len(answers) < 5:
            assert await communicator.receive_nothing(timeout=0.05) or True
        await communicator.disconnect()

    async_to_sync(run)()
    assert answers[:5] == [None] * 5
