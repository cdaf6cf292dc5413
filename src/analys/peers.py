"""Peer sets: which municipalities a focus municipality is compared with (DESIGN §5).

The focus municipality itself is never in its own peer set.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analys import reference
from analys.errors import ParamsError

PEER_OPTIONS = ("skr", "lan", "liknande", "alla")

# params area -> the area word in Kolada's "Liknande kommuner <område>, <kommun>" titles
LIKNANDE_AREA = {
    "forskola": "förskola",
    "grundskola": "grundskola",
    "gymnasieskola": "gymnasieskola",
    "aldreomsorg": "äldreomsorg",
    "funktionsnedsattning": "LSS",
    "ifo": "IFO",
    "ekonomi": "övergripande",
}
PEER_LABELS = {
    "skr": "kommungruppen",
    "lan": "länet",
    "liknande": "liknande kommuner",
    "alla": "alla kommuner",
}


def liknande_group(
    municipality: str, groups: pd.DataFrame, area: str | None = None
) -> pd.Series | None:
    """The newest "Liknande kommuner <område>, <kommun>" group for ``municipality``.

    ``area`` is a params area name; areas without their own Kolada groups use
    "övergripande". Returns the group's row, or ``None`` when the source has none.
    """
    name = reference.title(municipality)
    word = LIKNANDE_AREA.get(area or "", "övergripande")
    titles = groups["title"].astype(str)
    for candidate in (word, "övergripande"):
        prefix = f"Liknande kommuner {candidate}, {name},"
        hit = groups[titles.str.startswith(prefix)]
        if not hit.empty:
            return hit.sort_values("title").iloc[-1]
    return None


def peer_set(
    municipality: str, peers: str | Sequence[str], *, groups: pd.DataFrame, area: str | None = None
) -> list[str]:
    """The codes of ``municipality``'s peers, never including itself.

    Parameters
    ----------
    municipality
        The focus municipality (``1880``) or region (``0018``).
    peers
        ``skr`` (its SKR group), ``lan`` (its county), ``liknande`` (Kolada's "Liknande
        kommuner" group for the area), ``alla`` (every unit of the same type), a Kolada
        group id ``G…``, or a list of codes.
    groups
        The source's municipality groups (columns group, title, members).
    area
        The params area, used to pick the right "Liknande kommuner" group.
    """
    units = reference.municipalities()
    kind = reference.unit_type(municipality)
    if kind is None:
        raise ParamsError(f"municipality: '{municipality}' är ingen känd kommun eller region")
    same_type = units.loc[
        (units["type"] == kind) & (units["municipality"] != reference.RIKET), "municipality"
    ].tolist()
    if not isinstance(peers, str):
        members = [str(code) for code in peers]
    elif peers == "alla":
        members = same_type
    elif kind == "L" and peers in ("skr", "lan", "liknande"):
        members = same_type  # regions have no SKR group or county peers: compare with all
    elif peers == "skr":
        own = units.loc[units["municipality"] == municipality, "skr_group"].iloc[0]
        members = units.loc[units["skr_group"] == own, "municipality"].tolist()
    elif peers == "lan":
        own = units.loc[units["municipality"] == municipality, "county"].iloc[0]
        members = units.loc[
            (units["county"] == own) & (units["type"] == "K"), "municipality"
        ].tolist()
    elif peers == "liknande":
        row = liknande_group(municipality, groups, area)
        if row is None:
            raise ParamsError(
                f"peers: 'liknande' – källan har ingen grupp \"Liknande kommuner\" för "
                f"{reference.title(municipality)}; välj skr, lan, alla eller en lista"
            )
        members = list(row["members"])
    elif peers.startswith("G"):
        hit = groups[groups["group"] == peers]
        if hit.empty:
            raise ParamsError(f"peers: '{peers}' är ingen känd kommungrupp i källan")
        members = list(hit.iloc[0]["members"])
    else:
        raise ParamsError(
            f"peers: '{peers}' är inte tillåtet – välj skr, lan, liknande, alla, "
            "en Kolada-grupp (G…) eller en lista med koder"
        )
    return [code for code in dict.fromkeys(members) if code != municipality]


def peer_label(peers: str | Sequence[str], groups: pd.DataFrame | None = None) -> str:
    """A Swedish phrase for the peer set, for sentences and captions."""
    if not isinstance(peers, str):
        return f"{len(peers)} valda kommuner"
    if peers in PEER_LABELS:
        return PEER_LABELS[peers]
    if groups is not None:
        hit = groups[groups["group"] == peers]
        if not hit.empty:
            return str(hit.iloc[0]["title"])
    return peers
