"""Tool calls that waited for a person, and the decisions taken on them."""
from django.conf import settings
from django.db import models

from executions.models.choices import Decision, DecisionSurface
from executions.models.executions import AgentExecution


class ToolCallApproval(models.Model):
    """A gated tool call of an execution, as the model asked for it."""

    execution = models.ForeignKey(AgentExecution, on_delete=models.CASCADE, related_name="approvals")
    tool_call_id = models.CharField(max_length=200)
    tool = models.CharField(max_length=200)
    args = models.JSONField(default=dict)
    requested_at = models.DateTimeField()
    # When the call is rejected automatically if nobody decides.
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["execution", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "tool_call_id"], name="unique_approval_call"),
        ]

    def __str__(self) -> str:
        return f"{self.tool} ({self.tool_call_id})"

    @property
    def decided(self) -> bool:
        return hasattr(self, "decision")


class ToolCallDecisionRecord(models.Model):
    """The audit record of one decision: written once, never changed."""

    approval = models.OneToOneField(
        ToolCallApproval, on_delete=models.CASCADE, primary_key=True, related_name="decision"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    # The arguments the call ran with (null when rejected).
    approved_args = models.JSONField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as it was when deciding: the record still says who if the user is deleted.
    decided_by_name = models.CharField(max_length=150, blank=True)
    surface = models.CharField(max_length=10, choices=DecisionSurface.choices)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"{self.decision} {self.approval}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("A decision's record is immutable.")
        super().save(*args, **kwargs)
