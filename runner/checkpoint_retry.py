"""Checkpoint reads and writes retried when the database connection drops.

A database blink can cut a statement off mid-way even on a connection that
was checked a moment before. Every call the agent makes on the saver is
idempotent (reads, and upserts keyed by thread, checkpoint and task), so it
is retried on a fresh connection instead of failing a run whose answer may
already be written.
"""
import asyncio
import logging

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg_pool import PoolTimeout
from stigmer.config import env

logger = logging.getLogger(__name__)


async def _idempotent(call, *args, **kwargs):
    attempts = env("STIGMER_DB_WRITE_RETRIES")
    delay = 0.1
    for attempt in range(1, attempts + 1):
        try:
            return await call(*args, **kwargs)
        except PoolTimeout:
            raise  # the pool already waited its timeout for a connection
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if attempt == attempts:
                raise
            logger.warning("checkpoint %s failed (%s); retry %d in %.1fs",
                           call.__name__, str(exc).strip(), attempt, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


class RetryingPostgresSaver(AsyncPostgresSaver):
    async def aget_tuple(self, config):
        return await _idempotent(super().aget_tuple, config)

    async def aput(self, config, checkpoint, metadata, new_versions):
        return await _idempotent(super().aput, config, checkpoint, metadata, new_versions)

    async def aput_writes(self, config, writes, task_id, task_path=""):
        return await _idempotent(super().aput_writes, config, writes, task_id, task_path)
