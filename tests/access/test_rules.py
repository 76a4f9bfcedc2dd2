"""One permission model, every surface: each rule of the table below is run
against the API, the SSE stream, the WebSocket, the admin and the commands.

The table is executions/permissions.py as a user meets it: owners act on
their own; others need the model permission for the act; the staff flag
alone grants nothing. A surface that forgets a rule fails here.
"""
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client

from executions.models import AgentExecution, EventType, Session
from executions.services.events import execution_event_append
from stigmer.asgi import application
from tests.api.conftest import client_for, make_execution
from tests.live.conftest import session_headers

pytestmark = pytest.mark.django_db(transaction=True)

ACTORS = {
    # name: (staff flag, permissions)
    "owner": (True, []),  # staff so the admin can be tried too; no permission at all
    "stranger": (False, []),
    "staff": (True, []),
    "viewer": (True, ["view_agentexecution", "view_session"]),
    "canceller": (True, ["view_agentexecution", "cancel_agentexecution"]),
    "deleter": (True, ["view_agentexecution", "delete_agentexecution", "view_session", "delete_session"]),
    "superuser": (True, None),
}

# Who may do what on the owner's execution.
EXECUTION_RULES = {
    "view": {"owner", "viewer", "canceller", "deleter", "superuser"},
    "cancel": {"owner", "canceller", "superuser"},
    "delete": {"owner", "deleter", "superuser"},
}
SESSION_RULES = {
    "view": {"owner", "viewer", "deleter", "superuser"},
    "change": {"owner", "superuser"},
    "delete": {"owner", "deleter", "superuser"},
}


def make_actor(name: str):
    staff, perms = ACTORS[name]
    users = get_user_model().objects
    if perms is None:
        return users.create_superuser(name, password="pw")
    user = users.create_user(name, password="pw", is_staff=staff)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    return users.get(pk=user.pk)


@pytest.fixture
def world(demo_agent):
    owner = make_actor("owner")
    execution = make_execution(agent=demo_agent, owner=owner, message="the owner's")
    # A backlog, so an allowed socket gets a frame as surely as a refused one its close.
    execution_event_append(execution_id=execution.pk, type=EventType.PHASE, data={"phase": "PENDING"})
    return execution


def actor_for(name: str, execution):
    return execution.owner if name == "owner" else make_actor(name)


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Each surface answers: did `user` get to do `act` on the execution?

def api(user, act, execution) -> bool:
    client, url = client_for(user), f"/api/v1/executions/{execution.pk}/"
    status = {
        "view": lambda: client.get(url).status_code,
        "cancel": lambda: client.post(f"{url}cancel/").status_code,
        "delete": lambda: client.delete(url).status_code,
    }[act]()
    assert status in (200, 204, 403, 404), status
    return status in (200, 204)


def sse(user, act, execution) -> bool:
    response = client_for(user).get(f"/api/v1/executions/{execution.pk}/stream/")
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200


def websocket(user, act, execution) -> bool:
    headers = session_headers(user)

    async def connect() -> bool:
        communicator = WebsocketCommunicator(application, f"/ws/executions/{execution.pk}/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        frame = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        if frame["type"] == "websocket.close":
            assert frame["code"] in (4403, 4404), frame
            return False
        return True

    return async_to_sync(connect)()


def admin(user, act, execution) -> bool:
    client, base = admin_client(user), f"/admin/executions/agentexecution/{execution.pk}"
    if act == "view":
        return client.get(f"{base}/change/").status_code == 200
    if act == "cancel":
        response = client.post(f"{base}/cancel/")
        assert response.status_code in (302, 403, 404), response.status_code
        return response.status_code == 302 and "/login/" not in response.url
    response = client.post(f"{base}/delete/", {"post": "yes"})
    return response.status_code == 302 and not AgentExecution.objects.filter(pk=execution.pk).exists()


def command(user, act, execution) -> bool:
    try:
        call_command("cancel_execution", str(execution.pk), user=user.username)
    except CommandError:
        return False
    return True


SURFACES = {
    api: ("view", "cancel", "delete"),
    sse: ("view",),
    websocket: ("view",),
    admin: ("view", "cancel", "delete"),
    command: ("cancel",),
}
CASES = [
    pytest.param(surface, act, name, id=f"{surface.__name__}-{act}-{name}")
    for surface, acts in SURFACES.items() for act in acts for name in ACTORS
]


@pytest.mark.parametrize("surface,act,name", CASES)
def test_execution_rule(surface, act, name, world):
    user = actor_for(name, world)
    if surface is admin and not user.is_staff:
        allowed = False  # only staff enter the admin
    else:
        allowed = name in EXECUTION_RULES[act]
    assert surface(user, act, world) is allowed
    if act == "cancel":
        cancelled = AgentExecution.objects.get(pk=world.pk).phase == "CANCELLED"
        assert cancelled is allowed, "refused, yet cancelled" if cancelled else "allowed, not cancelled"


def session_api(user, act, session) -> bool:
    client, url = client_for(user), f"/api/v1/sessions/{session.pk}/"
    status = {
        "view": lambda: client.get(url).status_code,
        "change": lambda: client.patch(url, {"subject": "renamed"}, format="json").status_code,
        "delete": lambda: client.delete(url).status_code,
    }[act]()
    assert status in (200, 204, 403, 404), status
    return status in (200, 204)


def session_admin(user, act, session) -> bool:
    client, base = admin_client(user), f"/admin/executions/session/{session.pk}"
    if act == "view":
        return client.get(f"{base}/change/").status_code == 200
    if act == "change":
        data = {"agent": session.agent_id, "owner": session.owner_id, "subject": "renamed"}
        client.post(f"{base}/change/", data)
        return Session.objects.get(pk=session.pk).subject == "renamed"
    client.post(f"{base}/delete/", {"post": "yes"})
    return not Session.objects.filter(pk=session.pk).exists()


@pytest.mark.parametrize("surface", [session_api, session_admin])
@pytest.mark.parametrize("act", SESSION_RULES)
@pytest.mark.parametrize("name", ACTORS)
def test_session_rule(surface, act, name, world):
    user = actor_for(name, world)
    if surface is session_admin and not user.is_staff:
        allowed = False
    else:
        allowed = name in SESSION_RULES[act]
    assert surface(user, act, world.session) is allowed


def test_the_staff_flag_alone_lists_nothing_of_others(world):
    staff = make_actor("staff")
    assert client_for(staff).get("/api/v1/executions/").json()["results"] == []
    assert client_for(staff).get("/api/v1/sessions/").json()["results"] == []
    page = admin_client(staff).get("/admin/executions/agentexecution/")
    assert page.status_code == 200 and str(world.pk)[:8] not in page.content.decode()
    owner_page = admin_client(world.owner).get("/admin/executions/agentexecution/")
    assert str(world.pk)[:8] in owner_page.content.decode()
