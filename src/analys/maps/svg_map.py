"""The report's maps written straight as SVG: quartile colours, outlines, legend and caption.

What a map shows is a :class:`MapPanel`, computed by :func:`map_panel` from the same
:func:`~analys.maps.request.map_request` and legend rows (:mod:`analys.maps.draw`) as the
matplotlib maps; :func:`map_svg` writes panels side by side (Sweden and the county, or the
regions) and :func:`small_multiples_svg` one small map per KPI under one legend. Nothing is
rasterised: the browser draws the boundaries and the text, sharp at any zoom and in print.

The boundaries are written once per process and resolution (:func:`unit_paths`): each unit one
path in a grid of whole metres × the resolution, drawn at the scale of its panel by the group's
transform. Rounding both sides of a shared border to the same grid keeps neighbours flush.
A panel uses the coarsest resolution under half a point, so the whole of Sweden takes about
50 KB. Only quartile colours (what the reports show) are drawn here; a value scale with its
colour bar is :func:`analys.maps.municipality_map`'s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from matplotlib.path import Path as MplPath

from analys import reference
from analys.chartstyle import COLOURS, FOCUS, PEERS, caption_text, is_demo
from analys.format import PRELIMINARY_NOTE
from analys.maps.draw import (
    FOCUS_WIDTH,
    PEERS_WIDTH,
    LegendEntry,
    box_of,
    outline_entries,
    outlined_rows,
    panel_title,
    quartile_entries,
    quartile_names,
    starred,
    titled,
)
from analys.maps.geography import geometry
from analys.maps.request import LEVEL_WORDS, choose_panels, map_request
from analys.plots.svg import ASCENT, Svg, SvgFigure, text_width, wrap_text
from analys.plots.svg_axes import (
    PAD,
    Frame,
    backing,
    caption_lines,
    leader,
    text_box,
    watermark,
    write_caption,
)

#: metres a boundary's coordinates are rounded to; a panel takes the coarsest under half a point
RESOLUTIONS = (250, 500, 1000, 2000, 4000)
#: font sizes (points): a panel's title, the small multiples' titles, legend, focus name
TITLE, SMALL_TITLE, LEGEND, NAME = 9, 8, 7, 8
#: a legend row's height, its marker's width and the gap after the marker (points)
ROW, MARKER, GAP = 11.0, 12.0, 4.0


@dataclass(frozen=True)
class MapPanel:
    """One map: the units drawn and their colours, the outlines, the title and legend.

    ``rows`` are rows of :func:`~analys.maps.geometry` of ``level`` and ``faces`` their
    colours (hex); ``box`` is the extent shown in metres (x0, y0, x1, y1).
    """

    level: str
    codes: tuple[str, ...]
    rows: tuple[int, ...]
    faces: tuple[str, ...]
    focus: int | None
    peers: tuple[int, ...]
    box: tuple[float, float, float, float]
    title: str
    legend: tuple[LegendEntry, ...]
    legend_title: str | None
    kpi: str | None
    starred: bool

    @property
    def aspect(self) -> float:
        """Width over height of the extent."""
        x0, y0, x1, y1 = self.box
        return (x1 - x0) / (y1 - y0)

    def colours(self) -> pd.Series:
        """The colour of every unit drawn (lower-case hex), indexed by code, as
        :func:`analys.maps.drawn_colours` reads a matplotlib map."""
        index = pd.Index(list(self.codes), name="municipality")
        return pd.Series(list(self.faces), index=index, name="colour")


def map_panel(
    data: pd.DataFrame,
    *,
    kpi: str | None = None,
    year: int | None = None,
    focus: str | None = None,
    peers: Sequence[str] = (),
    county: str | None = None,
    region: bool = False,
    gender: str = "T",
    title: str | None = None,
    preliminary: int | None = None,
) -> MapPanel:
    """What a quartile-coloured map of one KPI and year shows.

    The arguments are those of :func:`analys.maps.municipality_map` (``region=True``:
    :func:`~analys.maps.region_map`'s 21 regions, ``focus`` a region id); the colours compare
    all units of the level, also when ``county`` zooms in.
    """
    level = "lan" if region else "kommun"
    req, year, county_code = map_request(
        level, data, None, kpi, year, gender, "quartile", None, focus, peers, county
    )
    geo = req.geo
    drawn = [geo.codes[i] for i in req.rows]
    colour = quartile_names(req.values, drawn, req.polarity)
    focus_rows, peer_rows = outlined_rows(req, drawn)
    legend = quartile_entries(colour, req.polarity)
    legend += outline_entries(req, drawn, focus_rows, peer_rows)
    heading = titled(title, year, preliminary) or panel_title(
        req.kpi, year, gender, county_code, preliminary=preliminary
    )
    return MapPanel(
        level=level,
        codes=tuple(drawn),
        rows=tuple(req.rows),
        faces=tuple(COLOURS[c].lower() for c in colour),
        focus=focus_rows[0] if focus_rows else None,
        peers=tuple(peer_rows),
        box=box_of(req),
        title=heading,
        legend=tuple(legend),
        legend_title=f"Jämfört med alla {LEVEL_WORDS[level][0]}",
        kpi=req.kpi,
        starred=starred(year, preliminary),
    )


# --- the boundaries ------------------------------------------------------------------------
def _compact(numbers: np.ndarray) -> str:
    """Integers for a path: a space between them, none before a minus sign."""
    out = []
    for value in numbers.tolist():
        out.append(f"{value}" if value < 0 or not out else f" {value}")
    return "".join(out)


@cache
def _origin(level: str) -> tuple[float, float]:
    """The grid's origin: Sweden's west and north edges (metres)."""
    bounds = geometry(level).bounds
    return float(bounds[:, 0].min()), float(bounds[:, 3].max())


@cache
def unit_paths(level: str, resolution: int) -> tuple[str, ...]:
    """Each unit's boundary as path data in grid units of ``resolution`` metres from
    :func:`_origin`, x east and y south; a ring reduced to fewer than three points is left
    out."""
    geo = geometry(level)
    west, north = _origin(level)
    paths = []
    for vertices, codes in zip(geo.vertices, geo.path_codes, strict=True):
        grid = np.rint(
            np.column_stack([(vertices[:, 0] - west), (north - vertices[:, 1])]) / resolution
        ).astype(np.int64)
        starts = np.flatnonzero(codes == MplPath.MOVETO)
        parts = []
        for ring in np.split(grid, starts[1:]):
            keep = np.r_[True, np.any(ring[1:] != ring[:-1], axis=1)]
            ring = ring[keep]
            if len(ring) > 1 and (ring[-1] == ring[0]).all():
                ring = ring[:-1]  # the path closes itself
            if len(ring) < 3:
                continue
            steps = np.diff(ring, axis=0).ravel()
            parts.append(f"M{ring[0, 0]} {ring[0, 1]}l{_compact(steps)}z")
        paths.append("".join(parts))
    return tuple(paths)


def _resolution(scale: float) -> int:
    """The coarsest grid under half a point at ``scale`` points per metre."""
    fitting = [r for r in RESOLUTIONS if r * scale <= 0.5]
    return fitting[-1] if fitting else RESOLUTIONS[0]


# --- drawing -------------------------------------------------------------------------------
def _legend_width(entries: Sequence[LegendEntry], title: str | None) -> float:
    widths = [MARKER + GAP + text_width(e.label, LEGEND) for e in entries]
    if title:
        widths.append(text_width(title, LEGEND))
    return max(widths, default=0.0)


def _draw_legend(
    svg: Svg, x: float, y: float, entries: Sequence[LegendEntry], title: str | None
) -> None:
    """Legend rows from ``x``, ``y`` (top), under ``title`` when given."""
    if title:
        svg.text(x, y + LEGEND * ASCENT, title, size=LEGEND)
        y += ROW
    for entry in entries:
        middle = y + ROW / 2
        if entry.width:
            svg.path([(x, middle), (x + MARKER, middle)], stroke=entry.colour, width=entry.width)
        else:
            svg.rect(
                x, middle - 3.5, MARKER, 7, fill=entry.colour, stroke="#ffffff", stroke_width=0.5
            )
        svg.text(x + MARKER + GAP, middle + LEGEND * 0.35, entry.label, size=LEGEND)
        y += ROW


def _ref(level: str, resolution: int, row: int) -> str:
    """The id of a unit's boundary in ``<defs>``: named by level and resolution too, so a
    page that inlines several SVGs finds the same shape under the same id."""
    return f"analys{level[0]}{resolution}-{row}"


def _draw_map(
    svg: Svg, panel: MapPanel, area: Frame, *, demo: bool, defined: set[int] | None = None
) -> int:
    """The units of ``panel`` fitted into ``area`` (equal scales), outlines and focus name;
    returns the resolution. ``defined``: the units are ``<use>`` of ``<defs>`` and their rows
    are added to it (:func:`_defs` then writes them)."""
    x0, y0, x1, y1 = panel.box
    scale = min(area.width / (x1 - x0), area.height / (y1 - y0))  # points per metre
    left = area.x + (area.width - (x1 - x0) * scale) / 2
    top = area.y + (area.height - (y1 - y0) * scale) / 2
    resolution = _resolution(scale)
    paths = unit_paths(panel.level, resolution)
    west, north = _origin(panel.level)
    k = resolution * scale
    transform = (
        f"matrix({k:.6g} 0 0 {k:.6g} {left + (west - x0) * scale:.2f} "
        f"{top + (y1 - north) * scale:.2f})"
    )

    def width(points: float) -> str:
        return f"{points / k:.3g}"

    edge = 0.25 if panel.level == "kommun" and len(panel.rows) > 60 else 0.6
    if defined is None:
        units = "".join(
            f'<path fill="{face}" d="{paths[row]}"/>'
            for row, face in zip(panel.rows, panel.faces, strict=True)
        )
    else:  # the boundaries are in the document's <defs> once, each panel uses them
        by_face: dict[str, list[int]] = {}
        for row, face in zip(panel.rows, panel.faces, strict=True):
            by_face.setdefault(face, []).append(row)
        for rows in by_face.values():
            defined.update(rows)
        units = "".join(
            f'<g fill="{face}">'
            + "".join(f'<use href="#{_ref(panel.level, resolution, row)}"/>' for row in rows)
            + "</g>"
            for face, rows in by_face.items()
        )
    svg.parts.append(
        f'<g transform="{transform}" stroke="#ffffff" stroke-width="{width(edge)}"'
        f' stroke-linejoin="round">{units}</g>'
    )
    for rows, colour, line in (
        (panel.peers, PEERS, PEERS_WIDTH),
        ((panel.focus,) if panel.focus is not None else (), FOCUS, FOCUS_WIDTH),
    ):
        if rows:
            d = "".join(paths[row] for row in rows)
            svg.parts.append(
                f'<path transform="{transform}" d="{d}" fill="none" stroke="{colour}"'
                f' stroke-width="{width(line)}" stroke-linejoin="round"/>'
            )
    if demo:
        watermark(svg, area, fit=True)
    if panel.focus is not None:
        geo = geometry(panel.level)
        px, py = geo.label_points[panel.focus]
        point = (left + (px - x0) * scale, top + (y1 - py) * scale)
        name = reference.title(geo.codes[panel.focus])
        right = point[0] > area.x + area.width / 2  # the name goes towards the middle
        tw = text_width(name, NAME, bold=True)
        x = point[0] - 10 if right else point[0] + 10
        x = min(max(x, area.x + (tw if right else 0)), area.right - (0 if right else tw))
        box, baseline = text_box(x, point[1] - 12, tw, NAME, "right" if right else "left", "bottom")
        backing(svg, box, NAME)
        leader(svg, point, box, FOCUS, 0.8)
        svg.text(box[0], baseline, name, size=NAME, colour=FOCUS, bold=True)
    return resolution


def _defs(level: str, resolution: int, rows: set[int]) -> str:
    paths = unit_paths(level, resolution)
    shapes = "".join(
        f'<path id="{_ref(level, resolution, row)}" d="{paths[row]}"/>' for row in sorted(rows)
    )
    return f"<defs>{shapes}</defs>"


def _caption(source: str, panels: Sequence[MapPanel]) -> str:
    kpis = tuple(dict.fromkeys(p.kpi for p in panels if p.kpi))
    text = caption_text(source, derived=True, kpis=kpis)
    if any(p.starred for p in panels):
        text += f" · {PRELIMINARY_NOTE}"
    return text


def map_svg(
    panels: Sequence[MapPanel],
    *,
    source: str = "demo",
    height: float = 5.4,
    max_width: float = 8.0,
    legends: Sequence[bool] | None = None,
) -> SvgFigure:
    """Map panels side by side, each with its title above and its legend right of it.

    ``height`` and ``max_width`` are inches; the maps are as tall as fits ``height`` unless
    their row would be wider than ``max_width``. ``legends[i]`` false leaves panel ``i``'s
    colours out of its legend (they are the first panel's); its outlines stay explained.
    """
    legends = list(legends) if legends is not None else [True] * len(panels)
    shown = [
        (
            list(p.legend) if full else [e for e in p.legend if e.width],
            p.legend_title if full else None,
        )
        for p, full in zip(panels, legends, strict=True)
    ]
    legend_w = [_legend_width(entries, title) if entries else 0.0 for entries, title in shown]
    total_w, total_h = max_width * 72, height * 72
    caption = _caption(source, panels)
    fixed = sum(w + 2 * PAD for w in legend_w) + PAD * (len(panels) + 1)
    aspects = sum(p.aspect for p in panels)

    def wrapped(width: float, widths: Sequence[float]):
        """The titles wrapped to their panels and the caption to the figure, with heights."""
        titles = [wrap_text(p.title, w - PAD, TITLE) for p, w in zip(panels, widths, strict=True)]
        return titles, max(len(t) for t in titles) * TITLE * 1.2 + 6, *caption_lines(caption, width)

    width, widths = total_w, [total_w / len(panels)] * len(panels)
    for _ in range(3):  # the captions and titles wrap to the width the maps leave
        titles, titles_h, cap_lines, cap_h = wrapped(width, widths)
        map_h = min(total_h - titles_h - cap_h - 2 * PAD, (total_w - fixed) / aspects)
        widths = [p.aspect * map_h + w + 2 * PAD for p, w in zip(panels, legend_w, strict=True)]
        fitted = max(sum(widths) + PAD * (len(panels) + 1), 200.0)
        if fitted == width:
            break
        width = fitted
    # as finally laid out (a few points taller than ``height`` if it did not settle)
    titles, titles_h, cap_lines, cap_h = wrapped(width, widths)
    svg = Svg(width, titles_h + map_h + cap_h + 2 * PAD)
    x = PAD
    for panel, (entries, title), panel_w, lines in zip(panels, shown, widths, titles, strict=True):
        for row, line in enumerate(lines):
            svg.text(x, PAD + TITLE * (ASCENT + 1.2 * row), line, size=TITLE)
        area = Frame(x, PAD + titles_h, panel.aspect * map_h, map_h)
        _draw_map(svg, panel, area, demo=is_demo(source))
        if entries:
            _draw_legend(svg, area.right + 2 * PAD, area.y, entries, title)
        x += panel_w + PAD
    write_caption(svg, 0, svg.height - cap_h - PAD / 2, cap_lines)
    return svg.figure([p.title for p in panels])


def small_multiples_svg(
    data: pd.DataFrame,
    *,
    kpis: Sequence[str],
    year: int | None = None,
    municipality: str | None = None,
    region: bool = False,
    source: str = "demo",
    ncols: int = 4,
    preliminary: int | None = None,
) -> SvgFigure:
    """A small quartile map per KPI (its latest year, or ``year``), under one legend.

    As :func:`analys.maps.small_multiples` with ``kpis=``: every panel outlines and names the
    focus ``municipality`` (a region id with ``region=True``); the legend lists each colour
    any panel uses once, "Värde saknas" and the focus.
    """
    level = "lan" if region else "kommun"
    choices = choose_panels(data, None, kpis, None, year, level)
    panels = []
    for kpi, panel_year in choices:
        panel = map_panel(
            data,
            kpi=kpi,
            year=panel_year,
            focus=municipality,
            region=region,
            preliminary=preliminary,
        )
        title = "\n".join(wrap_text(panel.title, 150, SMALL_TITLE)) if panel.title else ""
        panels.append((panel, title))
    entries, seen = [], set()
    for panel, _ in panels:
        for entry in panel.legend:
            if not entry.width:
                label = entry.label.rsplit(" (", 1)[0]  # counts differ per panel
                if label not in seen and not label.startswith("Värde saknas"):
                    seen.add(label)
                    entries.append(LegendEntry(label, entry.colour))
    entries.append(LegendEntry("Värde saknas", COLOURS["grey"]))
    if municipality is not None:
        focus = panels[0][0].focus
        if focus is not None:
            entries.append(
                LegendEntry(reference.title(geometry(level).codes[focus]), FOCUS, FOCUS_WIDTH)
            )
    ncols = max(1, min(ncols, len(panels)))
    nrows = math.ceil(len(panels) / ncols)
    cell_w = 150.0
    width = ncols * cell_w + (ncols + 1) * PAD
    caption = _caption(source, [p for p, _ in panels])
    cap_lines, cap_h = caption_lines(caption, width)
    # the legend in as many columns as fit, above the maps
    column_w = max(MARKER + GAP + text_width(e.label, LEGEND) for e in entries) + 2 * PAD
    per_row = max(1, int((width - 2 * PAD) // column_w))
    legend_title = panels[0][0].legend_title
    legend_h = ROW * (1 + math.ceil(len(entries) / per_row)) + PAD
    title_h = max(len(t.split("\n")) for _, t in panels) * SMALL_TITLE * 1.2 + 4
    map_h = 250.0
    cell_h = title_h + map_h + PAD
    svg = Svg(width, PAD + legend_h + nrows * cell_h + cap_h + PAD)
    svg.text(PAD, PAD + LEGEND * ASCENT, legend_title or "", size=LEGEND)
    for i, entry in enumerate(entries):
        ex = PAD + (i % per_row) * column_w
        ey = PAD + ROW * (1 + i // per_row)
        _draw_legend(svg, ex, ey, [entry], None)
    top = PAD + legend_h
    defined: set[int] = set()
    resolutions = set()
    for i, (panel, title) in enumerate(panels):
        x = PAD + (i % ncols) * (cell_w + PAD)
        y = top + (i // ncols) * cell_h
        for row, line in enumerate(title.split("\n")):
            svg.text(x, y + SMALL_TITLE * (ASCENT + 1.2 * row), line, size=SMALL_TITLE)
        area = Frame(x, y + title_h, cell_w, map_h)
        resolutions.add(_draw_map(svg, panel, area, demo=is_demo(source), defined=defined))
    (resolution,) = resolutions  # every panel shows the same extent at the same size
    svg.parts.insert(0, _defs(level, resolution, defined))
    write_caption(svg, 0, svg.height - cap_h - PAD / 2, cap_lines)
    return svg.figure([p.title for p, _ in panels])


__all__ = [
    "MapPanel",
    "map_panel",
    "map_svg",
    "small_multiples_svg",
    "unit_paths",
]
