"""Peer sets: which municipalities a focus municipality is compared with.

The rules are docs/methods.md#peer-sets.

The focus municipality itself is never in its own peer set. :func:`reference_group` says
what a set is, in words a reader can check: its name ("liknande kommuner"), where it comes
from (a Kolada group title and id, the SKR classification, the county, a list) and its
members. :func:`similar_group` reads every title form of Kolada's comparison groups:
"Liknande kommuner grundskola, Örebro, 2024", "Liknande kommuner, övergripande, Örebro, 2025",
"Liknande regioner socioekonomi, Region Örebro län, 2024" and "Liknande regioner, hälso- och
sjukvård (inkl läkemedel), Region Örebro län, 2024".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analys import reference
from analys.errors import ParamsError
from analys.format import join_and
from analys.vocabulary import MUNICIPALITY_TYPE_WORDS

# params area -> the area word in Kolada's "Liknande kommuner <område>, <kommun>, <år>" titles
SIMILAR_AREA = {
    "forskola": "förskola",
    "grundskola": "grundskola",
    "gymnasieskola": "gymnasieskola",
    "aldreomsorg": "äldreomsorg",
    "funktionsnedsattning": "LSS",
    "ifo": "IFO",
    "ekonomi": "övergripande",
}
# params area -> the area word in Kolada's "Liknande regioner …" titles
SIMILAR_REGION_AREA = {"halso_sjukvard": "hälso- och sjukvård (inkl läkemedel)"}
SIMILAR_FALLBACK = {"K": "övergripande", "L": "socioekonomi"}
SIMILAR_TITLE = re.compile(
    r"^Liknande (?P<municipality_type>kommuner|regioner),? (?P<word>.+?), (?P<name>[^,]+), (?P<year>\d{4})$"
)
PEER_LABELS = {
    "skr": "kommungruppen",
    "lan": "länet",
    "liknande": "liknande kommuner",
    "alla": "alla kommuner",
}
#: fewer peers than this: no quartile words, a rank instead ("näst bäst av 8")
MIN_QUARTILE_PEERS = 8


def parse_similar_title(title: str) -> dict[str, str] | None:
    """The parts of a Kolada "Liknande …" group title, ``None`` for any other title.

    >>> parse_similar_title("Liknande kommuner, övergripande, Örebro, 2025")["word"]
    'övergripande'
    """
    match = SIMILAR_TITLE.match(str(title).strip())
    if not match:
        return None
    parts = match.groupdict()
    parts["municipality_type"] = "K" if parts["municipality_type"] == "kommuner" else "L"
    return parts


def similar_group(
    municipality: str, groups: pd.DataFrame, area: str | None = None
) -> pd.Series | None:
    """The newest Kolada "Liknande kommuner/regioner" group for ``municipality``.

    ``area`` is a params area name. Municipalities use the area's own group ("Liknande
    kommuner grundskola, …") and otherwise "övergripande"; regions use "Liknande regioner,
    hälso- och sjukvård (inkl läkemedel), …" for health care and otherwise "socioekonomi".
    A region is never matched by a "Liknande kommuner" group, nor the reverse. Returns the
    group's row, or ``None`` when the source has none.
    """
    municipality_type = reference.municipality_type(municipality) or "K"
    name = reference.title(municipality)
    table = SIMILAR_AREA if municipality_type == "K" else SIMILAR_REGION_AREA
    words = list(
        dict.fromkeys(
            [
                table.get(area or "", SIMILAR_FALLBACK[municipality_type]),
                SIMILAR_FALLBACK[municipality_type],
            ]
        )
    )
    titles = groups["title"].astype(str)
    mask = titles.str.startswith("Liknande ") & titles.str.contains(f", {name}, ", regex=False)
    positions = mask.to_numpy().nonzero()[0]
    parsed = {int(i): parse_similar_title(titles.iloc[i]) for i in positions}
    for word in words:
        hits = [
            (int(p["year"]), i)
            for i, p in parsed.items()
            if p
            and p["municipality_type"] == municipality_type
            and p["name"] == name
            and p["word"] == word
        ]
        if hits:
            return groups.iloc[max(hits)[1]]
    return None


def skr_group_name(code: str) -> str:
    """An SKR municipality group as readers know it: "Mindre stad/tätort (C6)"; the code
    alone when it is not one of SKR's nine groups."""
    name = reference.SKR_GROUPS.get(code)
    return f"{name} ({code})" if name else code


