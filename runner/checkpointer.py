"""The LangGraph checkpointer that gives sessions their memory.

PostgreSQL-backed (a connection pool) when Django's database is PostgreSQL,
SQLite otherwise, and always on a runner that reaches the platform through
the runner API (STIGMER_PLATFORM_URL). One saver per event loop, its tables set up once, on first
use, idempotently (LangGraph's own migrations). The pool survives a database
blink (stigmer/postgresql/pools.py) and a statement cut off mid-way is retried
(runner/checkpoint_retry.py): every call the agent makes is idempotent.
"""
import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from django.conf import settings
from django.db import connections
from langgraph.checkpoint.base import BaseCheckpointSaver

_savers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BaseCheckpointSaver]" = (
    weakref.WeakKeyDictionary()
)
_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = (
    weakref.WeakKeyDictionary()
)


def postgres_conninfo() -> str | None:
    from runner.platform import remote_url

    # A runner that reaches the platform through the runner API holds no database
    # credentials: its checkpoints stay in its own SQLite file (docs/temporal-contract.md).
    if remote_url() or connections["default"].vendor != "postgresql":
        return None
    from psycopg.conninfo import make_conninfo

    from stigmer.postgresql.pools import CHECKPOINTER_APPLICATION_NAME

    db = connections["default"].settings_dict
    parts = {"dbname": db["NAME"], "user": db["USER"], "password": db["PASSWORD"],
             "host": db["HOST"], "port": str(db["PORT"] or ""),
             "application_name": CHECKPOINTER_APPLICATION_NAME}
    return make_conninfo(**{key: value for key, value in parts.items() if value})


CHECKPOINTER_POOL = "checkpointer"
SETUP_LOCK = 0x5715_3E7C  # a PostgreSQL advisory lock id of our own


async def _setup_alone(pool, saver) -> None:
    """LangGraph's migrations (CREATE INDEX CONCURRENTLY among them) deadlock
    when two runner processes start on a fresh database at once: one
    process at a time runs them, the others then find them done."""
    async with pool.connection() as conn:
        # Polled, not waited for: a session blocked in pg_advisory_lock holds a
        # snapshot, which CREATE INDEX CONCURRENTLY would wait for in turn.
        while not (await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS ok", (SETUP_LOCK,))).fetchone())["ok"]:
            await asyncio.sleep(0.1)
        try:
            await saver.setup()
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


async def _create() -> BaseCheckpointSaver:
    conninfo = postgres_conninfo()
    if conninfo:
        from psycopg.rows import dict_row

        from runner.checkpoint_retry import RetryingPostgresSaver
        from stigmer.postgresql.pools import RecoveringAsyncConnectionPool

        pool = RecoveringAsyncConnectionPool(
            conninfo,
            name=CHECKPOINTER_POOL,
            min_size=1,
            max_size=10,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
        )
        await pool.open()
        saver = RetryingPostgresSaver(conn=pool)
        await _setup_alone(pool, saver)
        return saver
    else:
        import aiosqlite
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        saver = AsyncSqliteSaver(await aiosqlite.connect(str(settings.STIGMER_CHECKPOINT_PATH)))
    await saver.setup()
    return saver


@asynccontextmanager
async def open_checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    loop = asyncio.get_running_loop()
    lock = _locks.setdefault(loop, asyncio.Lock())
    async with lock:
        if loop not in _savers:
            _savers[loop] = await _create()
    yield _savers[loop]


async def checkpointer_close() -> None:
    """Release this loop's saver (its pool or connection) at worker shutdown."""
    saver = _savers.pop(asyncio.get_running_loop(), None)
    if saver is None:
        return
    conn = getattr(saver, "conn", None)
    if conn is not None:
        await conn.close()


@contextmanager
def sync_checkpointer() -> Iterator[BaseCheckpointSaver]:
    """A synchronous saver on the same store, for sync callers outside the
    runner's loop (the retention job deleting idle sessions' threads)."""
    conninfo = postgres_conninfo()
    if conninfo:
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(conninfo) as saver:
            yield saver
    else:
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(str(settings.STIGMER_CHECKPOINT_PATH)) as saver:
            yield saver


def checkpoint_thread_delete(saver: BaseCheckpointSaver, thread_id: str) -> None:
    """Delete a thread's checkpoints; a store no runner has set up yet holds none."""
    try:
        saver.delete_thread(thread_id)
    except Exception as exc:
        if type(exc).__name__ != "UndefinedTable":  # psycopg: no checkpoint tables yet
            raise
