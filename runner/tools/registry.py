"""Every tool an agent may name, from the runner's built-ins and any installed app.

Each installed app's `agent_tools.py` is imported at start-up, as Django's
admin imports `admin.py`, and its `@agent_tool` functions register themselves
here. The runner's built-ins (runner/agent_tools.py) are found the same way.
"""
import re
from dataclasses import dataclass

from langchain_core.tools import BaseTool

from runner.tools.wrapping import DEFAULT, tool_from

BUILTIN_APP = "runner"
# What every provider accepts as a function name; "__" is kept for MCP tools
# (<server>__<tool>), so a project tool can never shadow one.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class UnknownToolError(ValueError):
    """An agent asked for a tool that is not in the registry."""


class ToolRegistrationError(ValueError):
    """A tool that cannot be registered: a bad name, or one already taken."""


@dataclass(frozen=True)
class RegisteredTool:
    tool: BaseTool
    module: str  # where it was registered from, which names its app

    @property
    def name(self) -> str:
        return self.tool.name

    @property
    def app(self) -> str | None:
        from django.apps import apps

        config = apps.get_containing_app_config(self.module)
        return config.label if config else None

    @property
    def source(self) -> str:
        return "built-in" if self.app == BUILTIN_APP else "app"


_registry: dict[str, RegisteredTool] = {}


def agent_tool(target=None, /, *, name: str | None = None, description: str | None = None,
               timeout=DEFAULT):
    """Register a function (sync or async) or a LangChain tool for agents to use.

    As a decorator, bare or with options: `@agent_tool`, `@agent_tool(timeout=5)`.
    `timeout` is in seconds (None: no limit; default STIGMER_TOOL_TIMEOUT_SECONDS).
    Returns what it was given, so the function stays an ordinary function.
    """
    def register(target):
        tool = tool_from(target, name=name, description=description, timeout=timeout)
        _add(RegisteredTool(tool=tool, module=_module_of(target)))
        return target

    return register if target is None else register(target)


def _module_of(target) -> str:
    if isinstance(target, BaseTool):
        func = getattr(target, "coroutine", None) or getattr(target, "func", None)
        return (func or type(target)).__module__
    return target.__module__


def _add(entry: RegisteredTool) -> None:
    name = entry.name
    if not _NAME.match(name) or "__" in name:
        raise ToolRegistrationError(
            f"tool name {name!r} must be 1-64 letters, digits, '_' or '-', without '__'"
        )
    taken = _registry.get(name)
    if taken is not None and taken.module != entry.module:
        raise ToolRegistrationError(
            f"tool {name!r} from {entry.module} is already registered by {taken.module}"
        )
    _registry[name] = entry


def tools_autodiscover() -> None:
    """Import every installed app's agent_tools module (called once, at start-up)."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("agent_tools")


def registered_tools() -> list[RegisteredTool]:
    """Every registered tool, by name."""
    return [_registry[name] for name in sorted(_registry)]


def tool_names() -> list[str]:
    return sorted(_registry)


def get_tools(names: list[str]) -> list[BaseTool]:
    """The tools for the given names, in order and without duplicates."""
    unknown = sorted({name for name in names if name not in _registry})
    if unknown:
        raise UnknownToolError(
            f"unknown tool(s): {', '.join(unknown)}; available: {', '.join(tool_names())}"
        )
    return [_registry[name].tool for name in dict.fromkeys(names)]
