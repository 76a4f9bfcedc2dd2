"""The admin's add form creates executions as the requesting user (finding:
a staff user with only *add execution* could create one owned by another user
in that user's session, and saw every session and username)."""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from executions.models import AgentExecution, Session
from tests.access.test_rules import make_actor

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/executions/agentexecution/add/"


@pytest.fixture
def adder(db):
    user = make_actor("staff")
    user.user_permissions.add(Permission.objects.get(codename="add_agentexecution"))
    return user


def test_the_add_form_offers_only_the_users_own_sessions_and_no_owner(adder, demo_agent):
    victim = make_actor("stranger")
    theirs = Session.objects.create(agent=demo_agent, owner=victim, subject="victim's secret subject")
    mine = Session.objects.create(agent=demo_agent, owner=adder, subject="my subject")
    client = Client()
    client.force_login(adder)
    page = client.get(ADD_URL).content.decode()
    assert "my subject" in page
    assert "victim's secret subject" not in page and 'name="owner"' not in page and "stranger" not in page

    response = client.post(ADD_URL, {"agent": demo_agent.pk, "session": theirs.pk, "owner": victim.pk,
                                     "message": "spend their tokens"})
    assert response.status_code == 200  # the form again, with an error on the session
    assert not AgentExecution.objects.filter(message="spend their tokens").exists()

    client.post(ADD_URL, {"agent": demo_agent.pk, "session": mine.pk, "owner": victim.pk, "message": "mine"})
    assert AgentExecution.objects.get(message="mine").owner == adder


def test_who_may_act_for_others_picks_the_owner(demo_agent, fast_start):
    boss = make_actor("superuser")
    victim = make_actor("stranger")
    client = Client()
    client.force_login(boss)
    assert 'name="owner"' in client.get(ADD_URL).content.decode()
    client.post(ADD_URL, {"agent": demo_agent.pk, "owner": victim.pk, "message": "on their behalf"})
    assert AgentExecution.objects.get(message="on their behalf").owner == victim
