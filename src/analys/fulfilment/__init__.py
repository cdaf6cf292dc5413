"""Indicator status against targets, and goal and area aggregation.

The rules are docs/methods.md#indicator-status and docs/methods.md#goal-status.

``evaluate(area, values, municipality)`` is pure: it takes a values frame (all municipalities
of the area's type, Riket and the years needed) and returns an ``Evaluation`` of frames. Every
indicator row carries the resolved target, the status and a one-line Swedish reason, so a
reader can see where each judgement comes from.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.catalogue import averaged_years
from analys.data import load_groups
from analys.errors import ParamsError
from analys.format import decimals_for, difference_unit, number, with_unit
from analys.goals import Area, Indicator, Target
from analys.stats.compare import quartile_colours
from analys.stats.peers import peer_label, peer_set
from analys.stats.trend import projection, trend_marker

STATUSES = ("met", "partly", "not_met", "no_data")
#: how a reason marks a direction that the params file, not the registry, gives
OWN_STANCE = "enligt målets egen riktning"
POLARITY_WORDS = {"higher": "högre är bättre", "lower": "lägre är bättre", "neutral": "neutral"}
STATUS_LABELS = {
    "met": "Uppfyllt",
    "partly": "Delvis uppfyllt",
    "not_met": "Ej uppfyllt",
    "no_data": "Data saknas",
}
INDICATOR_COLUMNS = [
    "goal",
    "kpi",
    "label",
    "year",
    "value",
    "target",
    "target_text",
    "gap",
    "status",
    "reason",
    "colour",
    "rank",
    "trend",
    "trend_label",
    "polarity",
    "unit",
    "gender",
    "weight",
    "peers",
]
GOAL_COLUMNS = ["goal", "title", "weight", "score", "coverage", "status", "n", "n_data", "reason"]


class ValuesIndex:
    """A values frame indexed for fast lookups: one wide (municipality × year) per KPI/gender.

    Build it once and pass it to ``evaluate`` many times (e.g. for every municipality).
    """

    def __init__(self, values: pd.DataFrame) -> None:
        frame = values[["kpi", "municipality", "year", "gender", "value"]]
        self._wide: dict[tuple[str, str], pd.DataFrame] = {}
        self._colours: dict[tuple, pd.DataFrame] = {}
        for (kpi, gender), part in frame.groupby(["kpi", "gender"], sort=False):
            table = part.pivot_table(
                index="municipality", columns="year", values="value", aggfunc="first", dropna=False
            )
            self._wide[(str(kpi), str(gender))] = table.astype(float)

    def wide(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        """Municipality × year values of one KPI (empty when the frame has none)."""
        return self._wide.get((kpi, gender), pd.DataFrame(dtype=float))

    def colours(self, kpi: str, gender: str, year: int, polarity: str, kind: str) -> pd.DataFrame:
        """Quartile colours of one KPI and year among all units of ``kind`` (cached)."""
        key = (kpi, gender, year, polarity, kind)
        if key not in self._colours:
            table = self.wide(kpi, gender)
            same = [c for c in table.index if reference.unit_type(c) == kind]
            column = table.loc[same, year] if year in table.columns else pd.Series(dtype=float)
            self._colours[key] = quartile_colours(column, polarity)
        return self._colours[key]

    def latest(self, kpi: str, gender: str, kind: str) -> int | None:
        """The latest year in which any unit of ``kind`` has a value (the default year)."""
        key = ("latest", kpi, gender, kind)
        if key not in self._colours:
            table = self.wide(kpi, gender)
            same = table.loc[[c for c in table.index if reference.unit_type(c) == kind]]
            years = [int(y) for y in same.columns[same.notna().any(axis=0).to_numpy()]]
            self._colours[key] = max(years) if years else None
        return self._colours[key]

    def series(self, kpi: str, municipality: str, gender: str = "T") -> pd.Series:
        """One unit's values by year (NaN dropped)."""
        table = self.wide(kpi, gender)
        if municipality not in table.index:
            return pd.Series(dtype=float)
        return table.loc[municipality].dropna()


