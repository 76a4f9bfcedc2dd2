import asyncio
import time
from datetime import datetime, timedelta

import pytest

from runner.agent_tools import calculator, current_time, sleep
from runner.tools import UnknownToolError, get_tools, registered_tools


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("6*7", "42"),
        ("(2+3)*4", "20"),
        ("7/2", "3.5"),
        ("7//2", "3"),
        ("7 % 4", "3"),
        ("-2**2", "-4"),
        ("+2 - -3", "5"),
        ("2**10", "1024"),
        ("1.5 * 2", "3.0"),
    ],
)
def test_calculator_evaluates_arithmetic(expression, expected):
    assert calculator(expression) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("x + 1", "names are not allowed"),
        ("abs(-1)", "function calls are not allowed"),
        ("__import__('os').system('true')", "function calls are not allowed"),
        ("(1).real", "unsupported syntax"),
        ("'a' * 3", "unsupported constant"),
        ("True + 1", "unsupported constant"),
        ("1 / 0", "division by zero"),
        ("6 *", "not an arithmetic expression"),
        ("(-8) ** 0.5", "not a real number"),
    ],
)
def test_calculator_refuses_anything_but_arithmetic(expression, message):
    with pytest.raises(ValueError, match=message):
        calculator(expression)


@pytest.mark.parametrize("expression", ["9**9**9", "10**100000", "2.0**100000"])
def test_calculator_refuses_huge_results_quickly(expression):
    started = time.monotonic()
    with pytest.raises(ValueError, match="too large"):
        calculator(expression)
    assert time.monotonic() - started < 0.5


def test_calculator_refuses_very_long_input():
    with pytest.raises(ValueError, match="longer than"):
        calculator("+".join(["1"] * 400))


def test_current_time_is_iso_8601_in_the_requested_zone():
    stamp = datetime.fromisoformat(current_time("Asia/Kolkata"))
    assert stamp.utcoffset() == timedelta(hours=5, minutes=30)  # India has no DST


def test_current_time_defaults_to_utc():
    stamp = datetime.fromisoformat(current_time())
    assert stamp.utcoffset() == timedelta(0)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../etc/passwd", ""])
def test_current_time_rejects_unknown_zone(zone):
    with pytest.raises(ValueError, match="unknown time zone"):
        current_time(zone)


def test_sleep_waits_and_reports():
    started = time.monotonic()
    assert asyncio.run(sleep(0.05)) == "slept 0.05 seconds"
    assert time.monotonic() - started >= 0.05
    assert asyncio.run(sleep(0)) == "slept 0.0 seconds"


def test_sleep_rejects_negative_seconds(monkeypatch):
    monkeypatch.delenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", raising=False)
    with pytest.raises(ValueError, match="between 0 and 300"):
        asyncio.run(sleep(-1))


def test_sleep_default_maximum_is_300_seconds(monkeypatch):
    monkeypatch.delenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", raising=False)
    with pytest.raises(ValueError, match="between 0 and 300"):
        asyncio.run(sleep(301))


def test_sleep_maximum_is_read_from_env_at_call_time(monkeypatch):
    monkeypatch.setenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", "1")
    with pytest.raises(ValueError, match="between 0 and 1,"):
        asyncio.run(sleep(2))


def test_sleep_is_cancellable():
    async def cancel_midway():
        task = asyncio.create_task(sleep(30))
        await asyncio.sleep(0.05)
        task.cancel()
        await task

    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_midway())
    assert time.monotonic() - started < 2


def test_the_builtins_are_registered_as_built_in():
    sources = {entry.name: entry.source for entry in registered_tools()}
    assert {name: sources[name] for name in ("calculator", "current_time", "sleep")} == {
        "calculator": "built-in", "current_time": "built-in", "sleep": "built-in",
    }


def test_get_tools_keeps_order_and_drops_duplicates():
    tools = get_tools(["sleep", "calculator", "sleep"])
    assert [t.name for t in tools] == ["sleep", "calculator"]


def test_get_tools_names_every_unknown_tool():
    with pytest.raises(UnknownToolError, match="unknown tool.*: search, web") as caught:
        get_tools(["calculator", "web", "search"])
    assert isinstance(caught.value, ValueError)
    assert "available: blocking, calculator, current_time" in str(caught.value)
