"""Sessions: conversations whose LangGraph thread spans executions."""
from executions.models import Session


class SessionNotFound(LookupError):
    pass


def session_thread_ensure(*, session_id, agent_id) -> str:
    """Record the session's LangGraph thread id (idempotent) and return it.

    The id is a pure function of the session, so two racing calls agree.
    """
    session = Session.objects.filter(pk=session_id, agent_id=agent_id).first()
    if session is None:
        raise SessionNotFound(f"No session {session_id} for agent {agent_id}.")
    if not session.thread_id:
        thread_id = f"thread-{session.pk}"
        Session.objects.filter(pk=session.pk, thread_id="").update(thread_id=thread_id)
        session.refresh_from_db(fields=["thread_id"])
    return session.thread_id
