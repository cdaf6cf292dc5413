"""How one map panel is painted: the colour scale, the units, outlines, legend and caption.

Every map draws its units as ONE ``PolyCollection`` whose row ``i`` is unit ``codes[i]`` (gid
``analys-kommuner`` or ``analys-regioner``, :data:`UNITS_GID`); focus and peers are outlined in
collections of their own (:data:`FOCUS_GID`, :data:`PEERS_GID`). :func:`draw_panel` paints a
resolved :class:`~analys.maps.request.MapRequest` on an Axes; the public map functions are in
:mod:`analys.maps`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize, to_rgba, to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from analys import reference, registry
from analys.chartstyle import (
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    JUDGED,
    NEUTRAL,
    PEERS,
    annotate_source,
    fit_to_axes,
)
from analys.format import PRELIMINARY_NOTE, decimals_for, number, year_text
from analys.frame import reused
from analys.maps.geography import Geometry
from analys.maps.request import LEVEL_WORDS, MapRequest
from analys.stats import compare
from analys.vocabulary import GENDER_WORDS

UNITS_GID = {"kommun": "analys-kommuner", "lan": "analys-regioner"}
FOCUS_GID = "analys-fokus"
PEERS_GID = "analys-jamforelse"
LABEL_GID = "analys-fokusnamn"
SEQUENTIAL_CMAP = "YlGnBu"
DIVERGING_CMAP = "RdBu"


# --- colours -------------------------------------------------------------------------------
@dataclass
class Scale:
    """The colours of one panel: faces, legend handles, colour-bar mappable, caption kind."""

    faces: np.ndarray  # RGBA per drawn unit
    handles: list  # legend handles for the colours
    mappable: ScalarMappable | None  # for a colour bar
    derived: bool  # our own computation (caption "Egen bearbetning")
    legend_title: str | None


def value_norm(values: pd.Series, colour_by: str) -> Normalize:
    """The value range of a colour scale: min–max, or ±max|value| around 0 when diverging."""
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
    unit_word: str,
) -> Scale:
    """Face colours of the ``drawn`` codes; ``values`` covers the whole comparison set."""
    grey = to_rgba(COLOURS["grey"])
    if colour_by == "quartile":
        colour = quartile_names(values, drawn, polarity)
        handles = [
            Patch(facecolor=entry.colour, edgecolor="white", label=entry.label)
            for entry in quartile_entries(colour, polarity)
        ]
        faces = to_rgba_array([COLOURS[c] for c in colour])
        return Scale(faces, handles, None, True, f"Jämfört med alla {unit_word}")
    norm = norm if norm is not None else value_norm(values, colour_by)
    reverse = colour_by == "diverging" and polarity == "lower"
    cmap = colormaps[SEQUENTIAL_CMAP if colour_by == "sequential" else DIVERGING_CMAP]
    cmap = cmap.reversed() if reverse else cmap
    x = values.reindex(drawn).to_numpy()
    faces = cmap(norm(np.nan_to_num(x)))
    faces[np.isnan(x)] = grey
    return Scale(faces, [], ScalarMappable(norm=norm, cmap=cmap), False, None)


@dataclass(frozen=True)
class LegendEntry:
    """One row of a map's legend: a colour patch (``width`` 0) or an outline's line."""

    label: str
    colour: str
    width: float = 0.0


#: the outlines of the focus unit and of the peers (points)
FOCUS_WIDTH, PEERS_WIDTH = 2.2, 1.0


def quartile_names(values: pd.Series, drawn: list[str], polarity: str) -> pd.Series:
    """The quartile colour name (``chartstyle.COLOURS``) of each ``drawn`` code among all
    ``values``; a neutral KPI gets higher/middle/lower, a palette without a judgement."""
    return _quartile_colours(values, polarity)["colour"].reindex(drawn)


@reused
def _quartile_colours(values: pd.Series, polarity: str) -> pd.DataFrame:
    """:func:`analys.stats.compare.quartile_colours`, kept per series while
    :func:`analys.frame.reusing` holds a memo (a batch's maps of one KPI and year)."""
    return compare.quartile_colours(values, polarity)


def quartile_entries(colour: pd.Series, polarity: str) -> list[LegendEntry]:
    """The legend of quartile ``colour`` names: each colour with how many units have it."""
    entries = []
    for name in NEUTRAL if polarity == "neutral" else JUDGED:
        count = int((colour == name).sum())
        if name != "none" or count:
            label = COLOUR_LABELS[name] if name != "none" else "Ingen färg (färre än 4 värden)"
            entries.append(LegendEntry(f"{label} ({count})", COLOURS[name]))
    return entries


def outline_entries(
    req: MapRequest, drawn: list[str], focus_rows: list[int], peer_rows: list[int]
) -> list[LegendEntry]:
    """The legend rows after the colours: missing values, the focus and the peers."""
    entries = []
    n_missing = int(req.values.reindex(drawn).isna().sum())
    if n_missing:
        entries.append(LegendEntry(f"Värde saknas ({n_missing})", COLOURS["grey"]))
    if focus_rows:
        entries.append(LegendEntry(reference.title(req.focus), FOCUS, FOCUS_WIDTH))
    if peer_rows:
        peer_word = LEVEL_WORDS[req.geo.level][1]
        entries.append(LegendEntry(f"{peer_word} ({len(peer_rows)})", PEERS, PEERS_WIDTH))
    return entries


def outlined_rows(req: MapRequest, drawn: list[str]) -> tuple[list[int], list[int]]:
    """The geometry rows of the focus and of the peers among the ``drawn`` codes."""
    shown = set(drawn)
    peer_rows = req.geo.rows([p for p in req.peers if p in shown and p != req.focus])
    focus_rows = req.geo.rows([req.focus]) if req.focus in shown else []
    return focus_rows, peer_rows


def box_of(req: MapRequest) -> tuple[float, float, float, float]:
    """The drawn units' extent with 3 % room around it, in metres (x0, y0, x1, y1)."""
    box = req.geo.bounds[req.rows]
    (x0, y0), (x1, y1) = box[:, :2].min(axis=0), box[:, 2:].max(axis=0)
    pad = 0.03 * max(x1 - x0, y1 - y0)
    return float(x0 - pad), float(y0 - pad), float(x1 + pad), float(y1 + pad)


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


def add_colourbar(
    ax: Axes | list[Axes], mappable: ScalarMappable, label: str, unit: str | None
) -> None:
    """A colour bar with Swedish ticks: right of one map, or beside all panels of a list."""
    if isinstance(ax, list):  # small multiples: one bar beside all panels
        bar = ax[0].figure.colorbar(mappable, ax=ax, shrink=0.6, aspect=25, pad=0.02)
    else:  # right of the map, under the legend, whatever the figure's layout
        bar = ax.figure.colorbar(mappable, cax=ax.inset_axes([1.04, 0.03, 0.035, 0.42]))
    bar.ax.yaxis.set_major_formatter(_tick_formatter(unit, mappable.norm))
    bar.ax.tick_params(labelsize=7)
    bar.set_label(label, fontsize=7)


def panel_title(
    kpi: str | None,
    year: int | None,
    gender: str,
    county: str | None,
    width: int = 40,
    preliminary: int | None = None,
) -> str:
    """The KPI's short label (with the gender), the year (``2025*`` when it is Kolada's
    ``preliminary`` year) and, when zoomed, the county."""
    label = registry.label(kpi) if kpi else ""
    if gender != "T" and gender in GENDER_WORDS:
        label = f"{label} ({registry.gender_words(kpi)[gender]})"
    shown = None if year is None else year_text(year, preliminary)
    text = ", ".join(str(p) for p in (label, shown) if p not in ("", None))
    text = textwrap.fill(text, width)
    if county is not None:
        text += f"\n{reference.COUNTIES[county]}"
    return text


def starred(year: int | None, preliminary: int | None) -> bool:
    """Whether ``year`` is Kolada's ``preliminary`` year (shown "2025*")."""
    return year is not None and preliminary is not None and int(year) == int(preliminary)


def titled(title: str | None, year: int | None, preliminary: int | None) -> str | None:
    """A caller's own title with the year (starred when preliminary), unless it names it."""
    if title is None:
        return None
    if year is None or str(int(year)) in title:
        return title
    return f"{title}, {year_text(year, preliminary)}"


def draw_panel(
    ax: Axes,
    req: MapRequest,
    *,
    norm: Normalize | None = None,
    legend: bool = True,
    colourbar: bool = True,
) -> Scale:
    """Paint ``req`` on ``ax``: units, focus and peer outlines, legend and colour bar.

    ``norm`` shares one value scale between panels; returns the panel's :class:`Scale`.
    """
    geo = req.geo
    drawn = [geo.codes[i] for i in req.rows]
    unit_word = LEVEL_WORDS[geo.level][0]
    scale = _scale(req.values, drawn, req.colour_by, req.polarity, norm=norm, unit_word=unit_word)
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
    x0, y0, x1, y1 = box_of(req)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()

    focus_rows, peer_rows = outlined_rows(req, drawn)
    _outline(ax, geo, peer_rows, PEERS_GID, PEERS, PEERS_WIDTH, 3)
    _outline(ax, geo, focus_rows, FOCUS_GID, FOCUS, FOCUS_WIDTH, 4)
    if focus_rows:
        _label_focus(ax, geo, focus_rows[0])

    handles = list(scale.handles)
    for entry in outline_entries(req, drawn, focus_rows, peer_rows):
        if entry.width:
            handles.append(Line2D([], [], color=entry.colour, lw=entry.width, label=entry.label))
        else:
            handles.append(Patch(facecolor=entry.colour, edgecolor="white", label=entry.label))
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
        add_colourbar(ax, scale.mappable, f"{label} ({unit})" if unit else label, unit)
    return scale


def add_caption(
    ax: Axes, source: str, *, derived: bool, kpis: tuple = (), preliminary: bool = False
) -> None:
    """The source caption (and demo watermark), wrapped so a narrow map keeps its layout;
    ``preliminary``: the map shows a starred year, and the caption says what the star means."""
    annotate_source(ax, source, derived=derived, kpis=kpis)
    for text in ax.texts:
        if text.get_gid() == "analys-caption":
            if preliminary:
                text.set_text(f"{text.get_text()} · {PRELIMINARY_NOTE}")
            fit_to_axes(text)
    watermark_outside_layout(ax)


def watermark_outside_layout(ax: Axes) -> None:
    """The big "DEMODATA" must not shrink a small map: leave it out of the layout."""
    for text in ax.texts:
        if text.get_gid() == "analys-watermark":
            text.set_in_layout(False)


def new_axes(figsize: tuple[float, float]) -> Axes:
    """The Axes of a new constrained-layout pyplot figure of ``figsize`` inches."""
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained").add_subplot()
