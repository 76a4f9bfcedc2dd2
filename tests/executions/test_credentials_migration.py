"""Migration 0005 moves secrets out of agents' model_options into credentials, and back."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.credential_values import credential_value

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("executions", "0008_agent_allowed_models")]
AFTER = [("executions", "0009_credentials")]
OPTIONS = {
    "api_key": "sk-migrate-me",
    "default_headers": {"X-Org-Token": "org-secret", "X-Ref": {"credential": "already"}},
    "timeout": 30,
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("executions")


def test_secrets_move_into_credentials_and_back():
    apps = migrate(BEFORE)
    Agent = apps.get_model("executions", "Agent")
    Agent.objects.create(slug="wired", name="Wired", model="openai:gpt-4o-mini", model_options=OPTIONS)
    Agent.objects.create(slug="plain", name="Plain", model_options={"token_delay": 0.1})
    try:
        apps = migrate(AFTER)
        Agent = apps.get_model("executions", "Agent")
        Credential = apps.get_model("executions", "Credential")

        wired = Agent.objects.get(slug="wired").model_options
        assert wired == {
            "api_key": {"credential": "agent-wired-api-key"},
            "default_headers": {
                "X-Org-Token": {"credential": "agent-wired-header-x-org-token"},
                "X-Ref": {"credential": "already"},
            },
            "timeout": 30,
        }
        assert Agent.objects.get(slug="plain").model_options == {"token_delay": 0.1}
        assert "sk-migrate-me" not in str(list(Credential.objects.values()))
        assert credential_value("agent-wired-api-key") == "sk-migrate-me"
        assert credential_value("agent-wired-header-x-org-token") == "org-secret"

        apps = migrate(BEFORE)
        restored = apps.get_model("executions", "Agent").objects.get(slug="wired").model_options
        assert restored == OPTIONS
    finally:
        migrate(latest())
