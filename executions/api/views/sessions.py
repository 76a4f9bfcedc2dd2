from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from executions.api.pagination import CreatedCursorPagination
from executions.api.selectors import execution_list_for, session_list_for
from executions.api.views.base import SingleValuedQueryMixin, UUIDLookupMixin, agent_by_slug
from executions.api.serializers.executions import ExecutionOutputSerializer
from executions.api.serializers.sessions import (
    SessionCreateInputSerializer,
    SessionDetailOutputSerializer,
    SessionOutputSerializer,
    SessionUpdateInputSerializer,
)
from executions.models import Session
from executions.services.records import session_create, session_delete, session_update


@extend_schema(tags=["sessions"])
class SessionViewSet(SingleValuedQueryMixin, UUIDLookupMixin, viewsets.GenericViewSet):
    """Conversations with one agent; yours, and others' with the matching permission."""

    queryset = Session.objects.none()  # for the schema; get_queryset scopes by user
    pagination_class = CreatedCursorPagination
    serializer_class = SessionOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return session_list_for(user=self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SessionOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: SessionDetailOutputSerializer})
    def retrieve(self, request, pk=None):
        """The session with its turns in order, their phases, and the queue."""
        return Response(SessionDetailOutputSerializer(self.get_object()).data)

    @extend_schema(request=SessionCreateInputSerializer, responses={201: SessionOutputSerializer})
    def create(self, request):
        serializer = SessionCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agent = agent_by_slug(data["agent"])
        session = session_create(agent=agent, owner=request.user, subject=data.get("subject", ""))
        return Response(SessionOutputSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionUpdateInputSerializer, responses={200: SessionOutputSerializer})
    def partial_update(self, request, pk=None):
        session = self.get_object()
        serializer = SessionUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = session_update(session=session, **serializer.validated_data)
        return Response(SessionOutputSerializer(session).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        session_delete(session=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: ExecutionOutputSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def executions(self, request, pk=None):
        """The session's executions, newest first."""
        session = self.get_object()
        queryset = execution_list_for(user=request.user).filter(session=session)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ExecutionOutputSerializer(page, many=True).data)
