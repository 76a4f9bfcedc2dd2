"""Read a session's memory straight from LangGraph's checkpointer, as the
runner left it (PostgreSQL with the test database, SQLite otherwise)."""
from runner.checkpointer import sync_checkpointer


def session_memory(session) -> list[tuple[str, str]]:
    """(message type, content) of every message in the session's thread."""
    with sync_checkpointer() as saver:
        found = saver.get_tuple({"configurable": {"thread_id": f"thread-{session.pk}"}})
    if found is None:
        return []
    return [(m.type, m.content) for m in found.checkpoint["channel_values"]["messages"]]


def human_turns(session) -> list[str]:
    return [content for kind, content in session_memory(session) if kind == "human"]
