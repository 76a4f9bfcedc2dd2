from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from executions.api.pagination import SlugCursorPagination
from executions.api.permissions import AgentPermission
from executions.api.views.base import SingleValuedQueryMixin
from executions.api.serializers.agents import AgentInputSerializer, AgentOutputSerializer
from executions.models import Agent
from executions.services.records import agent_create, agent_delete, agent_update


@extend_schema(tags=["agents"])
class AgentViewSet(SingleValuedQueryMixin, viewsets.GenericViewSet):
    """Agents: readable by every signed-in user; writing needs the agent permissions."""

    queryset = Agent.objects.prefetch_related("mcp_servers")
    lookup_field = "slug"
    permission_classes = [AgentPermission]
    pagination_class = SlugCursorPagination
    serializer_class = AgentOutputSerializer
    filter_backends: list = []

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self._out(page, many=True).data)

    def retrieve(self, request, slug=None):
        return Response(self._out(self.get_object()).data)

    @extend_schema(request=AgentInputSerializer, responses={201: AgentOutputSerializer})
    def create(self, request):
        serializer = AgentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agent = agent_create(owner=request.user, **serializer.validated_data)
        return Response(self._out(agent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AgentInputSerializer, responses={200: AgentOutputSerializer})
    def update(self, request, slug=None):
        return self._update(request, partial=False)

    @extend_schema(request=AgentInputSerializer(partial=True), responses={200: AgentOutputSerializer})
    def partial_update(self, request, slug=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, slug=None):
        agent_delete(agent=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool):
        agent = self.get_object()
        serializer = AgentInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        agent = agent_update(agent=agent, **serializer.validated_data)
        return Response(self._out(agent).data)

    def _out(self, agent, many: bool = False) -> AgentOutputSerializer:
        return AgentOutputSerializer(agent, many=many, context={"request": self.request})
