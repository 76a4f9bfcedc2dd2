from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from executions.api.pagination import CreatedCursorPagination
from executions.api.permissions import WebhookPermission
from executions.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointOutputSerializer,
    WebhookEndpointUpdateSerializer,
)
from executions.api.views.base import SingleValuedQueryMixin, UUIDLookupMixin
from executions.models import WebhookDelivery, WebhookEndpoint
from executions.services.webhook_deliveries import webhook_delivery_redeliver
from executions.services.webhook_endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)


@extend_schema(tags=["webhooks"])
class WebhookViewSet(SingleValuedQueryMixin, UUIDLookupMixin, viewsets.GenericViewSet):
    """Webhook endpoints and their delivery log, for users with the webhookendpoint
    permissions. The secret is write-only: set at create, rotated by PUT or PATCH."""

    queryset = WebhookEndpoint.objects.select_related("created_by")
    permission_classes = [WebhookPermission]
    pagination_class = CreatedCursorPagination
    serializer_class = WebhookEndpointOutputSerializer
    filter_backends: list = []

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WebhookEndpointOutputSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(WebhookEndpointOutputSerializer(self.get_object()).data)

    @extend_schema(request=WebhookEndpointCreateSerializer, responses={201: WebhookEndpointOutputSerializer})
    def create(self, request):
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(created_by=request.user, **serializer.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookEndpointUpdateSerializer, responses={200: WebhookEndpointOutputSerializer})
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(
        request=WebhookEndpointUpdateSerializer(partial=True), responses={200: WebhookEndpointOutputSerializer}
    )
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        webhook_endpoint_delete(endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first."""
        deliveries = WebhookDelivery.objects.filter(endpoint=self.get_object())
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=None, responses={202: WebhookDeliverySerializer},
        parameters=[OpenApiParameter("delivery_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[^/.]+)/redeliver")
    def redeliver(self, request, pk=None, delivery_id=None):
        """Send a finished delivery's event again, under the same event id (409 while it is still being attempted)."""
        endpoint = self.get_object()
        try:
            delivery = WebhookDelivery.objects.get(endpoint=endpoint, pk=delivery_id)
        except (WebhookDelivery.DoesNotExist, DjangoValidationError, ValueError) as exc:  # unknown or malformed
            raise NotFound() from exc
        again = webhook_delivery_redeliver(delivery=delivery)
        return Response(WebhookDeliverySerializer(again).data, status=status.HTTP_202_ACCEPTED)

    def _update(self, request, *, partial: bool):
        endpoint = self.get_object()
        serializer = WebhookEndpointUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=endpoint, **serializer.validated_data)
        return Response(WebhookEndpointOutputSerializer(endpoint).data)
