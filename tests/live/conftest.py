import socket
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from executions.models import Agent, AgentExecution
from stigmer.channel_layers import redis_channel_layer

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
def channel_layer_kind(request, settings):
    """Run the test on each layer, with a fresh layer and a private Redis prefix."""
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running at 127.0.0.1:6379")
        settings.CHANNEL_LAYERS = {
            "default": redis_channel_layer(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:12]}")
        }
    else:
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "executions.live.layers.InProcessChannelLayer", "CONFIG": {"capacity": 1000}}
        }
    # Changing the setting resets Channels' layer cache, so each test gets a new layer.
    return request.param


def make_user(username: str, *, staff: bool = False, view: bool = False):
    user = get_user_model().objects.create_user(username=username, password="pw", is_staff=staff)
    if view:
        user.user_permissions.add(Permission.objects.get(codename="view_agentexecution"))
    return user


def session_headers(user) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return [(b"origin", b"http://testserver"), (b"host", b"testserver"), (b"cookie", cookie.encode())]


@pytest.fixture
def owner(transactional_db):
    return make_user("owner")


@pytest.fixture
def agent(transactional_db):
    return Agent.objects.create(slug="live", name="Live", model="scripted:demo")


@pytest.fixture
def execution(agent, owner):
    # bulk_create skips the create pipeline: these tests are about the log, not Temporal.
    (execution,) = AgentExecution.objects.bulk_create(
        [AgentExecution(agent=agent, owner=owner, message="What is 6*7?")]
    )
    return execution
