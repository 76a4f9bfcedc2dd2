"""Runs of the retention job."""
from django.db import models


class PruneRun(models.Model):
    """One pass of the retention job (or of prune_executions): what it deleted.
    /metrics sums these, so the counts are true whichever process pruned."""

    # The scheduled workflow's id: a retried activity adds to its own row.
    run_id = models.CharField(max_length=200, unique=True)
    executions = models.PositiveBigIntegerField(default=0)
    events = models.PositiveBigIntegerField(default=0)
    checkpoints = models.PositiveBigIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.run_id
