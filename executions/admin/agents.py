"""Agent admin with a "Run" form: message → new execution → its live page."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from executions.delegation import delegation_check
from executions.errors import SessionBusy
from executions.models import Agent, ApprovalDeciders, MultitaskStrategy, Session
from executions.selectors import agents_with_spending
from executions.services.executions import execution_create
from runner.llms.resolve import describe_model


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def tool_choices() -> list[tuple[str, str]]:
    """The registry's tools, labelled with what they do and where they come from."""
    from runner.tools import registered_tools

    return [
        (entry.name, f"{entry.name} — {_first_line(entry.tool.description)} ({entry.source}"
                     f"{'' if entry.source == 'built-in' else ': ' + str(entry.app)})")
        for entry in registered_tools()
    ]


class AgentForm(forms.ModelForm):
    """Tools and MCP servers are chosen from what exists, not typed."""

    tools = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Project tools (built-ins and your apps' agent_tools.py)",
    )

    class Meta:
        model = Agent
        fields = "__all__"
        widgets = {"mcp_servers": forms.CheckboxSelectMultiple, "sub_agents": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tools"].choices = tool_choices()
        servers = self.fields["mcp_servers"]
        servers.label_from_instance = lambda server: (
            f"{server.name} — {_first_line(server.description) or server.get_transport_display()}"
            " (its tools are named " + server.name + "__<tool>)"
        )
        servers.help_text = "Their tools (as each server's enabled tools allow) join the agent's"
        subs = self.fields["sub_agents"]
        if self.instance.pk is not None:
            subs.queryset = subs.queryset.exclude(pk=self.instance.pk)
        subs.label_from_instance = lambda agent: f"{agent.slug} — {agent.name} (its tool: delegate_to_{agent.slug})"
        # The approval policy has defaults: a form that leaves it out keeps them.
        for name in ("approval_deciders", "approval_timeout_seconds"):
            self.fields[name].required = False

    def clean_approval_deciders(self):
        return self.cleaned_data.get("approval_deciders") or ApprovalDeciders.OWNER

    def clean_approval_timeout_seconds(self):
        value = self.cleaned_data.get("approval_timeout_seconds")
        return Agent._meta.get_field("approval_timeout_seconds").default if value is None else value

    def clean(self):
        cleaned = super().clean()
        if "sub_agents" in cleaned:
            # The instance takes the form's values after clean(); the message names the slug.
            self.instance.slug = cleaned.get("slug") or self.instance.slug
            try:
                delegation_check(agent=self.instance, sub_agents=list(cleaned["sub_agents"]))
            except ValidationError as exc:
                self.add_error("sub_agents", exc.message_dict["sub_agents"])
        return cleaned


class RunForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80, "autofocus": True}))
    session = forms.ModelChoiceField(
        queryset=Session.objects.none(), required=False, empty_label="a new session",
        help_text="Continue one of your sessions with this agent",
    )
    multitask_strategy = forms.ChoiceField(
        choices=[("", "the agent's"), *MultitaskStrategy.choices], required=False,
        label="If the session is busy",
    )

    def __init__(self, *args, agent: Agent, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(agent=agent, owner=user)


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentForm
    list_display = ["slug", "name", "model_label", "enabled", "spending", "updated_at", "run_link"]
    list_filter = ["enabled"]
    search_fields = ["slug", "name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Model", ordering="model")
    def model_label(self, agent: Agent) -> str:
        return describe_model(agent.model)

    def get_queryset(self, request):
        return agents_with_spending(super().get_queryset(request))

    @admin.display(description="Spent this month (USD)", ordering="spent_this_month")
    def spending(self, agent: Agent) -> str:
        budget = f" of {agent.monthly_budget:.2f}" if agent.monthly_budget is not None else ""
        return f"{agent.spent_this_month:.4f}{budget}"

    @admin.display(description="Run")
    def run_link(self, agent: Agent) -> str:
        url = reverse("admin:executions_agent_run", args=[agent.pk])
        return format_html('<a class="button" href="{}">Run</a>', url)

    def get_urls(self):
        run = path("<path:object_id>/run/", self.admin_site.admin_view(self.run_view), name="executions_agent_run")
        return [run, *super().get_urls()]

    def run_view(self, request, object_id):
        agent = get_object_or_404(Agent, pk=object_id)
        if not request.user.has_perm("executions.add_agentexecution"):
            raise PermissionDenied
        form = RunForm(request.POST or None, agent=agent, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                execution = execution_create(
                    agent=agent, message=data["message"], owner=request.user, session=data["session"],
                    multitask_strategy=data["multitask_strategy"],
                )
            except ValidationError as exc:
                for error in exc.messages:
                    form.add_error(None, error)
            except SessionBusy as exc:
                form.add_error("session", str(exc))
            else:
                messages.success(request, f"Started execution {execution.pk}.")
                return redirect("admin:executions_agentexecution_change", execution.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agent,
            "agent": agent,
            "form": form,
            "title": f"Run {agent}",
        }
        return TemplateResponse(request, "admin/executions/agent/run.html", context)
