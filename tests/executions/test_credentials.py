"""The credential store: encrypted at rest, keys rotatable, referred to by name, read by the runner."""
import re
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command

from executions.credential_refs import credential_names, credentials_substitute, provider_key_split
from executions.crypto import credentials_key_check, derived_key
from executions.errors import CredentialInUse
from executions.models import Agent, Credential
from executions.services.credentials import (
    credential_create,
    credential_delete,
    credential_rotate,
)
from executions.services.records import agent_create, agent_update
from runner.credentials import CredentialError
from tests.credential_values import credential_value, credential_values

pytestmark = pytest.mark.django_db

SECRET = "sk-test-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


def wired_agent(**options) -> Agent:
    return agent_create(slug="wired", name="Wired", model="openai:gpt-4o-mini", model_options=options)


def test_value_is_stored_encrypted_and_read_back_by_the_runner():
    credential = credential_create(name="openai-prod", value=SECRET, description="prod key")

    stored = Credential.objects.values_list("value_encrypted", flat=True).get(pk=credential.pk)
    assert SECRET not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert credential_value("openai-prod") == SECRET
    assert credential.rotated_at is not None


def test_rotation_replaces_the_value_and_moves_rotated_at():
    credential = credential_create(name="k", value="old-value")
    first = credential.rotated_at

    credential_rotate(credential=credential, value="new-value")

    assert credential_value("k") == "new-value"
    credential.refresh_from_db()
    assert credential.rotated_at > first


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "bad name!", "value": "v"}, "name"),
        ({"name": "ok", "value": ""}, "value"),
        ({"name": "ok", "value": "x" * 20_000}, "value"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(fields, field):
    with pytest.raises(ValidationError) as error:
        credential_create(**fields)
    assert field in error.value.message_dict
    assert not Credential.objects.exists()


def test_duplicate_name_is_a_field_error():
    credential_create(name="k", value="v")
    with pytest.raises(ValidationError) as error:
        credential_create(name="k", value="w")
    assert "name" in error.value.message_dict


def test_key_rotation_old_key_still_decrypts_and_the_command_reencrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.STIGMER_CREDENTIALS_KEYS = [old]
    credential_create(name="k", value=SECRET)
    before = Credential.objects.get().value_encrypted

    settings.STIGMER_CREDENTIALS_KEYS = [new, old]
    assert credential_value("k") == SECRET  # the old key still decrypts
    out = StringIO()
    call_command("rotate_credentials_key", stdout=out)

    assert "Re-encrypted 1 credential" in out.getvalue()
    assert Credential.objects.get().value_encrypted != before
    settings.STIGMER_CREDENTIALS_KEYS = [new]  # the old key dropped
    assert credential_value("k") == SECRET


def test_a_value_under_a_key_no_longer_configured_is_a_clear_error(settings):
    settings.STIGMER_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    credential_create(name="k", value=SECRET)
    settings.STIGMER_CREDENTIALS_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CredentialError, match="cannot be decrypted"):
        credential_value("k")
    with pytest.raises(CommandError, match="cannot be decrypted with any key"):
        call_command("rotate_credentials_key", stdout=StringIO())


def test_a_malformed_key_names_its_position_not_its_material(settings):
    settings.STIGMER_CREDENTIALS_KEYS = [Fernet.generate_key().decode(), "not-a-key-material"]
    with pytest.raises(ImproperlyConfigured) as error:
        credential_create(name="k", value="v")
    assert "entry 2" in str(error.value) and "not-a-key-material" not in str(error.value)


def test_system_check_reports_a_malformed_key(settings):
    assert credentials_key_check(None) == []
    settings.STIGMER_CREDENTIALS_KEYS = ["short"]
    (error,) = credentials_key_check(None)
    assert error.id == "stigmer.E001" and "entry 1" in error.msg


