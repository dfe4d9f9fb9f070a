"""Small statistics helpers: medians with spread, percentiles, summaries of latency samples."""

from __future__ import annotations

import math
from typing import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    frac = pos - low
    return float(ordered[low] + (ordered[high] - ordered[low]) * frac)


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median of repeated runs with their minimum, maximum and count (the 'spread')."""
    values = [float(v) for v in values]
    if not values:
        return {"median": math.nan, "min": math.nan, "max": math.nan, "runs": 0}
    return {"median": median(values), "min": min(values), "max": max(values), "runs": len(values)}


def latency_summary(samples_ms: Iterable[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max / mean of latency samples in milliseconds."""
    samples = [float(v) for v in samples_ms]
    if not samples:
        return {"n": 0, "p50": math.nan, "p95": math.nan, "p99": math.nan, "max": math.nan,
                "mean": math.nan}
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples),
        "mean": sum(samples) / len(samples),
    }


def ratio(ours: float, baseline: float) -> float:
    """``ours / baseline`` (NaN when either is missing or the baseline is zero)."""
    if ours is None or baseline is None:
        return math.nan
    if not (math.isfinite(ours) and math.isfinite(baseline)) or baseline == 0:
        return math.nan
    return ours / baseline
