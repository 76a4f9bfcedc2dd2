from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, JSONObjectField, StrictCharField
from executions.api.serializers.credentials import StringOrCredentialField
from executions.models import McpServer, McpTransport


class ToolSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="What an agent's `tools` names; MCP tools read <server>__<tool>")
    description = serializers.CharField()
    schema = serializers.DictField(help_text="JSON schema of the arguments the model gives")
    source = serializers.ChoiceField(choices=["built-in", "app", "mcp"])
    app = serializers.CharField(allow_null=True, help_text="The app that registered it")
    server = serializers.CharField(allow_null=True, help_text="The MCP server that offers it")


class UnreachableServerSerializer(serializers.Serializer):
    server = serializers.CharField()
    error = serializers.CharField()


class ToolCatalogueSerializer(serializers.Serializer):
    tools = ToolSerializer(many=True)
    unreachable = UnreachableServerSerializer(
        many=True, help_text="MCP servers whose tools could not be listed, and why"
    )


class McpServerOutputSerializer(serializers.ModelSerializer):
    agents = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.CharField(read_only=True, help_text="streamable HTTP: the endpoint (blank for stdio)")

    class Meta:
        model = McpServer
        fields = [
            "name", "description", "transport", "command", "args", "env", "url", "headers",
            "enabled_tools", "agents", "created_at", "updated_at",
        ]
        read_only_fields = fields


class McpServerInputSerializer(InputSerializer):
    name = StrictCharField(max_length=40)
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    transport = serializers.ChoiceField(choices=McpTransport.choices, required=False)
    command = StrictCharField(required=False, allow_blank=True, max_length=500)
    args = serializers.ListField(child=StrictCharField(allow_blank=True, max_length=2000), required=False, max_length=100)
    env = JSONObjectField(child=StringOrCredentialField(max_length=10_000), required=False)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    headers = JSONObjectField(child=StringOrCredentialField(max_length=10_000), required=False)
    enabled_tools = serializers.ListField(child=StrictCharField(max_length=200), required=False, max_length=500)
