"""Every path that creates an execution saves it; the pipeline hangs off that."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from executions.models import AgentExecution
from executions.pipeline import execution_create_pipeline


@receiver(post_save, sender=AgentExecution, dispatch_uid="execution_create_pipeline")
def on_execution_created(sender, instance: AgentExecution, created: bool, **kwargs) -> None:
    if created and not kwargs.get("raw"):
        execution_create_pipeline(execution=instance)
