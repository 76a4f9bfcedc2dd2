"""Credential admin: the value is write-only (a password field, never rendered back)."""
from django import forms
from django.contrib import admin
from django.utils import timezone

from executions.models import Credential
from executions.selectors import credential_users
from executions.services.credentials import MAX_VALUE_CHARS, credential_delete, credential_set


class CredentialForm(forms.ModelForm):
    value = forms.CharField(
        required=False,
        max_length=MAX_VALUE_CHARS,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only: it is never shown again. On an existing credential, a new value "
        "rotates it (used from the next run on); leave blank to keep the current one.",
    )

    class Meta:
        model = Credential
        fields = ["name", "description"]

    def clean_value(self) -> str:
        value = self.cleaned_data["value"]
        if not value and self.instance._state.adding:
            raise forms.ValidationError("A credential needs a value.")
        return value


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    form = CredentialForm
    list_display = ["name", "description", "rotated_at", "created_by"]
    search_fields = ["name", "description"]
    fields = ["name", "description", "value", "status", "used_by"]

    def get_readonly_fields(self, request, obj=None):
        # The name is how agents refer to it: fixed once created.
        return ["name", "status", "used_by"] if obj else ["status", "used_by"]

    @admin.display(description="Value")
    def status(self, credential: Credential) -> str:
        if not credential.pk:
            return "not set"
        return f"set, last rotated at {timezone.localtime(credential.rotated_at):%Y-%m-%d %H:%M:%S %Z}"

    @admin.display(description="Used by")
    def used_by(self, credential: Credential) -> str:
        return ", ".join(credential_users(name=credential.name)) if credential.pk else "-"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        credential_set(credential=obj, value=form.cleaned_data["value"] or None)

    def get_deleted_objects(self, objs, request):
        """Agents that refer to a credential protect it, as a foreign key would."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            user for credential in objs for user in credential_users(name=credential.name)
        ]
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request, obj):
        credential_delete(credential=obj)

    def delete_queryset(self, request, queryset):
        for credential in queryset:
            credential_delete(credential=credential)
