"""The runner API's bodies (docs/temporal-contract.md, "The runner API"; one JSON
Schema per body under docs/schemas/)."""
from rest_framework import serializers

from executions.api.serializers.base import StrictCharField
from executions.models import EventType, Phase

MAX_BATCH = 1000
# A runner writes every kind of step but a phase: phases move through start and finish only,
# where the rules of phases (never after terminal, timestamps, totals) are kept.
STEP_TYPES = [choice for choice in EventType.values if choice != EventType.PHASE]
TERMINAL_PHASES = sorted(Phase.terminal())


class RunnerEventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=STEP_TYPES)
    data = serializers.DictField(required=False, default=dict)
    key = StrictCharField(required=False, allow_blank=True, default="", max_length=64,
                          help_text="Idempotency key: a batch sent again writes each keyed event once")


class RunnerUsageSerializer(serializers.Serializer):
    input_tokens = serializers.IntegerField(min_value=0)
    output_tokens = serializers.IntegerField(min_value=0)
    total_tokens = serializers.IntegerField(min_value=0)


class RunStartInputSerializer(serializers.Serializer):
    events = RunnerEventSerializer(many=True, required=False, default=list, max_length=MAX_BATCH,
                                   help_text="Written right after IN_PROGRESS, e.g. the human message")


class RunContextSerializer(serializers.Serializer):
    execution_id = serializers.CharField()
    session_id = serializers.CharField()
    agent_id = serializers.IntegerField()
    agent_slug = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)


class McpServerConfigSerializer(serializers.Serializer):
    name = serializers.CharField()
    transport = serializers.CharField()
    command = serializers.CharField(allow_blank=True)
    args = serializers.ListField(child=serializers.CharField())
    env = serializers.DictField(help_text='Values: strings or {"credential": "<name>"}')
    url = serializers.CharField(allow_blank=True)
    headers = serializers.DictField(help_text='Values: strings or {"credential": "<name>"}')
    enabled_tools = serializers.ListField(child=serializers.CharField())


class SubAgentConfigSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)


class RunConfigSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices,
                                    help_text="After the start: IN_PROGRESS, or a terminal phase (run nothing)")
    context = RunContextSerializer()
    model = serializers.CharField(help_text="provider:model, the execution's override applied")
    instructions = serializers.CharField(allow_blank=True)
    tools = serializers.ListField(child=serializers.CharField())
    temperature = serializers.FloatField(allow_null=True)
    max_tokens = serializers.IntegerField(allow_null=True)
    model_options = serializers.DictField(help_text='Secrets as {"credential": "<name>"}, never values')
    max_tool_calls = serializers.IntegerField()
    mcp_servers = McpServerConfigSerializer(many=True)
    sub_agents = SubAgentConfigSerializer(many=True)


class EventsInputSerializer(serializers.Serializer):
    events = RunnerEventSerializer(many=True, max_length=MAX_BATCH)
    usage = RunnerUsageSerializer(required=False, allow_null=True, default=None,
                            help_text="The run's token totals so far, when they changed")


class EventsOutputSerializer(serializers.Serializer):
    sequences = serializers.ListField(child=serializers.IntegerField(),
                                      help_text="The sequence numbers given to the events written now")
    phase = serializers.ChoiceField(choices=Phase.choices, help_text="The execution's phase after the append")


class FinishInputSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=TERMINAL_PHASES)
    output = StrictCharField(required=False, allow_blank=True, default=None, allow_null=True, trim_whitespace=False)
    error = StrictCharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    usage = RunnerUsageSerializer(required=False, allow_null=True, default=None)
    events = RunnerEventSerializer(many=True, required=False, default=list, max_length=MAX_BATCH,
                                   help_text="Written just before the phase, e.g. the final answer")


class FinishOutputSerializer(serializers.Serializer):
    changed = serializers.BooleanField(help_text="False when the execution was terminal already")
    phase = serializers.ChoiceField(choices=Phase.choices)


class ExecutionStateSerializer(serializers.Serializer):
    id = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    output = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    usage = RunnerUsageSerializer(help_text="Its token totals so far (a run resumed after approval adds to them)")


class ThreadInputSerializer(serializers.Serializer):
    agent_id = StrictCharField()


class ThreadOutputSerializer(serializers.Serializer):
    thread_id = serializers.CharField()


class CredentialsInputSerializer(serializers.Serializer):
    names = serializers.ListField(child=StrictCharField(max_length=100), max_length=100, allow_empty=True)


class CredentialsOutputSerializer(serializers.Serializer):
    credentials = serializers.DictField(
        child=serializers.CharField(),
        help_text="name → Fernet token, decrypted by the runner with STIGMER_CREDENTIALS_KEY: "
                  "values never cross the API in clear",
    )


class TokenInputSerializer(serializers.Serializer):
    delta = StrictCharField(trim_whitespace=False, max_length=65536)


class DelegationInputSerializer(serializers.Serializer):
    agent = StrictCharField(help_text="The sub-agent's slug")
    message = StrictCharField(trim_whitespace=False)
    tool = StrictCharField(help_text="The delegating tool, delegate_to_<slug>")


class DelegationOutputSerializer(serializers.Serializer):
    execution = serializers.CharField(help_text="The child execution's id")
    depth = serializers.IntegerField()
