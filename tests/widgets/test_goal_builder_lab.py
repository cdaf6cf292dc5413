"""The goal builder in a real browser: JupyterLab, Playwright and the system Chromium.

Starts JupyterLab (the ``jupyterlab`` fixture of ``tests/conftest.py``) on a copy of ``malbyggare.ipynb`` and
of one params file, runs the notebook, starts from that area, adds a goal with an indicator
found by the KPI search, saves the file (which ``analys check`` then accepts) and renders the
area's report from the builder. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analys import goals

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
NOTEBOOK = "malbyggare.ipynb"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
]


@pytest.fixture
def lab(jupyterlab, tmp_path: Path):
    """JupyterLab on a copy of the notebook with ``tmp/params``; (URL, the temporary folder)."""
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(ROOT / "params" / "folkhalsa.yaml", params / "folkhalsa.yaml")
    return jupyterlab([NOTEBOOK], env={"ANALYS_PARAMS_DIR": str(params)}), tmp_path


#: a widget action on a loaded 2-core machine (another test's kernels beside it) may take long
ACTION = 90_000


def test_goal_builder_builds_saves_and_renders_in_jupyterlab(lab_page, lab):
    from playwright.sync_api import expect

    url, folder = lab
    with lab_page(url, NOTEBOOK, height=2200) as page:
        start = page.locator(".widget-dropdown", has_text="Utgå från").locator("select")
        expect(start).to_be_visible(timeout=120_000)
        start.select_option(label="Folkhälsa och samhälle")
        expect(page.get_by_text("Filen är giltig.").first).to_be_visible(timeout=ACTION)

        page.locator("button", has_text="Nytt mål").first.click()
        expect(page.get_by_text("Förhandsvisningen visas när filen är giltig").first).to_be_visible(
            timeout=ACTION
        )
        title = page.locator(".widget-text", has_text="Målets namn").locator("input")
        title.fill("Fler elbilar")
        title.press("Enter")
        search = page.locator(".widget-text", has_text="Sök").locator("input").first
        search.fill("elbilar")
        search.press("Enter")
        # the option is in the unfiltered list too; the bold title under the list shows that the
        # kernel has applied the search and chosen the KPI that "Lägg till" will add
        chosen = page.locator("b", has_text="Elbilar, andel (%)")
        expect(chosen.first).to_be_visible(timeout=ACTION)
        page.locator("button", has_text="Lägg till nyckeltalet").first.click()
        expect(page.get_by_text("Filen är giltig.").first).to_be_visible(timeout=ACTION)
        history = page.locator("td", has_text="hade varit uppfyllt").first
        expect(history).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "malbyggare_byggt.png"), full_page=True)

        page.locator("button", has_text="Spara").first.click()
        expect(page.get_by_text("Sparat:", exact=False).first).to_be_visible(timeout=ACTION)
        saved = folder / "params" / "folkhalsa.yaml"
        text = saved.read_text(encoding="utf-8")
        assert "title: Fler elbilar" in text and "kpi: N07945" in text
        assert "# Egna nyckeltal (EGEN-…)" in text  # comments kept
        goals.load_area(saved)  # what `analys check` runs

        page.locator("button", has_text="Rendera rapport").first.click()
        link = page.get_by_text("Öppna rapporten", exact=False).first
        expect(link).to_be_visible(timeout=240_000)
        report = folder / "reports" / "1880" / "folkhalsa.html"
        assert report.is_file() and "Fler elbilar" in report.read_text(encoding="utf-8")
        page.screenshot(path=str(ARTIFACTS / "malbyggare_renderat.png"), full_page=True)
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
