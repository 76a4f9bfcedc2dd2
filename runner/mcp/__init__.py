"""MCP servers' tools for a run: connections (connection.py), loading (loading.py)
and failures that name the server (errors.py). Nothing is imported here, so
runner/graph.py can name the error without Django (the benchmarks' peer)."""
