"""Short Swedish sentences generated from the numbers, for politicians reading a report.

Each function takes plain values and returns one sentence, so the wording is tested apart
from the report: e.g. "Meritvärde åk 9 har ökat tre år i rad (2022–2025) och tillhör 2025 de
25 % bästa bland 12 kommuner i Örebro län." Every comparison names its group (an
:class:`analys.stats.peers.ReferenceGroup`); with fewer than 8 peers there are no quartile words but a
rank ("näst bäst av 8").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd

from analys.format import (
    decimals_for,
    difference_unit,
    indicator_basis,
    join_and,
    with_unit,
    year_text,
)
from analys.stats.peers import MIN_QUARTILE_PEERS, ReferenceGroup
from analys.vocabulary import in_place, sign

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


def rank_words(rank: int, total: int) -> str:
    """ "bäst", "näst bäst", "sämst", "näst sämst" or "på plats 3" (of ``total``)."""
    if rank == 1:
        return "bäst"
    if rank == total:
        return "sämst"
    if rank == 2:
        return "näst bäst"
    if rank == total - 1:
        return "näst sämst"
    return f"på plats {rank}"


def peer_position(
    value: float,
    peer_values: Sequence[float],
    polarity: str,
    group: ReferenceGroup | None = None,
    place: str | None = None,
) -> str | None:
    """Where ``value`` lies among the peers, as a predicate that names the group.

    With ``group``: "tillhör de 25 % bästa bland 12 kommuner i Örebro län", "ligger i mitten
    bland alla 290 kommuner"; with fewer than 8 peer values no quartile words but a rank:
    "är näst bäst av 8 (Örebro och 7 liknande kommuner)" (``place`` is the focus' name).
    Without ``group`` the bare quartile words ("bland de 25 % bästa", "i mitten"), for
    callers that name the group themselves. Quartiles are numpy's default quantiles of the
    scores ``s·x`` (as the quartile colours); ranks count the peers that score strictly
    better (ties share the better rank). ``None`` for neutral KPIs, a missing value or no
    peer values (fewer than 4 without ``group``).
    """
    s = sign(polarity)
    peers = np.asarray([v for v in peer_values if not math.isnan(v)], dtype=float)
    if not s or math.isnan(value) or len(peers) == 0:
        return None
    z = s * value
    if group is not None and len(peers) < MIN_QUARTILE_PEERS:
        rank = 1 + int((s * peers > z).sum())
        total = len(peers) + 1
        who = f"{place} och {group.counted(len(peers))}" if place else group.counted(len(peers))
        return f"är {rank_words(rank, total)} av {total} ({who})"
    if len(peers) < 4:
        return None
    q1, q3 = np.quantile(s * peers, [0.25, 0.75])
    if z >= q3:
        words = "bland de 25 % bästa"
    elif z <= q1:
        words = "bland de 25 % sämsta"
    else:
        words = "i mitten"
    if group is None:
        return words
    among = group.among(len(peers))
    if words == "i mitten":
        return f"ligger i mitten {among}"
    return f"tillhör de 25 % {words.rsplit(' ', 1)[1]} {among}"


def missing_sentence(
    label: str, year: int, last_year: int | None = None, *, preliminary: int | None = None
) -> str:
    """ "Meritvärde åk 9: data saknas 2022 (senaste värde 2021)." – never an older value
    presented as the report year's. Kolada's ``preliminary`` year is starred."""
    last = f" (senaste värde {year_text(last_year, preliminary)})" if last_year is not None else ""
    return f"{label}: data saknas {year_text(year, preliminary)}{last}."


def indicator_sentence(
    label: str,
    series: pd.Series,
    polarity: str,
    *,
    position: str | None,
    peers_label: str = "",
    year: int | None = None,
    preliminary: int | None = None,
) -> str:
    """One sentence on an indicator's change year by year and its position among peers.

    ``series`` ends at the report year. The change described is the run of rises or falls up
    to the last year (not the five-year trend test, which the tables show). ``position`` is a
    predicate from :func:`peer_position` with a group; a bare quartile phrase (without a
    group) is followed by "i ``peers_label``". ``year`` (the last year) is named; Kolada's
    ``preliminary`` year is starred ("2025*").
    """
    clean = series.dropna().sort_index()
    last = int(clean.index[-1]) if len(clean) else year
    shown = partial(year_text, preliminary=preliminary)  # 2025* when preliminary
    direction, years = streak(series)
    if direction and years >= 2:
        verb = "ökat" if direction > 0 else "minskat"
        run = f"{shown(last - years)}–{shown(last)}"
        trend = f"har {verb} {COUNT_WORDS.get(years, str(years))} år i rad ({run})"
    elif direction and years == 1:
        verb = "ökade" if direction > 0 else "minskade"
        trend = f"{verb} från {shown(last - 1)} till {shown(last)}"
    elif len(clean) >= 2:  # the same value as last time, or a change across a gap in the years
        previous = int(clean.index[-2])
        change = float(clean.iloc[-1]) - float(clean.iloc[-2])
        if change == 0:
            # "har inte förändrats" agrees with every noun ("dödligheten", "andelen", "talet")
            trend = f"har inte förändrats från {shown(previous)} till {shown(last)}"
        else:
            verb = "ökade" if change > 0 else "minskade"
            trend = f"{verb} från {shown(previous)} till {shown(last)}"
    else:
        trend = "har för få år för att visa utvecklingen"
    text = f"{label} {trend}"
    if position:
        if position.startswith(("bland ", "i mitten")):  # bare quartile words
            text += f" och ligger {shown(last)} {position} i {peers_label}"
        else:
            verb, _, rest = position.partition(" ")
            when = f" {shown(last)}" if last else ""
            text += f" och {verb}{when} {rest}"
    return text + "."


def change_sentence(
    label: str, first: float, last: float, first_year: int, last_year: int, unit: str | None
) -> str:
    """ "Godkända i alla ämnen har ökat med 3,2 procentenheter sedan 2020."""
    if any(math.isnan(v) for v in (first, last)):
        return f"{label}: förändringen sedan {first_year} kan inte beräknas."
    change = last - first
    if change == 0:
        return f"{label} har inte förändrats sedan {first_year}."
    verb = "ökat" if change > 0 else "minskat"
    amount = with_unit(abs(change), difference_unit(unit), decimals_for(unit, last))
    return f"{label} har {verb} med {amount} sedan {first_year} ({last_year})."


def goal_sentence(
    title: str, status: str, n_met: int, n: int, *, partly: int = 0, no_data: int = 0
) -> str:
    """ "Målet "Alla elever ska nå kunskapskraven" är delvis uppfyllt (2 av 4 indikatorer)."

    The indicators that are ``partly`` met (they count half) and those with ``no_data``
    (they do not count) are named too, so that "är uppfyllt (1 av 3 indikatorer
    uppfyllda, 1 delvis och 1 utan data)" explains itself.
    """
    basis = indicator_basis(n_met, n, partly=partly, no_data=no_data)
    return f"Målet \u201d{title}\u201d {STATUS_PHRASES[status]} ({basis})."


def area_sentence(
    title: str,
    counts: dict[str, int],
    place: str,
    year: int | None,
    *,
    preliminary: int | None = None,
) -> str:
    """The opening line of a report: how many goals are met, partly met and not met."""
    n = sum(counts.values())
    parts = []
    for status, word, one in (
        ("met", "uppfyllda", "uppfyllt"),
        ("partly", "delvis uppfyllda", "delvis uppfyllt"),
        ("not_met", "inte uppfyllda", "inte uppfyllt"),
        ("no_data", "utan tillräckliga data", "utan tillräckliga data"),
    ):
        if counts.get(status):
            parts.append(f"{counts[status]} {one if counts[status] == 1 else word}")
    listed = join_and(parts) or "inga"
    when = f" {year_text(year, preliminary)}" if year else ""
    return f"{title} {in_place(place)}{when}: av {n} mål är {listed}."


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
    units: str = "kommuner",
) -> str:
    """How the municipality stands against what its conditions predict.

    With a direction: "… – 3,2 poäng bättre än förväntat (plats 12 av 290 kommuner)". A
    neutral KPI (a cost, a net cost deviation) is never better or worse: "… högre än
    förväntat", without a rank, which would make the largest deviation "best".
    """
    if any(math.isnan(v) for v in (actual, expected, loo_residual)):
        return f"För {place} kan inget förväntat värde för {label} beräknas (data saknas)."
    s = sign(polarity)
    size = with_unit(abs(actual - expected), difference_unit(unit), decimals_for(unit, actual))
    start = (
        f"{place} har {with_unit(actual, unit, decimals_for(unit, actual))} mot förväntat "
        f"{with_unit(expected, unit, decimals_for(unit, expected))} givet sina "
        "förutsättningar – "
    )
    if round(abs(actual - expected), decimals_for(unit, actual)) == 0:
        # a difference that rounds to nothing is not "0,0 bättre" (nor higher or lower)
        rank_text = f" (plats {rank} av {n} {units})" if s else ""
        return start + f"som förväntat{rank_text}."
    if not s:
        word = "högre" if actual > expected else "lägre"
        return start + (
            f"{size} {word} än förväntat ({label} har ingen riktning, så avvikelsen är "
            "varken bra eller dålig i sig)."
        )
    word = "bättre" if s * loo_residual > 0 else "sämre"
    return start + f"{size} {word} än förväntat (plats {rank} av {n} {units})."