@dataclass(frozen=True)
class Evaluation:
    """The judgement of one area for one municipality.

    ``indicators`` has one row per indicator (goal, kpi, year, value, target, status, reason
    and the quartile colour, rank and trend marker); ``goals`` one row per goal (score,
    coverage, status); ``summary`` counts the goals and indicators per status.
    """

    area: Area
    municipality: str
    year: int | None
    gender: str | None
    indicators: pd.DataFrame
    goals: pd.DataFrame
    summary: pd.DataFrame
    peers: tuple[str, ...] = field(default=())
    peers_label: str = ""

    @property
    def counts(self) -> dict[str, int]:
        """Goals per status, e.g. ``{"met": 1, "partly": 2, "not_met": 0, "no_data": 0}``."""
        return {status: int(self.summary.at[status, "goals"]) for status in STATUSES}

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(str(r.goal))}</td><td>{html.escape(str(r.label))}</td>"
            f"<td>{STATUS_LABELS[r.status]}</td><td>{html.escape(str(r.reason))}</td></tr>"
            for r in self.indicators.itertuples()
        )
        return (
            f"<b>{html.escape(self.area.title)} – {html.escape(reference.title(self.municipality))}</b>"
            f"<table><tr><th>Mål</th><th>Indikator</th><th>Status</th><th>Motivering</th>"
            f"</tr>{rows}</table>"
        )


def own_stance(ind: Indicator) -> bool:
    """True when the params file sets a direction the registry does not give the KPI.

    A cost is neutral in the registry (lower is not better); a goal may still want it lower
    ("kostnaden ska vara lägre än riket"). That is the goal's own stance, not a fact about
    quality, and the reason says so.
    """
    return ind.polarity != "neutral" and ind.polarity != registry.polarity(ind.kpi)


def status_of(x: float, t: float, polarity: str, tolerance: float) -> str:
    """Met when s·(x − t) ≥ 0, partly within ``tolerance·|t|``, else not met.

    The rule is docs/methods.md#indicator-status.
    """
    if _missing(x) or _missing(t):
        return "no_data"
    s = registry.sign(polarity) or 1
    gap = s * (x - t)
    if gap >= 0:
        return "met"
    if gap >= -tolerance * abs(t):
        return "partly"
    return "not_met"


def range_status(x: float, low: float, high: float, tolerance: float) -> str:
    """Inside the range met; within ``tolerance`` of the nearest bound outside partly."""
    if _missing(x):
        return "no_data"
    if low <= x <= high:
        return "met"
    bound = low if x < low else high
    return "partly" if abs(x - bound) <= tolerance * abs(bound) else "not_met"


def goal_status(score: float, coverage: float, cutoffs) -> str:
    """Goal status from the score and coverage with the area's cut-offs.

    The rule is docs/methods.md#goal-status.
    """
    if coverage < cutoffs.coverage or _missing(score):
        return "no_data"
    if score >= cutoffs.met:
        return "met"
    if score >= cutoffs.partly:
        return "partly"
    return "not_met"


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _quantile_target(peer_values: np.ndarray, q: float, polarity: str) -> float:
    """The q-quantile of the scores s·x, back on the value scale (docs/methods.md#peer-sets)."""
    s = registry.sign(polarity) or 1
    return float(s * np.quantile(s * peer_values, q))


# ---------------------------------------------------------------------------------- evaluate


