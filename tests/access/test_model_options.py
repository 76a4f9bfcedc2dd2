"""Agent options are checked per provider at save (finding: `{"evil": 1}`
was accepted and failed every run; a base_url at the metadata service or
file:// was accepted)."""
import pytest
from django.contrib.auth import get_user_model

from tests.access.test_rules import make_actor
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def save(options: dict, model: str = "openai:gpt-4o-mini", slug: str = "probe", **extra):
    body = {"slug": slug, "name": "Probe", "model": model, "model_options": options, **extra}
    editor = get_user_model().objects.filter(username="superuser").first() or make_actor("superuser")
    return client_for(editor).post("/api/v1/agents/", body, format="json")


@pytest.mark.parametrize("options,says", [
    ({"evil": 1}, "openai has no option evil"),
    ({"temperature_": 0.2}, "has no option temperature_"),
    ({"top_p": "high"}, "top_p must be a non-negative number"),
    ({"stream_usage": "yes"}, "stream_usage must be true or false"),
    ({"base_url": "file:///etc/passwd"}, "http:// or https://"),
    ({"base_url": "http://169.254.169.254/latest/"}, "link-local"),
    ({"base_url": "http://[fe80::1]/v1"}, "link-local"),
    ({"base_url": "http://metadata.google.internal/"}, "metadata"),
])
def test_bad_options_are_field_errors(options, says):
    response = save(options)
    assert response.status_code == 400, response.json()
    assert says in " ".join(response.json()["error"]["fields"]["model_options"])


def test_options_are_checked_for_every_model_the_agent_may_run_on():
    response = save({"token_delay": 0.1}, model="scripted:demo", allowed_models=["openai:gpt-4o-mini"])
    assert "openai has no option token_delay" in " ".join(response.json()["error"]["fields"]["model_options"])


def test_good_options_are_kept():
    assert save({"top_p": 0.9, "base_url": "https://llm.internal.example/v1", "stream_usage": False}).status_code == 201
    assert save({"token_delay": 0.05, "answer_words": 20}, model="scripted:demo", slug="other").status_code == 201
