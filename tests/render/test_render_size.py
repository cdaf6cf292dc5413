"""Smaller report files (issue 14 §4): palette PNGs and only the CSS a page uses."""

from __future__ import annotations

import io
from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from analys.plots.png import compact_png, figure_png  # noqa: E402
from analys.render.pagecss import prune_page  # noqa: E402

PAGE = (
    """<!DOCTYPE html><html><head>
<style type="text/css">
/* a comment { not a rule } */
:root { --jp-used: #123456; --jp-chain: var(--jp-used); --jp-unused: url("data:image/svg+xml;base64,AAAA"); }
body { margin: 0; }
.jp-Cell { color: var(--jp-chain); }
.jp-Cell.jp-mod-active { color: red; }
.jp-Toolbar, .jp-Cell .inner { padding: 1px; }
.jp-Cell:not(.jp-mod-hidden) { display: block; }
@media print { .jp-Cell { break-inside: avoid; } .jp-Dialog { color: blue; } }
@media screen { .jp-Dialog { color: blue; } }
@keyframes spin { from { opacity: 0; } to { opacity: 1; } }
"""
    + "/* padding */" * 400
    + """
</style>
<style>#T_1 td { text-align: left; }</style>
</head><body class="jp-Notebook"><div class="jp-Cell"><p class='inner'>x</p></div></body></html>"""
)


def test_only_the_css_the_page_uses_is_kept():
    page = prune_page(PAGE)
    assert ".jp-Cell{color: var(--jp-chain);}" in page
    assert "jp-mod-active" not in page  # a class the page never uses
    assert ".jp-Toolbar" not in page and ".jp-Cell .inner{padding: 1px;}" in page
    assert ".jp-Cell:not(.jp-mod-hidden)" in page  # a negated class is no requirement
    assert "@media print{.jp-Cell{break-inside: avoid;}}" in page
    assert "@media screen" not in page and ".jp-Dialog" not in page
    assert "@keyframes spin" in page and "body{margin: 0;}" in page
    assert "--jp-used: #123456" in page and "--jp-chain" in page  # read through a chain
    assert "--jp-unused" not in page and "a comment" not in page
    assert "#T_1 td { text-align: left; }" in page  # the page's own small styles: as they were
    assert len(page) < len(PAGE) / 3


def test_a_page_without_large_styles_is_unchanged():
    small = "<html><head><style>p { color: red; }</style></head><body><p>x</p></body></html>"
    assert prune_page(small) == small


def _chart():
    figure, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.bar(
        range(40), np.linspace(1, 40, 40), color=["#1a9641", "#fdd835", "#d7191c"] * 13 + ["#888"]
    )
    ax.plot(range(40), np.sin(np.arange(40) / 4) * 10 + 20, color="#08306b", linewidth=2)
    ax.set_title("Meritvärde åk 9 – alla kommuner")
    return figure


def test_a_chart_becomes_a_palette_png_that_looks_the_same():
    figure = _chart()
    plain = io.BytesIO()
    figure.savefig(plain, format="png", dpi=100)
    compact = figure_png(figure, dpi=100)
    plt.close(figure)
    before, after = Image.open(plain), Image.open(io.BytesIO(compact))
    assert after.mode == "P" and after.size == before.size
    assert len(compact) < 0.6 * len(plain.getvalue())
    difference = np.abs(
        np.asarray(before.convert("RGB"), dtype=int) - np.asarray(after.convert("RGB"), dtype=int)
    ).max(axis=2)
    assert np.percentile(difference, 99) <= 16  # anti-aliased edges at most, no visible change


def test_a_transparent_image_is_kept_as_drawn():
    image = Image.new("RGBA", (20, 10), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    assert compact_png(buffer.getvalue()) == buffer.getvalue()


def _laid_out(overflow: bool = False):
    """A chart laid out by constrained layout, its caption under the Axes; with
    ``overflow`` a note reaching past the figure's right edge (layout makes no room for it)."""
    figure, ax = plt.subplots(figsize=(5, 3), dpi=100, layout="constrained")
    ax.plot([2015, 2020, 2025], [1, 3, 2], color="#08306b")
    ax.set_title("Meritvärde åk 9", loc="left")
    ax.annotate(
        "Källa: Kolada", xy=(0, 0), xycoords="axes fraction", xytext=(0, -30),
        textcoords="offset points", va="top", fontsize=7,
    )  # fmt: skip
    if overflow:
        figure.text(0.9, 0.5, "en lång anteckning utanför", ha="left")
    return figure


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _unlike(before: np.ndarray, after: np.ndarray) -> float:
    """The share of pixels that differ visibly, at the best alignment within a pixel (the
    crop and savefig round the box's edges differently)."""
    height, width = (
        min(before.shape[0], after.shape[0]) - 2,
        min(before.shape[1], after.shape[1]) - 2,
    )
    shares = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            a = before[1 : 1 + height, 1 : 1 + width]
            b = after[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
            shares.append(float((np.abs(a - b).max(axis=2) > 64).mean()))
    return min(shares)


def _counted(draw, draws: list[int]) -> None:
    draws.append(1)
    draw()


def test_a_tight_chart_drawn_once_is_the_image_savefig_would_draw_twice():
    for overflow in (False, True):
        figure = _laid_out(overflow)
        plain = io.BytesIO()
        figure.savefig(plain, format="png", dpi=100, bbox_inches="tight")
        plt.close(figure)
        figure = _laid_out(overflow)
        draws: list[int] = []
        figure.canvas.draw = partial(_counted, figure.canvas.draw, draws)
        compact = figure_png(figure, tight=True)
        plt.close(figure)
        before, after = _pixels(plain.getvalue()), _pixels(compact)
        assert abs(before.shape[0] - after.shape[0]) <= 1
        assert abs(before.shape[1] - after.shape[1]) <= 1
        assert _unlike(before, after) < 0.005, overflow  # anti-aliased edges at most
        assert len(draws) == 1  # laid out once (the overflow's second pass: no layout)
        if overflow:  # the note past the figure's edge is in the image, as with savefig
            assert after.shape[1] > 5 * 100 + 60
        else:
            assert after.shape[1] < 5 * 100 + 15
