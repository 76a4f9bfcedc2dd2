from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from executions.api.pagination import NameCursorPagination
from executions.api.permissions import CredentialPermission
from executions.api.serializers.credentials import (
    CredentialCreateSerializer,
    CredentialOutputSerializer,
    CredentialUpdateSerializer,
)
from executions.api.views.base import SingleValuedQueryMixin
from executions.selectors import credential_list
from executions.services.credentials import (
    credential_create,
    credential_delete,
    credential_update,
)


@extend_schema(tags=["credentials"])
class CredentialViewSet(SingleValuedQueryMixin, viewsets.GenericViewSet):
    """Credentials, for users with the credential permissions. Values are write-only: set at
    create, rotated by PUT or PATCH."""

    lookup_field = "name"
    permission_classes = [CredentialPermission]
    pagination_class = NameCursorPagination
    serializer_class = CredentialOutputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return credential_list()

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CredentialOutputSerializer(page, many=True).data)

    def retrieve(self, request, name=None):
        return Response(CredentialOutputSerializer(self.get_object()).data)

    @extend_schema(request=CredentialCreateSerializer, responses={201: CredentialOutputSerializer})
    def create(self, request):
        serializer = CredentialCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential = credential_create(created_by=request.user, **serializer.validated_data)
        return Response(CredentialOutputSerializer(credential).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CredentialUpdateSerializer, responses={200: CredentialOutputSerializer})
    def update(self, request, name=None):
        return self._update(request, partial=False)

    @extend_schema(
        request=CredentialUpdateSerializer(partial=True), responses={200: CredentialOutputSerializer}
    )
    def partial_update(self, request, name=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, name=None):
        """409 while an agent refers to the credential."""
        credential_delete(credential=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool):
        credential = self.get_object()
        serializer = CredentialUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        credential = credential_update(credential=credential, **serializer.validated_data)
        return Response(CredentialOutputSerializer(credential).data)
