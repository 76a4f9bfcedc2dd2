"""`python -m bench [--smoke] [--only in-flight]`: every measurement in one run;
prints the report and writes docs/benchmarks.md (a smoke run writes
artifacts/bench/ instead); `--only in-flight` runs that section alone and writes
docs/benchmarks-in-flight.md.
Exits non-zero when a code path breaks, never because a target is missed.
Only the peer may fail softly (its install or start depends on PyPI and on
LangGraph's own CLI): the reason is recorded in the report."""
import argparse
import asyncio
import json
import os
import sys
import time
import traceback

from bench.environment import LOG_DIR, ROOT, Environment

SIZES = {
    "full": {"latency_n": 50, "warmup": 3, "total": 400, "in_flight": 200, "push_n": 500,
             "push_interval": 0.01, "small": 10, "large": 100, "rows": 1_000_000, "repeat": 7, "rounds": 3, "back_to_back_n": 20,
             # Runs in flight: 200 words 50 ms apart (10 s a run); one run in ten followed.
             "in_flight_sizes": [100, 500, 1000], "in_flight_words": 200, "in_flight_delay": 0.05,
             "in_flight_followers": 0.1},
    "smoke": {"latency_n": 3, "warmup": 1, "total": 8, "in_flight": 4, "push_n": 20,
              "push_interval": 0.01, "small": 2, "large": 20, "rows": 2_000, "repeat": 2, "rounds": 1, "back_to_back_n": 3,
              "in_flight_sizes": [3], "in_flight_words": 20, "in_flight_delay": 0.02, "in_flight_followers": 1.0},
}


def step(name: str):
    print(f"== {name}", flush=True)
    return time.perf_counter()


