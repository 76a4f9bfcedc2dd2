"""manage.py decide_tool_call, and run_agent asking at a terminal (or saying it waits)."""
import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from executions.models import AgentExecution, Phase, ToolCallDecisionRecord
from tests.approvals.conftest import finished, refund, refunded, waiting
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_decide_tool_call_approves_as_the_operator(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)
    out = io.StringIO()

    call_command("decide_tool_call", str(execution.pk), approval.tool_call_id, "approve", "--comment", "ok", stdout=out)

    assert "refund_order" in out.getvalue() and "approve recorded" in out.getvalue()
    assert finished(execution).phase == Phase.COMPLETED
    record = ToolCallDecisionRecord.objects.get(approval=approval)
    assert (record.surface, record.decided_by, record.comment) == ("command", None, "ok")
    assert refunded(7)


def test_decide_tool_call_edits_as_a_user(workers, shop, owner):
    execution, [approval] = waiting(shop, refund(7), owner=owner)

    call_command(
        "decide_tool_call", str(execution.pk), approval.tool_call_id, "edit", "--args", '{"number": 8}',
        "--user", "olivia", stdout=io.StringIO(),
    )

    assert finished(execution).phase == Phase.COMPLETED
    assert refunded(8)
    assert ToolCallDecisionRecord.objects.get(approval=approval).decided_by == owner


def test_decide_tool_call_errors_are_command_errors(workers, four_eyes_shop, owner):
    execution, [approval] = waiting(four_eyes_shop, refund(7), owner=owner)
    call_id = approval.tool_call_id

    with pytest.raises(CommandError, match="No execution"):
        call_command("decide_tool_call", "00000000-0000-0000-0000-000000000000", call_id, "approve")
    with pytest.raises(CommandError, match="--args is not JSON"):
        call_command("decide_tool_call", str(execution.pk), call_id, "edit", "--args", "{nope")
    with pytest.raises(CommandError, match="args: An edit gives"):
        call_command("decide_tool_call", str(execution.pk), call_id, "edit")
    with pytest.raises(CommandError, match="olivia may not decide"):
        call_command("decide_tool_call", str(execution.pk), call_id, "approve", "--user", "olivia")
    call_command("decide_tool_call", str(execution.pk), call_id, "reject", stdout=io.StringIO())
    with pytest.raises(CommandError, match="decided already"):
        call_command("decide_tool_call", str(execution.pk), call_id, "approve")
    assert finished(execution).phase == Phase.COMPLETED


def test_run_agent_without_a_terminal_says_it_waits(workers, shop, owner):
    out = io.StringIO()
    result: dict = {}

    def run():
        try:
            call_command("run_agent", "shop", refund(7), "--user", "olivia", stdout=out)
        except SystemExit as exit:
            result["code"] = exit.code

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(lambda: "[approval] waiting" in out.getvalue(), message="run_agent to say it waits")
    execution = AgentExecution.objects.get()
    approval = execution.approvals.get()
    assert f"decide_tool_call {execution.pk} {approval.tool_call_id}" in out.getvalue()
    call_command("decide_tool_call", str(execution.pk), approval.tool_call_id, "approve", stdout=io.StringIO())
    thread.join(60)

    assert "code" not in result, out.getvalue()  # exit 0 (COMPLETED) returns normally
    assert "[approval] refund_order approve (command)" in out.getvalue()
    assert out.getvalue().rstrip().endswith("[phase] COMPLETED")


def test_run_agent_at_a_terminal_asks_and_decides(workers, shop, owner, monkeypatch):
    answers = iter(["x", "r", "no refunds today"])
    command = "executions.management.commands.run_agent.Command"
    monkeypatch.setattr(f"{command}._at_terminal", lambda self: True)
    monkeypatch.setattr(f"{command}._prompt", lambda self, text: next(answers))
    out = io.StringIO()

    call_command("run_agent", "shop", refund(7), "--user", "olivia", stdout=out)

    execution = AgentExecution.objects.get()
    record = ToolCallDecisionRecord.objects.get(approval__execution=execution)
    assert (record.decision, record.comment, record.decided_by, record.surface) == (
        "reject", "no refunds today", owner, "command",
    )
    assert "[ai] The tool failed: Rejected by the approver: no refunds today" in out.getvalue()
    assert refunded()
