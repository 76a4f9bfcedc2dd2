"""Credentials, and the secrets found in agents' model_options moved into them.

`api_key` (and any `*_api_key`) and every header value under `default_headers` / `headers`
become credentials named `agent-<slug>-api-key` / `agent-<slug>-header-<header>` (a number
appended if taken), replaced by `{"credential": "<name>"}`. Backwards, the values are
written back in clear before the table goes.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone
from django.utils.text import slugify

from executions.crypto import credential_encrypt, credential_keyring

HEADER_OPTIONS = ("default_headers", "headers")


def _is_ref(value) -> bool:
    return isinstance(value, dict) and set(value) == {"credential"}


def _unique_name(Credential, base: str) -> str:
    base = base[:90].strip("-")
    name, n = base, 1
    while Credential.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _stash(Credential, base: str, value: str) -> dict:
    name = _unique_name(Credential, base)
    Credential.objects.create(
        name=name,
        description=f"Moved from model_options by the credentials migration ({base})",
        value_encrypted=credential_encrypt(value),
        rotated_at=timezone.now(),
    )
    return {"credential": name}


def _secrets_to_credentials(apps, schema_editor):
    Agent = apps.get_model("executions", "Agent")
    Credential = apps.get_model("executions", "Credential")
    for agent in Agent.objects.order_by("pk"):
        options = agent.model_options
        if not isinstance(options, dict):
            continue
        changed = False
        for key, value in list(options.items()):
            if (key == "api_key" or key.endswith("_api_key")) and isinstance(value, str) and value:
                base = f"agent-{agent.slug}-{key.replace('_', '-')}"
                options[key], changed = _stash(Credential, base, value), True
        for option in HEADER_OPTIONS:
            headers = options.get(option)
            if not isinstance(headers, dict):
                continue
            for header, value in list(headers.items()):
                if isinstance(value, str) and value:
                    base = f"agent-{agent.slug}-header-{slugify(header)}"
                    headers[header], changed = _stash(Credential, base, value), True
        if changed:
            agent.save(update_fields=["model_options"])


def _restore(value, values: dict):
    if _is_ref(value):
        return values.get(value["credential"], value)
    if isinstance(value, dict):
        return {key: _restore(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, values) for item in value]
    return value


def _credentials_to_secrets(apps, schema_editor):
    """Undoing the move: the values go back into model_options in clear, as before 0005."""
    Agent = apps.get_model("executions", "Agent")
    Credential = apps.get_model("executions", "Credential")
    keyring = credential_keyring()
    values = {
        name: keyring.decrypt(token.encode()).decode()
        for name, token in Credential.objects.values_list("name", "value_encrypted")
    }
    for agent in Agent.objects.order_by("pk"):
        restored = _restore(agent.model_options, values)
        if restored != agent.model_options:
            agent.model_options = restored
            agent.save(update_fields=["model_options"])


class Migration(migrations.Migration):

    dependencies = [
        ('executions', '0008_agent_allowed_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Credential',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(help_text='Referred to as {"credential": "<name>"}', max_length=100, unique=True)),
                ('description', models.TextField(blank=True)),
                ('value_encrypted', models.TextField(editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('rotated_at', models.DateTimeField(help_text='When the value was last set')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.AlterField(
            model_name='agent',
            name='model_options',
            field=models.JSONField(blank=True, default=dict, help_text='Provider options, e.g. {"token_delay": 0.05}; secrets by credential name, e.g. {"api_key": {"credential": "openai-prod"}}'),
        ),
        migrations.AlterField(
            model_name='mcpserver',
            name='env',
            field=models.JSONField(blank=True, default=dict, help_text='stdio: environment variables for the process; a secret as a credential reference, e.g. {"API_TOKEN": {"credential": "mcp-token"}}'),
        ),
        migrations.AlterField(
            model_name='mcpserver',
            name='headers',
            field=models.JSONField(blank=True, default=dict, help_text='streamable HTTP: request headers; a secret as a credential reference, e.g. {"Authorization": {"credential": "mcp-token"}}'),
        ),
        migrations.RunPython(_secrets_to_credentials, _credentials_to_secrets),
    ]
