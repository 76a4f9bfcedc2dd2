"""Percentiles and summaries of latency samples (seconds in, milliseconds out)."""
import math
import statistics


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else math.nan,
        "max_ms": max(ms) if ms else math.nan,
    }


def ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else math.nan


def times(value: float) -> str:
    """A ratio as the report prints it: 1.25×, or – when there is none."""
    return "–" if value is None or math.isnan(value) else f"{value:.2f}×"
