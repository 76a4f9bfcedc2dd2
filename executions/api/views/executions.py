from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from executions.api.filters import ExecutionFilter
from executions.api.pagination import CreatedCursorPagination
from executions.api.throttles import CreatesPerAgent, CreatesPerUser
from executions.api.selectors import execution_list_for, execution_transcript, session_list_for
from executions.api.serializers.events import (
    EventOutputSerializer,
    EventPageSerializer,
    EventQuerySerializer,
)
from executions.api.serializers.executions import (
    ExecutionCreateInputSerializer,
    ExecutionDetailOutputSerializer,
    ExecutionOutputSerializer,
)
from executions.api.views.base import SingleValuedQueryMixin, UUIDLookupMixin, agent_by_slug
from executions.models import AgentExecution
from executions.selectors import execution_events_after
from executions.services.executions import execution_cancel, execution_create
from executions.services.records import execution_delete


def _detail(execution) -> dict:
    events = execution_events_after(execution_id=execution.pk, after=0)
    messages, tool_calls = execution_transcript(events=events)
    execution.transcript_messages = messages
    execution.transcript_tool_calls = tool_calls
    return ExecutionDetailOutputSerializer(execution).data


def _created(execution) -> dict:
    """The 201 body: the execution as its create wrote it (PENDING, no transcript
    yet: the runner writes the first message), with nothing read back."""
    execution.transcript_messages = []
    execution.transcript_tool_calls = []
    return ExecutionDetailOutputSerializer(execution, context={"created": True}).data


@extend_schema(tags=["executions"])
class ExecutionViewSet(SingleValuedQueryMixin, UUIDLookupMixin, viewsets.GenericViewSet):
    """One user message to an agent, run durably; yours, and others' with the matching permission."""

    queryset = AgentExecution.objects.none()  # for the schema; get_queryset scopes by user
    pagination_class = CreatedCursorPagination
    serializer_class = ExecutionOutputSerializer
    filterset_class = ExecutionFilter

    def get_queryset(self):
        return execution_list_for(user=self.request.user)

    def get_throttles(self):
        return [CreatesPerUser(), CreatesPerAgent()] if self.action == "create" else []

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ExecutionOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: ExecutionDetailOutputSerializer})
    def retrieve(self, request, pk=None):
        return Response(_detail(self.get_object()))

    @extend_schema(
        request=ExecutionCreateInputSerializer, responses={201: ExecutionDetailOutputSerializer}
    )
    def create(self, request):
        """Send a message: a new turn of its session (a new session unless given).
        While an earlier turn of the session is unfinished, `multitask_strategy`
        queues it (`start_error` says so), answers 409 (`reject`) or cancels the
        earlier turns (`interrupt`)."""
        serializer = ExecutionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = agent_by_slug(data["agent"])
        session = None
        if data.get("session"):
            session = session_list_for(user=request.user).filter(pk=data["session"]).first()
            if session is None:
                raise ValidationError({"session": [f"Unknown session {data['session']}."]})
        execution = execution_create(
            agent=agent, message=data["message"], owner=request.user,
            session=session, model=data.get("model") or "",
            multitask_strategy=data.get("multitask_strategy", ""),
        )
        return Response(_created(execution), status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Delete; a still-running execution is cancelled first."""
        execution_delete(execution=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: ExecutionDetailOutputSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel: PENDING at once, running through Temporal; 409 when already finished."""
        execution = execution_cancel(execution=self.get_object())
        return Response(_detail(execution))

    @extend_schema(
        parameters=[EventQuerySerializer], responses={200: EventPageSerializer}, filters=False
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None):
        """A page of the event log after sequence `after`, in order."""
        execution = self.get_object()
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = execution_events_after(execution_id=execution.pk, after=after, limit=limit + 1)
        page = events[:limit]
        return Response(
            {
                "results": EventOutputSerializer(page, many=True).data,
                "next_after": page[-1].sequence if page else after,
                "has_more": len(events) > limit,
                "terminal": execution.is_terminal,
            }
        )
