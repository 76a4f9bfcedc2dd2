"""Execution admin: live page and changelist, cancel and re-run, decisions on waiting tool calls."""
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from executions.admin.live import live_context
from executions.admin.owned import OwnedRecordAdmin
from executions.permissions import Act, may, may_rerun
from executions.errors import ExecutionNotCancellable, SessionBusy
from executions.models import AgentExecution, DecisionSurface
from executions.pipeline import execution_validate
from executions.services.approvals import ApprovalConflict, ApprovalUnavailable, tool_call_decide
from executions.services.executions import execution_cancel, execution_create
from executions.services.turns import session_turn_precheck


class ExecutionForm(forms.ModelForm):
    def _post_clean(self) -> None:
        super()._post_clean()  # builds the instance from the form
        execution = self.instance
        if execution._state.adding and execution.agent_id is not None and not self.errors:
            try:
                execution_validate(execution)
                # A field error now; the pipeline's locked check (SessionBusy) decides.
                session_turn_precheck(execution)
            except ValidationError as exc:
                self._update_errors(exc)


class EstimatedCountPaginator(Paginator):
    """An unfiltered changelist counts from PostgreSQL's statistics (reltuples):
    COUNT(*) over millions of executions takes longer than the page itself.
    Cached like Paginator.count: the page, its links and the result line
    all ask, and each ask was a COUNT(*)."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if connection.vendor == "postgresql" and query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [AgentExecution._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate > 100_000:
                return estimate
        return super().count


@admin.register(AgentExecution)
class AgentExecutionAdmin(OwnedRecordAdmin, admin.ModelAdmin):
    list_display = ["short_id", "agent", "phase_badge", "message_preview", "owner", "total_tokens", "cost", "created_at"]
    list_filter = ["phase", "agent", "created_at"]
    search_fields = ["message"]
    list_select_related = ["agent", "owner"]
    # At a million executions the date hierarchy's SELECT DISTINCT date_trunc(...)
    # and the second, unfiltered COUNT(*) cost more than the page: the created_at
    # list filter gives the same date ranges without a query.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["cancel_selected", "rerun_selected"]
    form = ExecutionForm
    readonly_fields = [
        "phase", "output", "error", "input_tokens", "output_tokens", "total_tokens",
        "input_price", "output_price", "cost",
        "workflow_id", "traceparent", "workflow_started_at", "start_error", "started_at", "completed_at",
        "created_at", "updated_at", "last_sequence", "turn",
    ]  # fmt: skip
    input_fields = ["agent", "session", "owner", "message", "model", "multitask_strategy"]

    class Media:
        css = {"all": ["executions/live.css"]}

    @admin.display(description="ID", ordering="id")
    def short_id(self, execution: AgentExecution) -> str:
        return str(execution.pk)[:8]

    @admin.display(description="Phase", ordering="phase")
    def phase_badge(self, execution: AgentExecution) -> str:
        return format_html(
            '<span class="stigmer-phase" data-execution="{}" data-phase="{}">{}</span>',
            execution.pk, execution.phase, execution.phase,
        )  # fmt: skip

    @admin.display(description="Message")
    def message_preview(self, execution: AgentExecution) -> str:
        return execution.message[:60]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.input_fields, *self.readonly_fields]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            excluded = self.get_exclude(request, obj)
            return [(None, {"fields": [name for name in self.input_fields if name not in excluded]})]
        record = {"classes": ["collapse"], "fields": self.readonly_fields}
        return [(None, {"fields": self.input_fields}), ("Record as loaded (the panel above is live)", record)]

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except SessionBusy as exc:
            # The form's check passed, then another turn of the session was
            # created first: the add was rolled back; say why and start over.
            self.message_user(request, str(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        execution = self.get_object(request, object_id)
        if execution is not None:
            # Everything is read-only once created: no save buttons, only cancel / re-run.
            read_only = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
            extra_context = {**(extra_context or {}), **read_only, **live_context(request, execution)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        def view(name, func):
            return path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(require_POST(func)),
                name=f"executions_agentexecution_{name}",
            )

        decide = path(
            "<path:object_id>/approvals/<str:tool_call_id>/decide/",
            self.admin_site.admin_view(require_POST(self.decide_view)),
            name="executions_agentexecution_decide",
        )
        return [view("cancel", self.cancel_view), view("rerun", self.rerun_view), decide, *super().get_urls()]

    def decide_view(self, request, object_id, tool_call_id):
        """Approve / Edit / Reject from the live page (services/approvals.py decides).
        The page's script posts in the background and follows the outcome live
        (JSON answer); without it, the form posts and the page reloads."""
        execution = get_object_or_404(self.get_queryset(request).select_related("agent"), pk=object_id)
        decision = request.POST.get("decision", "")
        in_background = request.headers.get("X-Requested-With") == "stigmer-live"
        error, status = "", 200
        try:
            args = json.loads(request.POST.get("args") or "null") if decision == "edit" else None
            tool_call_decide(
                execution=execution, tool_call_id=tool_call_id, decision=decision, args=args,
                comment=request.POST.get("comment", ""), user=request.user, surface=DecisionSurface.ADMIN,
            )
        except json.JSONDecodeError as exc:
            error, status = f"The arguments are not JSON: {exc}", 400
        except ValidationError as exc:
            error, status = "; ".join(exc.messages), 400
        except ApprovalConflict as exc:
            error, status = str(exc), 409
        except ApprovalUnavailable as exc:
            error, status = str(exc), 503
        except PermissionDenied as exc:
            if not in_background:
                raise
            error, status = str(exc), 403
        if in_background:
            return JsonResponse({"error": error} if error else {"decision": decision}, status=status)
        if error:
            self.message_user(request, error, messages.ERROR)
        else:
            self.message_user(request, f"Tool call {tool_call_id}: {decision} recorded.", messages.SUCCESS)
        return redirect("admin:executions_agentexecution_change", execution.pk)

    def cancel_view(self, request, object_id):
        execution = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not may(request.user, Act.CANCEL, execution):
            raise PermissionDenied
        self._cancel(request, execution)
        return redirect("admin:executions_agentexecution_change", execution.pk)

    def rerun_view(self, request, object_id):
        execution = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not may_rerun(request.user, execution):
            raise PermissionDenied
        rerun = self._rerun(request, execution)
        return redirect("admin:executions_agentexecution_change", (rerun or execution).pk)

    def has_cancel_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff  # each one is checked

    @admin.action(description="Cancel selected executions", permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        allowed = self._allowed(request, queryset, lambda e: may(request.user, Act.CANCEL, e), "cancel")
        cancelled = sum(self._cancel(request, execution) for execution in allowed)
        if cancelled:
            self.message_user(request, f"Cancellation requested for {cancelled} execution(s).", messages.SUCCESS)

    @admin.action(description="Re-run selected executions", permissions=["add"])
    def rerun_selected(self, request, queryset):
        allowed = self._allowed(request, queryset, lambda e: may_rerun(request.user, e), "re-run")
        started = [e for e in (self._rerun(request, execution) for execution in allowed) if e]
        if started:
            self.message_user(request, f"Started {len(started)} new execution(s).", messages.SUCCESS)

    def _allowed(self, request, queryset, rule, verb: str) -> list[AgentExecution]:
        executions = list(queryset)
        allowed = [execution for execution in executions if rule(execution)]
        if len(allowed) < len(executions):
            refused = len(executions) - len(allowed)
            self.message_user(request, f"You may not {verb} {refused} of the selected executions.", messages.WARNING)
        return allowed

    def _cancel(self, request, execution: AgentExecution) -> bool:
        try:
            execution_cancel(execution=execution)
        except ExecutionNotCancellable as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return False
        return True

    def _rerun(self, request, execution: AgentExecution) -> AgentExecution | None:
        try:
            rerun = execution_create(
                agent=execution.agent, message=execution.message, owner=execution.owner,
                session=execution.session, model=execution.model,
            )  # fmt: skip
        except (ValidationError, SessionBusy) as exc:
            reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"Cannot re-run {execution.pk}: {reason}", messages.ERROR)
            return None
        url = reverse("admin:executions_agentexecution_change", args=[rerun.pk])
        self.message_user(request, format_html('Re-run started: <a href="{}">{}</a>', url, rerun.pk))
        return rerun
