"""MCP servers: their settings, and the tools they offer now, listed live."""
import dataclasses

from asgiref.sync import async_to_sync
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from executions.models import McpServer
from executions.selectors import mcp_server_config


@admin.register(McpServer)
class McpServerAdmin(admin.ModelAdmin):
    list_display = ["name", "transport", "target", "allowlist", "updated_at"]
    list_filter = ["transport"]
    search_fields = ["name", "description", "command", "url"]
    readonly_fields = ["offered_tools"]
    fieldsets = [
        (None, {"fields": ["name", "description", "transport"]}),
        ("stdio", {"fields": ["command", "args", "env"]}),
        ("Streamable HTTP", {"fields": ["url", "headers"]}),
        ("Tools", {"fields": ["enabled_tools", "offered_tools"]}),
    ]

    @admin.display(description="Command or URL")
    def target(self, server: McpServer) -> str:
        return server.url if server.transport == "streamable_http" else server.command

    @admin.display(description="Enabled tools")
    def allowlist(self, server: McpServer) -> str:
        return ", ".join(server.enabled_tools) or "all"

    @admin.display(description="Tools the server offers now")
    def offered_tools(self, server: McpServer) -> str:
        if server.pk is None:
            return "Save the server to list its tools."
        from runner.catalogue import tools_catalogue

        # All of them, the allowlist marked: this is where one picks it.
        every = dataclasses.replace(mcp_server_config(server), enabled_tools=[])
        listing = async_to_sync(tools_catalogue)(servers=[every])
        if listing["unreachable"]:
            return listing["unreachable"][0]["error"]
        tools = [tool for tool in listing["tools"] if tool["server"] == server.name]
        if not tools:
            return "None."
        prefix = f"{server.name}__"
        enabled = set(server.enabled_tools)
        rows = (
            (tool["name"].removeprefix(prefix), tool["description"],
             "enabled" if not enabled or tool["name"].removeprefix(prefix) in enabled else "not enabled")
            for tool in tools
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li><code>{}</code> — {} ({})</li>", rows))
