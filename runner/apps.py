from django.apps import AppConfig


class RunnerConfig(AppConfig):
    name = "runner"
    verbose_name = "Agent runner"

    def ready(self) -> None:
        from runner.tools.registry import tools_autodiscover

        # Every app's agent_tools.py, this one's built-ins included.
        tools_autodiscover()
