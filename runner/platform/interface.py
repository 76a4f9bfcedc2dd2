"""The interface the runner's two transports implement, and the errors they raise
(runner/platform/__init__.py chooses the transport)."""
from typing import Protocol

from stigmer.event_log import NewEvent
from stigmer.run_config import RunConfig


class SessionNotFound(LookupError):
    """EnsureThread for a session that does not exist (for that agent)."""


class UnknownCredentials(ValueError):
    """The agent names a credential the platform does not have."""


class DelegationRefused(Exception):
    """A sub-agent's execution could not be created; the parent's model reads why."""


class NotCancellable(Exception):
    """The execution is terminal already."""


class Platform(Protocol):
    async def run_start(self, execution_id: str, events: list[NewEvent]) -> RunConfig:
        """IN_PROGRESS then `events`, unless terminal; the run's configuration either way."""

    async def events_append(self, execution_id: str, events: list[NewEvent], usage: dict | None) -> None:
        """A batch of steps, in order, each keyed event once; nothing once terminal."""

    async def run_finish(
        self, execution_id: str, *, phase: str, events: list[NewEvent] = (), output: str | None = None,
        error: str = "", usage: dict | None = None,
    ) -> bool:
        """`events`, then the terminal `phase`; False when it was terminal already."""

    async def session_thread(self, session_id: str, agent_id: str) -> str:
        """The session's thread id, recorded on the session (SessionNotFound)."""

    async def credential_tokens(self, names: set[str]) -> dict[str, str]:
        """The named credentials' encrypted values (UnknownCredentials)."""

    async def token_push(self, execution_id: str, delta: str) -> None:
        """A streamed token delta for live readers; never persisted, never raises."""

    async def delegate(self, parent_id: str, agent_slug: str, message: str, tool: str) -> str:
        """A sub-agent's execution for this run: its id (DelegationRefused)."""

    async def execution_usage(self, execution_id: str) -> dict:
        """Its token totals so far: {"input_tokens", "output_tokens", "total_tokens"}."""

    async def execution_finished(self, execution_id: str) -> dict:
        """Wait until the execution is terminal: its {"phase", "output", "error"}."""

    async def cancel(self, execution_id: str) -> None:
        """Cancel an execution (NotCancellable when it is terminal)."""
