"""Pushing persisted events to live readers (Channels groups)."""
import logging

from executions.models import ExecutionEvent

logger = logging.getLogger(__name__)


def event_publish(*, event: ExecutionEvent) -> None:
    """Hook called after commit for every persisted event."""
    # Channels fan-out arrives with the live-progress work; readers today
    # (run_agent, the admin page) read the persisted log.
    return None


async def token_publish(*, execution_id: str, delta: str) -> None:
    """Push a streamed token delta to live readers; never persisted."""
    return None