def evaluate(
    area: Area,
    values: pd.DataFrame | ValuesIndex,
    municipality: str | None = None,
    year: int | None = None,
    *,
    gender: str | None = None,
    groups: pd.DataFrame | None = None,
) -> Evaluation:
    """Judge every indicator and goal of ``area`` for ``municipality``.

    Parameters
    ----------
    area
        A validated area from ``load_area``.
    values
        A values frame with the area's KPIs for all municipalities (or regions) of
        the area's type and Riket, over the years needed; or a prepared ``ValuesIndex``.
    municipality
        The focus unit; default the area's ``municipality``.
    year
        The year judged; default (``None``) the area's ``year``, else the latest year with
        data per indicator.
    gender
        ``K`` or ``M`` judges women or men separately (KPIs not divided by gender then give
        ``no_data``); default each indicator's own gender (``T``).
    groups
        Municipality groups (for ``liknande`` and group-id peers). The judgement itself
        reads nothing: when the peers need groups and none are given, the area source's are
        loaded here (:func:`analys.data.load_groups`), so ``evaluate(area, values, code)``
        works on its own; reports, widgets and batches pass the groups they hold.
    """
    groups = groups if groups is not None else _needed_groups(area)
    municipality = str(municipality or area.municipality)
    kind = reference.unit_type(municipality)
    if kind is None:
        raise ParamsError(f"municipality: '{municipality}' är ingen känd kommun eller region")
    if kind != area.kind:
        raise ParamsError(
            f"municipality: '{municipality}' ({reference.title(municipality)}) "
            f"passar inte området {area.area}, som gäller "
            f"{'regioner' if area.kind == 'L' else 'kommuner'}"
        )
    index = values if isinstance(values, ValuesIndex) else ValuesIndex(values)
    year = year if year is not None else area.year
    peers = _peers(area, municipality, groups)
    rows = [
        _indicator_row(goal.id, ind, index, municipality, year, gender, peers, kind)
        for goal, ind in area.indicators
    ]
    indicators = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    goals = _goal_rows(area, rows)
    summary = pd.DataFrame(
        {
            "goals": [goals["status"].tolist().count(s) for s in STATUSES],
            "indicators": [[row["status"] for row in rows].count(s) for s in STATUSES],
            "label": [STATUS_LABELS[s] for s in STATUSES],
        },
        index=pd.Index(STATUSES, name="status"),
    )
    label = peer_label(area.peers if isinstance(area.peers, str) else list(area.peers), groups)
    return Evaluation(
        area, municipality, year, gender, indicators, goals, summary, tuple(peers), label
    )


def _needed_groups(area: Area) -> pd.DataFrame | None:
    """The area source's municipality groups when its peers need them, else ``None``."""
    peers = area.peers
    if isinstance(peers, str) and (peers == "liknande" or peers.startswith("G")):
        return load_groups(area.source)
    return None


def _peers(area: Area, municipality: str, groups: pd.DataFrame | None) -> list[str]:
    peers = area.peers if isinstance(area.peers, str) else list(area.peers)
    if groups is None:  # the peers need no groups (see _needed_groups)
        groups = pd.DataFrame({"group": [], "title": [], "members": []})
    return peer_set(municipality, peers, groups=groups, area=area.area)


def _indicator_row(
    goal: str,
    ind: Indicator,
    index: ValuesIndex,
    municipality: str,
    year: int | None,
    gender: str | None,
    peers: list[str],
    kind: str,
) -> dict:
    sex = gender or ind.gender
    table = index.wide(ind.kpi, sex)
    own = index.series(ind.kpi, municipality, sex)
    if year is None:
        when = index.latest(ind.kpi, sex, kind)
    else:
        when = int(year)
    x = float(own.get(when, np.nan)) if when is not None else np.nan
    unit = registry.unit(ind.kpi)
    t, target_text, context = _resolve(ind.target, ind, table, own, municipality, when, peers)
    status, reason = _judge(ind, x, t, own, when, unit, target_text, context)
    if when is None:
        reason = f"Data saknas: {ind.kpi} har inga värden för {reference.title(municipality)}"
    s = registry.sign(ind.polarity)
    gap = s * (x - t) if s and not (_missing(x) or _missing(t)) else np.nan
    # Colours and the trend's better/worse are facts about quality, so they follow the
    # registry; a direction the params file sets is the goal's own stance and only decides
    # the status (docs/judgements.md).
    judged = registry.polarity(ind.kpi)
    if own_stance(ind) and status != "no_data":
        reason += f" ({OWN_STANCE} – {POLARITY_WORDS[ind.polarity]})"
    colour, rank = "grey", np.nan
    if when is not None and when in table.columns:
        coloured = index.colours(ind.kpi, sex, when, judged, kind)
        if municipality in coloured.index:
            colour = coloured.at[municipality, "colour"]
            rank = coloured.at[municipality, "rank"]
    upto = own[own.index <= when] if when is not None else own
    marker = trend_marker(upto, polarity=judged, averaged_years=averaged_years(ind.kpi))
    return {
        "goal": goal,
        "kpi": ind.kpi,
        "label": ind.name,
        "year": when,
        "value": x,
        "target": t,
        "target_text": target_text,
        "gap": gap,
        "status": status,
        "reason": reason,
        "colour": colour,
        "rank": rank,
        "trend": marker.assessment,
        "trend_label": marker.label,
        "polarity": ind.polarity,
        "unit": unit or "",
        "gender": sex,
        "weight": ind.weight,
        "peers": len(peers),
    }


