"""Session admin: the session as a conversation, its turns in order and its queue."""
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from executions.admin.owned import OwnedRecordAdmin
from executions.models import AgentExecution, Session
from executions.selectors import execution_is_queued, session_turns


class TurnInline(admin.TabularInline):
    """Read-only: turns are created by running the agent, not edited here."""

    model = AgentExecution
    verbose_name = "turn"
    verbose_name_plural = "Turns (in order; queued ones wait for the earlier turns to end)"
    fields = ["turn_link", "phase", "queued", "message", "output", "error", "started_at", "completed_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        # The inline's own filter (this session) is applied on top.
        return AgentExecution.objects.order_by(F("turn").asc(nulls_first=True), "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Turn")
    def turn_link(self, execution: AgentExecution) -> str:
        url = reverse("admin:executions_agentexecution_change", args=[execution.pk])
        return format_html('<a href="{}">#{}</a>', url, execution.turn or "–")

    @admin.display(description="Queued", boolean=True)
    def queued(self, execution: AgentExecution) -> bool:
        return execution_is_queued(execution)


@admin.register(Session)
class SessionAdmin(OwnedRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "agent", "owner", "subject", "last_turn", "created_at"]
    list_filter = ["agent"]
    search_fields = ["subject"]
    readonly_fields = ["thread_id", "last_turn", "queue"]
    list_select_related = ["agent", "owner"]
    inlines = [TurnInline]

    @admin.display(description="Queue")
    def queue(self, session: Session) -> str:
        queued = [t for t in session_turns(session_id=session.pk) if execution_is_queued(t)]
        if not queued:
            return "empty"
        links = (
            (reverse("admin:executions_agentexecution_change", args=[t.pk]), t.turn, t.message[:60])
            for t in queued
        )
        return format_html_join(", ", '<a href="{}">#{}</a> {}', links)
