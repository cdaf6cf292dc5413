"""The timing loop the chart benchmarks share: two ways of making the same pictures, taking
turns, so that drift in the machine's speed falls on both."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any


def take_turns(
    items: Sequence[tuple[Any, ...]],
    first: Callable[..., str | bytes],
    second: Callable[..., str | bytes],
    rounds: int,
) -> tuple[float, float, int, int]:
    """Seconds and bytes of ``first(*item)`` and ``second(*item)`` over every item, ``rounds``
    times, after one untimed round of both (fonts, geometry and other first-use costs)."""
    for item in items:
        first(*item)
        second(*item)
    seconds = [0.0, 0.0]
    sizes = [0, 0]
    for _ in range(rounds):
        for item in items:
            for i, make in enumerate((first, second)):
                started = time.perf_counter()
                out = make(*item)
                seconds[i] += time.perf_counter() - started
                sizes[i] += len(out.encode() if isinstance(out, str) else out)
    return seconds[0], seconds[1], sizes[0], sizes[1]
