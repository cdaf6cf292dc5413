"""What a map shows: the arguments of a map checked and resolved to one value per unit.

:func:`map_request` turns the keywords of :func:`analys.maps.municipality_map` and
:func:`analys.maps.region_map` into a :class:`MapRequest`: the values of ONE KPI, year and
gender for every unit of the level (the comparison set of the quartile colours), the units to
draw (one county or all of Sweden), the polarity and the focus. :func:`choose_panels` chooses the
KPIs and years of :func:`analys.maps.small_multiples`. Errors are Swedish
:class:`~analys.errors.ParamsError` that say what to choose instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from analys import reference, registry
from analys.errors import ParamsError
from analys.frame import reused
from analys.maps.geography import Geometry, geometry
from analys.vocabulary import DEMO_MUNICIPALITY, GENDERS, POLARITIES

COLOUR_BY = ("quartile", "sequential", "diverging")
#: per map level: the units in the plural and the legend word for the peers
LEVEL_WORDS = {
    "kommun": ("kommuner", "Jämförelsekommuner"),
    "lan": ("regioner", "Jämförelseregioner"),
}


@dataclass(frozen=True)
class MapRequest:
    """Everything one map panel needs, resolved and validated."""

    geo: Geometry
    values: pd.Series  # over all units of the level: the comparison set
    rows: list[int]  # drawn units
    colour_by: str
    polarity: str
    focus: str | None
    peers: tuple[str, ...]
    kpi: str | None
    derived: bool


def focus_code(level: str, code: str | None) -> str | None:
    """A focus unit's code as the map level names it: a county code (``"18"``) is the region
    id ``"0018"`` on a map of regions."""
    if code is not None and level == "lan" and len(str(code)) == 2:
        return "00" + str(code)
    return code


def _check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ParamsError(f"{name}: {value!r} är inte tillåtet – välj {choices}.")


@reused
def _cross_section(
    data: pd.DataFrame, kpi: str | None, year: int | None, gender: str, level: str
) -> tuple[pd.Series, str, int]:
    """One value per unit of the ``level``'s geometry (NaN when missing) for one KPI, year
    and gender (kept per frame while :func:`analys.frame.reusing` holds a memo)."""
    geo = geometry(level)
    missing = sorted({"kpi", "municipality", "year", "value"} - set(data.columns))
    if missing:
        raise ParamsError(
            f"data saknar kolumnerna {missing} – ange en values-tabell "
            "(kpi, municipality, year, gender, value)."
        )
    if kpi is None:
        kpis = data["kpi"].unique()
        if len(kpis) != 1:
            raise ParamsError(
                f"kpi: data innehåller {len(kpis)} nyckeltal – ange vilket som ska visas med kpi=."
            )
        kpi = str(kpis[0])
    sub = data[data["kpi"] == kpi]
    if sub.empty:
        raise ParamsError(f"kpi: {kpi} finns inte i data.")
    if "gender" in sub.columns:
        sub = sub[sub["gender"] == gender]
        if sub.empty:
            raise ParamsError(
                f"gender: {registry.label(kpi)} har inga värden för kön "
                f"'{gender}' – välj T, K eller M."
            )
    sub = sub[sub["municipality"].isin(geo.codes)]
    unit_word = LEVEL_WORDS[geo.level][0]
    other = "region_map" if geo.level == "kommun" else "municipality_map"
    if sub.empty:
        raise ParamsError(
            f"kpi: {registry.label(kpi)} ({kpi}) redovisas inte för {unit_word} – använd {other}."
        )
    if year is None:
        present = sub[sub["value"].notna()]
        year = int((present if not present.empty else sub)["year"].max())
    cross = sub[sub["year"] == int(year)]
    if cross["municipality"].duplicated().any():
        raise ParamsError(
            f"data: flera värden per enhet för {kpi} år {year} – filtrera data "
            "till ett värde per kommun/region först."
        )
    values = pd.to_numeric(cross.set_index("municipality")["value"], errors="coerce")
    return values.astype(float).reindex(list(geo.codes)), kpi, int(year)


def _given_values(values: pd.Series, geo: Geometry) -> pd.Series:
    series = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    series.index = series.index.astype(str)
    series = series[~series.index.duplicated(keep="last")]
    return series.reindex(list(geo.codes))


def _resolve_county(county: str | None, focus: str | None) -> str | None:
    if county is None:
        return None
    if county == "auto":
        if focus is None:
            raise ParamsError(
                "county: 'auto' betyder fokuskommunens län – ange då även municipality=."
            )
        return geometry("kommun").counties[geometry("kommun").rows([focus])[0]]
    code = str(county)
    code = code[2:] if len(code) == 4 and code.startswith("00") else code
    if code not in reference.COUNTIES:
        raise ParamsError(
            f"county: '{county}' är inget län – ange t.ex. '18' eller '0018', "
            "eller 'auto' för fokuskommunens län."
        )
    return code


def map_request(
    level: str,
    data: pd.DataFrame | None,
    values: pd.Series | None,
    kpi: str | None,
    year: int | None,
    gender: str,
    colour_by: str,
    polarity: str | None,
    focus: str | None,
    peers: Sequence[str],
    county: str | None,
) -> tuple[MapRequest, int | None, str | None]:
    """Check a map's arguments; the request, the year shown and the county code (or None).

    Exactly one of ``data`` (a values frame) and ``values`` (a series per code) is given.
    """
    _check_choice("colour_by", colour_by, COLOUR_BY)
    _check_choice("gender", gender, GENDERS)
    if polarity is not None:
        _check_choice("polarity", polarity, POLARITIES)
    geo = geometry(level)
    focus = focus_code(level, focus)
    if focus is not None and focus not in geo.codes:
        what = "kommun" if level == "kommun" else "region (00xx)"
        raise ParamsError(
            f"'{focus}' är ingen {what} – ange en kod som t.ex. "
            f"{DEMO_MUNICIPALITY if level == 'kommun' else '0018'}."
        )
    if (data is None) == (values is None):
        raise ParamsError(
            "Ange antingen data= (en values-tabell) eller values= (en serie per "
            "kommunkod), inte båda."
        )
    if values is not None:
        series, derived = _given_values(values, geo), True
    else:
        series, kpi, year = _cross_section(data, kpi, year, gender, level)
        derived = None
    if polarity is None:
        polarity = registry.polarity(kpi) if kpi and colour_by == "quartile" else "higher"
    if derived is None:
        derived = colour_by == "quartile"
    county_code = _resolve_county(county, focus)
    rows = list(range(len(geo.codes)))
    if county_code is not None:
        rows = [i for i in rows if geo.counties[i] == county_code]
    peers = (peers,) if isinstance(peers, str) else tuple(str(p) for p in peers)
    req = MapRequest(geo, series, rows, colour_by, polarity, focus, peers, kpi, derived)
    return req, year, county_code


def choose_panels(
    data: pd.DataFrame,
    kpi: str | None,
    kpis: Sequence[str] | None,
    years: Sequence[int] | None,
    year: int | None,
    level: str,
) -> list[tuple[str, int | None]]:
    """(KPI, year) per small-multiples panel: several KPIs, or one KPI over its years."""
    if kpis is not None:
        return [(str(k), year) for k in kpis]
    if kpi is None:
        found = data["kpi"].unique()
        if len(found) != 1:
            raise ParamsError(
                "kpi: ange kpi= (ett nyckeltal över flera år) eller kpis= (flera nyckeltal ett år)."
            )
        kpi = str(found[0])
    if years is None and year is not None:
        years = [year]
    if years is None:
        have = data[
            (data["kpi"] == kpi)
            & data["municipality"].isin(geometry(level).codes)
            & data["value"].notna()
        ]
        years = sorted(int(y) for y in have["year"].unique())[-4:]
        if not years:
            raise ParamsError(f"kpi: {kpi} har inga värden att visa på kartan.")
    return [(kpi, int(y)) for y in years]
