"""The built-in tools, registered the way any installed app registers its own
(`runner` is an installed app, so this module is autodiscovered)."""

import asyncio
import math
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runner.arithmetic import calculate
from runner.tools import agent_tool
from stigmer.config import env

SLEEP_MAX_ENV = "STIGMER_SLEEP_TOOL_MAX_SECONDS"
DEFAULT_SLEEP_MAX_SECONDS = 300.0

calculator = agent_tool(calculate, name="calculator")


@agent_tool
def current_time(timezone: str = "UTC") -> str:
    """Return the current date and time in ISO-8601 for an IANA time zone such as "Europe/Paris"."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {timezone!r}; use an IANA name such as 'Europe/Paris'"
        ) from exc
    return datetime.now(zone).isoformat(timespec="seconds")


def sleep_max_seconds() -> float:
    """The sleep tool's upper bound, read at call time so tests and operators can change it."""
    try:
        seconds = env(SLEEP_MAX_ENV)
    except ValueError as exc:
        raise ValueError(f"{SLEEP_MAX_ENV} must be a number of seconds: {exc}") from exc
    return DEFAULT_SLEEP_MAX_SECONDS if seconds is None else seconds


# No tool timeout: the tool bounds itself by STIGMER_SLEEP_TOOL_MAX_SECONDS.
@agent_tool(timeout=None)
async def sleep(seconds: float) -> str:
    """Wait for the given number of seconds, then report how long it slept."""
    limit = sleep_max_seconds()
    if not math.isfinite(seconds) or not 0 <= seconds <= limit:
        raise ValueError(f"seconds must be between 0 and {limit:g}, got {seconds}")
    # asyncio.sleep is cancellable, so cancelling the run interrupts the wait.
    await asyncio.sleep(seconds)
    return f"slept {float(seconds)} seconds"
