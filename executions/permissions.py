"""Who may see and act on what: one rule for every surface.

Owners see and act on their own sessions and executions. Seeing or acting on
another user's needs the model permission for that action: `view`, `change`,
`delete`, or `cancel` (`executions.cancel_agentexecution`). The staff flag
alone grants nothing: it only lets a user into the admin, where the same
rules apply. Agents are readable by every signed-in user; writing them, and
reading their model options, needs the agent permissions. Credentials need their
model permissions for every act, reading their names included; their values are
never readable (runner/credentials.py is the one place that decrypts them). Webhook
endpoints likewise need their model permissions for every act, reading included (their
deliveries quote every execution's outcome); redelivering needs change_webhookendpoint.

A tool call waiting for approval is decided by whom its agent's policy names:
the execution's owner (or a holder of `executions.approve_agentexecution`), or,
four-eyes, only holders of that permission and never the owner.

The admin, the API, the WebSocket and SSE streams and the commands all ask
here, so a surface added later cannot forget a rule: tests/access runs the
whole table against each of them.
"""
from enum import StrEnum

from django.db.models import Model, QuerySet


class Act(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    DELETE = "delete"
    CANCEL = "cancel"


def signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_for_everyone(user, model: type[Model], act: str) -> bool:
    """May `user` do `act` on records of `model` that others own?"""
    meta = model._meta
    return signed_in(user) and user.has_perm(f"{meta.app_label}.{act}_{meta.model_name}")


def may(user, act: str, record: Model) -> bool:
    """May `user` do `act` on this session or execution?"""
    if not signed_in(user):
        return False
    return record.owner_id == user.pk or may_for_everyone(user, type(record), act)


def visible(queryset: QuerySet, *, user, act: str = Act.VIEW) -> QuerySet:
    """The records of `queryset` that `user` may do `act` on."""
    if not signed_in(user):
        return queryset.none()
    if may_for_everyone(user, queryset.model, act):
        return queryset
    return queryset.filter(owner=user)


def may_act_for_others(user) -> bool:
    """May `user` create executions and sessions owned by someone else (the
    admin's owner field)? Only who may change everyone's executions."""
    from executions.models import AgentExecution

    return may_for_everyone(user, AgentExecution, Act.CHANGE)


def may_rerun(user, execution) -> bool:
    """A re-run is a new turn of the same session, owned by its owner."""
    return signed_in(user) and (execution.owner_id == user.pk or may_act_for_others(user))


def may_choose_model(user, agent, spec: str) -> bool:
    """The model is the agent's: a run may name another only from the agent's
    allowlist, or with executions.choose_model. Code acting for nobody
    (owner None: the operator's shell) may choose."""
    if not spec or spec == agent.model or spec in agent.allowed_models or user is None:
        return True
    return signed_in(user) and user.has_perm("executions.choose_model")


APPROVE_PERMISSION = "executions.approve_agentexecution"


def may_approve_for_others(user) -> bool:
    return signed_in(user) and user.has_perm(APPROVE_PERMISSION)


def may_decide(user, execution) -> bool:
    """May `user` approve, edit or reject this execution's waiting tool calls?
    Code acting for nobody (user None: the operator's shell) may."""
    from executions.models import ApprovalDeciders

    if user is None:
        return True
    if not signed_in(user):
        return False
    is_owner = execution.owner_id is not None and execution.owner_id == user.pk
    if execution.agent.approval_deciders == ApprovalDeciders.APPROVERS:
        return may_approve_for_others(user) and not is_owner
    return is_owner or may_approve_for_others(user)


def may_see_approvals(user, execution) -> bool:
    """The waiting calls and their decisions: whoever may see the execution, or decide on it."""
    return may(user, Act.VIEW, execution) or (signed_in(user) and may_decide(user, execution))


def may_edit_agents(user) -> bool:
    from executions.models import Agent

    return may_for_everyone(user, Agent, Act.CHANGE)


def may_redeliver_webhooks(user) -> bool:
    """Who may change webhook endpoints may send their events again."""
    from executions.models import WebhookEndpoint

    return may_for_everyone(user, WebhookEndpoint, Act.CHANGE)
