import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from executions.models import Agent, AgentExecution, Session


def _user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password="pw", **extra)


@pytest.fixture
def alice(db):
    return _user("alice")


@pytest.fixture
def bob(db):
    return _user("bob")


@pytest.fixture
def staff(db):
    """The staff flag alone: into the admin, nothing more (executions/permissions.py)."""
    return _user("root", is_staff=True)


def with_perms(user, *codenames: str):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return get_user_model().objects.get(pk=user.pk)  # a fresh permission cache


@pytest.fixture
def editor(db):
    """Writes agents (and reads their model options)."""
    return with_perms(_user("editor", is_staff=True), "add_agent", "change_agent", "delete_agent")


@pytest.fixture
def viewer(db):
    """Sees everyone's sessions and executions."""
    return with_perms(_user("viewer", is_staff=True), "view_session", "view_agentexecution")


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin", password="pw")


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(alice):
    return client_for(alice)


@pytest.fixture
def anon():
    return APIClient()


def make_execution(*, agent: Agent, owner, message: str = "hi", phase: str = "PENDING", **extra):
    """A record without the pipeline's workflow start (bulk insert skips post_save)."""
    session = Session.objects.create(agent=agent, owner=owner, subject=message)
    execution = AgentExecution(
        agent=agent, owner=owner, session=session, message=message, phase=phase, **extra
    )
    AgentExecution.objects.bulk_create([execution])
    return execution
