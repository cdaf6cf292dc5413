"""A small SVG writer for the report's charts: shapes and text in points, nothing rasterised.

matplotlib lays out, transforms and rasterises every tick, label and glyph of a chart; for
the report's grids of line panels that was most of a report's drawing time. Here a chart is
written as SVG text: the viewer's browser draws the glyphs. Text widths for the layout are
measured with the metrics of the font the charts name first (DejaVu Sans, matplotlib's own
font, so the SVG and PNG charts look alike); Verdana, its close cousin, stands in where it is
missing.

Every text is escaped for XML; the document names itself for screen readers (``<title>``).
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font, LoadFlags

from analys.safe import one_line

#: the font stack of every text; the first one's metrics lay the chart out
FONT_FAMILY = "DejaVu Sans, Verdana, Bitstream Vera Sans, sans-serif"
#: screen pixels per point: the same size on screen as the 100-dpi PNG charts
PX_PER_PT = 100 / 72
#: a line of text's ascent and descent, in em (DejaVu Sans)
ASCENT, DESCENT = 0.76, 0.24

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SIZE = 100.0  # the size the advances are measured at


@functools.cache
def _font(bold: bool) -> FT2Font:
    properties = font_manager.FontProperties(
        family="DejaVu Sans", weight="bold" if bold else "normal"
    )
    font = FT2Font(font_manager.findfont(properties))
    font.set_size(_SIZE, 72)
    return font


@functools.cache
def _advance(char: str, bold: bool) -> float:
    """The advance of ``char`` at :data:`_SIZE` points, in points: nothing for a control
    character, an average letter's for one the font lacks (the browser takes it from
    another font)."""
    if _CONTROL.match(char):
        return 0.0
    font = _font(bold)
    if not font.get_char_index(ord(char)):
        return 0.6 * _SIZE
    return font.load_char(ord(char), flags=LoadFlags.NO_HINTING).linearHoriAdvance / 65536


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of ``text`` (the longest of its lines) at ``size`` points."""
    lines = str(text).split("\n")
    return max(sum(_advance(c, bold) for c in line) for line in lines) * size / _SIZE