async def throughput_rounds(env: Environment, client, agent: str, s: dict, results: dict, *,
                            parts: dict, loads: dict, before: str | None) -> None:
    """Ours (and the earlier commit's, with `before`) beside `loads`. Rounds
    alternate the systems, so a slow spell of the machine (or of Temporal)
    falls on each; each system's median round is reported."""
    from bench import before_after, platform_e2e

    parts = parts | {name: [p.pid] for name, p in env.processes.items()}
    platforms = {"platform": env}
    try:
        if before:
            step(f"before: the platform at {before}")
            platforms["before"], commit = before_after.start(env, before)
            results["before"] = {"commit": commit, "label": before_after.label(commit)}
            parts |= {p.name: [p.pid] for p in platforms["before"].processes.values()}
            parts["before-temporal"] = [platforms["before"].temporal_pid]
        # A platform just started is cold (imports, pools, caches): one
        # unmeasured load each, as the latency runs give ours in a full run.
        for name, system in platforms.items():
            step(f"{name}: warm-up")
            await platform_e2e.throughput(system, client, agent=agent, total=s["in_flight"], in_flight=s["in_flight"])
        loads = {name: (lambda system=system: platform_e2e.throughput(
            system, client, agent=agent, total=s["total"], in_flight=s["in_flight"]))
            for name, system in platforms.items()} | loads
        rounds: dict[str, list] = {name: [] for name in loads}
        for round_no in range(1, s["rounds"] + 1):
            for name, load in loads.items():
                step(f"{name}: throughput, round {round_no}")
                rounds[name].append(await metered(parts, s["total"], load(), platforms.get(name)))
        for system, runs in rounds.items():
            median = sorted(runs, key=lambda run: run[0]["per_second"])[len(runs) // 2]
            results.setdefault(system, {})["throughput"] = {**median[0], "rounds": [run[0]["per_second"] for run in runs]}
            results[system]["cpu"] = median[1]
            if median[2]:
                results[system]["round_trips"] = median[2]
    finally:
        if "before" in platforms:
            platforms["before"].check_alive()
            before_after.stop(platforms["before"])


async def measure(env: Environment, s: dict, before: str | None = None) -> dict:
    from bench import floor as floor_mod, peer as peer_mod, platform_e2e, push, record, writes
    from bench.fixtures import bench_agent, bench_client
    from bench.sequential import paced_in_turn
    from bench.timeline import event_log_steps, history_steps
    from executions.temporal.client import temporal_connect
    from executions.temporal.contract import workflow_id_for
    from runner.db import db

    client = await db(bench_client)()
    shared = {"temporal": [env.temporal_pid], "bench": [os.getpid()]}
    agent = (await db(bench_agent)()).slug
    results: dict = {}

    step("floor: bare Temporal workflow, and with our agent")
    floors = {"floor": floor_mod.Floor(env)}
    try:
        floors["agent_floor"] = floor_mod.Floor(env, agent=True)
        floor = floors["floor"]
        step("platform, floor and agent floor: latency, in turn")
        temporal_client = await floor.client()
        async with platform_e2e.api(env, client) as http:
            runs = await paced_in_turn(
                {name: f.run(temporal_client) for name, f in floors.items()}
                | {"platform": platform_e2e.run(env, client, http, agent)},
                n=s["latency_n"], warmup=s["warmup"])
        for name, f in floors.items():
            results[name] = {"latency": await f.summary(temporal_client, runs[name])}
        latency = platform_e2e.summary(runs["platform"])
        await db(platform_e2e.check_outputs)(latency["ids"])
        temporal = await temporal_connect()
        results["platform"] = {
            "latency": latency,
            "steps": await db(event_log_steps)(latency["ids"]),
            "history": await history_steps(temporal, [workflow_id_for(i) for i in latency["ids"]]),
        }
        step("floor and platform: latency back to back")
        back_to_back = {"n": s["back_to_back_n"], "warmup": s["warmup"], "pause": 0}
        results["floor"]["latency_back_to_back"] = await floor.latency(**back_to_back)
        results["platform"]["latency_back_to_back"] = await platform_e2e.latency(
            env, client, agent=agent, **back_to_back)
        parts = {p.name: [p.pid] for f in floors.values() for p in f.processes}
        loads = {name: (lambda f=f: f.throughput(total=s["total"], in_flight=s["in_flight"]))
                 for name, f in floors.items()}
        await throughput_rounds(env, client, agent, s, results, parts=parts | shared, loads=loads, before=before)
    finally:
        for f in floors.values():
            f.stop()
    env.check_alive()

    step("peer: LangGraph Server")
    results["peer"] = await run_peer(peer_mod, s)

    step("runs in flight")
    results["in_flight"] = await run_in_flight(env, client, s)
    step("push latency")
    results["push"] = await push.run(env, client, n=s["push_n"], interval=s["push_interval"])
    step("write amplification")
    results["writes"] = await writes.run(env, client, small=s["small"], large=s["large"])
    env.check_alive()

    step(f"record: seeding {s['rows']:,} executions")
    seeded = await db(record.seed)(rows=s["rows"], owner_id=client.user.pk)
    step("record: list pages")
    pages = await asyncio.to_thread(record.time_pages, env, client, repeat=s["repeat"])
    profiles = await db(record.profile_pages)(client)
    results["record"] = {"seed": seeded, "pages": pages, "profiles": profiles}
    env.check_alive()
    return results


async def run_in_flight(env: Environment, client, s: dict) -> dict:
    from bench import in_flight

    return await in_flight.run(env, client, sizes=s["in_flight_sizes"], words=s["in_flight_words"],
                               delay=s["in_flight_delay"], followers=s["in_flight_followers"])


async def measure_before_after(env: Environment, s: dict, before: str) -> dict:
    """`--only before-after --before REF`: the throughput rounds of both commits alone."""
    from bench.fixtures import bench_agent, bench_client
    from runner.db import db

    client = await db(bench_client)()
    agent = (await db(bench_agent)()).slug
    results: dict = {}
    await throughput_rounds(env, client, agent, s, results, loads={},
                            parts={"temporal": [env.temporal_pid], "bench": [os.getpid()]}, before=before)
    env.check_alive()
    return results


async def measure_in_flight(env: Environment, s: dict, before: str | None = None) -> dict:
    """`--only in-flight`: that section alone."""
    from bench.fixtures import bench_agent, bench_client
    from runner.db import db

    client = await db(bench_client)()
    await db(bench_agent)()
    step("runs in flight")
    results = {"in_flight": await run_in_flight(env, client, s)}
    env.check_alive()
    return results


async def metered(parts: dict, executions: int, run, platform: Environment | None = None) -> tuple:
    """A throughput run, the CPU each part spent on it (every process is a
    part: the other system's workers stay up, idle, and are counted) and, for
    a platform, its round trips to PostgreSQL and Redis (None for the floors)."""
    from bench.cpu import CpuMeter
    from bench.round_trips import RoundTripMeter

    meter = CpuMeter(parts)
    trips = RoundTripMeter(platform.database, platform.redis_url) if platform else None
    if trips:
        await asyncio.to_thread(trips.start)
    meter.start()
    result = await run
    cpu = meter.stop(executions=executions)
    return result, cpu, (await asyncio.to_thread(trips.stop, executions=executions) if trips else None)


async def run_peer(peer_mod, s: dict) -> dict:
    try:
        peer = await asyncio.to_thread(peer_mod.Peer)
    except Exception as exc:  # noqa: BLE001 - the peer is optional: record why
        traceback.print_exc()
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"}
    result: dict = {}
    try:
        result["latency"] = await peer.latency(n=s["latency_n"], warmup=s["warmup"])
        result["throughput"] = await peer.throughput(total=s["total"], in_flight=s["in_flight"])
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        result["error"] = f"run failed: {type(exc).__name__}: {exc}"[:300]
        result.setdefault("throughput", {"per_second": float("nan"), "error": result["error"]})
    finally:
        peer.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--smoke", action="store_true", help="tiny N: check the code paths in seconds")
    parser.add_argument("--only", choices=["in-flight", "before-after"],
                        help="one section alone, written to docs/benchmarks-<section>.md")
    parser.add_argument("--in-flight-sizes", type=lambda raw: [int(n) for n in raw.split(",")],
                        help="N for runs in flight, e.g. 100 or 100,500 (the report then goes to artifacts/bench/)")
    parser.add_argument("--before", metavar="REF",
                        help="also run the platform at an earlier commit, beside this one (bench/before_after.py)")
    parser.add_argument("--from-results", metavar="JSON",
                        help="render the report again from a run's results (artifacts/bench/results-*.json)")
    args = parser.parse_args()
    if args.only == "before-after" and not args.before:
        parser.error("--only before-after needs --before REF")
    mode = "smoke" if args.smoke else "full"
    sizes = dict(SIZES[mode])
    if args.in_flight_sizes:
        sizes["in_flight_sizes"] = args.in_flight_sizes
    started = time.perf_counter()
    if args.from_results:
        results = json.loads(open(args.from_results, encoding="utf-8").read())
    else:
        env = Environment(database="stigmer_bench_smoke" if args.smoke else "stigmer_bench")
        started = step(f"starting the platform ({mode})")
        try:
            env.start()
            section = {"in-flight": measure_in_flight, "before-after": measure_before_after}.get(args.only, measure)
            results = asyncio.run(section(env, sizes, args.before))
        finally:
            env.stop()
    from bench.machine import machine_describe
    from bench.report import render, render_only

    if args.from_results:
        machine = results.pop("machine", None) or {
            **machine_describe(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(args.from_results)))}
    else:
        machine = machine_describe()
        # Kept first, so a report can be rendered again (--from-results) whatever happens next.
        (LOG_DIR / f"results-{mode}{'-' + args.only if args.only else ''}.json").write_text(
            json.dumps({**results, "machine": machine}, indent=1, default=str))
    if args.only:
        markdown = render_only(results, machine=machine, smoke=args.smoke, section=args.only)
        name = f"benchmarks-{args.only}"
    else:
        markdown = render(results, machine=machine, sizes=sizes, smoke=args.smoke)
        name = "benchmarks"
    custom = args.in_flight_sizes and args.in_flight_sizes != SIZES[mode]["in_flight_sizes"]
    output = LOG_DIR / f"{name}-{mode}.md" if args.smoke or custom else ROOT / "docs" / f"{name}.md"
    output.write_text(markdown)
    print(markdown)
    print(f"\nwritten to {output.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
