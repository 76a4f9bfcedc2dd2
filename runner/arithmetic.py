"""Safe arithmetic for the calculator tool: an AST walk, no `eval`.

Free of Django so the benchmarks' LangGraph Server peer can import it too.
"""

import ast
import math
import operator

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


def calculate(expression: str) -> str:
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