def test_default_key_is_derived_from_secret_key(settings):
    settings.STIGMER_CREDENTIALS_KEYS = []
    credential_create(name="k", value=SECRET)
    token = Credential.objects.get().value_encrypted
    assert Fernet(derived_key(settings.SECRET_KEY)).decrypt(token.encode()).decode() == SECRET
    settings.STIGMER_CREDENTIALS_KEYS = ["secret_key"]  # the same key, by its explicit name
    assert credential_value("k") == SECRET


def test_unknown_credentials_are_named_by_the_runner():
    credential_create(name="a", value="1")
    with pytest.raises(CredentialError, match="unknown credentials: b, c"):
        credential_values(names={"a", "b", "c"})


def test_agents_refer_to_credentials_by_name_and_the_runner_substitutes_them():
    credential_create(name="openai-prod", value=SECRET)
    credential_create(name="org-header", value="org-123")
    agent = wired_agent(
        api_key={"credential": "openai-prod"},
        default_headers={"X-Org": {"credential": "org-header"}},
        timeout=30,
    )

    names = credential_names(agent.model_options)
    resolved = credentials_substitute(agent.model_options, credential_values(names=names))

    assert names == {"openai-prod", "org-header"}
    assert resolved == {"api_key": SECRET, "default_headers": {"X-Org": "org-123"}, "timeout": 30}


def test_the_provider_key_comes_only_from_a_credential_reference():
    values = {"openai-prod": SECRET, "org": "org-123"}
    options = {"api_key": {"credential": "openai-prod"}, "default_headers": {"X-Org": {"credential": "org"}}}

    assert provider_key_split(options, values) == ({"default_headers": {"X-Org": "org-123"}}, SECRET)
    # A key stored in clear (written around the validation) never reaches the provider.
    assert provider_key_split({"api_key": "sk-clear", "timeout": 5}, values) == ({"timeout": 5}, None)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"api_key": {"credential": "ghost"}}, "Unknown credentials: ghost."),
        ({"api_key": SECRET}, "api_key: keep secrets in a credential"),
        ({"anthropic_api_key": SECRET}, "anthropic_api_key: keep secrets"),
        ({"default_headers": {"Authorization": "Bearer x"}}, "default_headers.Authorization"),
        ({"api_key": {"credential": 5}}, 'exactly {"credential": "<name>"}'),
        ({"api_key": {"credential": "x", "extra": 1}}, 'exactly {"credential": "<name>"}'),
    ],
)
def test_agent_options_with_clear_secrets_or_unknown_references_are_refused(options, message):
    with pytest.raises(ValidationError) as error:
        wired_agent(**options)
    assert any(message in text for text in error.value.message_dict["model_options"])
    assert SECRET not in str(error.value)  # the message names the option, never the value
    assert not Agent.objects.exists()


def test_update_to_an_unknown_credential_is_refused():
    credential_create(name="k", value="v")
    agent = wired_agent(api_key={"credential": "k"})
    with pytest.raises(ValidationError):
        agent_update(agent=agent, model_options={"api_key": {"credential": "gone"}})
    agent.refresh_from_db()
    assert agent.model_options == {"api_key": {"credential": "k"}}


def test_a_credential_in_use_cannot_be_deleted():
    credential = credential_create(name="k", value="v")
    wired_agent(api_key={"credential": "k"})

    with pytest.raises(CredentialInUse, match="wired"):
        credential_delete(credential=credential)
    assert Credential.objects.filter(name="k").exists()
    Agent.objects.all().delete()
    credential_delete(credential=credential)
    assert not Credential.objects.exists()


def test_only_the_runner_decrypts():
    """Web surfaces never read a value back: decrypt appears in runner/credentials.py only
    (and in the credentials migration's reverse, which puts values back where it found them),
    besides webhook signing secrets, decrypted by the delivery activity to sign with."""
    allowed = {
        ROOT / "runner" / "credentials.py", ROOT / "executions" / "webhooks" / "signing.py",
        *(ROOT / "executions" / "migrations").glob("*_credentials.py"),
    }
    callers = {
        path
        for folder in ("executions", "runner", "stigmer")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"\.decrypt\(", path.read_text())
    }
    assert callers and callers <= allowed, callers - allowed
