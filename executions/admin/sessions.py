"""Session admin: the session as a conversation, its turns in order and its queue.

The turns are a read-only field, not an inline: an inline's formset would be
part of every save of the session's own fields (its subject), and turns are
made by running the agent, never edited here.
"""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from executions.admin.owned import OwnedRecordAdmin
from executions.models import Session
from executions.selectors import execution_is_queued, session_turns, sessions_with_cost


def _link(execution) -> str:
    return reverse("admin:executions_agentexecution_change", args=[execution.pk])


@admin.register(Session)
class SessionAdmin(OwnedRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "agent", "owner", "subject", "last_turn", "cost", "created_at"]
    list_filter = ["agent"]
    search_fields = ["subject"]
    readonly_fields = ["thread_id", "last_turn", "queue", "turns"]
    list_select_related = ["agent", "owner"]

    def get_queryset(self, request):
        return sessions_with_cost(super().get_queryset(request))

    @admin.display(description="Cost (USD)", ordering="cost")
    def cost(self, session: Session) -> str:
        return f"{session.cost:.4f}"

    @admin.display(description="Queue")
    def queue(self, session: Session) -> str:
        queued = [t for t in session_turns(session_id=session.pk) if execution_is_queued(t)]
        if not queued:
            return "empty"
        links = ((_link(t), t.turn, t.message[:60]) for t in queued)
        return format_html_join(", ", '<a href="{}">#{}</a> {}', links)

    @admin.display(description="Turns (in order; queued ones wait for the earlier turns to end)")
    def turns(self, session: Session) -> str:
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">#{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (_link(t), t.turn or "–", t.phase, "queued" if execution_is_queued(t) else "",
                 t.message[:200], (t.output or t.error)[:200], t.completed_at or "")
                for t in session_turns(session_id=session.pk)
            ),
        )
        return format_html(
            '<table class="stigmer-turns"><thead><tr><th>Turn</th><th>Phase</th><th></th><th>Message</th>'
            "<th>Output or error</th><th>Completed</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )
