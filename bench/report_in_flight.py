"""The runs-in-flight section of the report (bench/in_flight.py): its targets,
its table and its method, for docs/benchmarks.md and for a run of that section
alone (`python -m bench --only in-flight`, docs/benchmarks-in-flight.md)."""
import math

MIB_PER_RUN = 1.0
PUSH_P99_MS = 50.0


def _ms(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.1f} ms"


def rss_per_run(run: dict, idle: str = "rss_idle_mib", peak: str = "rss_peak_mib") -> float:
    """The growth from idle to peak over the most runs in flight at once (all N
    when they all were)."""
    return (run[peak] - run[idle]) / max(1, run["peak_in_flight"])


def targets(r: dict) -> list[tuple[str, str, bool | None]]:
    runs = r["runs"]
    if not runs:
        return []
    big = runs[-1]
    n = big["n"]
    rows = [
        (f"{n:,} in flight on one runner process, all complete",
         f"{big['completed']:,} of {n:,} completed, at most {big['peak_in_flight']:,} in flight at once",
         big["completed"] == n and big["peak_in_flight"] == n),
        ("token push p99 ≤ 50 ms (every N)",
         ", ".join(f"N={run['n']}: {_ms(run['push']['p99_ms'])}" for run in runs),
         all(run["push"]["p99_ms"] <= PUSH_P99_MS for run in runs)),
        ("no missed heartbeat (every N)",
         ", ".join(f"N={run['n']}: {run['heartbeats']['heartbeat']}" for run in runs),
         all(run["heartbeats"]["heartbeat"] == 0 for run in runs)),
        ("≤ 1 MiB runner RSS per run in flight (every N)",
         ", ".join(f"N={run['n']}: {rss_per_run(run):.2f} MiB" for run in runs),
         all(rss_per_run(run) <= MIB_PER_RUN for run in runs)),
    ]
    return rows


