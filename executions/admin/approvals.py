"""The audit of decisions on gated tool calls: read-only, one row per decision."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from executions.models import ToolCallDecisionRecord
from executions.permissions import visible


@admin.register(ToolCallDecisionRecord)
class ToolCallDecisionAdmin(admin.ModelAdmin):
    list_display = ["decided_at", "execution_link", "tool", "tool_call_id", "decision", "decided_by_name", "surface"]
    list_filter = ["decision", "surface", "decided_at"]
    search_fields = ["approval__tool", "approval__tool_call_id", "decided_by_name", "comment"]
    list_select_related = ["approval", "approval__execution"]
    fields = [
        "execution_link", "tool_call_id", "tool", "requested_args", "decision", "approved_args",
        "decided_by_name", "surface", "comment", "decided_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        from executions.models import AgentExecution

        executions = visible(AgentExecution.objects.all(), user=request.user)
        return super().get_queryset(request).filter(approval__execution__in=executions)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff  # rows are scoped in get_queryset

    # Immutable: decisions are taken on the execution's page, the API or the command.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Execution")
    def execution_link(self, record):
        execution_id = record.approval.execution_id
        url = reverse("admin:executions_agentexecution_change", args=[execution_id])
        return format_html('<a href="{}">{}</a>', url, str(execution_id)[:8])

    @admin.display(description="Tool", ordering="approval__tool")
    def tool(self, record) -> str:
        return record.approval.tool

    @admin.display(description="Call id")
    def tool_call_id(self, record) -> str:
        return record.approval.tool_call_id

    @admin.display(description="Arguments requested")
    def requested_args(self, record):
        return record.approval.args