def wrap_text(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` points (a word longer
    than that gets a line of its own)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold=bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def number(value: float) -> str:
    """A coordinate: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def escape(text: str) -> str:
    """``text`` safe inside an SVG element or attribute (no control characters)."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def points_path(points: np.ndarray) -> str:
    """An SVG path through ``points`` (n × 2), broken where a point is NaN."""
    parts, pen = [], "M"
    for x, y in points:
        if not (math.isfinite(x) and math.isfinite(y)):
            pen = "M"
            continue
        parts.append(f"{pen}{number(x)} {number(y)}")
        pen = "L"
    return "".join(parts)


@dataclass
class Svg:
    """An SVG document being written, ``width`` × ``height`` points, y downwards."""

    width: float
    height: float
    parts: list[str] = field(default_factory=list)
    #: every text written, in order (what a screen reader or a test reads)
    texts: list[str] = field(default_factory=list)

    def path(
        self,
        points: np.ndarray,
        *,
        stroke: str,
        width: float,
        dash: Sequence[float] | None = None,
        opacity: float | None = None,
    ) -> None:
        """A line through ``points``, broken at NaN."""
        d = points_path(np.asarray(points, dtype=float).reshape(-1, 2))
        if not d:
            return
        extra = f' stroke-dasharray="{",".join(number(v) for v in dash)}"' if dash else ""
        if opacity is not None:
            extra += f' stroke-opacity="{number(opacity)}"'
        self.parts.append(
            f'<path d="{d}" fill="none" stroke="{stroke}" stroke-width="{number(width)}"'
            f' stroke-linejoin="round"{extra}/>'
        )

    def polygon(self, points: np.ndarray, *, fill: str, opacity: float | None = None) -> None:
        """A filled shape through ``points`` (no NaN)."""
        d = points_path(np.asarray(points, dtype=float).reshape(-1, 2))
        if d:
            alpha = f' fill-opacity="{number(opacity)}"' if opacity is not None else ""
            self.parts.append(f'<path d="{d}Z" fill="{fill}"{alpha}/>')

    def rect(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        *,
        fill: str = "none",
        stroke: str | None = None,
        stroke_width: float = 0.8,
        opacity: float | None = None,
    ) -> None:
        extra = f' stroke="{stroke}" stroke-width="{number(stroke_width)}"' if stroke else ""
        if opacity is not None:
            extra += f' fill-opacity="{number(opacity)}"'
        self.parts.append(
            f'<rect x="{number(x)}" y="{number(y)}" width="{number(width)}"'
            f' height="{number(height)}" fill="{fill}"{extra}/>'
        )

    def circles(
        self,
        points: np.ndarray,
        radius: float,
        *,
        fill: str,
        opacity: float | None = None,
        edge: str | None = None,
        edge_width: float = 0.5,
    ) -> None:
        """A dot at each finite point (``edge``: a ring around each)."""
        dots = [
            f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(radius)}"/>'
            for x, y in np.asarray(points, dtype=float).reshape(-1, 2)
            if math.isfinite(x) and math.isfinite(y)
        ]
        if dots:
            style = f' fill-opacity="{number(opacity)}"' if opacity is not None else ""
            if edge:
                style += f' stroke="{edge}" stroke-width="{number(edge_width)}"'
            self.parts.append(f'<g fill="{fill}"{style}>{"".join(dots)}</g>')

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        colour: str = "#000000",
        anchor: str = "start",
        bold: bool = False,
        italic: bool = False,
        rotate: float | None = None,
        opacity: float | None = None,
    ) -> None:
        """One line of ``text`` with its baseline at ``y``; ``anchor`` start, middle or end."""
        text = _CONTROL.sub("", str(text))
        if not text:
            return
        self.texts.append(text)
        extra = ' font-weight="bold"' if bold else ""
        if italic:
            extra += ' font-style="italic"'
        if anchor != "start":
            extra += f' text-anchor="{anchor}"'
        if rotate is not None:
            extra += f' transform="rotate({number(rotate)} {number(x)} {number(y)})"'
        if opacity is not None:
            extra += f' fill-opacity="{number(opacity)}"'
        self.parts.append(
            f'<text x="{number(x)}" y="{number(y)}" font-size="{number(size)}"'
            f' fill="{colour}"{extra}>{escape(text)}</text>'
        )

    def document(self, title: str) -> str:
        """The finished SVG, sized in pixels like a 100-dpi PNG, scaling with its box."""
        width, height = self.width * PX_PER_PT, self.height * PX_PER_PT
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" version="1.1"'
            f' width="{number(width)}" height="{number(height)}"'
            f' viewBox="0 0 {number(self.width)} {number(self.height)}"'
            f' role="img" font-family="{FONT_FAMILY}">'
            f"<title>{escape(title)}</title>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(self.parts)}</svg>'
        )

    def figure(self, titles: Sequence[str], lines: Sequence[tuple[float, ...]] = ()) -> SvgFigure:
        """The finished chart, described by its panels' ``titles`` (:func:`describe`)."""
        alt = describe(titles)
        return SvgFigure(self.document(alt), alt, tuple(self.texts), tuple(lines))


#: the longest image description (a screen reader reads all of it)
ALT_LIMIT = 400


def describe(titles: Sequence[str]) -> str:
    """A short Swedish text alternative: "Diagram: " and the panels' titles."""
    named = [" ".join(t.split()) for t in dict.fromkeys(titles) if t and t.strip()]
    text = f"Diagram: {'; '.join(named)}" if named else "Diagram"
    return one_line(text, ALT_LIMIT)


@dataclass(frozen=True)
class SvgFigure:
    """A finished SVG chart: what ``report.output.show_figure`` shows as an image.

    ``texts`` are every text written in it and ``lines`` the x values (years) of every line
    drawn, as a report test reads them from a matplotlib figure.
    """

    svg: str
    alt: str
    texts: tuple[str, ...]
    lines: tuple[tuple[float, ...], ...] = ()

    def _repr_svg_(self) -> str:
        return self.svg
