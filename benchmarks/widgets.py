"""How fast do the explorers answer a control change?

For each explorer, a fixed sequence of control changes is applied from code and the time
from setting ``.value`` to updated outputs is measured. "Updated outputs" includes rendering
every changed figure to the PNG the browser shows: the explorers do that synchronously.

Two explorers get the same sequence, change by change in turn (so both see the same load):

* **session** – as shipped: values loaded once per explorer, ranks and fits cached;
* **reload** – the baseline: a fresh session for every change, so the values it needs are
  loaded again (and ranks, the map and the fit recomputed), as a notebook that calls
  ``load_values`` in its callback would.

Goals (demo data): median ≤ 150 ms for the trend explorer including its map,
≤ 400 ms for a cross-section regression. Wall-clock times depend on what else the machine
runs, so CPU time of this process and the load average are printed too.

    .venv/bin/python benchmarks/widgets.py
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")

from analys import widgets  # noqa: E402
from analys.widgets.session import Session  # noqa: E402

TREND_GOAL = 0.150
DRIVER_GOAL = 0.400
KPIS = ["N15428", "N15504", "N15508", "N11008", "N15033", "N17461", "U21468", "N15507"]
MUNICIPALITIES = ["1480", "0180", "2584", "1280", "0380", "1880"]


def _trend_changes(explorer: widgets.TrendExplorer) -> list[tuple[str, Callable[[], None]]]:
    """Every trend control, several times, in an order that never repeats a state."""
    c = explorer.controls

    def setter(name: str, value: object) -> tuple[str, Callable[[], None]]:
        return name, lambda: setattr(c[name], "value", value)

    changes = []
    end = 2025
    for i, kpi in enumerate(KPIS):
        changes.append(setter("kpi", kpi))
        changes.append(setter("municipality", MUNICIPALITIES[i % len(MUNICIPALITIES)]))
        changes.append(setter("peers", ["lan", "alla", "liknande", "skr"][i % 4]))
        changes.append(setter("years", (2013 + i % 4, end)))  # start year: the map stays
        end = 2025 if end < 2025 else 2022 + i % 3
        changes.append(setter("years", (2013 + i % 4, end)))  # end year: a new map year
        if kpi not in ("N11008", "N15033", "N17461", "U21468"):  # reported by gender
            changes.append(setter("gender", "K"))
            changes.append(setter("gender", "T"))
    changes.append(setter("own_peers", ("0180", "1280", "1480")))
    changes.append(setter("peers", "skr"))
    return changes


def _driver_changes(explorer: widgets.DriverExplorer) -> list[tuple[str, Callable[[], None]]]:
    """Cross-section changes that need a new regression (the panel has no latency goal)."""
    c = explorer.controls

    def setter(name: str, value: object) -> tuple[str, Callable[[], None]]:
        return name, lambda: setattr(c[name], "value", value)

    base = tuple(c["explanatory"].value)
    changes = []
    for year in (2024, 2023, 2022, 2021, 2020, 2019):
        changes.append(setter("year", year))
    changes.append(setter("explanatory", (*base, "N01982")))
    changes.append(setter("explanatory", (*base, "N01994")))
    changes.append(setter("explanatory", base))
    changes.append(setter("log", ("N00906",)))
    changes.append(setter("log", ()))
    changes.append(setter("population", "skr"))
    changes.append(setter("population", "alla"))
    changes.append(setter("outcome", "N15428"))
    changes.append(setter("outcome", "N15504"))
    changes.append(setter("outcome", "N15507"))
    return changes


def _measure(session, reload, changes_of, fresh: Callable[[], None]) -> tuple[dict, dict]:
    """Wall and CPU seconds per change for both explorers, alternating change by change.

    ``session`` keeps its data; ``reload`` gets a fresh session before each change (untimed
    setup, the loading itself is timed). Alternating means both see the same machine load.
    """
    results = []
    for explorer in (session, reload):
        results.append({"wall": [], "cpu": [], "names": [], "changes": changes_of(explorer)})
    for step in range(len(results[0]["changes"])):
        for explorer, result in zip((session, reload), results, strict=True):
            name, change = result["changes"][step]
            if explorer is reload:
                fresh()
            started, cpu_started = time.perf_counter(), time.process_time()
            change()
            result["wall"].append(time.perf_counter() - started)
            result["cpu"].append(time.process_time() - cpu_started)
            result["names"].append(name)
            if explorer.message:
                raise SystemExit(f"{name}: {explorer.message}")
    return results[0], results[1]


def _trend_reload(explorer: widgets.TrendExplorer) -> Callable[[], None]:
    def fresh() -> None:
        explorer._session = Session(explorer.source, preload=False)
        explorer._ranks.clear()
        explorer._map.key = None

    return fresh


def _driver_reload(explorer: widgets.DriverExplorer) -> Callable[[], None]:
    def fresh() -> None:
        explorer._session = Session(explorer.source, ("T",), preload=False)
        explorer._fit_key = None

    return fresh


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:6.0f} ms"


def _report(title: str, goal: float, warm: dict, cold: dict) -> None:
    median, cold_median = statistics.median(warm["wall"]), statistics.median(cold["wall"])
    verdict = "met" if median <= goal else "NOT met"
    print(f"\n{title}: {len(warm['wall'])} control changes")
    print(
        f"  median wall  session {_ms(median)}   reload {_ms(cold_median)}   "
        f"ratio {cold_median / median:4.1f}x   goal <= {goal * 1000:.0f} ms: {verdict}"
    )
    print(
        f"  median CPU   session {_ms(statistics.median(warm['cpu']))}   "
        f"reload {_ms(statistics.median(cold['cpu']))}"
    )
    print("  per control (median wall, session / reload):")
    for name in dict.fromkeys(warm["names"]):
        mine = [t for t, n in zip(warm["wall"], warm["names"], strict=True) if n == name]
        theirs = [t for t, n in zip(cold["wall"], cold["names"], strict=True) if n == name]
        print(
            f"    {name:<12} {_ms(statistics.median(mine))} / "
            f"{_ms(statistics.median(theirs))}   (n = {len(mine)})"
        )


def main() -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Widget latency on demo data; load average before: {load}")
    started = time.perf_counter()
    trend = widgets.TrendExplorer(source="demo", municipality="1880")
    print(f"TrendExplorer built (session data loaded) in {_ms(time.perf_counter() - started)}")
    baseline = widgets.TrendExplorer(source="demo", municipality="1880")
    warm, cold = _measure(trend, baseline, _trend_changes, _trend_reload(baseline))
    _report("TrendExplorer (chart, table, marker and map)", TREND_GOAL, warm, cold)

    started = time.perf_counter()
    drivers = widgets.DriverExplorer(source="demo", area="grundskola")
    print(f"\nDriverExplorer built in {_ms(time.perf_counter() - started)}")
    baseline = widgets.DriverExplorer(source="demo", area="grundskola")
    warm, cold = _measure(drivers, baseline, _driver_changes, _driver_reload(baseline))
    _report("DriverExplorer (cross-section regression and its outputs)", DRIVER_GOAL, warm, cold)
    print("\nload average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
