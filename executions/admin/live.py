"""What the live execution page needs: socket path, Temporal UI link, actions."""
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

from executions.models import AgentExecution
from executions.selectors import execution_approvals, execution_children, execution_usage_total
from executions.permissions import Act, may, may_decide, may_rerun
from executions.temporal.config import temporal_config
from executions.temporal.contract import workflow_id_for


def temporal_ui_url(execution: AgentExecution) -> str:
    workflow_id = execution.workflow_id or workflow_id_for(execution.pk)
    base = settings.TEMPORAL_UI_URL.rstrip("/")
    namespace = quote(temporal_config().namespace, safe="")
    return f"{base}/namespaces/{namespace}/workflows/{quote(workflow_id, safe='')}"


def trace_url(execution: AgentExecution) -> str:
    """STIGMER_TRACE_URL with the trace id, e.g. a Jaeger or Tempo page."""
    template = settings.STIGMER_TRACE_URL
    return template.replace("{trace_id}", execution.trace_id) if template and execution.trace_id else ""


def live_context(request, execution: AgentExecution) -> dict:
    return {
        "trace_url": trace_url(execution),
        "execution": execution,
        "live_ws_path": f"/ws/executions/{execution.pk}/",
        "temporal_ui_url": temporal_ui_url(execution),
        "cancel_url": reverse("admin:executions_agentexecution_cancel", args=[execution.pk]),
        "rerun_url": reverse("admin:executions_agentexecution_rerun", args=[execution.pk]),
        "can_cancel": may(request.user, Act.CANCEL, execution) and not execution.is_terminal,
        "can_rerun": may_rerun(request.user, execution),
        # Delegation: the parent, the children as loaded (new ones appear
        # live in the transcript, as delegation events) and the summed usage.
        "execution_url_template": reverse("admin:executions_agentexecution_change", args=["00000000-0000-0000-0000-000000000000"]),
        "children": list(execution_children(execution=execution)),
        "usage_total": execution_usage_total(execution=execution),
        # Gated tool calls: the audit as loaded; waiting ones get their buttons live.
        "approvals": list(execution_approvals(execution=execution)),
        "can_decide": may_decide(request.user, execution) and not execution.is_terminal,
        "decide_url_template": reverse(
            "admin:executions_agentexecution_decide", args=[execution.pk, "TOOL-CALL-ID"]
        ),
    }
