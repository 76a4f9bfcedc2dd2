"""The admin's side of executions/permissions.py, for owned records
(sessions, executions): a staff user lists and opens their own records, and
others' only with the matching model permission; the add form creates records
owned by the requesting user unless they may act for others, and offers only
their own sessions."""
from executions.permissions import Act, may, may_act_for_others, may_for_everyone, visible


class OwnedRecordAdmin:
    def get_queryset(self, request):
        return visible(super().get_queryset(request), user=request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None or may(request.user, Act.VIEW, obj)

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is not None and may(request.user, Act.CHANGE, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Without an object this is the bulk action, which deletes whatever is
        # listed: only for who may delete everyone's.
        if obj is None:
            return may_for_everyone(request.user, self.model, Act.DELETE)
        return may(request.user, Act.DELETE, obj)

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if obj is None and not may_act_for_others(request.user):
            excluded.append("owner")
        return excluded

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session" and not may_act_for_others(request.user):
            kwargs["queryset"] = db_field.related_model.objects.filter(owner=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None or may_act_for_others(request.user):
            return form
        owner = request.user

        class OwnedForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # Before validation: the create pipeline checks the session's owner.
                self.instance.owner = owner

        return OwnedForm
