"""The demo MCP server `make run` attaches to the `assistant` agent: a small
toolbox on the official MCP SDK, started by the runner over stdio.

Run it by hand with `python runner/mcp/demo_server.py` (it speaks MCP on
stdin/stdout).
"""
from mcp.server.fastmcp import FastMCP

server = FastMCP("toolbox", log_level="WARNING")


@server.tool()
def word_count(text: str) -> str:
    """Count the words, lines and characters of a text."""
    counts = {"word": len(text.split()), "line": len(text.splitlines()) or 1, "character": len(text)}
    return ", ".join(f"{n} {unit}{'' if n == 1 else 's'}" for unit, n in counts.items())


@server.tool()
def convert_temperature(value: float, to: str) -> str:
    """Convert a temperature to "celsius" or "fahrenheit" (from the other one)."""
    unit = to.strip().lower()
    if unit == "celsius":
        return f"{value:g} °F = {(value - 32) * 5 / 9:.1f} °C"
    if unit == "fahrenheit":
        return f"{value:g} °C = {value * 9 / 5 + 32:.1f} °F"
    raise ValueError(f"'to' must be 'celsius' or 'fahrenheit', got {to!r}")


if __name__ == "__main__":
    server.run("stdio")
