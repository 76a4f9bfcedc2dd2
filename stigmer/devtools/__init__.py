"""Development tooling: the Temporal dev server the embedded platform and the tests start,
and the checks CI runs (import cycles)."""
