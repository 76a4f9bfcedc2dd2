"""The before-and-after table (bench/before_after.py): CPU ms per execution by
process, the earlier commit's and this checkout's, from the same run."""
from bench.budget import LABELS
from bench.round_trips import describe

ROWS = ["web", "orchestration", "runner", "temporal", "postgresql", "redis", "bench", "other"]


def _ours(cpu: dict, prefix: str) -> dict[str, float]:
    """A system's own parts (the other system's idle processes left out)."""
    spent = cpu["per_execution_ms"]
    return {row: spent.get(f"{prefix}{row}" if row in {"web", "orchestration", "runner", "temporal"} else row, 0.0)
            for row in ROWS}


def section(r: dict) -> list[str]:
    before, after = r.get("before"), r.get("platform")
    if not before or "cpu" not in before or not after or "cpu" not in after:
        return []
    old, new = _ours(before["cpu"], "before-"), _ours(after["cpu"], "")
    old_total, new_total = before["cpu"]["machine_ms"], after["cpu"]["machine_ms"]
    out = ["", "## Before and after (same run)", "",
           f"The platform at `{before['label']}` and at this checkout, on the same machine and the same load, "
           "in alternating throughput rounds (each system's median round). CPU ms per execution "
           "(each column counts its own processes; the whole machine counts everything running).", "",
           "| process | before | after | change |", "| --- | --- | --- | --- |"]
    for row in ROWS:
        change = new[row] - old[row]
        out.append(f"| {LABELS[row]} | {old[row]:.1f} | {new[row]:.1f} | {change:+.1f} |")
    out.append(f"| **whole machine** | **{old_total:.1f}** | **{new_total:.1f}** | **{new_total - old_total:+.1f}** |")
    old_trips, new_trips = before.get("round_trips"), after.get("round_trips")
    if old_trips and new_trips:
        for key, text in (("postgresql_transactions", "PostgreSQL transactions"), ("redis_commands", "Redis commands")):
            out.append(f"| {text} per execution | {old_trips[key]:.1f} | {new_trips[key]:.1f} "
                       f"| {new_trips[key] - old_trips[key]:+.1f} |")
    old_rate, new_rate = before["throughput"]["per_second"], after["throughput"]["per_second"]
    out += ["", f"Throughput: {old_rate:.1f}/s before, {new_rate:.1f}/s after ({new_rate / old_rate:.2f}×); rounds "
            f"before {', '.join(f'{x:.1f}' for x in before['throughput']['rounds'])}, "
            f"after {', '.join(f'{x:.1f}' for x in after['throughput']['rounds'])}."
            + "".join(f" The {name} median round read {run['throughput']['completions_missed_by_feed']} completions "
                      "from the API that the phase feed had dropped."
                      for name, run in (("before", before), ("after", after))
                      if run["throughput"].get("completions_missed_by_feed"))]
    for text in (describe("before", old_trips), describe("after", new_trips)):
        out += ["", text] if text else []
    return out