def section(r: dict, *, peer: dict | None = None) -> list[str]:
    runs = r["runs"]
    seconds = r["words"] * r["token_delay"]
    out = ["", "## Runs in flight on one runner process", "",
           f"N runs at once, each the scripted model streaming {r['words']} words "
           f"{r['token_delay'] * 1000:.0f} ms apart ({seconds:g} s of answer), on one `run_runner_worker` "
           "whose slots (`TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES`) are raised to N; some runs followed, "
           "alternately on a WebSocket and on SSE.", "",
           "| | " + " | ".join(f"N = {run['n']:,}" for run in runs) + " |",
           "| --- | " + " | ".join("---" for _ in runs) + " |"]

    def row(label: str, cell) -> None:
        out.append(f"| {label} | " + " | ".join(cell(run) for run in runs) + " |")

    row("completed", lambda run: f"{run['completed']:,} of {run['n']:,}"
        + ("" if run["completed"] == run["n"] else f" ({', '.join(f'{k} {v}' for k, v in sorted(run['phases'].items()))})"))
    row("most in flight at once", lambda run: f"{run['peak_in_flight']:,}")
    row("creates (API, 16 connections) / all terminal", lambda run: f"{run['created_seconds']:.1f} s / {run['seconds']:.1f} s")
    row("run length p50 / max (started → completed)", lambda run: f"{run['run_seconds_p50']:.1f} s / {run['run_seconds_max']:.1f} s")
    row("followers: WebSocket + SSE", lambda run: f"{run['followers']['ws']} + {run['followers']['sse']}"
        + (f" ({run['followers']['unmatched']} unmatched)" if run["followers"]["unmatched"] else "")
        + (f" ({run['followers']['errors']} failed)" if run["followers"]["errors"] else ""))
    row("token push → follower p50 / p99", lambda run: f"{_ms(run['push']['p50_ms'])} / {_ms(run['push']['p99_ms'])}")
    row("push samples / max", lambda run: f"{run['push']['n']:,} / {_ms(run['push']['max_ms'])}")
    if all("push_after_creates" in run for run in runs):
        row("the same, pushed after the last create p50 / p99 (samples)", lambda run: (
            f"{_ms(run['push_after_creates']['p50_ms'])} / {_ms(run['push_after_creates']['p99_ms'])} "
            f"({run['push_after_creates']['n']:,})"))
    row("of which the runner's push call (channel layer) p50 / p99",
        lambda run: f"{_ms(run['push_accepted']['p50_ms'])} / {_ms(run['push_accepted']['p99_ms'])}")
    row("runner event loop lag p50 / p99 / max", lambda run: f"{_ms(run['loop_lag']['p50_ms'])} / "
        f"{_ms(run['loop_lag']['p99_ms'])} / {_ms(run['loop_lag']['max_ms'])}")
    row("pushes the live layer dropped (runner)", lambda run: str(sum(run.get("failed_pushes", {}).values()))
        + "".join(f"<br>{k} ×{v}" for k, v in list(run.get("failed_pushes", {}).items())[:3]))
    row("missed heartbeats (other activity timeouts)", lambda run: f"{run['heartbeats']['heartbeat']} ({run['heartbeats']['other_timeouts']})")
    row("runner RSS idle → peak", lambda run: f"{run['rss_idle_mib']:.0f} → {run['rss_peak_mib']:.0f} MiB")
    row("runner RSS per run in flight (growth / most in flight)", lambda run: f"{rss_per_run(run):.2f} MiB")
    row("runner CPU per streamed token", lambda run: f"{run['cpu_per_token_us']:.0f} µs ({run['cpu_seconds']:.1f} s for {run['streamed_tokens']:,} tokens, {run['pushes']:,} pushes)")
    row("web process CPU over the window", lambda run: f"{run['web_cpu_seconds']:.1f} s")
    row("event log rows per run", lambda run: f"{run['event_rows_per_run']:.1f}")
    row("rows written per run (pg_stat: ours / checkpointer / all)",
        lambda run: " / ".join(f"{run['writes_per_run'][k]:.1f}" for k in ("event_log", "checkpointer", "all")))
    peer_runs = {run["n"]: run for run in (peer or {}).get("runs", [])}
    if peer_runs:
        row("LangGraph Server: completed / most in flight", lambda run: (
            f"{peer_runs[run['n']]['completed']:,} of {run['n']:,} / {peer_runs[run['n']]['peak_in_flight']:,}"
            + (f" ({run['n'] - peer_runs[run['n']]['completed']} failed: "
               + ", ".join(e.rstrip(': ') for e in peer_runs[run["n"]]["errors"]) + ", a dropped connection)"
               if peer_runs[run["n"]]["errors"] else "")
            if run["n"] in peer_runs else "–"))
        row("LangGraph Server: all streamed", lambda run: (
            f"{peer_runs[run['n']]['seconds']:.1f} s" if run["n"] in peer_runs else "–"))
        row("LangGraph Server: RSS per run in flight", lambda run: (
            f"{rss_per_run(peer_runs[run['n']], 'server_idle_rss_mib', 'server_peak_rss_mib'):.2f} MiB "
            f"({peer_runs[run['n']]['server_idle_rss_mib']:.0f} → "
            f"{peer_runs[run['n']]['server_peak_rss_mib']:.0f} MiB)" if run["n"] in peer_runs else "–"))
        row("LangGraph Server: CPU per streamed token", lambda run: (
            f"{1e6 * peer_runs[run['n']]['cpu_seconds'] / (run['n'] * r['words']):.0f} µs"
            if run["n"] in peer_runs else "–"))
    if peer and "error" in peer:
        out += ["", f"LangGraph Server at the same concurrency: {peer['error']}."]
    out += limits(r)
    return out