def _fmt(x: float, unit: str | None) -> str:
    return with_unit(x, unit, decimals_for(unit, x))


def _resolve(
    target: Target,
    ind: Indicator,
    table: pd.DataFrame,
    own: pd.Series,
    municipality: str,
    when: int | None,
    peers: list[str],
) -> tuple[float, str, str]:
    """(resolved target, Swedish target text, what it is compared with)."""
    unit = registry.unit(ind.kpi)
    nan = float("nan")
    column = table[when] if when is not None and when in table.columns else pd.Series(dtype=float)
    if target.kind == "value":
        text = f"{_fmt(target.value, unit)}" + (f" senast {target.by}" if target.by else "")
        return target.value, text, "målet"
    if target.kind == "national":
        t = float(column.get(reference.RIKET, nan))
        return t, f"riket {_fmt(t, unit)}" if not _missing(t) else "riket", "riket"
    if target.kind in ("peers_median", "peers_quantile"):
        values = column.reindex(peers).dropna().to_numpy(dtype=float)
        if len(values) == 0:
            return nan, "jämförelsegruppen", "jämförelsegruppen (inga värden)"
        if target.kind == "peers_median":
            t = float(np.median(values))
            what = "jämförelsegruppens median"
        else:
            t = _quantile_target(values, target.quantile, ind.polarity)
            best = round((1 - target.quantile) * 100)
            what = f"gränsen för de {best} % bästa i jämförelsegruppen"
        return t, f"{what} {_fmt(t, unit)}", f"{what} ({len(values)} st)"
    if target.kind == "change":
        base = float(own.get(target.since, nan))
        if target.improve:
            return base, f"bättre än {target.since} ({_fmt(base, unit)})", str(target.since)
        t = base + target.value if not _missing(base) else nan
        sign = "+" if target.value >= 0 else "−"
        change = with_unit(abs(target.value), difference_unit(unit), decimals_for(unit))
        return t, f"{target.since} {sign}{change} ({_fmt(t, unit)})", str(target.since)
    text = f"{_fmt(target.low, unit)} – {_fmt(target.high, unit)}"
    return (target.low + target.high) / 2, text, "intervallet"


