"""The project's settings plus two test apps: one registers tools of its own
(tests/toolapp/agent_tools.py), found by autodiscovery like any app's; the
other counts the scripted model's calls in worker processes (tests/modelcalls)."""
from stigmer.settings import *  # noqa: F401,F403
from stigmer.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toolapp", "tests.modelcalls"]
