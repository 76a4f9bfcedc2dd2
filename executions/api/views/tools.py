from asgiref.sync import async_to_sync
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.api.pagination import CreatedCursorPagination
from executions.api.permissions import McpServerPermission
from executions.api.serializers.tools import (
    McpServerInputSerializer,
    McpServerOutputSerializer,
    ToolCatalogueSerializer,
)
from executions.api.views.base import SingleValuedQueryMixin
from executions.models import McpServer
from executions.selectors import mcp_server_config
from executions.services.mcp_servers import mcp_server_create, mcp_server_delete, mcp_server_update


@extend_schema(tags=["tools"])
class ToolListView(SingleValuedQueryMixin, APIView):
    """Every tool an agent may use: built-ins, apps' tools, and each MCP server's
    (listed live from the server, after its allowlist)."""

    @extend_schema(responses={200: ToolCatalogueSerializer})
    def get(self, request):
        from runner.catalogue import tools_catalogue

        servers = [mcp_server_config(server) for server in McpServer.objects.all()]
        return Response(async_to_sync(tools_catalogue)(servers=servers))


class NameCursorPagination(CreatedCursorPagination):
    ordering = "name"


@extend_schema(tags=["mcp-servers"])
class McpServerViewSet(SingleValuedQueryMixin, viewsets.GenericViewSet):
    """MCP servers agents may use; reading and writing them need the mcpserver permissions."""

    queryset = McpServer.objects.prefetch_related("agents")
    lookup_field = "name"
    permission_classes = [McpServerPermission]
    pagination_class = NameCursorPagination
    serializer_class = McpServerOutputSerializer
    filter_backends: list = []

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(McpServerOutputSerializer(page, many=True).data)

    def retrieve(self, request, name=None):
        return Response(McpServerOutputSerializer(self.get_object()).data)

    @extend_schema(request=McpServerInputSerializer, responses={201: McpServerOutputSerializer})
    def create(self, request):
        serializer = McpServerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        server = mcp_server_create(**serializer.validated_data)
        return Response(McpServerOutputSerializer(server).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=McpServerInputSerializer, responses={200: McpServerOutputSerializer})
    def update(self, request, name=None):
        return self._update(request, partial=False)

    @extend_schema(request=McpServerInputSerializer(partial=True), responses={200: McpServerOutputSerializer})
    def partial_update(self, request, name=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, name=None):
        mcp_server_delete(server=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool):
        server = self.get_object()
        serializer = McpServerInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        server = mcp_server_update(server=server, **serializer.validated_data)
        return Response(McpServerOutputSerializer(server).data)