def _judge(
    ind: Indicator,
    x: float,
    t: float,
    own: pd.Series,
    when: int | None,
    unit: str | None,
    target_text: str,
    context: str,
) -> tuple[str, str]:
    target = ind.target
    diff_unit = difference_unit(unit)
    if _missing(x):
        year = f" {when}" if when is not None else ""
        return "no_data", f"Värde saknas{year}; målet är {target_text}"
    if target.kind == "range":
        status = range_status(x, target.low, target.high, ind.tolerance)
        if status == "met":
            return status, f"{_fmt(x, unit)} ligger inom {target_text}"
        bound = target.low if x < target.low else target.high
        away = with_unit(abs(x - bound), diff_unit, decimals_for(unit))
        side = "under" if x < target.low else "över"
        note = " (inom toleransen)" if status == "partly" else ""
        return status, f"{_fmt(x, unit)} ligger {away} {side} {target_text}{note}"
    if _missing(t):
        return "no_data", f"{_fmt(x, unit)}, men målet går inte att beräkna: {context} saknar värde"
    s = registry.sign(ind.polarity) or 1
    gap = s * (x - t)
    left = with_unit(abs(x - t), diff_unit, decimals_for(unit))
    if target.kind == "change" and target.improve:
        if gap > 0:
            return (
                "met",
                f"{_fmt(x, unit)} mot {_fmt(t, unit)} år {target.since} – förbättring med {left}",
            )
        status = "partly" if gap >= -ind.tolerance * abs(t) else "not_met"
        word = "oförändrat" if gap == 0 else f"försämring med {left}"
        return status, f"{_fmt(x, unit)} mot {_fmt(t, unit)} år {target.since} – {word}"
    if target.kind == "value" and target.by and when is not None and target.by > when:
        if gap >= 0:
            return "met", f"{_fmt(x, unit)} mot målet {target_text} – redan nått"
        series = own[own.index <= when]
        outlook = projection(series, t, target.by, ind.polarity)
        if outlook.status == "on_track":
            return "partly", (
                f"{_fmt(x, unit)} mot målet {target_text} – {left} kvar; "
                f"trenden når målet ({_fmt(outlook.projected, unit)} {target.by})"
            )
        if outlook.status == "cannot_calculate":
            return (
                "not_met",
                f"{_fmt(x, unit)} mot målet {target_text} – {left} kvar; trenden kan inte beräknas",
            )
        return "not_met", (
            f"{_fmt(x, unit)} mot målet {target_text} – {left} kvar; trenden "
            f"når {_fmt(outlook.projected, unit)} {target.by}"
        )
    status = status_of(x, t, ind.polarity, ind.tolerance)
    versus = f"mot {target_text}" if target.kind != "value" else f"mot målet {target_text}"
    if status == "met":
        return status, f"{_fmt(x, unit)} {versus} – uppfyllt" + (
            f" med {left} marginal" if gap > 0 else ""
        )
    note = " (inom toleransen)" if status == "partly" else ""
    return status, f"{_fmt(x, unit)} {versus} – {left} kvar{note}"


# ---------------------------------------------------------------------------------- goals


def _goal_rows(area: Area, rows: list[dict]) -> pd.DataFrame:
    """Goal score, coverage and status from the indicator rows (plain Python: it runs often)."""
    goals = []
    for goal in area.goals:
        part = [row for row in rows if row["goal"] == goal.id]
        total = sum(row["weight"] for row in part)
        with_data = sum(row["weight"] for row in part if row["status"] != "no_data")
        met = sum(row["weight"] for row in part if row["status"] == "met")
        partly = sum(row["weight"] for row in part if row["status"] == "partly")
        coverage = with_data / total if total else 0.0
        score = (met + 0.5 * partly) / with_data if with_data else float("nan")
        status = goal_status(score, coverage, area.cutoffs)
        counts = {s: sum(row["status"] == s for row in part) for s in STATUSES}
        goals.append(
            {
                "goal": goal.id,
                "title": goal.title,
                "weight": goal.weight,
                "score": score,
                "coverage": coverage,
                "status": status,
                "n": len(part),
                "n_data": len(part) - counts["no_data"],
                "reason": _goal_reason(counts, len(part), score, coverage, status, area),
            }
        )
    return pd.DataFrame(goals, columns=GOAL_COLUMNS)


def _goal_reason(
    counts: dict[str, int], n: int, score: float, coverage: float, status: str, area: Area
) -> str:
    text = f"{counts['met']} av {n} indikatorer uppfyllda, {counts['partly']} delvis"
    if status == "no_data":
        return (
            f"{text}; data finns för {number(coverage * 100, 0)} % av vikten, under "
            f"kravet {number(area.cutoffs.coverage * 100, 0)} %"
        )
    return f"{text}; poäng {number(score, 2)}, täckning {number(coverage * 100, 0)} %"


def evaluate_all(
    area: Area,
    values: pd.DataFrame,
    municipalities: Sequence[str] | None = None,
    *,
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Goal statuses of ``area`` for many municipalities (default: all of its type)."""
    index = ValuesIndex(values)
    groups = groups if groups is not None else _needed_groups(area)  # once, not per code
    codes = municipalities or (
        reference.kommun_codes() if area.kind == "K" else reference.region_codes()
    )
    frames = []
    for code in codes:
        result = evaluate(area, index, code, groups=groups)
        frames.append(result.goals.assign(municipality=code))
    return pd.concat(frames, ignore_index=True)
