"""How fast does the demo source answer a filtered request?

``demo.load_values`` is called by every report, explorer and test that uses demo data, so it
must be a cheap view of the cached frame: one KPI for the 290 municipalities over 14 years
(12 180 rows) in at most 20 ms, best of several calls once the frame is read. The baseline is
the naive filter of the whole frame with boolean masks on every column, measured in the same
run.

    .venv/bin/python benchmarks/demo.py
"""

from __future__ import annotations

import statistics
import time

from analys import demo, reference

KPI = "N15507"
YEARS = list(range(2012, 2026))
ROUNDS = 15
GOAL_MS = 20.0


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    municipalities = reference.municipality_codes()
    first = _timed(lambda: demo.load_values([KPI], municipalities, YEARS))
    frame = demo.values()

    def fast():
        return demo.load_values([KPI], municipalities, YEARS)

    def naive():
        mask = (
            (frame["kpi"] == KPI)
            & frame["municipality"].isin(municipalities)
            & frame["year"].isin(YEARS)
        )
        return frame[mask].reset_index(drop=True)

    assert len(fast()) == len(naive()) == 290 * 14 * 3
    timings = [_timed(fast) for _ in range(ROUNDS)]
    baseline = [_timed(naive) for _ in range(ROUNDS)]
    best, median = min(timings), statistics.median(timings)
    print("demo.load_values: one KPI, 290 kommuner, 14 år, alla kön (12 180 rader)")
    print(f"  first call, reads the demo files: {first:7.1f} ms")
    print(
        f"  best of {ROUNDS}: {best:6.2f} ms (median {median:6.2f} ms)   "
        f"goal <= {GOAL_MS:.0f} ms: {'ok' if best <= GOAL_MS else 'MISSED'}"
    )
    naive_best = min(baseline)
    print(f"  naive mask over the whole frame, best of {ROUNDS}: {naive_best:6.2f} ms")
    print(f"  ratio naive / load_values: {naive_best / best:5.1f}x")


if __name__ == "__main__":
    main()
