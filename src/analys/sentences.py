"""Short Swedish sentences generated from the numbers, for politicians reading a report.

Each function takes plain values and returns one sentence, so the wording is tested apart
from the report: e.g. "Meritvärde åk 9 har ökat tre år i rad och ligger nu bland de 25 %
bästa i kommungruppen."
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analys import registry
from analys.format import decimals_for, difference_unit, with_unit

COUNT_WORDS = {
    2: "två",
    3: "tre",
    4: "fyra",
    5: "fem",
    6: "sex",
    7: "sju",
    8: "åtta",
    9: "nio",
    10: "tio",
}
STATUS_PHRASES = {
    "met": "är uppfyllt",
    "partly": "är delvis uppfyllt",
    "not_met": "är inte uppfyllt",
    "no_data": "kan inte bedömas – data saknas",
}


def streak(series: pd.Series) -> tuple[int, int]:
    """(direction, years): the run of consecutive rises (+1) or falls (−1) up to the last year.

    Only consecutive years count; a gap in the years ends the run.
    """
    clean = series.dropna().sort_index()
    years = [int(y) for y in clean.index]
    values = clean.to_numpy(dtype=float)
    direction, count = 0, 0
    for i in range(len(values) - 1, 0, -1):
        if years[i] - years[i - 1] != 1:
            break
        step = int(np.sign(values[i] - values[i - 1]))
        if step == 0 or (direction and step != direction):
            break
        direction, count = step, count + 1
    return direction, count


def peer_position(value: float, peer_values: Sequence[float], polarity: str) -> str | None:
    """Where ``value`` lies among the peers: "bland de 25 % bästa", "…sämsta" or "i mitten".

    Uses numpy's default quantiles of the scores ``s·x`` (as the quartile colours do);
    ``None`` for neutral KPIs, a missing value or fewer than 4 peer values.
    """
    s = registry.sign(polarity)
    peers = np.asarray([v for v in peer_values if not math.isnan(v)], dtype=float)
    if not s or math.isnan(value) or len(peers) < 4:
        return None
    q1, q3 = np.quantile(s * peers, [0.25, 0.75])
    z = s * value
    if z >= q3:
        return "bland de 25 % bästa"
    if z <= q1:
        return "bland de 25 % sämsta"
    return "i mitten"


def indicator_sentence(
    label: str, series: pd.Series, polarity: str, *, position: str | None, peers_label: str
) -> str:
    """One sentence on an indicator's development and position among its peers."""
    direction, years = streak(series)
    if direction and years >= 2:
        verb = "ökat" if direction > 0 else "minskat"
        trend = f"har {verb} {COUNT_WORDS.get(years, str(years))} år i rad"
    elif direction and years == 1:
        verb = "ökade" if direction > 0 else "minskade"
        trend = f"{verb} det senaste året"
    elif len(series.dropna()) >= 2:
        trend = "är oförändrat sedan året innan"
    else:
        trend = "har för få år för att visa utvecklingen"
    text = f"{label} {trend}"
    if position:
        text += f" och ligger nu {position} i {peers_label}"
    return text + "."


def change_sentence(
    label: str, first: float, last: float, first_year: int, last_year: int, unit: str | None
) -> str:
    """ "Godkända i alla ämnen har ökat med 3,2 procentenheter sedan 2020."""
    if any(math.isnan(v) for v in (first, last)):
        return f"{label}: förändringen sedan {first_year} kan inte beräknas."
    change = last - first
    if change == 0:
        return f"{label} är oförändrat sedan {first_year}."
    verb = "ökat" if change > 0 else "minskat"
    amount = with_unit(abs(change), difference_unit(unit), decimals_for(unit, last))
    return f"{label} har {verb} med {amount} sedan {first_year} ({last_year})."


def goal_sentence(title: str, status: str, n_met: int, n: int) -> str:
    """ "Målet "Alla elever ska nå kunskapskraven" är delvis uppfyllt (2 av 4 indikatorer)."""
    return (
        f"Målet \u201d{title}\u201d {STATUS_PHRASES[status]} ({n_met} av {n} indikatorer "
        f"uppfyllda)."
    )


def area_sentence(title: str, counts: dict[str, int], place: str, year: int | None) -> str:
    """The opening line of a report: how many goals are met, partly met and not met."""
    n = sum(counts.values())
    parts = []
    for status, word in (
        ("met", "uppfyllda"),
        ("partly", "delvis uppfyllda"),
        ("not_met", "inte uppfyllda"),
        ("no_data", "utan tillräckliga data"),
    ):
        if counts.get(status):
            parts.append(f"{counts[status]} {word}")
    listed = (
        ", ".join(parts[:-1]) + (" och " if len(parts) > 1 else "") + parts[-1] if parts else "inga"
    )
    when = f" {year}" if year else ""
    return f"{title} i {place}{when}: av {n} mål är {listed}."


def expected_sentence(
    place: str,
    label: str,
    actual: float,
    expected: float,
    loo_residual: float,
    polarity: str,
    unit: str | None,
    rank: int,
    n: int,
) -> str:
    """How the municipality stands against what its conditions predict.

    With a direction: "… – 3,2 poäng bättre än förväntat (plats 12 av 290 kommuner)". A
    neutral KPI (a cost, a net cost deviation) is never better or worse: "… högre än
    förväntat", without a rank, which would make the largest deviation "best".
    """
    if any(math.isnan(v) for v in (actual, expected, loo_residual)):
        return f"För {place} kan inget förväntat värde för {label} beräknas (data saknas)."
    s = registry.sign(polarity)
    size = with_unit(abs(actual - expected), difference_unit(unit), decimals_for(unit, actual))
    start = (
        f"{place} har {with_unit(actual, unit, decimals_for(unit, actual))} mot förväntat "
        f"{with_unit(expected, unit, decimals_for(unit, expected))} givet sina "
        "förutsättningar – "
    )
    if not s:
        if actual == expected:
            return start + "precis som förväntat."
        word = "högre" if actual > expected else "lägre"
        return start + (
            f"{size} {word} än förväntat ({label} har ingen riktning, så avvikelsen är "
            "varken bra eller dålig i sig)."
        )
    word = "bättre" if s * loo_residual > 0 else "sämre"
    return start + f"{size} {word} än förväntat (plats {rank} av {n} kommuner)."
