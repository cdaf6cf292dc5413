"""Indicator status against targets, and goal and area aggregation.

The rules are docs/methods.md#indicator-status and docs/methods.md#goal-status.

``evaluate(area, values, municipality)`` is pure: it takes a values frame (all municipalities
of the area's type, Riket and the years needed) and returns an ``Evaluation`` of frames. Every
indicator row carries the resolved target, the status and a one-line Swedish reason, so a
reader can see where each judgement comes from. The rules of one indicator and one goal are
:mod:`analys.fulfilment.status`, the target texts and reasons :mod:`analys.fulfilment.targets`,
the indexed values :mod:`analys.fulfilment.values_index`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.catalogue import averaged_years
from analys.data import load_groups
from analys.errors import ParamsError
from analys.format import indicator_basis, number
from analys.fulfilment.status import (
    OWN_STANCE,
    goal_status,
    is_missing,
    own_stance,
    range_status,
    status_of,
)
from analys.fulfilment.targets import judge, resolve_target
from analys.fulfilment.values_index import ValuesIndex
from analys.goals import Area, Indicator
from analys.stats.peers import peer_label, peer_set
from analys.stats.trend import trend_marker
from analys.vocabulary import (
    MUNICIPALITY_TYPE_WORDS,
    POLARITY_WORDS,
    STATUS_LABELS,
    STATUSES,
    sign,
)

__all__ = [
    "GOAL_COLUMNS",
    "INDICATOR_COLUMNS",
    "OWN_STANCE",
    "Evaluation",
    "ValuesIndex",
    "evaluate",
    "evaluate_all",
    "goal_status",
    "own_stance",
    "range_status",
    "status_of",
]
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
    "trend_last",
    "polarity",
    "unit",
    "gender",
    "weight",
    "peers",
]
GOAL_COLUMNS = ["goal", "title", "weight", "score", "coverage", "status", "n", "n_data", "reason"]


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
    municipality_type = reference.municipality_type(municipality)
    if municipality_type is None:
        raise ParamsError(f"municipality: '{municipality}' är ingen känd kommun eller region")
    if municipality_type != area.municipality_type:
        raise ParamsError(
            f"municipality: '{municipality}' ({reference.title(municipality)}) "
            f"passar inte området {area.area}, som gäller "
            f"{MUNICIPALITY_TYPE_WORDS[area.municipality_type]}"
        )
    index = values if isinstance(values, ValuesIndex) else ValuesIndex(values)
    year = year if year is not None else area.year
    peers = _peers(area, municipality, groups)
    rows = [
        _indicator_row(goal.id, ind, index, municipality, year, gender, peers, municipality_type)
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
    municipality_type: str,
) -> dict:
    sex = gender or ind.gender
    table = index.wide(ind.kpi, sex)
    own = index.series(ind.kpi, municipality, sex)
    if year is None:
        when = index.latest(ind.kpi, sex, municipality_type)
    else:
        when = int(year)
    x = float(own.get(when, np.nan)) if when is not None else np.nan
    unit = registry.unit(ind.kpi)
    t, target_text, context = resolve_target(ind.target, ind, table, own, municipality, when, peers)
    status, reason = judge(ind, x, t, own, when, unit, target_text, context)
    if when is None:
        reason = f"Data saknas: {ind.kpi} har inga värden för {reference.title(municipality)}"
    s = sign(ind.polarity)
    gap = s * (x - t) if s and not (is_missing(x) or is_missing(t)) else np.nan
    # Colours and the trend's better/worse are facts about quality, so they follow the
    # registry; a direction the params file sets is the goal's own stance and only decides
    # the status (docs/judgements.md).
    judged = registry.polarity(ind.kpi)
    if own_stance(ind) and status != "no_data":
        reason += f" ({OWN_STANCE} – {POLARITY_WORDS[ind.polarity]})"
    colour, rank = "grey", np.nan
    if when is not None and when in table.columns:
        coloured = index.colours(ind.kpi, sex, when, judged, municipality_type)
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
        # the last year the trend test used: before ``year`` when that year's value is missing
        "trend_last": max(marker.years) if marker.years else np.nan,
        "polarity": ind.polarity,
        "unit": unit or "",
        "gender": sex,
        "weight": ind.weight,
        "peers": len(peers),
    }


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
    text = indicator_basis(
        counts["met"], n, partly=counts.get("partly", 0), no_data=counts.get("no_data", 0)
    )
    if status == "no_data":
        return (
            f"{text}; data finns för {number(coverage * 100, 0)} % av vikten, under "
            f"kravet {number(area.cutoffs.coverage * 100, 0)} %"
        )
    return f"{text}; poäng {number(score, 2)}, täckning {number(coverage * 100, 0)} %"


def evaluate_all(
    area: Area,
    data: pd.DataFrame,
    municipalities: Sequence[str] | None = None,
    *,
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Goal statuses of ``area`` for many municipalities (default: all of its type)."""
    index = ValuesIndex(data)
    groups = groups if groups is not None else _needed_groups(area)  # once, not per code
    codes = municipalities or reference.codes_of_type(area.municipality_type)
    frames = []
    for code in codes:
        result = evaluate(area, index, code, groups=groups)
        frames.append(result.goals.assign(municipality=code))
    return pd.concat(frames, ignore_index=True)
