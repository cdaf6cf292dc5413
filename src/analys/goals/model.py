"""The goal tree of one policy area as data: an ``Area`` of goals, each of indicators.

Built by :func:`analys.goals.load_area` from a validated params file; every value is checked
and resolved (polarity from the registry, tolerance from the area) before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analys import reference, registry, safe
from analys.format import number


@dataclass(frozen=True)
class Cutoffs:
    """Goal status cut-offs: score ≥ met → met, ≥ partly → partly; coverage.

    The rule is docs/methods.md#goal-status.
    """

    met: float = 0.75
    partly: float = 0.4
    coverage: float = 0.5


@dataclass(frozen=True)
class Target:
    """One resolved target specification of an indicator.

    ``kind`` is one of TARGET_KINDS. ``value`` holds the level for ``value`` targets and the
    required change for numeric ``change`` targets; ``by`` the target year; ``quantile`` the
    q of ``peers_quantile``; ``since`` the base year of ``change``; ``low``/``high`` a range.
    """

    kind: str
    value: float | None = None
    by: int | None = None
    quantile: float | None = None
    since: int | None = None
    improve: bool = False
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        """The target in Swedish words, for tables and reasons."""
        if self.kind == "value":
            text = f"minst/högst {number(self.value, 1)}"
            return f"{text} senast {self.by}" if self.by else text
        if self.kind == "national":
            return "minst lika bra som riket"
        if self.kind == "peers_median":
            return "minst lika bra som jämförelsegruppens median"
        if self.kind == "peers_quantile":
            best = round((1 - (self.quantile or 0)) * 100)
            return f"bland de {best} % bästa i jämförelsegruppen"
        if self.kind == "change":
            if self.improve:
                return f"bättre än {self.since}"
            return f"förändring med {number(self.value, 1)} sedan {self.since}"
        return f"mellan {number(self.low, 1)} och {number(self.high, 1)}"


@dataclass(frozen=True)
class Indicator:
    """A KPI with its target, polarity (registry unless overridden) and tolerance."""

    kpi: str
    target: Target
    polarity: str
    tolerance: float
    gender: str = "T"
    weight: float = 1.0
    label: str | None = None

    @property
    def name(self) -> str:
        """The indicator's Swedish label (own label, else the registry's)."""
        return self.label or registry.label(self.kpi)


@dataclass(frozen=True)
class Goal:
    """A political goal and the indicators that follow it up."""

    id: str
    title: str
    indicators: tuple[Indicator, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Drivers:
    """The expected-value block: an outcome KPI and its structural explanatory KPIs."""

    outcome: str
    explanatory: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """A validated policy area: its goals, defaults and the params it came from."""

    area: str
    title: str
    goals: tuple[Goal, ...]
    municipality: str
    year: int | None = None
    source: str = "demo"
    peers: str | tuple[str, ...] = "skr"
    description: str = ""
    drivers: Drivers | None = None
    cost: str | None = None
    cutoffs: Cutoffs = field(default_factory=Cutoffs)
    tolerance: float = 0.05
    path: str | None = field(default=None, compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def indicators(self) -> list[tuple[Goal, Indicator]]:
        """Every (goal, indicator) pair in file order."""
        return [(goal, indicator) for goal in self.goals for indicator in goal.indicators]

    @property
    def kpis(self) -> list[str]:
        """Every KPI id the area uses: indicators, drivers and cost, without repeats."""
        ids = [indicator.kpi for _, indicator in self.indicators]
        if self.drivers:
            ids += [self.drivers.outcome, *self.drivers.explanatory]
        if self.cost:
            ids.append(self.cost)
        return list(dict.fromkeys(ids))

    @property
    def municipality_type(self) -> str:
        """``K`` for a municipal area, ``L`` for a regional one (from the default unit)."""
        return reference.municipality_type(self.municipality) or "K"

    @property
    def main_kpi(self) -> str:
        """The area's main outcome: the drivers outcome, else the first indicator."""
        if self.drivers:
            return self.drivers.outcome
        return self.goals[0].indicators[0].kpi

    def _repr_html_(self) -> str:
        esc = safe.html_text
        rows = "".join(
            f"<tr><td>{esc(goal.title)}</td><td>{esc(indicator.kpi)}</td>"
            f"<td>{esc(indicator.name)}</td><td>{esc(indicator.target.describe())}</td></tr>"
            for goal, indicator in self.indicators
        )
        return (
            f"<b>{esc(self.title)}</b> ({esc(self.area)})<table><tr><th>Mål</th><th>Nyckeltal</th>"
            f"<th></th><th>Målvärde</th></tr>{rows}</table>"
        )
