"""ORM access from async activities: off the event loop, stale connections
closed around each call (Channels' database_sync_to_async), and writes retried
with backoff when the connection drops. Retried writes carry idempotency keys,
so a write whose commit went through before the drop is never doubled.

A write makes no health check (`CONN_HEALTH_CHECKS`: a `SELECT 1` before the
first query of each call): a dead connection fails the write, which drops it
and retries, so the check would only add a round trip and a transaction to
every write."""
import asyncio
import functools
import logging

from channels.db import database_sync_to_async as db
from django.db import InterfaceError, OperationalError, connection
from stigmer.config import env

logger = logging.getLogger(__name__)

__all__ = ["db", "db_write"]


def _drop_connection() -> None:
    connection.close()


def _unchecked(fn):
    """`fn` on the connection as it is: Django checks a connection at the first
    query after each call's cleanup, unless told the check was done."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        connection.health_check_done = True
        return fn(*args, **kwargs)

    return run


# Built once per function: callers wrap at each call, and making a
# SyncToAsync costs more than the thread hop it schedules.
@functools.cache
def db_write(fn):
    off_loop = db(_unchecked(fn))

    async def call(*args, **kwargs):
        retries, delay = env("STIGMER_DB_WRITE_RETRIES"), 0.1
        for attempt in range(1, retries + 1):
            try:
                return await off_loop(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if attempt == retries:
                    raise
                logger.warning("database write failed (%s); retry %d in %.1fs", exc, attempt, delay)
                await db(_drop_connection)()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    return call
