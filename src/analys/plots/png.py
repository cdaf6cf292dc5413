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


def compact_png(data: bytes, *, colours: int = PALETTE_COLOURS) -> bytes:
    """``data`` (a PNG) as an indexed-colour PNG when that is smaller; else ``data``."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    if image.mode not in ("RGB", "RGBA"):
        return data
    if image.mode == "RGBA":
        if image.getchannel("A").getextrema()[0] < 255:  # transparency: keep it as drawn
            return data
        image = image.convert("RGB")
    palette = image.quantize(colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png", compress_level=6)
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(data) else data


def figure_png(figure: Any, **savefig: Any) -> bytes:
    """A matplotlib figure as a compact PNG (``savefig`` keywords pass through).

    matplotlib's own PNG is written uncompressed (it is re-encoded at once).
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 0}, **savefig)
    return compact_png(buffer.getvalue())
