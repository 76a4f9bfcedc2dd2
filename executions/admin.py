from django.contrib import admin

from executions.models import Agent, AgentExecution, ExecutionEvent, Session


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "model", "enabled", "updated_at"]
    list_filter = ["enabled"]
    search_fields = ["slug", "name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["id", "agent", "owner", "subject", "created_at"]
    list_filter = ["agent"]
    search_fields = ["subject"]
    readonly_fields = ["thread_id"]
    list_select_related = ["agent", "owner"]


class ExecutionEventInline(admin.TabularInline):
    model = ExecutionEvent
    fields = ["sequence", "type", "data", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgentExecution)
class AgentExecutionAdmin(admin.ModelAdmin):
    list_display = ["id", "agent", "phase", "owner", "total_tokens", "created_at"]
    list_filter = ["phase", "agent", "created_at"]
    search_fields = ["message"]
    list_select_related = ["agent", "owner"]
    readonly_fields = [
        "phase", "output", "error", "input_tokens", "output_tokens", "total_tokens",
        "workflow_id", "workflow_started_at", "start_error", "started_at", "completed_at",
        "created_at", "updated_at",
    ]
    inlines = [ExecutionEventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return ["agent", "session", "owner", "message", "model", *self.readonly_fields]
