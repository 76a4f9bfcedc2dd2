"""The project's settings plus two test apps: one registers tools of its own
(tests/toolapp/agent_tools.py), found by autodiscovery like any app's; the
other counts the scripted model's calls in worker processes (tests/modelcalls).
The runner API's recorder (tests/polyglot/recording.py) sits in the middleware
from the start: the ASGI app builds its chain once per process, so a test that
added it later would find an earlier test's chain without it."""
from stigmer.settings import *  # noqa: F401,F403
from stigmer.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toolapp", "tests.modelcalls"]
MIDDLEWARE = ["tests.polyglot.recording.RecordRunnerApi", *MIDDLEWARE]
