"""manage.py run_agent: follows live, exit status by final phase, CommandError for bad input."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from executions.models import Agent, AgentExecution

pytestmark = pytest.mark.django_db(transaction=True)


def run_agent(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("run_agent", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_run_agent_shows_tool_call_and_answer_and_exits_zero(workers, demo_agent):
    code, out = run_agent("demo", "What is 6*7?")

    assert code == 0
    assert "scripted:demo (offline scripted model)" in out
    assert '[tool] calculator({"expression": "6*7"})' in out
    assert "[tool] calculator → 42" in out
    assert "[ai] The result is 42." in out
    assert out.rstrip().endswith("[phase] COMPLETED")


def test_run_agent_continues_a_session(workers, demo_agent):
    run_agent("demo", "Remember the word pelican.")
    session_id = str(AgentExecution.objects.get().session_id)

    code, out = run_agent("demo", "What did I ask before?", "--session", session_id)

    assert code == 0 and "pelican" in out


def test_run_agent_exits_one_on_failure(workers):
    Agent.objects.create(slug="broken", name="Broken", model="scripted:fail")

    code, out = run_agent("broken", "hello")

    assert code == 1
    assert "[phase] FAILED: agent failed: RuntimeError: scripted model failure" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("nobody", "hi"), "Unknown agent 'nobody'."),
        (("demo", "   "), "message: The message is empty."),
        (("demo", "hi", "--session", "not-a-uuid"), "Unknown session 'not-a-uuid'."),
        (("demo", "hi", "--user", "ghost"), "Unknown user 'ghost'."),
    ],
)
def test_run_agent_rejects_bad_input(temporal_env, demo_agent, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("run_agent", *args)
    assert AgentExecution.objects.count() == 0


def test_cancel_execution_of_unknown_id_is_a_command_error(db):
    with pytest.raises(CommandError, match="No execution"):
        call_command("cancel_execution", "00000000-0000-0000-0000-000000000000")
