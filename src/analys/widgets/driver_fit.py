"""What the driver explorer computes: the model frame, the checks of a choice, the fit.

Pure functions of the explorer's choice and the wide tables of its session (one row per
unit, one column per year): no widgets, no drawing. :class:`~analys.widgets.DriverExplorer`
calls them and shows the result (:mod:`analys.widgets.driver_text` words it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.errors import AnalysError
from analys.widgets.session import kpi_label

#: a cross-section needs this many residual degrees of freedom beyond the coefficients
MIN_RESIDUAL_DF = 10


@dataclass(frozen=True)
class DriverChoice:
    """What the driver explorer's controls ask for."""

    outcome: str
    explanatory: tuple[str, ...]
    year: int | None
    population: str
    log: tuple[str, ...]
    standardise: bool
    model: str  # "cross" (one year) or "panel" (fixed effects over the years)
    municipality: str


def best_year(wide: Callable[[str], pd.DataFrame], kpis: Sequence[str], years: list[int]) -> int:
    """The latest year in which nearly as many units as at best (90 %) have every KPI.

    ``wide(kpi)`` is the KPI's wide table over the population (units × years).
    """
    counts = {}
    for year in years:
        columns = [wide(k).get(year) for k in kpis]
        present = [col.notna() for col in columns if col is not None]
        counts[year] = int(np.logical_and.reduce(present).sum()) if len(present) == len(kpis) else 0
    enough = 0.9 * max(counts.values())
    return max(y for y, n in counts.items() if n >= enough)


def model_frame(
    wide: Callable[[str], pd.DataFrame], kpis: Sequence[str], codes: list[str], year: int | None
) -> pd.DataFrame:
    """One column per KPI: by unit for ``year``, or by (unit, year) for the panel."""
    columns = {}
    for kpi in kpis:
        table = wide(kpi).reindex(codes)
        if year is None:
            columns[kpi] = table.stack(future_stack=True)
        else:
            columns[kpi] = table[year] if year in table.columns else pd.Series(np.nan, codes)
    frame = pd.DataFrame(columns)
    if year is None:
        frame.index.names = ["municipality", "year"]
    return frame


def check_choice(choice: DriverChoice) -> None:
    """A choice that cannot be fitted, in one Swedish line (``AnalysError``)."""
    if not choice.explanatory:
        raise AnalysError("Välj minst en förklaringsvariabel.")
    if choice.outcome in choice.explanatory:
        raise AnalysError(
            f"Utfallet {kpi_label(choice.outcome)} kan inte också vara "
            "förklaringsvariabel – ta bort det ur listan Förklarande."
        )
    if choice.model == "cross" and choice.year is None:
        raise AnalysError(f"{kpi_label(choice.outcome)} har inga värden i källan.")


def fit(frame: pd.DataFrame, choice: DriverChoice, population: str, kind: str) -> tuple[Any, Any]:
    """Fit the chosen model on ``frame`` (from :func:`model_frame`).

    Takes the logs asked for, checks there are enough units with complete data, and fits a
    cross-section (drivers and expected values) or a fixed-effects panel (with standardised
    effects, :func:`standardised_panel`).

    Parameters
    ----------
    frame : DataFrame
        The model frame; the logged columns are replaced in place.
    choice : DriverChoice
        The explorer's choice.
    population : str
        The population in words, for the messages ("alla kommuner").
    kind : {"K", "L"}
        Municipalities or regions.

    Returns
    -------
    tuple
        ``(result, expected)``: a ``DriverResult`` and ``ExpectedValues`` for a
        cross-section, a ``PanelResult`` and ``None`` for the panel.

    Raises
    ------
    AnalysError
        A KPI without values, a log of a value ≤ 0, too few units (Swedish messages).
    """
    year = choice.year if choice.model == "cross" else None
    kpis = [choice.outcome, *choice.explanatory]
    when = f" {year}" if year is not None else ""
    for kpi in kpis:
        if frame[kpi].notna().sum() == 0:
            raise AnalysError(
                f"{kpi_label(kpi)} har inga värden{when} för "
                f"{population}. Välj ett annat år eller nyckeltal."
            )
    for kpi in choice.log:
        if (frame[kpi].dropna() <= 0).any():
            raise AnalysError(
                f"Logaritmen går inte att ta: {kpi_label(kpi)} har värden som är 0 eller "
                "negativa. Ta bort det ur listan Logaritm."
            )
        frame[kpi] = np.log(frame[kpi])
    complete = frame.dropna()
    k = len(choice.explanatory)
    units = "regioner" if kind == "L" else "kommuner"
    if choice.model == "cross" and len(complete) < k + 1 + MIN_RESIDUAL_DF:
        raise AnalysError(
            f"För få {units} med fullständiga data{when}: {len(complete)} i "
            f"{population}, minst {k + 1 + MIN_RESIDUAL_DF} behövs "
            f"för {k} förklaringsvariabler. Välj en större population, färre "
            "förklaringsvariabler eller ett annat år."
        )
    # statsmodels: imported when a regression is first fitted
    from analys.stats import drivers, model

    explanatory = list(choice.explanatory)
    if choice.model == "cross":
        result = drivers.drivers(frame, choice.outcome, explanatory)
        return result, model.expected_values(frame, choice.outcome, explanatory)
    result = drivers.panel(frame.reset_index(), choice.outcome, explanatory)
    return standardised_panel(result, complete, choice.outcome, explanatory), None


def standardised_panel(
    result: Any, complete: pd.DataFrame, outcome: str, explanatory: Sequence[str]
) -> Any:
    """The panel result with standardised effects: coef·sd(x)/sd(y) over the observations used."""
    coefficients = result.coefficients.copy()
    scale = complete[list(explanatory)].std(ddof=1) / complete[outcome].std(ddof=1)
    factor = scale.reindex(coefficients["kpi"]).to_numpy()
    coefficients["beta"] = coefficients["coef"] * factor
    coefficients["beta_ci_low"] = coefficients["ci_low"] * factor
    coefficients["beta_ci_high"] = coefficients["ci_high"] * factor
    coefficients["vif"] = np.nan
    return dataclasses.replace(result, coefficients=coefficients)


def residual_table(expected: Any, outcome: str) -> pd.DataFrame:
    """The units ranked by leave-one-out residual (:func:`analys.stats.model.residual_ranking`).

    Columns Kommun, Faktiskt, Förväntat, Skillnad (the leave-one-out residual) and
    Placering (1 = most better than expected; for a neutral outcome the largest deviation).
    """
    from analys.stats import model  # statsmodels

    ranked = model.residual_ranking(expected.table, registry.polarity(outcome))
    return pd.DataFrame(
        {
            "Kommun": [reference.title(m) for m in ranked.index],
            "Faktiskt": ranked["actual"],
            "Förväntat": ranked["expected"],
            "Skillnad": ranked["loo_residual"],
            "Placering": ranked["rank"].to_numpy(),
        },
        index=ranked.index,
    )


def influence_table(result: Any) -> pd.DataFrame:
    """The influential units (Cook's distance), the largest first."""
    influence = result.influence
    influential = influence[influence["influential"]].sort_values("cooks_d", ascending=False)
    return pd.DataFrame(
        {
            "Kommun": [reference.title(m) for m in influential.index],
            "Cooks avstånd": influential["cooks_d"],
            "Residual": influential["residual"],
            "Hävstång": influential["leverage"],
        },
        index=influential.index,
    )
