"""Real reference facts: Riket, the 21 regions, the 290 municipalities and fixed groups.

Codes and names are Kolada's (v3, 2026-03); county, SKR group (2023 revision, Kolada ids
G92786–G92794), county groups (G33612–G33632) and population size classes are the real
memberships. These facts hold whatever the data source.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import pandas as pd

from analys.errors import ParamsError

RIKET = "0000"

COUNTIES = {
    "01": "Stockholms län",
    "03": "Uppsala län",
    "04": "Södermanlands län",
    "05": "Östergötlands län",
    "06": "Jönköpings län",
    "07": "Kronobergs län",
    "08": "Kalmar län",
    "09": "Gotlands län",
    "10": "Blekinge län",
    "12": "Skåne län",
    "13": "Hallands län",
    "14": "Västra Götalands län",
    "17": "Värmlands län",
    "18": "Örebro län",
    "19": "Västmanlands län",
    "20": "Dalarnas län",
    "21": "Gävleborgs län",
    "22": "Västernorrlands län",
    "23": "Jämtlands län",
    "24": "Västerbottens län",
    "25": "Norrbottens län",
}

SKR_GROUPS = {
    "A1": "Storstäder",
    "A2": "Pendlingskommun nära storstad",
    "B3": "Större stad",
    "B4": "Pendlingskommun nära större stad",
    "B5": "Lågpendlingskommun nära större stad",
    "C6": "Mindre stad/tätort",
    "C7": "Pendlingskommun nära mindre stad/tätort",
    "C8": "Landsbygdskommun",
    "C9": "Landsbygdskommun med besöksnäring",
}


def _read_csv(name: str) -> pd.DataFrame:
    path = resources.files(__name__).joinpath(name)
    with path.open("rb") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def municipalities() -> pd.DataFrame:
    """All 312 units: ``0000`` Riket, 21 regions (type L) and 290 municipalities (type K).

    Columns: municipality, title, type, county, region, county_group, skr_group,
    skr_group_id, size_class_id (empty strings where not applicable).
    """
    return _read_csv("municipalities.csv")


@lru_cache(maxsize=1)
def fixed_groups() -> pd.DataFrame:
    """Kolada's fixed municipality groups with members.

    Columns: group, title, kind (``skr``, ``lan``, ``storlek``), code, members (tuple of
    municipality codes).
    """
    groups = _read_csv("groups.csv")
    units = municipalities()
    kommuner = units[units["type"] == "K"]
    column = {"skr": "skr_group_id", "lan": "county_group", "storlek": "size_class_id"}
    groups["members"] = [
        tuple(kommuner.loc[kommuner[column[kind]] == gid, "municipality"])
        for gid, kind in zip(groups["group"], groups["kind"], strict=True)
    ]
    return groups


def municipality_codes() -> list[str]:
    """The 290 municipality codes, sorted."""
    units = municipalities()
    return units.loc[units["type"] == "K", "municipality"].tolist()


def region_codes() -> list[str]:
    """The 21 region ids (``00xx``), sorted; Riket not included."""
    units = municipalities()
    return units.loc[
        (units["type"] == "L") & (units["municipality"] != RIKET), "municipality"
    ].tolist()


def codes_of_type(municipality_type: str) -> list[str]:
    """Every unit of one type, sorted: the 290 municipalities (``K``) or the 21 regions (``L``).

    The comparison set "all units of the same type" (docs/methods.md#quartile-colours): Riket and groups never
    belong to it.
    """
    if municipality_type == "K":
        return municipality_codes()
    if municipality_type == "L":
        return region_codes()
    raise ParamsError(
        f"municipality_type: '{municipality_type}' är inte tillåten – välj K eller L."
    )


@lru_cache(maxsize=2)
def _type_set(municipality_type: str) -> frozenset[str]:
    return frozenset(codes_of_type(municipality_type))


def of_type(codes: Iterable[object], municipality_type: str | None) -> list[str]:
    """The codes of ``codes`` (as strings, in their order) that are units of one type.

    ``municipality_type`` ``K`` keeps municipalities and ``L`` regions (never Riket or a
    group); ``None`` (an unknown focus) keeps every code except Riket and groups.
    """
    texts = [str(c) for c in codes]
    if municipality_type is None:
        return [c for c in texts if c != RIKET and not c.startswith("G")]
    allowed = _type_set(municipality_type)
    return [c for c in texts if c in allowed]


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    units = municipalities()
    return dict(zip(units["municipality"], units["title"], strict=True))


def title(code: str) -> str:
    """The name of a municipality, region or Riket; the code itself when unknown."""
    return _titles().get(code, code)


@lru_cache(maxsize=1)
def _counties() -> dict[str, str]:
    units = municipalities()
    return dict(zip(units["municipality"], units["county"], strict=True))


def county_name(code: str) -> str:
    """The county a municipality or region lies in ("Örebro län"); "" for Riket or an
    unknown code."""
    return COUNTIES.get(_counties().get(code, ""), "")


@lru_cache(maxsize=1)
def _types() -> dict[str, str]:
    units = municipalities()
    return dict(zip(units["municipality"], units["type"], strict=True))


def municipality_type(code: str) -> str | None:
    """``K`` for a municipality, ``L`` for a region or Riket, ``None`` when unknown."""
    return _types().get(code)


def find(text: str) -> list[str]:
    """Codes whose name or code matches ``text`` (case-insensitive, substring)."""
    units = municipalities()
    needle = text.strip().lower()
    hit = units["title"].str.lower().str.contains(needle, regex=False) | (
        units["municipality"] == text.strip()
    )
    return units.loc[hit, "municipality"].tolist()
