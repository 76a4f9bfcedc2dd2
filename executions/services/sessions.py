"""Sessions: conversations whose LangGraph thread spans executions."""
from executions.models import Session


class SessionNotFound(LookupError):
    pass


def session_thread_ensure(*, session_id, agent_id) -> str:
    """Record the session's LangGraph thread id (idempotent) and return it.

    The id is a pure function of the session, so two racing calls agree.
    """
    sessions = Session.objects.filter(pk=session_id, agent_id=agent_id)
    thread_id = f"thread-{session_id}"
    # A new session's first run: one statement. Later runs read what is set.
    if sessions.filter(thread_id="").update(thread_id=thread_id):
        return thread_id
    existing = sessions.values_list("thread_id", flat=True).first()
    if existing is None:
        raise SessionNotFound(f"No session {session_id} for agent {agent_id}.")
    return existing
