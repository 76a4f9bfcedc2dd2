"""Admin surfaces of live progress: Run form, live page, cancel and re-run."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from executions.models import Agent, AgentExecution, Phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client, transactional_db):
    client.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    return client


@pytest.fixture
def agent(transactional_db):
    return Agent.objects.create(slug="demo", name="Demo", model="scripted:demo", tools=["calculator"])


def finished(agent, message="What is 6*7?") -> AgentExecution:
    (execution,) = AgentExecution.objects.bulk_create(
        [AgentExecution(agent=agent, message=message, phase=Phase.COMPLETED)]
    )
    return execution


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_run_form_creates_an_execution_and_opens_its_live_page(temporal_env, admin_client, agent):
    url = reverse("admin:executions_agent_run", args=[agent.pk])
    assert "Run" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"message": "What is 6*7?"})
    execution = AgentExecution.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:executions_agentexecution_change", args=[execution.pk])
    assert (execution.agent, execution.message, execution.owner.username) == (agent, "What is 6*7?", "root")


def test_live_page_has_socket_transcript_and_temporal_link(admin_client, agent, settings):
    settings.TEMPORAL_UI_URL = "http://temporal-ui:8080/"
    execution = finished(agent)
    page = admin_client.get(reverse("admin:executions_agentexecution_change", args=[execution.pk])).content.decode()
    assert f'data-ws-path="/ws/executions/{execution.pk}/"' in page
    assert 'data-field="transcript"' in page and "executions/execution.js" in page
    workflow = f"stigmer%2Fagent-execution%2Finvoke%2F{execution.pk}"
    assert f"http://temporal-ui:8080/namespaces/default/workflows/{workflow}" in page


def test_cancel_button_on_finished_execution_shows_not_cancellable(admin_client, agent):
    execution = finished(agent)
    response = admin_client.post(reverse("admin:executions_agentexecution_cancel", args=[execution.pk]))
    assert response.status_code == 302
    assert any("cannot be cancelled" in text for text in texts(response))


def test_cancel_action_cancels_pending_and_reports_finished(admin_client, agent):
    done = finished(agent)
    (pending,) = AgentExecution.objects.bulk_create([AgentExecution(agent=agent, message="later")])
    changelist = reverse("admin:executions_agentexecution_changelist")
    response = admin_client.post(
        changelist, {"action": "cancel_selected", "_selected_action": [done.pk, pending.pk]}
    )
    pending.refresh_from_db()
    assert pending.phase == Phase.CANCELLED
    messages = texts(response)
    assert any("cannot be cancelled" in text for text in messages)
    assert any("Cancellation requested for 1" in text for text in messages)


def test_rerun_starts_a_new_execution_in_the_same_session(temporal_env, admin_client, agent):
    first = AgentExecution.objects.create(agent=agent, message="What is 6*7?")
    response = admin_client.post(reverse("admin:executions_agentexecution_rerun", args=[first.pk]))
    rerun = AgentExecution.objects.exclude(pk=first.pk).get()
    assert response.url == reverse("admin:executions_agentexecution_change", args=[rerun.pk])
    assert (rerun.agent_id, rerun.session_id, rerun.message) == (agent.pk, first.session_id, first.message)


def test_changelist_filters_by_phase_and_searches_messages(admin_client, agent):
    finished(agent, "alpha question")
    AgentExecution.objects.bulk_create([AgentExecution(agent=agent, message="beta question")])
    url = reverse("admin:executions_agentexecution_changelist")
    page = admin_client.get(url, {"phase__exact": "COMPLETED"}).content.decode()
    assert "alpha question" in page and "beta question" not in page
    page = admin_client.get(url, {"q": "beta"}).content.decode()
    assert "beta question" in page and "alpha question" not in page
    assert 'id="stigmer-feed"' in page and 'class="stigmer-phase"' in page


def test_a_filtered_changelist_counts_its_rows_once(admin_client, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Enough for several pages: the paginator's links ask for the count too.
    AgentExecution.objects.bulk_create(
        [AgentExecution(agent=agent, message=f"m{i}", phase=Phase.COMPLETED) for i in range(250)]
    )
    url = reverse("admin:executions_agentexecution_changelist")
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(url, {"phase__exact": "COMPLETED"}).content.decode()
    assert "250" in page
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1, counts
