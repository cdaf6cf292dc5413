"""End to end in a real browser: JupyterLab, Playwright and the system Chromium.

Starts JupyterLab on 127.0.0.1 (token off, ``--allow-root`` when root, a free port) on a
temporary copy of the notebooks, opens ``utforska_trender.ipynb``, runs all cells from the
Run menu, changes the KPI dropdown and checks that the trend figure changes. Screenshots go
to ``tests/artifacts/`` (git-ignored). Skips when Chromium is missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from analys import registry

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ANALYS_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "tests" / "artifacts"
NOTEBOOK = "utforska_trender.ipynb"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium saknas"),
]


@pytest.fixture
def lab(jupyterlab) -> str:
    """A JupyterLab server on a copy of the notebook; its base URL."""
    return jupyterlab([NOTEBOOK])


def _figure_src(page) -> str:
    return page.locator("img[alt='Trenddiagram']").first.get_attribute("src") or ""


def test_trend_explorer_in_jupyterlab(lab: str):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1900})
            page.goto(f"{lab}/lab/workspaces/e2e/tree/{NOTEBOOK}")
            # the kernel has started and is connected (the status bar says so)
            expect(page.get_by_text("Python 3 (ipykernel) | Idle").first).to_be_visible(
                timeout=90_000
            )
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

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
        finally:
            browser.close()
