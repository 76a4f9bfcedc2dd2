from django.contrib import admin

from executions.admin.owned import OwnedRecordAdmin
from executions.models import Session


@admin.register(Session)
class SessionAdmin(OwnedRecordAdmin, admin.ModelAdmin):
    list_display = ["id", "agent", "owner", "subject", "created_at"]
    list_filter = ["agent"]
    search_fields = ["subject"]
    readonly_fields = ["thread_id"]
    list_select_related = ["agent", "owner"]
