"""GET /executions/{id}/approvals/ and POST /executions/{id}/approvals/{tool_call_id}/:
the gated tool calls of an execution, and deciding one (services/approvals.py)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from executions.api.serializers.approvals import ApprovalOutputSerializer, DecisionInputSerializer
from executions.models import AgentExecution, DecisionSurface
from executions.permissions import may_see_approvals
from executions.selectors import execution_approvals
from executions.services.approvals import tool_call_decide


def _execution_for(request, execution_id) -> AgentExecution:
    """The execution, if the user may see its approvals (its viewers and its
    deciders: a four-eyes approver may not see others' executions otherwise)."""
    try:
        execution = AgentExecution.objects.select_related("agent").filter(pk=execution_id).first()
    except (DjangoValidationError, ValueError):
        execution = None
    if execution is None or not may_see_approvals(request.user, execution):
        raise NotFound()
    return execution


@extend_schema(tags=["executions"])
class ApprovalListView(APIView):
    @extend_schema(responses={200: ApprovalOutputSerializer(many=True)})
    def get(self, request, id):
        """Its gated tool calls, oldest first: waiting or decided, with the decision."""
        execution = _execution_for(request, id)
        return Response(ApprovalOutputSerializer(execution_approvals(execution=execution), many=True).data)


@extend_schema(tags=["executions"])
class ApprovalDecisionView(APIView):
    @extend_schema(request=DecisionInputSerializer, responses={200: ApprovalOutputSerializer})
    def post(self, request, id, tool_call_id):
        """Approve, edit (`args`) or reject (`comment`, read by the model) a waiting call.
        403 when you may not decide, 409 when it is not waiting (decided already, unknown)."""
        execution = _execution_for(request, id)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = tool_call_decide(
            execution=execution, tool_call_id=tool_call_id, decision=data["decision"],
            args=data.get("args"), comment=data.get("comment", ""), user=request.user,
            surface=DecisionSurface.API,
        )
        return Response(ApprovalOutputSerializer(record.approval).data)
