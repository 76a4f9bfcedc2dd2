"""The per-execution event log."""
from django.db import models

from executions.models.choices import EventType
from executions.models.executions import AgentExecution


class ExecutionEvent(models.Model):
    execution = models.ForeignKey(
        AgentExecution, on_delete=models.CASCADE, related_name="events"
    )
    sequence = models.PositiveIntegerField()
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField(default=dict)
    # The writer's idempotency key: a retried append (its first try's commit
    # unacknowledged by a dropped connection) finds its event, never doubles it.
    key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["execution", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "sequence"], name="unique_event_sequence"
            ),
            models.UniqueConstraint(
                fields=["execution", "key"],
                condition=~models.Q(key=""),
                name="unique_event_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.type}"

    def as_dict(self) -> dict:
        return {
            "execution": str(self.execution_id),
            "sequence": self.sequence,
            "type": self.type,
            "data": self.data,
            "created_at": self.created_at.isoformat(),
        }
