"""Read a session's memory straight from LangGraph's checkpointer, as the
runner left it (PostgreSQL with the test database, SQLite otherwise)."""
from django.conf import settings

from runner.checkpointer import postgres_conninfo


def session_memory(session) -> list[tuple[str, str]]:
    """(message type, content) of every message in the session's thread."""
    config = {"configurable": {"thread_id": f"thread-{session.pk}"}}
    conninfo = postgres_conninfo()
    if conninfo:
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(conninfo) as saver:
            found = saver.get_tuple(config)
    else:
        from langgraph.checkpoint.sqlite import SqliteSaver

        with SqliteSaver.from_conn_string(str(settings.STIGMER_CHECKPOINT_PATH)) as saver:
            found = saver.get_tuple(config)
    if found is None:
        return []
    return [(m.type, m.content) for m in found.checkpoint["channel_values"]["messages"]]


def human_turns(session) -> list[str]:
    return [content for kind, content in session_memory(session) if kind == "human"]
