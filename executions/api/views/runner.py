"""The runner API: everything a runner does besides Temporal, for runners only.

Each view is a thin door onto the service the in-process runner calls
(executions/runner_platform.py), so the log's rules (order, idempotency keys,
nothing after terminal) have one implementation. docs/temporal-contract.md,
"The runner API", shows every call as JSON.
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from asgiref.sync import async_to_sync
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.api.authentication import RunnerTokenAuthentication
from executions.api.permissions import IsRunner
from executions.api.serializers import runner as bodies
from executions.live import token_publish
from executions.models import AgentExecution
from executions.selectors import UnknownCredentials, credential_tokens, execution_state
from executions.services.delegation import DelegationRefused, execution_delegate
from executions.services.events import NewEvent, execution_events_append
from executions.services.executions import execution_cancel
from executions.services.phases import execution_phase_set, execution_run_start
from executions.services.sessions import SessionNotFound, session_thread_ensure
from stigmer.run_config import run_config_to_json


def _events(rows) -> list[NewEvent]:
    return [NewEvent(row["type"], row["data"], row["key"]) for row in rows]


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _state(execution_id) -> dict:
    try:
        return execution_state(execution_id=execution_id)
    except (AgentExecution.DoesNotExist, DjangoValidationError, ValueError):
        raise NotFound(f"No execution {execution_id}.") from None


@extend_schema(tags=["runner"])
class RunnerView(APIView):
    """Runners only: `Authorization: Runner <token>`; a user's token is 403."""

    # User schemes after the runner's, so a user's token is recognised, then refused with 403.
    authentication_classes = [RunnerTokenAuthentication, TokenAuthentication, SessionAuthentication]
    permission_classes = [IsRunner]
    throttle_classes: list = []


class RunStartView(RunnerView):
    @extend_schema(
        operation_id="runner_run_start",
        summary="Mark a run started and read its configuration",
        description="IN_PROGRESS with `events` after it, in one transaction, unless the execution is "
                    "terminal already (then nothing is written and `phase` says so: run nothing). "
                    "Idempotent: a second start changes nothing and answers the same configuration.",
        request=bodies.RunStartInputSerializer, responses={200: bodies.RunConfigSerializer},
    )
    def post(self, request, id):
        data = _valid(bodies.RunStartInputSerializer, request)
        _state(id)
        config = execution_run_start(execution_id=id, following=_events(data["events"]))
        return Response(run_config_to_json(config))


class ExecutionStateView(RunnerView):
    @extend_schema(operation_id="runner_execution_state", summary="An execution's phase, output and error",
                   responses={200: bodies.ExecutionStateSerializer})
    def get(self, request, id):
        return Response(_state(id))


class EventsView(RunnerView):
    @extend_schema(
        operation_id="runner_events_append",
        summary="Append a batch of steps to the event log",
        description="In order, in one transaction; a keyed event already written is skipped (a retry "
                    "after a lost reply writes nothing twice); nothing is written once the execution "
                    "is terminal (`sequences` empty, `phase` terminal: stop the agent).",
        request=bodies.EventsInputSerializer, responses={200: bodies.EventsOutputSerializer},
    )
    def post(self, request, id):
        data = _valid(bodies.EventsInputSerializer, request)
        _state(id)
        written = execution_events_append(execution_id=id, events=_events(data["events"]), fields=data["usage"])
        return Response({"sequences": [event.sequence for event in written], "phase": _state(id)["phase"]})


class FinishView(RunnerView):
    @extend_schema(
        operation_id="runner_run_finish",
        summary="Record the run's end: a terminal phase, with its last steps",
        description="`events`, then the phase (with output, error and usage totals), in one transaction. "
                    "Terminal phases never change again: `changed` is false when it was terminal already.",
        request=bodies.FinishInputSerializer, responses={200: bodies.FinishOutputSerializer},
    )
    def post(self, request, id):
        data = _valid(bodies.FinishInputSerializer, request)
        _state(id)
        changed = execution_phase_set(
            execution_id=id, phase=data["phase"], output=data["output"], error=data["error"],
            usage=data["usage"], preceding=_events(data["events"]),
        )
        return Response({"changed": changed, "phase": _state(id)["phase"]})


class TokenView(RunnerView):
    @extend_schema(operation_id="runner_token_push", summary="Push a streamed token delta to live readers",
                   description="Never persisted; a push that fails is dropped.",
                   request=bodies.TokenInputSerializer, responses={204: None})
    def post(self, request, id):
        data = _valid(bodies.TokenInputSerializer, request)
        async_to_sync(token_publish)(execution_id=str(id), delta=data["delta"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionThreadView(RunnerView):
    @extend_schema(
        operation_id="runner_session_thread",
        summary="Record the session's LangGraph thread (EnsureThread)",
        description="Idempotent: the thread id is a pure function of the session.",
        request=bodies.ThreadInputSerializer,
        responses={200: bodies.ThreadOutputSerializer, 404: OpenApiResponse(description="No such session for that agent")},
    )
    def post(self, request, id):
        data = _valid(bodies.ThreadInputSerializer, request)
        try:
            return Response({"thread_id": session_thread_ensure(session_id=id, agent_id=data["agent_id"])})
        except (SessionNotFound, DjangoValidationError, ValueError) as exc:
            raise NotFound(str(exc) if isinstance(exc, SessionNotFound) else f"No session {id}.") from None


class CredentialsView(RunnerView):
    @extend_schema(
        operation_id="runner_credentials",
        summary="The named credentials, encrypted",
        description="Fernet tokens, decrypted by the runner with STIGMER_CREDENTIALS_KEY; an unknown "
                    "name is a 400 on `names`.",
        request=bodies.CredentialsInputSerializer, responses={200: bodies.CredentialsOutputSerializer},
    )
    def post(self, request):
        data = _valid(bodies.CredentialsInputSerializer, request)
        try:
            return Response({"credentials": credential_tokens(names=data["names"])})
        except UnknownCredentials as exc:
            raise ValidationError({"names": [str(exc)]}) from None


class DelegationView(RunnerView):
    @extend_schema(
        operation_id="runner_delegate",
        summary="Create a sub-agent's execution for this run",
        description="Through the create pipeline, one delegation level deeper; the delegation is "
                    "recorded in this run's log. A refusal is a 400 on `agent`.",
        request=bodies.DelegationInputSerializer, responses={201: bodies.DelegationOutputSerializer},
    )
    def post(self, request, id):
        data = _valid(bodies.DelegationInputSerializer, request)
        _state(id)
        try:
            child = execution_delegate(parent_id=id, agent_slug=data["agent"], message=data["message"],
                                       tool=data["tool"])
        except DelegationRefused as exc:
            raise ValidationError({"agent": [str(exc)]}) from None
        return Response({"execution": str(child.pk), "depth": child.depth}, status=status.HTTP_201_CREATED)


class CancelView(RunnerView):
    @extend_schema(operation_id="runner_cancel", summary="Cancel an execution (a sub-agent's, when its parent stops)",
                   request=None, responses={202: bodies.ExecutionStateSerializer,
                                            409: OpenApiResponse(description="Already terminal")})
    def post(self, request, id):
        _state(id)
        execution_cancel(execution=AgentExecution.objects.get(pk=id))
        return Response(_state(id), status=status.HTTP_202_ACCEPTED)
