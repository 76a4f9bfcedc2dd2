import os

from django.apps import AppConfig


class ModelCallsConfig(AppConfig):
    name = "tests.modelcalls"
    label = "modelcalls"

    def ready(self) -> None:
        if path := os.environ.get("STIGMER_SCRIPTED_CALL_LOG"):
            from tests.modelcalls import ScriptedCallSpy

            ScriptedCallSpy(log_path=path).install()
