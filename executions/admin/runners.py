"""Runner tokens: listed and revoked here, never issued (a token is shown once, by
`manage.py issue_runner_token`, and only its digest is stored, so the admin has
nothing to show)."""
from django.contrib import admin

from executions.models import RunnerToken


@admin.register(RunnerToken)
class RunnerTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name"]
    fields = ["name", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["name", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # issued by the command, which prints the token once

    @admin.action(description="Revoke the selected runner tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        count = queryset.update(revoked=True)
        self.message_user(request, f"{count} runner token(s) revoked: their runners are refused from now on.")
