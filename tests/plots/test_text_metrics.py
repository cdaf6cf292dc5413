"""The text sizes matplotlib measures are shared by every Agg figure (chartstyle's store):
the same images, fewer measurements."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import text as mtext  # noqa: E402

from analys import chartstyle, demo, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(kpi: str = "N15507", municipality: str = "1880") -> bytes:
    values = demo.load_values([kpi], None, range(2015, 2026))
    figure, ax = plt.subplots(figsize=(5, 3.5), layout="constrained")
    plots.trend_chart(values, kpi=kpi, municipality=municipality, preliminary=2025, ax=ax)
    ax.set_xlabel("År – $x^2$ ritas som mattetext")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def test_the_store_is_in_place_once():
    metrics = mtext._get_text_metrics_with_cache
    assert metrics.analys_shared and chartstyle.share_text_metrics()
    assert mtext._get_text_metrics_with_cache is metrics


def test_a_figure_drawn_from_the_store_is_the_same_image(monkeypatch):
    metrics = mtext._get_text_metrics_with_cache
    metrics.kept.clear()
    first = _png()
    assert metrics.kept  # measured once …
    again = _png()  # … and the second figure measures nothing new
    stored = len(metrics.kept)
    assert _png() == again == first and len(metrics.kept) == stored
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", metrics.measured)
    assert _png() == first  # matplotlib's own measuring draws the same image


def test_hinting_and_mathtext_are_measured_for_what_they_are():
    metrics = mtext._get_text_metrics_with_cache
    metrics.kept.clear()
    _png()
    assert not any("$" in key[0] for key in metrics.kept)  # mathtext is not stored
    plain = len(metrics.kept)
    with chartstyle.unhinted_text():
        _png()
    assert len(metrics.kept) > plain  # other hinting, other sizes
    assert {key[4] for key in metrics.kept} == {matplotlib.rcParams["text.hinting"], "no_hinting"}


def test_a_full_store_starts_afresh(monkeypatch):
    metrics = mtext._get_text_metrics_with_cache
    metrics.kept.clear()
    monkeypatch.setattr(chartstyle, "TEXT_METRICS_KEPT", 5)
    _png()  # a few dozen texts
    assert 0 < len(metrics.kept) <= 5
