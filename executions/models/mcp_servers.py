"""MCP servers an agent may use, and the checks of their settings."""
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from executions.credential_refs import is_credential_ref, references_validate


class McpTransport(models.TextChoices):
    STDIO = "stdio", "stdio (a local process)"
    STREAMABLE_HTTP = "streamable_http", "streamable HTTP"


def string_list_problem(value, field: str) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return f"{field} must be a list of strings."
    return None


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _string_map(value, field: str, key: re.Pattern) -> str | None:
    if not isinstance(value, dict) or not all(
        isinstance(v, str) or is_credential_ref(v) for v in value.values()
    ):
        return f'{field} must be an object of strings or credential references ({{"credential": "<name>"}}).'
    bad = sorted(name for name in value if not key.match(name))
    if bad:
        return f"{field} has invalid names: {', '.join(map(repr, bad))}."
    return None


class McpServer(models.Model):
    """An MCP server whose tools agents may use, namespaced `<name>__<tool>`."""

    name = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(
            r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
            "Lower-case letters and digits, single '-' or '_' between them (no '__').",
        )],
        help_text="Prefixes its tools: <name>__<tool>",
    )
    description = models.TextField(blank=True)
    transport = models.CharField(max_length=20, choices=McpTransport.choices, default=McpTransport.STDIO)
    command = models.CharField(max_length=500, blank=True, help_text="stdio: the program to start")
    args = models.JSONField(default=list, blank=True, help_text='stdio: e.g. ["-m", "my_server"]')
    env = models.JSONField(
        default=dict,
        blank=True,
        help_text='stdio: environment variables for the process; a secret as a credential '
        'reference, e.g. {"API_TOKEN": {"credential": "mcp-token"}}',
    )
    url = models.URLField(max_length=500, blank=True, help_text="streamable HTTP: the endpoint")
    headers = models.JSONField(
        default=dict,
        blank=True,
        help_text='streamable HTTP: request headers; a secret as a credential reference, '
        'e.g. {"Authorization": {"credential": "mcp-token"}}',
    )
    enabled_tools = models.JSONField(
        default=list, blank=True,
        help_text="The server's tools agents may use (names without the prefix); empty: all",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "MCP server"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.transport == McpTransport.STDIO and not self.command:
            errors["command"] = "A stdio server needs the command that starts it."
        if self.transport == McpTransport.STREAMABLE_HTTP and not self.url:
            errors["url"] = "A streamable HTTP server needs its URL."
        checks = {
            "args": string_list_problem(self.args, "args"),
            "enabled_tools": string_list_problem(self.enabled_tools, "enabled_tools"),
            "env": _string_map(self.env, "env", _ENV_NAME),
            "headers": _string_map(self.headers, "headers", _HEADER_NAME),
        }
        errors.update({name: message for name, message in checks.items() if message})
        for field in ("env", "headers"):
            if field not in errors:
                try:
                    references_validate(getattr(self, field), field=field)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
