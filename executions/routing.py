from django.urls import path, re_path

from executions.consumers import ExecutionConsumer, ExecutionFeedConsumer
from executions.consumers.unknown import UnknownPathConsumer

websocket_urlpatterns = [
    path("ws/executions/<uuid:execution_id>/", ExecutionConsumer.as_asgi()),
    path("ws/executions/", ExecutionFeedConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),
]
