"""Shared by the chart tests: every figure is closed after each test (drawn extents are
measured with :func:`analys.testing.drawn`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def goal_titles() -> list[str]:
    """Goal titles of one to three lines in a goal chart, as municipalities write them."""
    return [
        "Kommunen ska ha en god ekonomisk hushållning",
        "Kommunen ska vara en attraktiv och hälsofrämjande arbetsgivare",
        "Alla barn och unga ska ha goda förutsättningar att nå sina mål i skolan och i livet",
        "Trygg skola",
        "Äldre ska kunna leva ett självständigt liv med god omsorg och vård nära hemmet",
    ]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def browser_layout():
    """``browser_layout(svg, name)``: the SVG chart shown in headless Chromium, checked with
    the browser's own text boxes (:func:`_assert_laid_out`); returns the boxes of its texts
    (the demo watermark left out), ``[(left, top, right, bottom, text), …]`` in CSS pixels."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()

        def boxes(svg: str, name: str = ""):
            page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
            found = page.evaluate(
                """() => { const svg = document.querySelector('svg').getBoundingClientRect();
                return [[svg.left, svg.top, svg.right, svg.bottom, ''],
                  ...Array.from(document.querySelectorAll('text'))
                    .filter(t => t.textContent !== 'DEMODATA')
                    .map(t => { const b = t.getBoundingClientRect();
                       return [b.left, b.top, b.right, b.bottom, t.textContent]; })]; }"""
            )
            _assert_laid_out(found[0][:4], found[1:], name)
            return found[1:]

        yield boxes
        browser.close()


def _assert_laid_out(frame, texts, name: str = "") -> None:
    """Every text inside the chart and none on another (a shared pixel row allowed: text
    boxes include the line spacing)."""
    for left, top, right, bottom, text in texts:
        assert left >= frame[0] and right <= frame[2] + 0.5, (name, text)
        assert top >= frame[1] and bottom <= frame[3] + 0.5, (name, text)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 1 or overlap_y <= 3, (name, a[4], b[4])