def _singular(name: str) -> str:
    """A group's plural noun phrase for one member: "kommuner" → "kommun", "regioner" →
    "region" (its first occurrence: "kommuner i kommungruppen A1")."""
    name = name.replace("valda ", "vald ", 1)  # a params file's list: "1 vald kommun"
    for plural, one in (("kommuner", "kommun"), ("regioner", "region")):
        if plural in name:
            return name.replace(plural, one, 1)
    return name


@dataclass(frozen=True)
class ReferenceGroup:
    """A comparison group, named so that every statement can say which group it uses.

    ``codes`` never holds the focus unit. ``name`` is a plural noun phrase ("liknande
    kommuner", "kommuner i länet"); ``source`` says where the group comes from; ``everyone``
    is true when the group is every unit of the type (then statements say "alla 290
    kommuner", focus included).
    """

    focus: str
    codes: tuple[str, ...]
    name: str
    source: str
    municipality_type: str
    everyone: bool = False
    group_id: str | None = None
    title: str | None = None

    @property
    def unit_word(self) -> str:
        """``kommuner`` or ``regioner``."""
        return MUNICIPALITY_TYPE_WORDS[self.municipality_type]

    def counted(self, n: int | None = None) -> str:
        """The group with its size: "7 liknande kommuner", "alla 290 kommuner".

        ``n`` is the number of peers counted (default all members); for ``everyone`` groups
        the focus is counted too. Fewer than all are counted "of" the group: "6 av 7
        liknande kommuner", "276 av alla 290 kommuner".
        """
        size = len(self.codes)
        n = size if n is None else n
        if n < size:  # some members without a value: say of how many ("25 av 26 …")
            if self.everyone:
                return f"{n + 1} av alla {size + 1} {self.unit_word}"
            return f"{n} av {size} {self.name}"
        if self.everyone:
            return f"alla {n + 1} {self.unit_word}"
        if n == 1:  # "1 liknande kommun", "1 kommun i Örebro län"
            return f"1 {_singular(self.name)}"
        return f"{n} {self.name}"

    def among(self, n: int | None = None) -> str:
        """ "bland alla 290 kommuner", "bland 7 liknande kommuner"."""
        return f"bland {self.counted(n)}"

    def others(self) -> str:
        """The members without the focus, as a median or quantile over them is named:
        "övriga 20 regioner" for an ``everyone`` group (whose :meth:`counted` includes the
        focus), else the same as :meth:`counted`."""
        if self.everyone:
            return f"övriga {len(self.codes)} {self.unit_word}"
        return self.counted()

    def members_text(self) -> str:
        """The members' names, "a, b och c" (the first 25, then how many more)."""
        names = [reference.title(c) for c in self.codes]
        if len(names) > 25:
            return ", ".join(names[:25]) + f" och {len(names) - 25} till"
        return join_and(names)


def _group_title(groups: pd.DataFrame, group: str) -> str | None:
    hit = groups[groups["group"] == group]
    return None if hit.empty else str(hit.iloc[0]["title"])


