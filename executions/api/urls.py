from django.urls import path
from rest_framework.routers import DefaultRouter

from executions.api.views.agents import AgentViewSet
from executions.api.views.credentials import CredentialViewSet
from executions.api.views.executions import ExecutionViewSet
from executions.api.views.sessions import SessionViewSet
from executions.api.views.stream import ExecutionStreamView
from executions.api.views.tickets import LiveTicketView
from executions.api.views.tools import McpServerViewSet, ToolListView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agents", AgentViewSet, basename="agent")
router.register("credentials", CredentialViewSet, basename="credential")
router.register("sessions", SessionViewSet, basename="session")
router.register("executions", ExecutionViewSet, basename="execution")
router.register("mcp-servers", McpServerViewSet, basename="mcp-server")

urlpatterns = [
    path("executions/<str:id>/stream/", ExecutionStreamView.as_view(), name="execution-stream"),
    path("live-tickets/", LiveTicketView.as_view(), name="live-ticket"),
    path("tools/", ToolListView.as_view(), name="tool-list"),
    *router.urls,
]
