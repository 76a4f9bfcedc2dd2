"""`python -m bench.runner_probe OUT`: `manage.py run_runner_worker`, with the
time of each token push recorded, for the runs-in-flight section.

The push latency of a token is measured from the moment the runner hands it to
the channel layer to its arrival at a follower, both on CLOCK_MONOTONIC
(time.monotonic, one clock for every process of the machine). The changes to
the runner: two list appends per push, and a task that samples its event
loop's lag (how late a 50 ms sleep wakes up) from the first push on. Both
lists are written to OUT when the worker stops, as JSON lines: ["push",
execution id, pushed, accepted by the channel layer, delta length], ["lag",
at, seconds] and ["failed", what, count] (pushes the live layer swallowed)."""
import asyncio
import json
import sys
import time

LAG_PERIOD = 0.05


def main(out: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from executions import live, runner_platform

    pushes: list[list] = []
    lags: list[tuple[float, float]] = []
    publish = runner_platform.token_publish
    monitor: list[asyncio.Task] = []
    failed: dict[str, int] = {}
    warn = live._warn_push_failed

    def warn_push_failed(what: str, exc: Exception) -> None:
        # The live layer swallows a failed push (and throttles its warning): counted here.
        key = f"{'token' if what.startswith('a token') else 'events'}: {type(exc).__name__}: {exc}"[:200]
        failed[key] = failed.get(key, 0) + 1
        warn(what, exc)

    async def lag_sample() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_PERIOD)
            lags.append((before, time.monotonic() - before - LAG_PERIOD))

    async def token_publish(*, execution_id: str, delta: str) -> None:
        if not monitor:
            monitor.append(asyncio.create_task(lag_sample()))
        push = [str(execution_id), time.monotonic(), None, len(delta)]
        pushes.append(push)
        await publish(execution_id=execution_id, delta=delta)
        push[2] = time.monotonic()

    runner_platform.token_publish = token_publish
    live._warn_push_failed = warn_push_failed
    try:
        call_command("run_runner_worker")
    finally:
        with open(out, "w", encoding="utf-8") as file:
            file.writelines(json.dumps(["push", *push]) + "\n" for push in pushes)
            file.writelines(json.dumps(["lag", *lag]) + "\n" for lag in lags)
            file.writelines(json.dumps(["failed", key, count]) + "\n" for key, count in failed.items())


if __name__ == "__main__":
    main(sys.argv[1])