def limits(r: dict) -> list[str]:
    """What stands between this machine and the targets, each with its lever;
    the figures are this run's."""
    runs = r["runs"]
    big = runs[-1]
    cpu = max(run["cpu_per_token_us"] for run in runs)
    rate = 1 / r["token_delay"]
    return [
        "", "### What limits runs in flight, and how to raise it", "",
        "1. **Runner slots**: `TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES` (default 20) is how many runs one",
        "   runner process takes at once; more wait `PENDING` (\"waiting for a runner slot\"). The bench sets",
        "   it to N. Raise it per runner process (each delegation depth has its own slots).",
        "2. **Redis connections of the channel layer**: redis-py 8's pool holds 100 connections and does not",
        "   wait for one: a push beyond them fails (`MaxConnectionsError`; the live token is lost, the",
        "   persisted answer is whole). Each streaming run can have a push under way, so the bench sets",
        "   `STIGMER_REDIS_MAX_CONNECTIONS` to N with the slots; with it, no push was dropped (the row above).",
        "   Whether the default would have dropped any at these rates was not measured; in isolation, 2,000",
        "   concurrent `group_send`s on the default pool fail so. Raise it with the slots (Redis accepts",
        "   10,000 clients by default).",
        f"3. **The runner's event loop: CPU per token.** The runner spends {cpu:.0f} µs of CPU per streamed token at",
        "   most here (the table; per-run start and end included), and one process runs on one core: at",
        f"   {rate:.0f} tokens a second a run, one runner process streams about {1e6 / cpu / rate:.0f} runs at full pace.",
        "   Beyond that the runs stretch (run length above) and pushes queue behind the loop (its lag, and",
        "   the push call's own time). Each token is one push (`executions.live.token_publish`): one Redis",
        "   round trip for a run no one follows (`ZCARD` of its group: channels-redis's `group_send` spends",
        "   two even on an empty group), four for a followed one (then `ZREMRANGEBYSCORE`, `ZRANGE` and the",
        *(["   `EVAL` that queues it): measured alone in the bench process (asyncio's loop; the runner's is",
           f"   uvloop), {cost['unfollowed_us']:.0f} µs and {cost['followed_us']:.0f} µs of the sender's CPU each."]
          if (cost := r.get("group_send")) else
          ["   `EVAL` that queues it)."]),
        "   No missed heartbeat came of it: heartbeats are beaten from a task of their own every 5 s",
        "   against a 30 s timeout, and the loop's worst stall was "
        f"{max(run['loop_lag']['max_ms'] for run in runs) / 1000:.1f} s.",
        "   Levers, not taken here: more runner processes (runs spread over the runners polling the queue, one",
        "   core each); fewer pushes per token (the runner already joins deltas that arrive while a push is",
        "   under way; joining them over a fixed interval, say 100 ms, would halve these pushes at 50 ms a",
        "   token); no push for a run no one follows; one Redis round trip per push instead of two or three.",
        f"4. **Creates**: the web process creates about {big['n'] / big['created_seconds']:.0f} executions a second "
        f"here ({big['created_seconds']:.0f} s for {big['n']:,}, its CPU shared",
        "   with the runner's), so the last runs start after the first have ended: with 10 s runs, the most",
        "   in flight at once is bounded by that rate even on an idle runner.",
        "5. **The machine**: two cores for web, orchestration worker, runner, Temporal, PostgreSQL, Redis and",
        "   the bench's followers. Not limits here: PostgreSQL connections (the runner's ORM calls share one",
        "   thread and connection, its checkpointer a pool of 10; six event rows per run), memory (well",
        "   under the 1 MiB per run target), heartbeats.",
    ]


METHOD = [
    "- Runs in flight (`bench/in_flight.py`): for each N, the runner worker is restarted with",
    "  `TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES=N` (the default, 20, caps one runner process at 20 runs",
    "  at once: it is the first limit to raise) through `bench/runner_probe.py`, which is",
    "  `manage.py run_runner_worker` plus one list append per token push (its monotonic time). One warm-up",
    "  run, then the runner's VmRSS is its idle size; N runs of an agent on `scripted:demo` with",
    "  `model_options` `answer_words` and `token_delay` are created through the API (16 connections) and",
    "  waited for in the database. Push latency: the runner's push → a follower's frame (WebSocket or",
    "  SSE, both through the web process), matched per run from the last token (a follower joins after",
    "  its run's create); RSS per run: (VmHWM − idle VmRSS) / the most runs in flight at once (N when all",
    "  were); CPU per token: the runner's utime +",
    "  stime over the window / (N × words); heartbeats: `ActivityTaskTimedOut` of type HEARTBEAT in the",
    "  runs' histories; writes: `pg_stat_user_tables` inserts + updates + deletes over the window / N.",
    "  \"Most in flight at once\" is the largest overlap of the runs' started → completed spans. The",
    "  probe also times each push call until the channel layer (Redis) took it, and samples the runner's",
    "  event loop lag (how late a 50 ms sleep wakes up) while the runs stream.",
    "- LangGraph Server in flight: `langgraph dev` as above with `--n-jobs-per-worker` the largest N,",
    "  serving the same agent on the same model options (`bench/peer_graph.py`, `in_flight_graph`); N runs",
    "  at once, each `POST /threads` + `POST /threads/{id}/runs/stream` (`messages-tuple`) read to its end",
    "  by its client (its `/runs/wait` calls the model without streaming, so without the token delay);",
    "  RSS and CPU of its server process; its runs in flight from its clients' start and end times (it",
    "  accepts every run at once and streams them slower). Its push latency is not measured (no push time",
    "  to start from).",
]
