"""The goal-status overview: a chart of goals and a coloured table of indicators.

Public through :mod:`analys.plots` (``goal_status_chart``, ``goal_status_table``). What the
chart shows is computed once, as :class:`GoalBars` (:func:`goal_bars`), and drawn on a
matplotlib Axes (:func:`draw_goals`) or straight as SVG (:mod:`analys.plots.svg_goals`, for
the reports). Statuses
and their Swedish names are those of docs/methods.md#indicator-status; colours come from
:mod:`analys.chartstyle`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from pandas.io.formats.style import Styler

from analys import registry
from analys.chartstyle import STATUS_COLOURS, TITLE_Y
from analys.format import MISSING, decimals_for, number
from analys.plots.base import finish, new_axes, no_data, wrap
from analys.vocabulary import STATUS_LABELS

#: Text colour that stays readable on each status colour.
STATUS_TEXT = {"met": "white", "partly": "black", "not_met": "white", "no_data": "black"}

#: Swedish column headers of the indicator table.
TABLE_HEADERS = {
    "goal": "Mål",
    "kpi": "Nyckeltal",
    "year": "År",
    "value": "Värde",
    "unit": "Enhet",
    "target": "Målvärde",
    "status": "Status",
    "reason": "Motivering",
    "trend_label": "Trend",
}


def _status(value: object) -> str:
    return value if isinstance(value, str) and value in STATUS_COLOURS else "no_data"


def _percent(value: float) -> str:
    return MISSING if pd.isna(value) else f"{number(100 * float(value), 0)} %"


#: inches the goal chart needs besides its rows: title, axis, axis label and caption
GOAL_CHART_FRAME = 1.3
#: inches per goal row: at least this, more for a label of several lines
GOAL_ROW = 0.5
#: inches per line of an 8-point row label (with its share of the gap between rows)
GOAL_LABEL_LINE = 0.15


def _goal_labels(goals: pd.DataFrame) -> list[str]:
    """Each goal's row label: its title (else its id), wrapped to 38 characters a line."""
    labels = goals["title"] if "title" in goals.columns else goals["goal"]
    return [
        wrap(str(t if isinstance(t, str) and t else g), 38)
        for t, g in zip(labels, goals["goal"], strict=True)
    ]


def goal_chart_size(goals: pd.DataFrame | None) -> tuple[float, float]:
    """The size (inches) of :func:`goal_status_chart`'s figure: 7 wide, and tall enough that
    the goals' labels of two or three lines never run into each other."""
    return _chart_size([] if goals is None or not len(goals) else _goal_labels(goals))


def _chart_size(labels: list[str]) -> tuple[float, float]:
    rows = sum(max(GOAL_ROW, GOAL_LABEL_LINE * (label.count("\n") + 2)) for label in labels)
    return 7.0, GOAL_CHART_FRAME + max(rows, GOAL_ROW)


@dataclass(frozen=True)
class GoalBars:
    """What the goal chart shows, whichever way it is drawn: per goal its row label
    (wrapped), status, score and the text at the right ("Delvis uppfyllt · 75 % (täckning
    100 %)"). ``message`` set means there is nothing to draw."""

    goals: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    scores: tuple[float, ...] = ()
    texts: tuple[str, ...] = ()
    message: str | None = None

    @property
    def size(self) -> tuple[float, float]:
        """The matplotlib figure's size (inches), as :func:`goal_chart_size`."""
        return _chart_size(list(self.labels))


#: the goal chart's title and axis
GOAL_TITLE = "Måluppfyllelse"
GOAL_AXIS = "Målpoäng (delvis uppfyllda indikatorer räknas som halva)"
GOAL_TICKS = ((0.0, "0 %"), (0.25, "25 %"), (0.5, "50 %"), (0.75, "75 %"), (1.0, "100 %"))


def goal_bars(goals: pd.DataFrame | None) -> GoalBars:
    """What :func:`goal_status_chart` draws."""
    if goals is None or not len(goals):
        return GoalBars(message="Inga mål att visa.")
    statuses = [_status(s) for s in goals["status"]]
    scores = pd.to_numeric(goals["score"], errors="coerce").astype(float).to_numpy()
    coverage = pd.to_numeric(goals["coverage"], errors="coerce").astype(float).to_numpy()
    return GoalBars(
        goals=tuple(str(g) for g in goals["goal"]),
        labels=tuple(_goal_labels(goals)),
        statuses=tuple(statuses),
        scores=tuple(scores.tolist()),
        texts=tuple(
            f"{STATUS_LABELS[status]} · {_percent(score)} (täckning {_percent(cover)})"
            for status, score, cover in zip(statuses, scores, coverage, strict=True)
        ),
    )


