"""Built-in tools an agent can be given by name.

Tools raise on bad input; the graph's ToolNode turns the exception into a ToolMessage with
status="error" so the model sees the problem and the run goes on.
"""

import ast
import asyncio
import math
import operator
import os
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.tools import BaseTool, tool

SLEEP_MAX_ENV = "STIGMER_SLEEP_TOOL_MAX_SECONDS"
DEFAULT_SLEEP_MAX_SECONDS = 300.0

# Bounds that keep one calculator call cheap: a long input can nest deeply enough to hurt the
# parser, and an unchecked power such as 9**9**9 would run for minutes.
_MAX_EXPRESSION_LENGTH = 500
_MAX_INT_BITS = 4096

_BINARY_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY_OPS = {ast.UAdd: operator.pos, ast.USub: operator.neg}


class UnknownToolError(ValueError):
    """An agent asked for a tool that is not in the registry."""


def _check_power(base: int | float, exponent: int | float) -> None:
    # Estimate the size of the result before computing it: that is what makes 9**9**9 fail fast.
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        if exponent * math.log2(abs(base)) > _MAX_INT_BITS:
            raise ValueError(f"result of {base}**{exponent} is too large")


def _evaluate(node: ast.AST) -> int | float:
    if isinstance(node, ast.Constant):
        # bool is an int subclass, and complex numbers are not arithmetic we promise.
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        raise ValueError(f"unsupported constant {node.value!r}")
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPS:
        return _UNARY_OPS[type(node.op)](_evaluate(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_OPS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        result = _BINARY_OPS[type(node.op)](left, right)
        if isinstance(result, complex):  # e.g. (-8) ** 0.5
            raise ValueError("result is not a real number")
        if isinstance(result, int) and result.bit_length() > _MAX_INT_BITS:
            raise ValueError("result is too large")
        return result
    if isinstance(node, ast.Name):
        raise ValueError(f"names are not allowed: {node.id!r}")
    if isinstance(node, ast.Call):
        raise ValueError("function calls are not allowed")
    raise ValueError(f"unsupported syntax: {type(node).__name__}")


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression such as "(2 + 3) * 4" and return the result.

    Supports numbers, + - * / // % **, unary signs and parentheses.
    """
    if len(expression) > _MAX_EXPRESSION_LENGTH:
        raise ValueError(f"expression is longer than {_MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an arithmetic expression: {expression!r}") from exc
    try:
        result = _evaluate(tree.body)
    except ZeroDivisionError as exc:
        raise ValueError("division by zero") from exc
    except OverflowError as exc:
        raise ValueError("result is too large") from exc
    return str(result)


@tool
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
    raw = os.environ.get(SLEEP_MAX_ENV)
    if not raw:
        return DEFAULT_SLEEP_MAX_SECONDS
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{SLEEP_MAX_ENV} must be a number of seconds, got {raw!r}") from exc


@tool
async def sleep(seconds: float) -> str:
    """Wait for the given number of seconds, then report how long it slept."""
    limit = sleep_max_seconds()
    if not math.isfinite(seconds) or not 0 <= seconds <= limit:
        raise ValueError(f"seconds must be between 0 and {limit:g}, got {seconds}")
    # asyncio.sleep is cancellable, so cancelling the run interrupts the wait.
    await asyncio.sleep(seconds)
    return f"slept {float(seconds)} seconds"


TOOL_REGISTRY: dict[str, BaseTool] = {t.name: t for t in (calculator, current_time, sleep)}


def tool_names() -> list[str]:
    """Names of the built-in tools, sorted."""
    return sorted(TOOL_REGISTRY)


def get_tools(names: list[str]) -> list[BaseTool]:
    """The tools for the given names, in order and without duplicates."""
    unknown = sorted({name for name in names if name not in TOOL_REGISTRY})
    if unknown:
        raise UnknownToolError(
            f"unknown tool(s): {', '.join(unknown)}; available: {', '.join(tool_names())}"
        )
    return [TOOL_REGISTRY[name] for name in dict.fromkeys(names)]
