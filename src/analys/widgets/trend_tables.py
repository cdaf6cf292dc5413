"""What the trend explorer computes and writes at the municipality level.

The choice its controls make (:class:`TrendChoice`), the peer group's codes
(:func:`peer_codes`), the checked wide table of the chosen KPI (:func:`chosen_wide`), the per-year table of value, peers' median, Riket, rank and
quartile colour (:func:`value_table`), and the HTML of the marker line and the table. No
widgets and no drawing: :class:`~analys.widgets.TrendExplorer` calls these and shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analys import captions, reference, registry, safe
from analys.errors import AnalysError
from analys.format import MISSING, decimals_for
from analys.stats.peers import PEER_LABELS, peer_set
from analys.stats.trend import TrendResult
from analys.widgets.common import COLOUR_WORDS, colour_cell, html_table
from analys.widgets.session import NO_GROUPS, Session, kpi_label

PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
    ("Egen lista", "egen"),
]
LEVEL_CHOICES = [("Kommun", "kommun"), ("Enhet", "enhet")]


@dataclass(frozen=True)
class TrendChoice:
    """What the trend explorer's controls ask for."""

    kpi: str
    municipality: str
    kind: str
    peers: str
    own: tuple[str, ...]
    gender: str
    first: int
    last: int
    level: str = "kommun"
    unit: str = ""


def peer_phrase(choice: TrendChoice, peers: list[str]) -> str:
    """The peer group in words, with its size."""
    if choice.peers == "egen":
        return f"egen lista ({len(peers)} st)"
    if choice.kind == "L":
        return f"alla regioner ({len(peers)} st)"
    return f"{PEER_LABELS[choice.peers]} ({len(peers)} st)"


def peer_codes(choice: TrendChoice, session: Session) -> list[str]:
    """The peer group's codes (:func:`analys.stats.peers.peer_set`), or the own list."""
    if choice.peers == "egen":
        own = [code for code in choice.own if code != choice.municipality]
        if not own:
            raise AnalysError(
                "Välj minst en kommun i listan Egen lista (en annan än den valda kommunen)."
            )
        return own
    area = (registry.entry(choice.kpi) or {}).get("area")
    # groups are only needed for "Liknande kommuner"; a store may lack the metadata
    groups = session.groups() if choice.peers == "liknande" else NO_GROUPS
    return peer_set(choice.municipality, choice.peers, groups=groups, area=area)


def chosen_wide(session: Session, choice: TrendChoice) -> pd.DataFrame:
    """The KPI's wide table (units × the chosen years), or one Swedish line why not."""
    kpi, label = choice.kpi, kpi_label(choice.kpi)
    frame = session.frame(kpi)
    if frame["value"].notna().sum() == 0:
        raise AnalysError(f"{label} har inga värden i källan {session.label}.")
    if choice.gender != "T" and not (frame["gender"] == choice.gender).any():
        raise AnalysError(
            f"{label} redovisas inte uppdelat på kön – välj Totalt, eller ett "
            "nyckeltal som finns för kvinnor och män."
        )
    wide = session.wide(kpi, choice.gender)
    years = [y for y in wide.columns if choice.first <= y <= choice.last]
    if not years or wide[years].notna().sum().sum() == 0:
        have = [y for y in wide.columns if wide[y].notna().any()]
        raise AnalysError(
            f"{label} har inga värden {choice.first}–{choice.last} (det finns värden "
            f"{have[0]}–{have[-1]}). Välj andra år."
        )
    name = reference.title(choice.municipality)
    if choice.municipality not in wide.index or wide.loc[choice.municipality, years].isna().all():
        kind = (registry.entry(kpi) or {}).get("municipality_type")
        hint = {
            "K": " Det redovisas bara för kommuner.",
            "L": " Det redovisas bara för regioner.",
        }
        raise AnalysError(
            f"{label} har inga värden för {name} {choice.first}–{choice.last}. Välj en "
            f"annan kommun, ett annat nyckeltal eller andra år.{hint.get(kind, '')}"
        )
    return wide[years]


def value_table(
    choice: TrendChoice,
    wide: pd.DataFrame,
    peers: list[str],
    ranks: Callable[[int], pd.DataFrame],
) -> pd.DataFrame:
    """Per year: Värde, Jämförelsegruppens median, Riket, Rang, Kvartilsfärg.

    ``ranks(year)`` gives the quartile colours and ranks of all units of the type that year
    (:func:`analys.stats.compare.quartile_colours`).
    """
    medians = wide.reindex(peers).median()
    riket = wide.loc[reference.RIKET] if reference.RIKET in wide.index else None
    rank_texts, colours = [], []
    for year in wide.columns:
        ranked = ranks(year)
        hit = ranked.loc[choice.municipality] if choice.municipality in ranked.index else None
        has_rank = hit is not None and not pd.isna(hit["rank"])
        rank_texts.append(f"{int(hit['rank'])} av {len(ranked)}" if has_rank else MISSING)
        colours.append(COLOUR_WORDS[hit["colour"]] if hit is not None else MISSING)
    return pd.DataFrame(
        {
            "Värde": wide.loc[choice.municipality].to_numpy(dtype=float),
            "Jämförelsegruppens median": medians.to_numpy(dtype=float),
            "Riket": np.nan if riket is None else riket.to_numpy(dtype=float),
            "Rang": rank_texts,
            "Kvartilsfärg": colours,
        },
        index=pd.Index([int(y) for y in wide.columns], name="År"),
    )


def marker_text(choice: TrendChoice, peers: list[str], marker: TrendResult) -> str:
    """The line above the chart: municipality, KPI, years, peers and the trend marker."""
    gender = "" if choice.gender == "T" else f", {registry.gender_words(choice.kpi)[choice.gender]}"
    method = f"Metod: {marker.method}." if marker.method else "Metod: –."
    return (
        f"<b>{safe.html_text(reference.title(choice.municipality))} – "
        f"{safe.html_text(registry.label(choice.kpi))}</b>{gender}, {choice.first}–"
        f"{choice.last}, jämfört med {safe.html_text(peer_phrase(choice, peers))}.<br>"
        f"Trend: <b>{safe.html_text(marker.label)}</b> – {safe.html_text(marker.reason)}. "
        f"<span style='color:#555'>{safe.html_text(method)}</span>"
    )


def table_text(choice: TrendChoice, table: pd.DataFrame, source: str) -> str:
    """The value table as HTML, with the unit and the source caption."""
    unit = registry.unit(choice.kpi)
    magnitude = table["Värde"].abs().max()
    digits = decimals_for(unit, magnitude)
    shown = table.copy()
    shown["Kvartilsfärg"] = [colour_cell(word) for word in table["Kvartilsfärg"]]
    columns = {c: digits for c in ("Värde", "Jämförelsegruppens median", "Riket")}
    caption = safe.html_text(captions.source_caption(source, derived=True))
    unit_text = f" Enhet: {safe.html_text(unit)}." if unit else ""
    return (
        html_table(shown, columns, raw=["Kvartilsfärg"])
        + f"<div style='font-size:11px;color:#555'>Rang och kvartilsfärg bland alla "
        f"{'regioner' if choice.kind == 'L' else 'kommuner'} med värde (1 = bäst)."
        f"{unit_text} {caption}</div>"
    )