def reference_group(
    municipality: str,
    peers: str | Sequence[str],
    *,
    groups: pd.DataFrame,
    area: str | None = None,
) -> ReferenceGroup:
    """The peers of ``municipality`` with their name and source (see :func:`peer_set`)."""
    codes = tuple(peer_set(municipality, peers, groups=groups, area=area))
    municipality_type = reference.municipality_type(municipality) or "K"
    word = MUNICIPALITY_TYPE_WORDS[municipality_type]
    facts = reference.municipalities().set_index("municipality")
    if not isinstance(peers, str):
        return ReferenceGroup(
            municipality, codes, f"valda {word}", "lista i params-filen", municipality_type
        )
    if peers == "alla" or (municipality_type == "L" and peers in ("skr", "lan")):
        note = "alla regioner (regioner har ingen kommungrupp eller länsindelning)"
        source = note if peers != "alla" else f"alla {word} i Kolada"
        return ReferenceGroup(municipality, codes, word, source, municipality_type, everyone=True)
    if peers == "skr":
        skr = skr_group_name(str(facts.at[municipality, "skr_group"]))
        return ReferenceGroup(
            municipality,
            codes,
            f"kommuner i kommungruppen {skr}",
            f"SKR:s kommungruppsindelning: {skr}",
            municipality_type,
        )
    if peers == "lan":
        county = reference.COUNTIES.get(str(facts.at[municipality, "county"]), "länet")
        if alone_in_county(municipality):
            skr = skr_group_name(str(facts.at[municipality, "skr_group"]))
            return ReferenceGroup(
                municipality,
                codes,
                f"kommuner i kommungruppen {skr}",
                f"{reference.title(municipality)} är ensam kommun i {county}: "
                f"SKR:s kommungrupp {skr} i stället för länet",
                municipality_type,
            )
        return ReferenceGroup(
            municipality, codes, f"kommuner i {county}", f"kommunerna i {county}", municipality_type
        )
    if peers == "liknande":
        row = similar_group(municipality, groups, area)
        title = str(row["title"])
        return ReferenceGroup(
            municipality,
            codes,
            f"liknande {word}",
            f"Koladas grupp \u201d{title}\u201d ({row['group']})",
            municipality_type,
            group_id=str(row["group"]),
            title=title,
        )
    title = _group_title(groups, peers) or peers
    return ReferenceGroup(
        municipality,
        codes,
        f"{word} i gruppen \u201d{title}\u201d",
        f"Koladas grupp \u201d{title}\u201d ({peers})",
        municipality_type,
        group_id=peers,
        title=title,
    )


def alone_in_county(municipality: str) -> bool:
    """Whether ``municipality`` is the only municipality of its county (Gotland)."""
    facts = reference.municipalities()
    own = facts.loc[facts["municipality"] == municipality]
    if own.empty or own.iloc[0]["type"] != "K":
        return False
    county = own.iloc[0]["county"]
    return int(((facts["county"] == county) & (facts["type"] == "K")).sum()) == 1


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
        kommuner" or, for a region, "Liknande regioner" group for the area), ``alla`` (every
        unit of the same type), a Kolada group id ``G…``, or a list of codes. Regions have
        no SKR group or county: ``skr`` and ``lan`` mean all regions for them (and say so in
        :func:`reference_group`).
    groups
        The source's municipality groups (columns group, title, members).
    area
        The params area, used to pick the right "Liknande" group.
    """
    facts = reference.municipalities()
    municipality_type = reference.municipality_type(municipality)
    if municipality_type is None:
        raise ParamsError(f"municipality: '{municipality}' är ingen känd kommun eller region")
    same_type = reference.codes_of_type(municipality_type)
    if not isinstance(peers, str):
        members = [str(code) for code in peers]
    elif peers == "alla":
        members = same_type
    elif municipality_type == "L" and peers in ("skr", "lan"):
        members = same_type  # regions have no SKR group or county peers: compare with all
    elif peers == "skr" or (peers == "lan" and alone_in_county(municipality)):
        # a municipality alone in its county (Gotland) has no county peers: its SKR group
        # stands in, and reference_group() says so
        own = facts.loc[facts["municipality"] == municipality, "skr_group"].iloc[0]
        members = facts.loc[facts["skr_group"] == own, "municipality"].tolist()
    elif peers == "lan":
        own = facts.loc[facts["municipality"] == municipality, "county"].iloc[0]
        members = facts.loc[
            (facts["county"] == own) & (facts["type"] == "K"), "municipality"
        ].tolist()
    elif peers == "liknande":
        row = similar_group(municipality, groups, area)
        if row is None:
            what = "Liknande kommuner" if municipality_type == "K" else "Liknande regioner"
            raise ParamsError(
                f"peers: 'liknande' – källan har ingen grupp \"{what}\" för "
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
