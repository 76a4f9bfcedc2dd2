"""The project's settings plus a test app that registers tools of its own
(tests/toolapp/agent_tools.py), found by autodiscovery like any app's."""
from stigmer.settings import *  # noqa: F401,F403
from stigmer.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toolapp"]
