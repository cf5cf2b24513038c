"""Log-bucketed latency histograms (HdrHistogram-style, ~2.3 % relative precision).

Bucket 0 holds values below 1 µs, bucket NBUCKETS-1 values of 100 s and more (and
copies that never arrived, when a percentile is to count them as infinitely late).
Bucket i (1 <= i < NBUCKETS-1) holds [10**((i-1)/PER_DECADE), 10**(i/PER_DECADE)) µs.
Histograms are plain numpy int64 arrays, so merging is addition.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

PER_DECADE = 100
DECADES = 8  # 1 µs .. 100 s
NBUCKETS = PER_DECADE * DECADES + 2
OVERFLOW = NBUCKETS - 1

Hist = npt.NDArray[np.int64]


def empty() -> Hist:
    return np.zeros(NBUCKETS, dtype=np.int64)


def bucket_indexes(values_us: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    safe = np.maximum(values_us, 1e-3)
    idx = np.floor(np.log10(safe) * PER_DECADE).astype(np.int64) + 1
    idx[values_us < 1.0] = 0
    result: npt.NDArray[np.int64] = np.minimum(idx, OVERFLOW)
    return result


def from_values(values_us: Sequence[float] | npt.NDArray[np.float64]) -> Hist:
    arr = np.asarray(values_us, dtype=np.float64)
    if arr.size == 0:
        return empty()
    return np.bincount(bucket_indexes(arr), minlength=NBUCKETS).astype(np.int64)


def upper_edge_us(index: int) -> float:
    if index <= 0:
        return 1.0
    if index >= OVERFLOW:
        return math.inf
    return float(10 ** (index / PER_DECADE))


def lower_edge_us(index: int) -> float:
    if index <= 0:
        return 0.0
    return float(10 ** ((index - 1) / PER_DECADE))


def percentile_us(hist: Hist, q: float) -> float:
    """The upper edge of the bucket holding the q-th percentile (0 < q <= 100).

    NaN for an empty histogram; infinity when it falls in the overflow bucket.
    """
    total = int(hist.sum())
    if total == 0:
        return math.nan
    rank = max(1, math.ceil(q / 100.0 * total))
    cumulative = np.cumsum(hist)
    index = int(np.searchsorted(cumulative, rank))
    return upper_edge_us(index)


def centers_ms() -> npt.NDArray[np.float64]:
    """Geometric bucket centres in ms, for plotting (0 and overflow clipped)."""
    i = np.arange(NBUCKETS, dtype=np.float64)
    centers = 10 ** ((i - 0.5) / PER_DECADE) / 1000.0
    centers[0] = 0.5e-3
    centers[-1] = 10 ** (DECADES) / 1000.0
    return centers
