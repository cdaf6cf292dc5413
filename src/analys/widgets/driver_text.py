"""What the driver explorer writes: the coefficient table, the fit summary with its caution,
and the HTML lists of who does better than expected and which units are influential.

Pure functions of a fitted model's outputs; :class:`~analys.widgets.DriverExplorer` calls
them after each update.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analys import reference, registry, safe
from analys.format import MISSING, decimals_for, number
from analys.vocabulary import SMALL_N
from analys.widgets.common import html_table

CAUTION = (
    "Samband mellan kommuner är inte orsakseffekter: att kommuner med högre värde på en "
    "förklaringsvariabel har bättre resultat betyder inte att resultatet blir bättre om "
    "variabeln ändras. Sambanden gäller kommuner, inte enskilda personer (risk för ekologiskt "
    "felslut)."
)


def _p_value(p: float) -> str:
    """A p-value as analysts read it: three decimals, ``< 0,001`` below that."""
    if p is None or not math.isfinite(p):
        return MISSING
    return "< 0,001" if p < 0.001 else number(p, 3)


def coefficient_table(coefficients: pd.DataFrame, standardise: bool) -> pd.DataFrame:
    """One row per explanatory KPI: effect, 95 % interval, p-value and VIF, Swedish headers.

    Parameters
    ----------
    coefficients : DataFrame
        A fitted model's ``coefficients`` (``kpi``, ``coef``, ``ci_low``, ``ci_high``, ``p``,
        ``beta``…, optionally ``vif``).
    standardise : bool
        Show the standardised effects (``beta``) when the model has them.

    Returns
    -------
    DataFrame
        Indexed by ``kpi``.
    """
    beta = standardise and coefficients["beta"].notna().any()
    effect = "Standardiserad effekt" if beta else "Effekt per enhet"
    columns = ("beta", "beta_ci_low", "beta_ci_high") if beta else ("coef", "ci_low", "ci_high")
    table = pd.DataFrame(
        {
            "Nyckeltal": [registry.label(k) for k in coefficients["kpi"]],
            effect: coefficients[columns[0]].to_numpy(),
            "KI 95 % nedre": coefficients[columns[1]].to_numpy(),
            "KI 95 % övre": coefficients[columns[2]].to_numpy(),
            "p-värde": coefficients["p"].to_numpy(),
            "VIF": coefficients["vif"].to_numpy() if "vif" in coefficients else np.nan,
        },
        index=pd.Index(coefficients["kpi"], name="kpi"),
    )
    return table


def coefficient_html(table: pd.DataFrame) -> str:
    """The coefficient table as HTML, p-values written as analysts read them."""
    shown = table.assign(**{"p-värde": [_p_value(p) for p in table["p-värde"]]})
    digits = {c: 3 for c in shown.columns if c not in ("Nyckeltal", "p-värde", "VIF")}
    return html_table(shown, digits | {"VIF": 1}, raw=["p-värde"])


def residual_text(residuals: pd.DataFrame, outcome: str, focus: str, sign: int) -> str:
    """The ten units most above expectation (plus ``focus``) as HTML with a heading."""
    shown = residuals.head(10)
    if focus in residuals.index and focus not in shown.index:
        shown = pd.concat([shown, residuals.loc[[focus]]])
    digits = decimals_for(registry.unit(outcome), residuals["Faktiskt"].abs().max())
    heading = "Bättre än förväntat" if sign > 0 else "Bättre än förväntat (lägre är bättre)"
    if registry.polarity(outcome) == "neutral":
        heading = (
            "Störst avvikelse från det förväntade (nyckeltalet har ingen riktning: högre eller "
            "lägre är varken bättre eller sämre)"
        )
    where = (
        f"{reference.title(focus)}: plats {int(residuals.at[focus, 'Placering'])} av "
        f"{len(residuals)}."
        if focus in residuals.index
        else f"{reference.title(focus)} saknar fullständiga data."
    )
    return (
        f"<b>{heading}</b> – rangordnat efter korsvaliderad residual (faktiskt minus "
        f"förväntat om kommunen lämnats utanför modellen). {safe.html_text(where)}"
        + html_table(
            shown, {"Faktiskt": digits, "Förväntat": digits, "Skillnad": digits, "Placering": 0}
        )
    )


def influence_text(influence: pd.DataFrame, n: int) -> str:
    """The influential units (Cook's distance over 4/n) as HTML, the largest ten shown."""
    if influence.empty:
        return (
            f"<b>Inflytelserika kommuner</b>: inga (Cooks avstånd över 4/n = {number(4 / n, 3)})."
        )
    return (
        f"<b>Inflytelserika kommuner</b> (Cooks avstånd över 4/n = {number(4 / n, 3)}; "
        f"{len(influence)} st, de största visas). Kontrollera deras värden innan du "
        "drar slutsatser."
        + html_table(influence.head(10), {"Cooks avstånd": 3, "Residual": 2, "Hävstång": 3})
    )


def fit_text(
    result: object,
    *,
    model: str,
    year: int | None,
    population: str,
    log: tuple[str, ...],
    dropped: int = 0,
) -> str:
    """The fit summary (n, R², standard errors), the caution and the model's warnings as HTML.

    Parameters
    ----------
    result : DriverResult or PanelResult
        The fitted model.
    model : {"cross", "panel"}
        The model kind.
    year : int or None
        The cross-section's year.
    population : str
        The population in words ("alla kommuner").
    log : tuple of str
        The explanatory KPIs taken the log of.
    dropped : int
        Cross-section: units left out for missing data.
    """
    if model == "cross":
        fit = (
            f"Tvärsnitt {year}, {population}: n = {result.n} "
            f"({dropped} utelämnade för saknade data), R² = {number(result.r2, 2)}, "
            f"justerat R² = {number(result.r2_adj, 2)}. Robusta standardfel (HC3)."
        )
    else:
        fit = (
            f"Panel {result.years[0]}–{result.years[-1]} med fasta effekter för kommun och "
            f"år, {population}: n = {result.n} observationer, "
            f"{result.n_groups} enheter, R² = {number(result.r2, 2)} (med de fasta "
            "effekterna). Standardfel klustrade per kommun; bara förändringar inom "
            "kommunerna över tid bär skattningarna."
        )
    if log:
        fit += " Logaritmerade: " + ", ".join(registry.label(k) for k in log) + "."
    warnings = list(result.warnings)
    n_units = result.n if model == "cross" else result.n_groups
    if n_units < SMALL_N and not any("Få" in text for text in warnings):
        warnings.append(f"Litet underlag (n = {n_units}): tolka sambanden mycket försiktigt.")
    notes = "".join(f"<li>{safe.html_text(text)}</li>" for text in warnings)
    return f"<p>{safe.html_text(fit)}</p><p><i>{safe.html_text(CAUTION)}</i></p>" + (
        f"<ul style='color:#a50f15'>{notes}</ul>" if notes else ""
    )
