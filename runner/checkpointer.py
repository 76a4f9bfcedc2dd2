"""The LangGraph checkpointer that gives sessions their memory."""
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from django.conf import settings
from langgraph.checkpoint.base import BaseCheckpointSaver


@asynccontextmanager
async def open_checkpointer() -> AsyncIterator[BaseCheckpointSaver]:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    async with AsyncSqliteSaver.from_conn_string(str(settings.STIGMER_CHECKPOINT_PATH)) as saver:
        yield saver
