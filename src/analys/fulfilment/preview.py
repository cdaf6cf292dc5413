"""The goal builder's preview: how a goal tree would judge one municipality.

For a draft area, :func:`preview` gives the status of each indicator and goal in the latest
year and in each of the five years before it ("hade varit uppfyllt 2021–2023"), the values
behind them, and how many municipalities of the same type would meet each target – so a
politician sees whether a target is ambitious or trivial. Pure: values in, frames out; the
rules are :mod:`analys.fulfilment`'s, unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analys import reference
from analys.fulfilment import ValuesIndex, evaluate
from analys.goals import Area, Indicator
from analys.vocabulary import STATUS_LABELS, sign

YEARS = 5


@dataclass(frozen=True)
class Preview:
    """The preview of one area for one municipality.

    ``indicators``: one row per indicator (goal, kpi, label, gender, year, value, target,
    target_text, status, reason, history (text), meeting, with_value); ``goals``: goal,
    title, status, reason, history; ``statuses``: indicator × year status table (index:
    goal, kpi, gender; columns: years); ``years``: the years looked at.
    """

    indicators: pd.DataFrame
    goals: pd.DataFrame
    statuses: pd.DataFrame
    years: tuple[int, ...]


def _spans(years: list[int]) -> str:
    """``[2021, 2022, 2023, 2025]`` → ``2021–2023, 2025``."""
    parts, start, prev = [], None, None
    for year in sorted(years):
        if start is None:
            start = prev = year
        elif year == prev + 1:
            prev = year
        else:
            parts.append(f"{start}–{prev}" if prev != start else str(start))
            start = prev = year
    if start is not None:
        parts.append(f"{start}–{prev}" if prev != start else str(start))
    return ", ".join(parts)


def history_text(statuses: pd.Series) -> str:
    """One line on the years a status series (index: years) was met, e.g. for the preview.

    "hade varit uppfyllt 2021–2023 (delvis 2024)", "inte uppfyllt något av åren 2021–2025",
    "data saknas 2021–2025".
    """
    years = [int(y) for y in statuses.index]
    if not years:
        return "inga år att visa"
    met = [y for y, s in statuses.items() if s == "met"]
    partly = [y for y, s in statuses.items() if s == "partly"]
    judged = [y for y, s in statuses.items() if s != "no_data"]
    span = _spans(years) if len(years) > 1 else str(years[0])
    if not judged:
        return f"data saknas {span}"
    if not met and not partly:
        return f"inte uppfyllt något av åren {_spans(judged)}"
    text = f"hade varit uppfyllt {_spans(met)}" if met else "inte helt uppfyllt något år"
    if partly:
        text += f" (delvis {_spans(partly)})"
    return text


def meeting(
    ind: Indicator, index: ValuesIndex, municipality_type: str, year: int | None, target: float
) -> tuple[int, int]:
    """How many units of the type (K or L) would meet ``ind``'s target in ``year``, and how many have
    a value. The focus municipality's resolved target ``target`` is the level for level-like
    kinds; ``change`` compares each unit with its own base year; ``range`` uses the range.
    Returns ``(0, 0)`` when it cannot be counted (no year, neutral without a range)."""
    if year is None:
        return 0, 0
    table = index.wide(ind.kpi, ind.gender)
    if year not in table.columns:
        return 0, 0
    table = table.loc[reference.of_type(table.index, municipality_type)]
    x = table[year].to_numpy(dtype=float)
    has = ~np.isnan(x)
    spec = ind.target
    s = sign(ind.polarity)
    with np.errstate(invalid="ignore"):
        if spec.kind == "range":
            ok = (x >= spec.low) & (x <= spec.high)
        elif not s:
            return 0, int(has.sum())
        elif spec.kind == "change":
            if spec.since not in table.columns:
                return 0, int(has.sum())
            base = table[spec.since].to_numpy(dtype=float)
            has &= ~np.isnan(base)
            change = s * (x - base)
            ok = change > 0 if spec.improve else change >= s * (spec.value or 0)
        elif target is None or np.isnan(target):
            return 0, int(has.sum())
        else:
            ok = s * (x - target) >= 0
    return int((ok & has).sum()), int(has.sum())


def preview(
    area: Area,
    data: pd.DataFrame | ValuesIndex,
    municipality: str,
    *,
    groups: pd.DataFrame | None = None,
    years: int = YEARS,
) -> Preview:
    """Judge ``area`` for ``municipality`` now and in each of the ``years`` years before.

    Parameters
    ----------
    area
        A validated (draft) area.
    data
        The area's KPIs for all units (a values frame or a prepared ``ValuesIndex``).
    municipality
        The focus municipality or region.
    groups
        Municipality groups for ``liknande`` and group-id peers.
    years
        How many years the history covers, ending with the latest year with data.
    """
    index = data if isinstance(data, ValuesIndex) else ValuesIndex(data)
    now = evaluate(area, index, municipality, area.year, groups=groups)
    found = now.indicators["year"].dropna()
    last = int(area.year or (found.max() if len(found) else 0)) or None
    span = tuple(range(last - years + 1, last + 1)) if last else ()
    per_year = {y: evaluate(area, index, municipality, y, groups=groups) for y in span}
    key = ["goal", "kpi", "gender"]
    rows = now.indicators.copy()
    if span:
        statuses = pd.concat(
            {y: per_year[y].indicators.set_index(key)["status"] for y in span}, axis=1
        )
        goal_statuses = pd.concat(
            {y: per_year[y].goals.set_index("goal")["status"] for y in span}, axis=1
        )
    else:
        statuses = pd.DataFrame(index=pd.MultiIndex.from_frame(rows[key]))
        goal_statuses = pd.DataFrame(index=now.goals["goal"])
    statuses = statuses[~statuses.index.duplicated()]
    rows["history"] = [
        history_text(statuses.loc[tuple(k)]) for k in rows[key].itertuples(index=False)
    ]
    municipality_type = reference.municipality_type(municipality) or "K"
    counts = [
        meeting(ind, index, municipality_type, None if pd.isna(r.year) else int(r.year), r.target)
        for (_, ind), r in zip(area.indicators, rows.itertuples(), strict=True)
    ]
    rows["meeting"] = [c[0] for c in counts]
    rows["with_value"] = [c[1] for c in counts]
    rows["status_text"] = rows["status"].map(STATUS_LABELS)
    goals = now.goals.copy()
    goals["history"] = [history_text(goal_statuses.loc[g]) for g in goals["goal"]]
    return Preview(rows, goals, statuses, span)
