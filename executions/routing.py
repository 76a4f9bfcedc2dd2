from django.urls import path

from executions.consumers import ExecutionConsumer, ExecutionFeedConsumer

websocket_urlpatterns = [
    path("ws/executions/<uuid:execution_id>/", ExecutionConsumer.as_asgi()),
    path("ws/executions/", ExecutionFeedConsumer.as_asgi()),
]
