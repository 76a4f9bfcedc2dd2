"""The create pipeline: validate → defaults and the session's turn → persist PENDING → start after commit.

A turn queued behind an unfinished one of its session is not started here:
the earlier turn's end hands the session over (services/turns.py).

It runs from the post_save receiver inside the atomic save(), so a step that
raises rolls the insert back and nothing is saved.
"""
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from executions.budgets import budgets_check
from executions.errors import RunningLimitReached
from executions.permissions import may_choose_model
from executions.models import Agent, AgentExecution, EventType, MultitaskStrategy, Phase, Session
from executions.pricing import model_price
from executions.services.events import NewEvent, events_append_locked
from executions.services.executions import session_turns_interrupt
from executions.services.turns import (
    session_turn_claim,
    session_turn_strategy,
    session_turn_waiting_events,
)
from executions.services.workflows import execution_workflow_start_loaded
from executions.temporal.contract import workflow_id_for
from stigmer.tracing import span, traceparent_current


def execution_validate(execution: AgentExecution) -> None:
    """Raise a ValidationError with a message per offending field."""
    errors: dict[str, str] = {}
    message = (execution.message or "").strip()
    limit = settings.STIGMER_MAX_MESSAGE_CHARS
    if not message:
        errors["message"] = "The message is empty."
    elif "\x00" in execution.message:
        errors["message"] = "The message contains null characters."
    elif len(execution.message) > limit:
        errors["message"] = f"The message has {len(execution.message)} characters; at most {limit} are allowed."
    # The agent the caller just picked (a form's or serializer's choice) is
    # read once per create, not again here.
    cached = AgentExecution.agent.is_cached(execution)
    agent = execution.agent if cached else Agent.objects.filter(pk=execution.agent_id).first()
    if agent is not None and not cached:
        execution.agent = agent  # read once: the prices step below needs its model
    if agent is None:
        errors["agent"] = f"Unknown agent {execution.agent_id!r}."
    elif not agent.enabled:
        errors["agent"] = f"Agent {agent.slug!r} is disabled."
    if execution.session_id and agent is not None:
        session = Session.objects.filter(pk=execution.session_id).first()
        if session is None:
            errors["session"] = f"Unknown session {execution.session_id}."
        elif session.agent_id != agent.pk:
            errors["session"] = f"Session {session.pk} belongs to another agent."
        elif session.owner_id != execution.owner_id:
            errors["session"] = f"Session {session.pk} belongs to another owner."
    if execution.depth > settings.STIGMER_MAX_DELEGATION_DEPTH:
        errors["parent"] = (
            f"Delegation {execution.depth} levels deep; at most "
            f"{settings.STIGMER_MAX_DELEGATION_DEPTH} are allowed (STIGMER_MAX_DELEGATION_DEPTH)."
        )
    if execution.multitask_strategy and execution.multitask_strategy not in MultitaskStrategy.values:
        errors["multitask_strategy"] = (
            f"Unknown strategy {execution.multitask_strategy!r}; one of {', '.join(MultitaskStrategy.values)}."
        )
    if execution.model:
        from runner.llms.resolve import UnknownModelError, parse_model_spec

        try:
            parse_model_spec(execution.model)
        except UnknownModelError as exc:
            errors["model"] = str(exc)
        else:
            if agent is not None and not may_choose_model(execution.owner, agent, execution.model):
                allowed = ", ".join([agent.model, *agent.allowed_models])
                errors["model"] = f"Agent {agent.slug!r} runs on {allowed}; you may not choose {execution.model!r}."
    if errors:
        raise ValidationError(errors)
    _check_running_limit(execution)
    budgets_check(agent=agent, owner_id=execution.owner_id)


def _check_running_limit(execution: AgentExecution) -> None:
    limit = settings.STIGMER_MAX_RUNNING_PER_USER
    # A delegation's child is bounded by its parent, which counted already.
    if not limit or execution.owner_id is None or execution.parent_id is not None:
        return
    unfinished = (
        AgentExecution.objects.filter(owner_id=execution.owner_id, phase__in=Phase.unfinished())
        .exclude(pk=execution.pk)
        .count()
    )
    if unfinished >= limit:
        raise RunningLimitReached(
            f"You have {unfinished} executions running or waiting to run; at most {limit} are allowed. "
            "Wait for one to finish, or cancel one."
        )


def _apply_defaults(execution: AgentExecution) -> tuple[dict, list]:
    """The session (a new one unless given) and the execution's turn in it:
    its fields, and the earlier unfinished turns it waits for."""
    if execution.session_id is None:
        execution.session = Session.objects.create(
            agent_id=execution.agent_id, owner_id=execution.owner_id, subject=execution.message[:200],
            last_turn=1,
        )
        return {"turn": 1, "multitask_strategy": session_turn_strategy(execution)}, []
    return session_turn_claim(execution)


def _persist_pending(execution: AgentExecution, turn_fields: dict, ahead: list) -> None:
    # Whatever status the caller set is dropped: every execution starts PENDING.
    # Its model's prices are frozen now: its cost is computed from them.
    input_price, output_price = model_price(spec=execution.model_spec)
    fields = {
        "input_price": input_price, "output_price": output_price, "traceparent": traceparent_current(),
        "session": execution.session, "phase": Phase.PENDING, "output": "", "error": "",
        "input_tokens": 0, "output_tokens": 0, "total_tokens": 0,
        "started_at": None, "completed_at": None, "workflow_started_at": None, "start_error": "",
        "workflow_id": workflow_id_for(str(execution.pk)), "updated_at": timezone.now(),
        **turn_fields,
    }
    # The in-memory record is what the workflow start after commit reads.
    for name, value in fields.items():
        setattr(execution, name, value)
    execution.last_sequence = 0
    # One UPDATE resets the row and counts PENDING, sequence 1. The row was
    # inserted by this transaction: nobody else can hold it yet.
    events_append_locked(
        execution=execution,
        events=[NewEvent(EventType.PHASE, {"phase": Phase.PENDING}), *session_turn_waiting_events(ahead)],
        fields=fields,
    )


def execution_create_pipeline(*, execution: AgentExecution) -> None:
    # The execution's trace starts here (under the request's span, if any);
    # the start after commit and every later step join it by its traceparent.
    with span("execution.create", {"stigmer.execution_id": str(execution.pk), "stigmer.agent_id": execution.agent_id}):
        execution_validate(execution)
        turn_fields, ahead = _apply_defaults(execution)
        _persist_pending(execution, turn_fields, ahead)
    if not ahead:
        transaction.on_commit(partial(execution_workflow_start_loaded, execution=execution))
    elif execution.multitask_strategy == MultitaskStrategy.INTERRUPT:
        # Queued like `enqueue`; the earlier turns' ends hand the session over.
        transaction.on_commit(partial(session_turns_interrupt, execution=execution, ahead=ahead))
