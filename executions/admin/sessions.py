from django.contrib import admin

from executions.admin.owned import OwnedRecordAdmin
from executions.models import Session
from executions.selectors import sessions_with_cost


@admin.register(Session)
class SessionAdmin(OwnedRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "agent", "owner", "subject", "cost", "created_at"]
    list_filter = ["agent"]
    search_fields = ["subject"]
    readonly_fields = ["thread_id"]
    list_select_related = ["agent", "owner"]

    def get_queryset(self, request):
        return sessions_with_cost(super().get_queryset(request))

    @admin.display(description="Cost (USD)", ordering="cost")
    def cost(self, session: Session) -> str:
        return f"{session.cost:.4f}"
