from django.apps import AppConfig


class ExecutionsConfig(AppConfig):
    name = "executions"
    verbose_name = "Agent executions"

    def ready(self) -> None:
        from executions import signals  # noqa: F401  (connects the create pipeline)
