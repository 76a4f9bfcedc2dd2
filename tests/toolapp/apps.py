from django.apps import AppConfig


class ToolAppConfig(AppConfig):
    name = "tests.toolapp"
    label = "toolapp"
