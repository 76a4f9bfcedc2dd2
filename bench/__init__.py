"""Benchmarks (not tests): `python -m bench` (make bench) and `python -m bench --smoke`.

One module per measurement, each with a `run(...)` returning plain dicts:
platform_e2e (latency, throughput, runner memory), floor (bare Temporal workflow),
peer (LangGraph Server), push (commit → WebSocket), writes (write amplification),
record (list pages at 1,000,000 executions). report.py renders docs/benchmarks.md.
"""
