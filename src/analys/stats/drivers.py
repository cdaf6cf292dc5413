"""Driver analysis: what goes with better results across municipalities and over years?

Cross-section: OLS with HC3 standard errors, standardised coefficients, VIF and Cook's
distance. Panel: municipality and year fixed effects with standard errors clustered by
municipality. Pure functions: frames in, frozen results out
(docs/methods.md#driver-regressions).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.outliers_influence import OLSInfluence, variance_inflation_factor
from statsmodels.tools.tools import add_constant

from analys.errors import ParamsError
from analys.format import number
from analys.frame import wide
from analys.stats.regression import check_rank, kpi_list, prepare
from analys.vocabulary import SMALL_N

VIF_WARNING = 5.0
ECOLOGICAL_NOTE = (
    "Sambanden gäller kommuner, inte enskilda personer (risk för ekologiskt "
    "felslut), och visar samvariation, inte orsak."
)
COEFFICIENT_COLUMNS = [
    "kpi",
    "coef",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "beta",
    "beta_ci_low",
    "beta_ci_high",
    "vif",
]


@dataclass(frozen=True)
class DriverResult:
    """A cross-sectional driver regression."""

    coefficients: pd.DataFrame  # COEFFICIENT_COLUMNS, one row per explanatory KPI
    influence: pd.DataFrame  # by municipality: actual, fitted, residual, leverage, cooks_d,
    #                          influential (D > 4/n)
    r2: float
    r2_adj: float
    n: int
    fit: Any = field(repr=False)  # statsmodels results with cov_type HC3
    warnings: tuple[str, ...] = ()  # Swedish
    dropped: tuple[str, ...] = ()
    outcome: str = ""
    intercept: float = float("nan")
    note: str = ECOLOGICAL_NOTE

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings)
        head = (
            f"<p>Drivkraftsanalys av {html.escape(self.outcome)}: R² = "
            f"{number(self.r2, 2)} (justerat {number(self.r2_adj, 2)}), n = {self.n}. "
            "Robusta standardfel (HC3).</p>"
        )
        table = self.coefficients.to_html(index=False, float_format=lambda v: number(v, 3))
        notes += f"<li>{html.escape(self.note)}</li>"
        return head + table + f"<ul>{notes}</ul>"


def _log(frame: pd.DataFrame, log: Sequence[str]) -> pd.DataFrame:
    log = kpi_list(log)
    unknown = [c for c in log if c not in frame.columns]
    if unknown:
        raise ParamsError(f"log: {', '.join(unknown)} finns inte bland nyckeltalen.")
    out = frame.copy()
    for column in log:
        values = pd.to_numeric(out[column], errors="coerce")
        if (values <= 0).any():
            raise ParamsError(f"log: {column} har värden ≤ 0 och kan inte logaritmeras.")
        out[column] = np.log(values)
    return out


def drivers(
    frame: pd.DataFrame,
    outcome: str,
    explanatory: str | Sequence[str],
    *,
    log: Sequence[str] = (),
    standardise: bool = True,
) -> DriverResult:
    """Driver regression across municipalities: OLS with HC3 standard errors.

    Parameters
    ----------
    frame : DataFrame
        One row per municipality (index codes), one column per KPI id.
    outcome : str
        The KPI to explain.
    explanatory : str or sequence of str
        The candidate drivers.
    log : sequence of str
        KPIs (outcome or explanatory) to take the natural log of first; values must be > 0.
    standardise : bool
        Fill ``beta`` (``coef·sd(x)/sd(y)``, change in standard deviations of the outcome
        per standard deviation of the driver) and its CI; NaN when False.

    Returns
    -------
    DriverResult
        ``.coefficients`` with 95 % CIs and p-values from HC3 standard errors and the t
        distribution (n − k − 1 df), and VIF;
        ``.influence`` with Cook's distance (from the ordinary fit) and ``influential``
        when D > 4/n; ``.warnings`` in Swedish for small n and VIF > 5.
    """
    y, x, dropped = prepare(_log(frame, log) if log else frame, outcome, explanatory)
    design = add_constant(x, has_constant="add")
    plain = OLS(y, design).fit()
    fit = OLS(y, design).fit(cov_type="HC3", use_t=True)
    names = list(design.columns)
    params = pd.Series(fit.params, index=names)
    se = pd.Series(fit.bse, index=names)
    ci = pd.DataFrame(np.asarray(fit.conf_int(alpha=0.05)), index=names, columns=["low", "high"])
    p = pd.Series(fit.pvalues, index=names)
    kpis = list(x.columns)
    scale = x.std(ddof=1) / y.std(ddof=1) if standardise else pd.Series(np.nan, index=kpis)
    vif = (
        pd.Series(
            [variance_inflation_factor(design.to_numpy(), names.index(k)) for k in kpis], index=kpis
        )
        if len(kpis) > 1
        else pd.Series(1.0, kpis)
    )
    coefficients = pd.DataFrame(
        {
            "kpi": kpis,
            "coef": params[kpis].to_numpy(),
            "se": se[kpis].to_numpy(),
            "ci_low": ci.loc[kpis, "low"].to_numpy(),
            "ci_high": ci.loc[kpis, "high"].to_numpy(),
            "p": p[kpis].to_numpy(),
            "beta": (params[kpis] * scale).to_numpy(),
            "beta_ci_low": (ci.loc[kpis, "low"] * scale).to_numpy(),
            "beta_ci_high": (ci.loc[kpis, "high"] * scale).to_numpy(),
            "vif": vif.to_numpy(),
        }
    )[COEFFICIENT_COLUMNS]
    n = int(plain.nobs)
    cooks = OLSInfluence(plain).cooks_distance[0]
    influence = pd.DataFrame(
        {
            "actual": y,
            "fitted": plain.fittedvalues,
            "residual": plain.resid,
            "leverage": OLSInfluence(plain).hat_matrix_diag,
            "cooks_d": cooks,
            "influential": cooks > 4 / n,
        }
    )
    influence.index.name = "municipality"
    notes = []
    if n < max(SMALL_N, 10 * len(kpis)):
        notes.append(
            f"Få kommuner (n = {n}) för {len(kpis)} förklarande nyckeltal – "
            "skattningarna är osäkra."
        )
    for kpi, value in vif.items():
        if value > VIF_WARNING:
            notes.append(
                f"Hög VIF för {kpi} ({number(value)}): samvarierar starkt med de "
                "andra förklarande nyckeltalen, så dess effekt är svår att särskilja."
            )
    return DriverResult(
        coefficients,
        influence,
        float(plain.rsquared),
        float(plain.rsquared_adj),
        n,
        fit,
        tuple(notes),
        dropped,
        outcome,
        float(params["const"]),
    )


@dataclass(frozen=True)
class PanelResult:
    """A panel regression with municipality and year fixed effects."""

    coefficients: pd.DataFrame  # kpi, coef, se, ci_low, ci_high, p (clustered SEs)
    n: int  # observations (municipality-years)
    municipalities: int
    years: tuple[int, ...]
    r2: float  # of the model including the fixed effects
    fit: Any = field(repr=False)
    dropped: int = 0  # municipality-years left out for missing data
    outcome: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def n_groups(self) -> int:
        """The number of municipalities (clusters); same as ``municipalities``."""
        return self.municipalities

    def _repr_html_(self) -> str:
        head = (
            f"<p>Panelregression av {html.escape(self.outcome)} med fasta effekter för "
            f"kommun och år: {self.n} observationer, {self.municipalities} kommuner, "
            f"år {self.years[0]}–{self.years[-1]}. Standardfel klustrade per kommun.</p>"
        )
        return head + self.coefficients.to_html(index=False, float_format=lambda v: number(v, 3))


def panel_frame(data: pd.DataFrame, gender: str = "T") -> pd.DataFrame:
    """A values frame as a panel: columns municipality, year and one per KPI."""
    part = data[data["gender"] == gender] if "gender" in data.columns else data
    return wide(part, index=["municipality", "year"], gender=None).reset_index()


def panel(
    data: pd.DataFrame,
    outcome: str,
    explanatory: str | Sequence[str],
    *,
    log: Sequence[str] = (),
    gender: str = "T",
) -> PanelResult:
    """Two-way fixed-effects regression over municipalities and years.

    Parameters
    ----------
    data : DataFrame
        Either a values frame (columns kpi, municipality, year, gender, value) or a panel
        frame with columns ``municipality``, ``year`` and one column per KPI id.
    outcome, explanatory
        KPI ids.
    log : sequence of str
        KPIs to take the natural log of first; values must be > 0.
    gender : str
        Which gender's values to use from a values frame.

    Returns
    -------
    PanelResult
        OLS of the outcome on the explanatory KPIs plus municipality and year dummies, with
        standard errors clustered by municipality (statsmodels ``cov_type="cluster"``).
        Only within-municipality changes identify the coefficients.
    """
    if {"kpi", "value"} <= set(data.columns):
        data = panel_frame(data, gender)
    needed = {"municipality", "year"} - set(data.columns)
    if needed:
        raise ParamsError(f"panel: kolumnerna {', '.join(sorted(needed))} saknas.")
    explanatory = kpi_list(explanatory)
    indexed = data.set_index(["municipality", "year"])
    if log:
        indexed = _log(indexed, log)
    y, x, _ = prepare(indexed, outcome, explanatory)
    dropped = len(indexed) - len(y)
    keys = y.index.to_frame(index=False)
    keys["municipality"] = keys["municipality"].astype(str)
    effects = pd.get_dummies(keys, columns=["municipality", "year"], drop_first=True, dtype=float)
    effects.index = y.index
    effects.insert(0, "const", 1.0)
    check_rank(x, base=effects)
    design = pd.concat([effects, x], axis=1)
    groups = pd.factorize(keys["municipality"])[0]
    fit = OLS(y, design).fit(cov_type="cluster", cov_kwds={"groups": groups})
    ci = fit.conf_int(alpha=0.05)
    coefficients = pd.DataFrame(
        {
            "kpi": explanatory,
            "coef": fit.params[explanatory].to_numpy(),
            "se": fit.bse[explanatory].to_numpy(),
            "ci_low": ci.loc[explanatory, 0].to_numpy(),
            "ci_high": ci.loc[explanatory, 1].to_numpy(),
            "p": fit.pvalues[explanatory].to_numpy(),
        }
    )
    n_municipalities = int(keys["municipality"].nunique())
    notes = []
    if n_municipalities < SMALL_N:
        notes.append(f"Få kommuner ({n_municipalities}) ger osäkra klustrade standardfel.")
    years = tuple(sorted(int(v) for v in keys["year"].unique()))
    return PanelResult(
        coefficients,
        int(fit.nobs),
        n_municipalities,
        years,
        float(fit.rsquared),
        fit,
        dropped,
        outcome,
        tuple(notes),
    )
