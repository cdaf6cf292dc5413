"""End to end in a real browser: JupyterLab, Playwright and the system Chromium.

Starts JupyterLab on 127.0.0.1 (token off, ``--allow-root`` when root, a free port) on a
temporary copy of the notebooks, opens ``utforska_trender.ipynb``, runs all cells from the
Run menu, changes the KPI dropdown and checks that the trend figure changes. Screenshots go
to ``tests/artifacts/`` (git-ignored). Skips when Chromium is missing.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from analys import registry

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
NOTEBOOK = "utforska_trender.ipynb"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
]


@pytest.fixture
def lab(jupyterlab) -> str:
    """A JupyterLab server on a copy of the notebook; its base URL."""
    return jupyterlab([NOTEBOOK])


def _figure_src(page) -> str:
    return page.locator("img[alt='Trenddiagram']").first.get_attribute("src") or ""


def test_trend_explorer_in_jupyterlab(lab_page, lab: str):
    from playwright.sync_api import expect

    with lab_page(lab, NOTEBOOK, height=1900) as page:
        figure = page.locator("img[alt='Trenddiagram']")
        expect(figure).to_be_visible(timeout=120_000)
        kpi = page.locator(".widget-dropdown", has_text="Nyckeltal").locator("select")
        expect(kpi).to_be_visible()
        before = _figure_src(page)
        assert before.startswith("data:image/png;base64,")
        expect(page.get_by_text("Trend:", exact=False).first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "utforska_trender_fore.png"), full_page=True)

        kpi.select_option(label=f"{registry.label('N15428')} (N15428)")
        deadline = time.monotonic() + 60
        after = before
        while after == before and time.monotonic() < deadline:
            page.wait_for_timeout(250)
            after = _figure_src(page)
        assert after != before, "figuren ändrades inte när nyckeltalet byttes"
        assert after.startswith("data:image/png;base64,")
        heading = page.get_by_text(f"Örebro – {registry.label('N15428')}", exact=True)
        expect(heading).to_be_visible()  # the marker line names the new KPI
        expect(page.get_by_text("Python 3 (ipykernel) | Idle").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "utforska_trender_efter.png"), full_page=True)
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
