"""What the ratio targets leave for the platform's own work, measured.

Both systems fill the machine's 2 cores, so throughput is the inverse of
CPU per execution, and a sequential run's latency tracks it too. The agent
floor runs our LangGraph agent in the floor's workflow with nothing else of
ours, and the targets are set against it (1.3× its latency, 0.7× its
throughput): what they allow over it is all that Django, the database, Redis
and the API may cost."""
from bench.stats import times as _x

LABELS = {
    "web": "web (uvicorn: API, WebSockets)", "orchestration": "orchestration worker",
    "runner": "runner worker", "floor-workflow": "floor workflow worker",
    "floor-activities": "floor activity worker", "agent-floor-workflow": "agent floor workflow worker",
    "agent-floor-activities": "agent floor activity worker (our agent)", "temporal": "Temporal dev server",
    "postgresql": "PostgreSQL", "redis": "Redis", "bench": "bench client", "other": "rest of the machine",
}


def agent_share(r: dict) -> list[str]:
    """The agent floor's ratios to the floor, beside ours."""
    agent, floor, ours = r.get("agent_floor"), r["floor"], r["platform"]
    if not agent:
        return []
    lat = agent["latency"]["p50_ms"] / floor["latency"]["p50_ms"]
    thr = agent["throughput"]["per_second"] / floor["throughput"]["per_second"]
    return ["", f"The agent alone: the agent floor's latency p50 is {_x(lat)} the floor's and its throughput "
            f"{_x(thr)} (ours: {_x(ours['latency']['p50_ms'] / floor['latency']['p50_ms'])} and "
            f"{_x(ours['throughput']['per_second'] / floor['throughput']['per_second'])} the floor's). "
            "No durable Temporal agent here can beat the agent floor, so the targets are set against it: "
            "1.3× its latency and 0.7× its throughput (1/0.7 = 1.43× its CPU per execution)."]


def cpu_table(ours: dict | None, floor: dict | None, agent: dict | None = None) -> list[str]:
    """The throughput runs' CPU per execution by process: where the time goes."""
    if not ours or not floor:
        return []
    systems = [("Stigmer", ours), *([("agent floor", agent)] if agent else []), ("floor", floor)]
    out = ["", "### Where the CPU goes under load (throughput runs, CPU ms per execution)", "",
           "The machine has 2 cores and every system saturates them, so throughput is the inverse of",
           "CPU per execution. Each system's idle processes are counted in every window.", "",
           "| process | " + " | ".join(name for name, _ in systems) + " |",
           "| --- |" + " --- |" * len(systems)]
    for label, text in LABELS.items():
        if any(cpu["per_execution_ms"].get(label) for _, cpu in systems):
            out.append(f"| {text} | " + " | ".join(f"{cpu['per_execution_ms'].get(label) or 0:.1f}" for _, cpu in systems) + " |")
    out.append("| **whole machine** | " + " | ".join(f"**{cpu['machine_ms']:.1f}**" for _, cpu in systems) + " |")
    return out + ["", throughput_budget(ours, floor, agent)]


def throughput_budget(ours: dict, floor: dict, agent: dict | None) -> str:
    """What 0.7× the agent floor leaves for everything that is not Temporal or
    the agent: the measure of how far the platform's own cost must fall."""
    if not agent:
        return "Budget: the agent floor did not run, so the target's CPU budget is unknown."
    budget = agent["machine_ms"] / 0.7
    text = (f"Budget: 0.7× the agent floor's throughput allows {budget:.1f} ms of machine CPU per execution. "
            f"The agent floor (Temporal, the bench client, two bare workers and our agent) takes "
            f"{agent['machine_ms']:.1f} ms, leaving {budget - agent['machine_ms']:.1f} ms for all that "
            f"Django, PostgreSQL, Redis, the API and the pushes add; ours took {ours['machine_ms']:.1f} ms, "
            f"{ours['machine_ms'] - agent['machine_ms']:.1f} ms more than the agent floor.")
    mine = ours["per_execution_ms"]
    engine = mine.get("temporal", 0) + mine.get("bench", 0)
    bare = floor["per_execution_ms"].get("floor-workflow", 0) + floor["per_execution_ms"].get("floor-activities", 0)
    return text + (f" Temporal and the bench client alone took {engine:.1f} ms of ours; with everything of ours "
                   f"costing no more than the floor's bare workers ({bare:.1f} ms), the ratio would be "
                   f"{_x(floor['machine_ms'] / (engine + bare))}.")
