from django.urls import path
from rest_framework.routers import DefaultRouter

from executions.api.views.agents import AgentViewSet
from executions.api.views.approvals import ApprovalDecisionView, ApprovalListView
from executions.api.views.credentials import CredentialViewSet
from executions.api.views.executions import ExecutionViewSet
from executions.api.views.sessions import SessionViewSet
from executions.api.views import runner
from executions.api.views.stream import ExecutionStreamView
from executions.api.views.tickets import LiveTicketView
from executions.api.views.tools import McpServerViewSet, ToolListView
from executions.api.views.webhooks import WebhookViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("agents", AgentViewSet, basename="agent")
router.register("credentials", CredentialViewSet, basename="credential")
router.register("sessions", SessionViewSet, basename="session")
router.register("executions", ExecutionViewSet, basename="execution")
router.register("mcp-servers", McpServerViewSet, basename="mcp-server")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    path("executions/<str:id>/stream/", ExecutionStreamView.as_view(), name="execution-stream"),
    path("executions/<str:id>/approvals/", ApprovalListView.as_view(), name="execution-approvals"),
    path(
        "executions/<str:id>/approvals/<str:tool_call_id>/", ApprovalDecisionView.as_view(),
        name="execution-approval-decide",
    ),
    path("live-tickets/", LiveTicketView.as_view(), name="live-ticket"),
    path("tools/", ToolListView.as_view(), name="tool-list"),
    *router.urls,
    # The runner API (runner tokens only): docs/temporal-contract.md, "The runner API".
    path("runner/executions/<str:id>/", runner.ExecutionStateView.as_view(), name="runner-execution"),
    path("runner/executions/<str:id>/start/", runner.RunStartView.as_view(), name="runner-run-start"),
    path("runner/executions/<str:id>/events/", runner.EventsView.as_view(), name="runner-events"),
    path("runner/executions/<str:id>/finish/", runner.FinishView.as_view(), name="runner-run-finish"),
    path("runner/executions/<str:id>/tokens/", runner.TokenView.as_view(), name="runner-tokens"),
    path("runner/executions/<str:id>/delegations/", runner.DelegationView.as_view(), name="runner-delegations"),
    path("runner/executions/<str:id>/cancel/", runner.CancelView.as_view(), name="runner-cancel"),
    path("runner/sessions/<str:id>/thread/", runner.SessionThreadView.as_view(), name="runner-session-thread"),
    path("runner/credentials/", runner.CredentialsView.as_view(), name="runner-credentials"),
]
