"""Expected values and "learn from": who does better than their conditions predict?

docs/methods.md#expected-values: OLS with intercept of the outcome on structural KPIs across
municipalities with complete data; residual = actual − expected; the leave-one-out residual
``e_i / (1 − h_ii)`` is what ranks municipalities. Driver and panel regressions live in
:mod:`analys.stats.drivers`. Pure functions: frames in, frozen results out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from analys.errors import AnalysError, ParamsError
from analys.format import number
from analys.stats.drivers import DriverResult, PanelResult, drivers, panel, panel_frame
from analys.stats.regression import prepare
from analys.vocabulary import sign

__all__ = [
    "DriverResult",
    "ExpectedValues",
    "PanelResult",
    "drivers",
    "expected_in_year",
    "expected_values",
    "learn_from",
    "panel",
    "panel_frame",
    "residual_ranking",
]


@dataclass(frozen=True)
class ExpectedValues:
    """An expected-value model (docs/methods.md#expected-values)."""

    table: pd.DataFrame  # actual, expected, residual, loo_residual, leverage; by municipality
    r2: float
    n: int
    fit: Any = field(repr=False)  # statsmodels RegressionResults
    dropped: tuple[str, ...]  # municipalities left out for missing data
    coefficients: pd.DataFrame  # index term ("const" and KPI ids): coef, se, p
    outcome: str = ""
    explanatory: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        head = (
            f"<p>Förväntat värde för {html.escape(self.outcome)} utifrån "
            f"{html.escape(', '.join(self.explanatory))}: R² = {number(self.r2, 2)}, "
            f"n = {self.n}, utelämnade för saknade data: {len(self.dropped)}</p>"
        )
        return head + self.table.to_html(float_format=lambda v: number(v, 2))


def expected_values(
    frame: pd.DataFrame, outcome: str, explanatory: str | Sequence[str]
) -> ExpectedValues:
    """Expected values of ``outcome`` given ``explanatory`` (OLS with intercept).

    Parameters
    ----------
    frame : DataFrame
        One row per municipality (index codes), one column per KPI id.
    outcome : str
        The KPI to explain.
    explanatory : str or sequence of str
        Structural KPIs; municipalities missing any of them (or the outcome) are dropped and
        listed in ``.dropped``.

    Returns
    -------
    ExpectedValues
        ``.table`` indexed by municipality with ``actual``, ``expected``, ``residual``
        (actual − expected), ``loo_residual`` (``e_i/(1 − h_ii)``, the residual had the
        municipality been left out of the fit) and ``leverage`` (``h_ii``); ``.r2``, ``.n``,
        ``.fit``, ``.coefficients``.

    Raises
    ------
    ParamsError
        Too few municipalities (n ≤ k + 2) or perfectly collinear explanatory KPIs.
    """
    y, x, dropped = prepare(frame, outcome, explanatory)
    fit = OLS(y, add_constant(x, has_constant="add")).fit()
    leverage = fit.get_influence().hat_matrix_diag
    residual = y - fit.fittedvalues
    with np.errstate(divide="ignore", invalid="ignore"):
        loo = np.where(leverage < 1 - 1e-10, residual / (1 - leverage), np.nan)
    table = pd.DataFrame(
        {
            "actual": y,
            "expected": fit.fittedvalues,
            "residual": residual,
            "loo_residual": loo,
            "leverage": leverage,
        }
    )
    table.index.name = "municipality"
    coefficients = pd.DataFrame({"coef": fit.params, "se": fit.bse, "p": fit.pvalues})
    coefficients.index.name = "term"
    return ExpectedValues(
        table,
        float(fit.rsquared),
        int(fit.nobs),
        fit,
        dropped,
        coefficients,
        outcome,
        tuple(x.columns),
    )


def learn_from(
    expected: ExpectedValues, peers: Sequence[str], n: int = 5, polarity: str = "higher"
) -> pd.DataFrame:
    """ "Lär av": the peers doing most better than expected (positive deviants).

    Parameters
    ----------
    expected : ExpectedValues
        From :func:`expected_values`.
    peers : sequence of str
        Peer codes (see :func:`analys.stats.peers.peer_set`).
    n : int
        At most this many.
    polarity : {"higher", "lower"}
        Lower is better flips the sign: a negative residual is then better than expected.

    Returns
    -------
    DataFrame
        The peers with ``better_than_expected = s·loo_residual > 0``, largest first, with
        the columns of ``expected.table`` plus ``better_than_expected``.
    """
    s = sign(polarity)
    if s == 0:
        raise ParamsError(
            "polarity: neutral – för ett nyckeltal utan riktning finns inget "
            "'bättre än förväntat'; ange higher eller lower."
        )
    table = expected.table.reindex([p for p in peers if p in expected.table.index])
    table = table.assign(better_than_expected=s * table["loo_residual"])
    table = table[table["better_than_expected"] > 0]
    return table.sort_values("better_than_expected", ascending=False, kind="stable").head(n)


def expected_in_year(
    data: pd.DataFrame,
    outcome: str,
    explanatory: Sequence[str],
    *,
    year: int,
    codes: Sequence[str],
) -> ExpectedValues:
    """Expected values of ``outcome`` across the units ``codes`` in one year.

    The area report's model (section *Förväntat värde och samband*): the totals (gender
    ``T``) of ``year`` from a long values frame, one row per unit in ``codes`` (e.g. every
    municipality, so Riket and groups never enter the fit), then :func:`expected_values`.

    Parameters
    ----------
    data : DataFrame
        A long values frame (docs/data-contract.md#the-values-frame) holding the outcome
        and the explanatory KPIs.
    outcome, explanatory
        The KPI to explain and the structural KPIs.
    year : int
        The cross-section's year.
    codes : sequence of str
        The units the regression runs over.

    Raises
    ------
    AnalysError
        No value in ``year`` for one of the KPIs (the message names them), or the fit's own
        errors (too few units, collinear KPIs).
    """
    part = data[(data["gender"] == "T") & (data["year"] == year)]
    wide = part.pivot_table(index="municipality", columns="kpi", values="value")
    wide = wide[wide.index.isin(list(codes))]
    columns = [outcome, *explanatory]
    missing = [k for k in columns if k not in wide.columns]
    if missing:
        raise AnalysError(f"inga värden {year} för {', '.join(missing)}.")
    return expected_values(wide[columns], outcome, list(explanatory))


def residual_ranking(table: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Units ranked by their leave-one-out residual: who does most better than expected.

    With a direction the score is ``s · loo_residual`` (``s`` = +1 when higher is better,
    −1 when lower is better), largest first. A neutral outcome (a cost) has no "better":
    the largest deviations either way come first and the score is the signed
    ``loo_residual`` (above or below expected). Units without a leave-one-out residual come
    last; ties keep the table's order.

    Parameters
    ----------
    table : DataFrame
        :attr:`ExpectedValues.table` (by unit, with ``loo_residual``).
    polarity : {"higher", "lower", "neutral"}
        The outcome's polarity.

    Returns
    -------
    DataFrame
        ``table`` sorted, with ``score`` and ``rank`` (1 = first) added.

    Raises
    ------
    ParamsError
        An unknown polarity.
    """
    s = sign(polarity)
    loo = table["loo_residual"]
    score = loo if s == 0 else s * loo
    key = loo.abs() if s == 0 else score
    order = key.sort_values(ascending=False, kind="stable", na_position="last").index
    ranked = table.assign(score=score).loc[order]
    return ranked.assign(rank=np.arange(1, len(ranked) + 1))