def goal_status_chart(goals: pd.DataFrame, *, source: str = "demo", ax: Axes | None = None) -> Axes:
    """One horizontal bar per goal: length the score (0–1), colour the goal's status.

    Parameters
    ----------
    goals : DataFrame
        Columns ``goal``, ``score``, ``coverage``, ``status`` (``met``, ``partly``,
        ``not_met``, ``no_data``) and optionally ``title`` (used as the row label).
    source : {"demo", "kolada", "store"}
    ax : Axes, optional

    Returns
    -------
    Axes
        Each bar is labelled with the Swedish status name (Uppfyllt, Delvis uppfyllt, Ej
        uppfyllt, Data saknas), the score and the coverage.
    """
    return draw_goals(new_axes(ax, goal_chart_size(goals)), goal_bars(goals), source=source)


def draw_goals(ax: Axes, bars: GoalBars, *, source: str) -> Axes:
    """Draw ``bars`` on ``ax``."""
    if bars.message is not None:
        return no_data(ax, bars.message, source, derived=True)
    count = len(bars.goals)
    rows = np.arange(count)
    ax.barh(rows, np.ones(count), color="#f0f0f0", height=0.7, lw=0)
    drawn = ax.barh(
        rows,
        np.nan_to_num(np.asarray(bars.scores, dtype=float)),
        height=0.7,
        color=[STATUS_COLOURS[s] for s in bars.statuses],
        lw=0,
    )
    for bar, goal in zip(drawn, bars.goals, strict=True):
        bar.set_gid(goal)
    for row, text in zip(rows, bars.texts, strict=True):
        ax.text(1.02, row, text, va="center", fontsize=8, transform=ax.get_yaxis_transform())
    ax.set_yticks(rows, list(bars.labels), fontsize=8)
    ax.set_ylim(count - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks([v for v, _ in GOAL_TICKS], [t for _, t in GOAL_TICKS])
    ax.set_xlabel(GOAL_AXIS)
    ax.set_title(GOAL_TITLE, loc="left", y=TITLE_Y, fontsize=11)
    return finish(ax, source, derived=True)


def _cell_number(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return MISSING
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return number(float(value), decimals_for(None, float(value)))
    return str(value)


def _status_css(value: object) -> str:
    status = _status(value)
    return f"background-color: {STATUS_COLOURS[status]}; color: {STATUS_TEXT[status]}"


def _year(value: object) -> str:
    return MISSING if value is None or pd.isna(value) else f"{int(value)}"


def goal_status_table(indicators: pd.DataFrame) -> Styler:
    """The indicators of a goal tree as a coloured table, Swedish throughout.

    Parameters
    ----------
    indicators : DataFrame
        At least ``goal``, ``kpi``, ``value``, ``target``, ``status`` and ``reason``, e.g.
        ``Evaluation.indicators``. Of its other columns ``year``, ``unit`` and
        ``trend_label`` are shown too; the rest are left out.

    Returns
    -------
    Styler
        Status cells coloured by ``STATUS_COLOURS`` and named in Swedish (Uppfyllt, Delvis
        uppfyllt, Ej uppfyllt, Data saknas), numbers with a decimal comma and a space
        between thousands, KPIs by their registry label and id, Swedish column headers and
        no index. The underlying data keeps the numbers (for export).
    """
    frame = indicators.reset_index(drop=True)
    frame = frame[[c for c in TABLE_HEADERS if c in frame.columns]]
    numeric = [c for c in ("value", "target") if c in frame.columns]
    styler = frame.style.hide(axis="index")
    styler = styler.format(_cell_number, subset=numeric, na_rep=MISSING)
    if "year" in frame.columns:
        styler = styler.format(_year, subset=["year"])
    if "kpi" in frame.columns:
        styler = styler.format(lambda k: f"{registry.label(str(k))} ({k})", subset=["kpi"])
    if "status" in frame.columns:
        styler = styler.format(lambda s: STATUS_LABELS[_status(s)], subset=["status"])
        styler = styler.map(_status_css, subset=["status"])
    headers = [TABLE_HEADERS[c] for c in frame.columns]
    return styler.relabel_index(headers, axis="columns")
