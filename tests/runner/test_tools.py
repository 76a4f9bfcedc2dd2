import asyncio
import time
from datetime import datetime, timedelta

import pytest

from runner.tools import (
    TOOL_REGISTRY,
    UnknownToolError,
    calculator,
    current_time,
    get_tools,
    sleep,
    tool_names,
)


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
    assert calculator.invoke({"expression": expression}) == expected


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
        calculator.invoke({"expression": expression})


@pytest.mark.parametrize("expression", ["9**9**9", "10**100000", "2.0**100000"])
def test_calculator_refuses_huge_results_quickly(expression):
    started = time.monotonic()
    with pytest.raises(ValueError, match="too large"):
        calculator.invoke({"expression": expression})
    assert time.monotonic() - started < 0.5


def test_calculator_refuses_very_long_input():
    with pytest.raises(ValueError, match="longer than"):
        calculator.invoke({"expression": "+".join(["1"] * 400)})


def test_current_time_is_iso_8601_in_the_requested_zone():
    stamp = datetime.fromisoformat(current_time.invoke({"timezone": "Asia/Kolkata"}))
    assert stamp.utcoffset() == timedelta(hours=5, minutes=30)  # India has no DST


def test_current_time_defaults_to_utc():
    stamp = datetime.fromisoformat(current_time.invoke({}))
    assert stamp.utcoffset() == timedelta(0)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../etc/passwd", ""])
def test_current_time_rejects_unknown_zone(zone):
    with pytest.raises(ValueError, match="unknown time zone"):
        current_time.invoke({"timezone": zone})


def test_sleep_waits_and_reports():
    started = time.monotonic()
    assert asyncio.run(sleep.ainvoke({"seconds": 0.05})) == "slept 0.05 seconds"
    assert time.monotonic() - started >= 0.05
    assert asyncio.run(sleep.ainvoke({"seconds": 0})) == "slept 0.0 seconds"


def test_sleep_rejects_negative_seconds(monkeypatch):
    monkeypatch.delenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", raising=False)
    with pytest.raises(ValueError, match="between 0 and 300"):
        asyncio.run(sleep.ainvoke({"seconds": -1}))


def test_sleep_default_maximum_is_300_seconds(monkeypatch):
    monkeypatch.delenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", raising=False)
    with pytest.raises(ValueError, match="between 0 and 300"):
        asyncio.run(sleep.ainvoke({"seconds": 301}))


def test_sleep_maximum_is_read_from_env_at_call_time(monkeypatch):
    monkeypatch.setenv("STIGMER_SLEEP_TOOL_MAX_SECONDS", "1")
    with pytest.raises(ValueError, match="between 0 and 1,"):
        asyncio.run(sleep.ainvoke({"seconds": 2}))


def test_sleep_is_cancellable():
    async def cancel_midway():
        task = asyncio.create_task(sleep.ainvoke({"seconds": 30}))
        await asyncio.sleep(0.05)
        task.cancel()
        await task

    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_midway())
    assert time.monotonic() - started < 2


def test_registry_lists_the_builtin_tools():
    assert tool_names() == ["calculator", "current_time", "sleep"]
    assert set(TOOL_REGISTRY) == set(tool_names())


def test_get_tools_keeps_order_and_drops_duplicates():
    tools = get_tools(["sleep", "calculator", "sleep"])
    assert [t.name for t in tools] == ["sleep", "calculator"]


def test_get_tools_names_every_unknown_tool():
    with pytest.raises(UnknownToolError, match="unknown tool.*: search, web") as caught:
        get_tools(["calculator", "web", "search"])
    assert isinstance(caught.value, ValueError)
    assert "available: calculator, current_time, sleep" in str(caught.value)
