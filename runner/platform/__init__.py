"""What the runner needs from the platform, besides Temporal: one small interface.

Two transports implement it:
- in process (executions/runner_platform.py): the platform's own services on
  its database, the embedded default (run_platform, run_runner_worker on a
  machine that holds the database's credentials);
- HTTP (runner/platform/http.py): the runner API, when STIGMER_PLATFORM_URL
  and STIGMER_RUNNER_TOKEN are set; such a runner needs no database at all.

Both reach the same service functions (the HTTP one through the API's views),
so the event log's rules have one implementation.
"""
from django.utils.module_loading import import_string

from runner.platform.interface import (  # noqa: F401  (the interface, importable from here)
    DelegationRefused,
    NotCancellable,
    Platform,
    SessionNotFound,
    UnknownCredentials,
)
from stigmer.config import env

IN_PROCESS = "executions.runner_platform.InProcessPlatform"


_platform: Platform | None = None


def remote_url() -> str:
    return (env("STIGMER_PLATFORM_URL") or "").strip()


def platform() -> Platform:
    """The runner API's client when STIGMER_PLATFORM_URL is set, the in-process services otherwise."""
    global _platform
    if _platform is None:
        if remote_url():
            from runner.platform.http import HttpPlatform

            _platform = HttpPlatform.from_environment()
        else:
            _platform = import_string(IN_PROCESS)()
    return _platform


def platform_reset() -> None:
    """Forget the chosen transport (tests switch between them)."""
    global _platform
    _platform = None
