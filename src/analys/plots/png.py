"""Compact chart images: a figure as a palette PNG.

Report charts are flat colours, lines and anti-aliased text: a 256-colour palette holds them
without visible change, at about a third of the bytes of matplotlib's RGBA PNG. Reports and
notebooks embed every image, so this is most of a report's size. An image that is partly
transparent, or that the palette would not make smaller, stays as it was.
"""

from __future__ import annotations

import io
from typing import Any

#: colours of the palette (PNG's maximum for an indexed image)
PALETTE_COLOURS = 256


def _transparent(image: Any) -> bool:
    return image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def _palette_png(image: Any, *, colours: int = PALETTE_COLOURS) -> bytes:
    """An RGB(A) PIL image as a PNG: indexed-colour, or in full when partly transparent."""
    from PIL import Image

    buffer = io.BytesIO()
    if _transparent(image):  # transparency: keep it as drawn
        image.save(buffer, format="png", compress_level=6)
        return buffer.getvalue()
    palette = image.convert("RGB").quantize(
        colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
    )
    palette.save(buffer, format="png", compress_level=6)
    return buffer.getvalue()


def compact_png(data: bytes, *, colours: int = PALETTE_COLOURS) -> bytes:
    """``data`` (a PNG) as an indexed-colour PNG when that is smaller; else ``data``."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    if image.mode not in ("RGB", "RGBA") or _transparent(image):
        return data
    smaller = _palette_png(image, colours=colours)
    return smaller if len(smaller) < len(data) else data


def _inside(bbox: Any, width: float, height: float) -> bool:
    """Whether ``bbox`` (inches) lies on a ``width`` × ``height`` figure (to a pixel's slack)."""
    slack = 0.01
    return (
        bbox.x0 >= -slack and bbox.y0 >= -slack
        and bbox.x1 <= width + slack and bbox.y1 <= height + slack
    )  # fmt: skip


def _crop(rgba: Any, bbox: Any, dpi: float, background: tuple[int, ...]) -> Any:
    """The part ``bbox`` (inches, from the bottom left) of a drawn canvas, as a PIL image.

    Where ``bbox`` reaches past the canvas (the padding round a chart that fills its
    figure) the figure's own background colour is filled in, as savefig would draw it.
    """
    from PIL import Image

    canvas = Image.fromarray(rgba, "RGBA")
    width, height = canvas.size
    left, right = round(bbox.x0 * dpi), round(bbox.x1 * dpi)
    top, bottom = height - round(bbox.y1 * dpi), height - round(bbox.y0 * dpi)
    image = Image.new("RGBA", (right - left, bottom - top), background)
    inner = (max(left, 0), max(top, 0), min(right, width), min(bottom, height))
    image.paste(canvas.crop(inner), (inner[0] - left, inner[1] - top))
    return image


def figure_png(figure: Any, *, dpi: float | None = None, tight: bool = False) -> bytes:
    """A matplotlib figure as a compact PNG, drawn once.

    ``tight`` crops the image to what is drawn plus ``savefig.pad_inches``, like
    ``savefig(bbox_inches="tight")`` (so a caption wider than its panel is never cut), but
    without savefig's second pass over the figure: the figure is laid out and drawn once and
    its drawn canvas cropped (``benchmarks/charts.py``: savefig's way takes about 1.2 times
    as long). Only when something is drawn outside the figure (a label past its edge) is it
    drawn a second time, on a canvas as large as the tight box, without laying it out again.
    """
    import matplotlib as mpl
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    before = figure.dpi
    if dpi is not None and dpi != before:
        figure.set_dpi(dpi)
    try:
        canvas = figure.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(figure)
        canvas.draw()  # lays the figure out and draws it
        rgba = np.asarray(canvas.buffer_rgba())
        if not tight:
            return _palette_png(Image.fromarray(rgba, "RGBA"))
        drawn = figure.get_tightbbox(canvas.get_renderer())
        pad = mpl.rcParams["savefig.pad_inches"]
        bbox = drawn.padded(pad)
        width, height = figure.get_size_inches()
        if _inside(drawn, width, height):
            background = tuple(round(255 * c) for c in figure.get_facecolor())
            return _palette_png(_crop(rgba, bbox, figure.dpi, background))
        figure.set_layout_engine(None)  # laid out already: savefig draws once more, no more
        buffer = io.BytesIO()
        figure.savefig(
            buffer, format="png", dpi=figure.dpi, bbox_inches=bbox, pil_kwargs={"compress_level": 0}
        )
        return _palette_png(Image.open(io.BytesIO(buffer.getvalue())))
    finally:
        if figure.dpi != before:
            figure.set_dpi(before)
