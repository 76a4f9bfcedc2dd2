from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    name = "executions"
    verbose_name = "Agent executions"

    def ready(self) -> None:
        from executions import crypto, signals  # noqa: F401  (its system check; the create pipeline)
