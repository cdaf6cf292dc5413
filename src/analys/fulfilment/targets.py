"""Targets resolved to numbers, and the status of one indicator with its Swedish reason.

Every indicator row of an evaluation says which target it was judged against ("riket 231,4",
"jämförelsegruppens median 12,5 %") and why it got its status ("… – 3,2 poäng kvar"), so a
reader can see where each judgement comes from (docs/methods.md#indicator-status).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.format import decimals_for, difference_unit, with_unit
from analys.fulfilment.status import is_missing, quantile_target, range_status, status_of
from analys.goals import Indicator, Target
from analys.stats.projection import projection
from analys.vocabulary import sign


def value_text(x: float, unit: str | None) -> str:
    """A value with its unit and the KPI's decimals, as reasons write it."""
    return with_unit(x, unit, decimals_for(unit, x))


def resolve_target(
    target: Target,
    ind: Indicator,
    table: pd.DataFrame,
    own: pd.Series,
    municipality: str,
    when: int | None,
    peers: list[str],
) -> tuple[float, str, str]:
    """The target of one indicator resolved to a number in the year judged.

    Returns (resolved target, Swedish target text, what it is compared with): a level
    target is itself, ``national`` Riket's value, ``peers_median``/``peers_quantile`` the
    peers' median or quantile (:func:`quantile_target`), ``change`` the value of the base
    year plus the change, a range its midpoint.
    """
    unit = registry.unit(ind.kpi)
    nan = float("nan")
    column = table[when] if when is not None and when in table.columns else pd.Series(dtype=float)
    if target.kind == "value":
        text = f"{value_text(target.value, unit)}" + (f" senast {target.by}" if target.by else "")
        return target.value, text, "målet"
    if target.kind == "national":
        t = float(column.get(reference.RIKET, nan))
        return t, f"riket {value_text(t, unit)}" if not is_missing(t) else "riket", "riket"
    if target.kind in ("peers_median", "peers_quantile"):
        values = column.reindex(peers).dropna().to_numpy(dtype=float)
        if target.kind == "peers_median":
            what = "jämförelsegruppens median"
        else:
            best = round((1 - target.quantile) * 100)
            what = f"gränsen för de {best} % bästa i jämförelsegruppen"
        if len(values) == 0:
            return nan, f"{what} (inga värden)", "jämförelsegruppen (inga värden)"
        if target.kind == "peers_median":
            t = float(np.median(values))
        else:
            t = quantile_target(values, target.quantile, ind.polarity)
        # a median of 1 of 26 members is no group's median: say how many it rests on
        few = f" ({len(values)} av {len(peers)} med värde)" if len(values) < len(peers) else ""
        return t, f"{what} {value_text(t, unit)}{few}", f"{what} ({len(values)} st)"
    if target.kind == "change":
        base = float(own.get(target.since, nan))
        if target.improve:
            was = "inget värde" if is_missing(base) else value_text(base, unit)
            return base, f"bättre än {target.since} ({was})", str(target.since)
        t = base + target.value if not is_missing(base) else nan
        plus = "+" if target.value >= 0 else "−"
        change = with_unit(abs(target.value), difference_unit(unit), decimals_for(unit))
        return t, f"{target.since} {plus}{change} ({value_text(t, unit)})", str(target.since)
    text = f"intervallet {value_text(target.low, unit)} till {value_text(target.high, unit)}"
    return (target.low + target.high) / 2, text, "intervallet"


def judge(
    ind: Indicator,
    x: float,
    t: float,
    own: pd.Series,
    when: int | None,
    unit: str | None,
    target_text: str,
    context: str,
) -> tuple[str, str]:
    """The status of one indicator and its one-line Swedish reason.

    ``x`` is the value judged and ``t`` the resolved target (:func:`resolve_target`); a
    level target with a year ahead (``by``) is judged on the trend's projection to it.
    """
    target = ind.target
    diff_unit = difference_unit(unit)
    if is_missing(x):
        year = f" {when}" if when is not None else ""
        return "no_data", f"Värde saknas{year}; målet är {target_text}"
    if target.kind == "range":
        status = range_status(x, target.low, target.high, ind.tolerance)
        if status == "met":
            return status, f"{value_text(x, unit)} ligger inom {target_text}"
        bound = target.low if x < target.low else target.high
        away = with_unit(abs(x - bound), diff_unit, decimals_for(unit))
        side = "under" if x < target.low else "över"
        note = " (inom toleransen)" if status == "partly" else ""
        return status, f"{value_text(x, unit)} ligger {away} {side} {target_text}{note}"
    if is_missing(t):
        return (
            "no_data",
            f"{value_text(x, unit)}, men målet går inte att beräkna: {context} saknar värde",
        )
    s = sign(ind.polarity) or 1
    gap = s * (x - t)
    left = with_unit(abs(x - t), diff_unit, decimals_for(unit))
    if target.kind == "change" and target.improve:
        if gap > 0:
            return (
                "met",
                f"{value_text(x, unit)} mot {value_text(t, unit)} år {target.since} – förbättring med {left}",
            )
        status = "partly" if gap >= -ind.tolerance * abs(t) else "not_met"
        word = "oförändrat" if gap == 0 else f"försämring med {left}"
        return status, f"{value_text(x, unit)} mot {value_text(t, unit)} år {target.since} – {word}"
    if target.kind == "value" and target.by and when is not None and target.by > when:
        if gap >= 0:
            return "met", f"{value_text(x, unit)} mot målet {target_text} – redan nått"
        series = own[own.index <= when]
        outlook = projection(series, t, target.by, ind.polarity)
        if outlook.status == "on_track":
            return "partly", (
                f"{value_text(x, unit)} mot målet {target_text} – {left} kvar; "
                f"trenden når målet ({value_text(outlook.projected, unit)} {target.by})"
            )
        if outlook.status == "cannot_calculate":
            return (
                "not_met",
                f"{value_text(x, unit)} mot målet {target_text} – {left} kvar; trenden kan inte beräknas",
            )
        return "not_met", (
            f"{value_text(x, unit)} mot målet {target_text} – {left} kvar; trenden "
            f"når {value_text(outlook.projected, unit)} {target.by}"
        )
    status = status_of(x, t, ind.polarity, ind.tolerance)
    versus = f"mot {target_text}" if target.kind != "value" else f"mot målet {target_text}"
    if status == "met":
        return status, f"{value_text(x, unit)} {versus} – uppfyllt" + (
            f" med {left} marginal" if gap > 0 else ""
        )
    note = " (inom toleransen)" if status == "partly" else ""
    return status, f"{value_text(x, unit)} {versus} – {left} kvar{note}"
