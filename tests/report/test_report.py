"""The report template: the stock Papermill command, real rendering, offline HTML in Chromium.

These tests execute the real ``notebooks/omrade.ipynb`` and ``oversikt.ipynb`` in real
kernels; they share one rendered output folder (module fixture) to keep the suite fast.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

from analys import demo, render
from analys.fulfilment import evaluate
from analys.goals import load_area
from analys.render.index import read_manifest
from analys.safe import external_references
from analys.summary import SUMMARY_MIMETYPE, read_summary

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "1. Sammanfattning",
    "2. Måluppfyllelse per mål",
    "3. Jämförelse med andra",
    "4. Utveckling över tid",
    "5. Att fokusera på",
    "6. Förväntat värde och samband",
    "7. Kön",
    "Om underlaget",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.slow  # every test here executes the real notebooks in kernels


def outputs(nb) -> tuple[list[str], int, list[dict]]:
    """Texts, number of PNG images and error outputs of an executed notebook."""
    texts, images, errors = [], 0, []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                errors.append(output)
            if output.output_type == "stream":
                texts.append(output.text)
            data = output.get("data", {})
            images += "image/png" in data or "image/svg+xml" in data
            texts += [data[k] for k in ("text/markdown", "text/html") if k in data]
    return texts, images, errors


@pytest.fixture(scope="module")  # `make test` runs a file on one worker (--dist loadfile)
def rendered(tmp_path_factory) -> Path:
    """Grundskola for Göteborg and Örebro plus hälso- och sjukvård for Region Örebro län."""
    out = tmp_path_factory.mktemp("reports")
    summary = render.render(
        ["grundskola", "halso_sjukvard"], ["1480", "1880", "0018"], out=out, jobs=2, progress=False
    )
    assert summary.exit_code == 0, summary.text()
    return out


def test_stock_papermill_command_runs_with_a_params_file(tmp_path):
    out = tmp_path / "ut.ipynb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(ROOT / "notebooks" / "omrade.ipynb"),
            str(out),
            "-f",
            str(ROOT / "params" / "ekonomi.yaml"),
            "-p",
            "municipality",
            "1480",
            "--log-level",
            "ERROR",
        ],
        check=True,
        cwd=tmp_path,
        timeout=300,
        capture_output=True,
    )
    nb = nbformat.read(out, as_version=4)
    texts, images, errors = outputs(nb)
    assert not errors
    joined = "\n".join(texts)
    for section in SECTIONS:
        assert f"## {section}" in joined
    assert "Ekonomi – Göteborg" in joined
    assert "Demodata – syntetiska värden, inte verklig statistik" in joined
    assert images >= 5
    summary = read_summary(nb)
    area = load_area("ekonomi")
    expected = evaluate(area, demo.load_values(area.kpis, None, None), "1480")
    assert summary["goals"] == expected.counts
    assert summary["municipality"] == "1480" and summary["demo"] is True


def test_rendered_reports_have_every_section_images_and_maps(rendered):
    for code, area in [("1480", "grundskola"), ("1880", "grundskola"), ("0018", "halso_sjukvard")]:
        nb = nbformat.read(rendered / code / f"{area}.ipynb", as_version=4)
        texts, images, errors = outputs(nb)
        assert not errors
        joined = "\n".join(texts)
        assert all(f"## {s}" in joined for s in SECTIONS)
        assert "Källa: Kolada" in joined and "Egen bearbetning av data från Kolada" in joined
        assert images >= 8
        comparison = _section_cells(nb, "3. Jämförelse med andra")
        assert (
            sum(
                "image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                for c in comparison
                for o in c.get("outputs", [])
            )
            >= 3
        )  # ranking, map(s), spine
        assert any(
            SUMMARY_MIMETYPE in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])
        )


def _section_cells(nb, heading: str) -> list:
    cells, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            inside = cell.source == f"## {heading}"
        elif inside:
            cells.append(cell)
    return cells


def test_reports_read_as_sentences_from_the_numbers(rendered):
    nb = nbformat.read(rendered / "1880" / "grundskola.ipynb", as_version=4)
    joined = "\n".join(outputs(nb)[0])
    assert re.search(r"Grundskola i Örebro \d{4}\*?: av \d mål är", joined)
    assert re.search(
        r"(har (ökat|minskat) \w+ år i rad|(ökade|minskade) från \d{4} till \d{4}\*?)", joined
    )
    assert "liknande kommuner" in joined and "Jämförelsegrupp:" in joined
    assert "givet sina förutsättningar" in joined


def test_overview_links_every_area_report_of_the_municipality(rendered):
    html = (rendered / "1880" / "oversikt.html").read_text(encoding="utf-8")
    assert "grundskola.html" in html
    assert "halso_sjukvard.html" not in html  # a region area belongs to 0018's overview
    region = (rendered / "0018" / "oversikt.html").read_text(encoding="utf-8")
    assert "halso_sjukvard.html" in region


def test_index_links_resolve_and_list_goal_status(rendered):
    index = (rendered / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    reports = [link for link in links if link.endswith((".html", ".ipynb"))]
    assert len(reports) >= 5
    for link in reports:
        assert (rendered / unquote(link)).is_file(), link
    assert "Uppfyllt" in index or "uppfyllt" in index


def test_html_has_no_external_references_and_hides_code(rendered):
    for path in rendered.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert external_references(text) == [], path
        assert "report = Report(" not in text  # code cells hidden by default


def test_every_image_has_a_swedish_text_alternative(rendered):
    """A screen reader reads the chart's titles, never nbconvert's English default."""
    page = (rendered / "1880" / "grundskola.html").read_text(encoding="utf-8")
    images = re.findall(r"<img\b[^>]*>", page)
    alts = [re.search(r'\balt="([^"]*)"', tag).group(1) for tag in images if " alt=" in tag]
    assert len(alts) == len(images) >= 8
    assert "No description" not in page
    assert all(alt.startswith("Diagram") for alt in alts)
    assert any("Meritvärde åk 9" in alt for alt in alts)
    assert any("flickor − pojkar" in alt for alt in alts)  # the gender grid's panel titles


def test_reports_are_compact_palette_images_and_the_css_they_use(rendered):
    """Issue 14 §4: a typical report stays small (median HTML ≤ 400 KB), images embedded."""
    import statistics

    pages = [rendered / "1480" / "grundskola.html", rendered / "1880" / "grundskola.html"]
    pages += [rendered / "0018" / "halso_sjukvard.html", rendered / "1880" / "oversikt.html"]
    sizes = [page.stat().st_size for page in pages]
    assert statistics.median(sizes) <= 400 * 1024, sizes
    text = pages[1].read_text(encoding="utf-8")
    assert "--jp-icon-" not in text and ".jp-FileBrowser" not in text  # unused JupyterLab CSS
    nb = nbformat.read(rendered / "1880" / "grundskola.ipynb", as_version=4)
    pngs = [
        o["data"]["image/png"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    # no matplotlib chart is left in an area report (the charts that remain matplotlib are
    # compact palette PNGs: tests/render/test_render_size.py)
    assert pngs == [] and "data:image/png;base64," not in text
    # goals, ranking, maps, spine, trends, expected, gender, cost and units: SVG, as images
    svgs = [
        o["data"]["image/svg+xml"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {})
    ]
    assert len(svgs) == 9 and text.count("data:image/svg+xml;base64,") == len(svgs)
    assert all(len(svg) < 60_000 and svg.startswith("<svg ") for svg in svgs)
    overview = nbformat.read(rendered / "1880" / "oversikt.ipynb", as_version=4)
    small_maps = [
        o["data"]["image/svg+xml"]
        for c in overview.cells
        for o in c.get("outputs", [])
        if "image/svg+xml" in o.get("data", {}) and "<defs>" in o["data"]["image/svg+xml"]
    ]
    assert len(small_maps) == 1 and len(small_maps[0]) < 150_000  # one shape per unit


@pytest.mark.browser
def test_reports_open_offline_in_chromium_with_all_sections_and_images(rendered):
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(offline=True)

        def guard(route):
            url = route.request.url
            if urlparse(url).scheme not in ("file", "data", "about", "blob"):
                requested.append(url)
                return route.abort()
            return route.continue_()

        context.route("**/*", guard)
        page = context.new_page()
        for path in [
            rendered / "1880" / "grundskola.html",
            rendered / "0018" / "halso_sjukvard.html",
            rendered / "1880" / "oversikt.html",
            rendered / "index.html",
        ]:
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            if path.name == "index.html":
                assert page.locator("table").count() >= 1
                continue
            headings = page.locator("h2").all_inner_texts()
            if path.name != "oversikt.html":
                for section in SECTIONS:
                    assert any(section in h for h in headings), (path, section)
            state = page.evaluate(
                "() => Array.from(document.images).map(i => [i.complete, i.naturalWidth])"
            )
            assert state and all(done and width > 0 for done, width in state), path
            page.screenshot(path=str(_artifact(path)), full_page=False)
        browser.close()
    assert requested == []


def _artifact(path: Path) -> Path:
    folder = ROOT / "tests" / "artifacts"
    folder.mkdir(exist_ok=True)
    return folder / f"{path.parent.name}-{path.stem}.png"


def test_summary_json_is_what_the_index_shows(rendered):
    manifest = read_manifest(rendered)
    nb = nbformat.read(rendered / "1880" / "grundskola.ipynb", as_version=4)
    summary = read_summary(nb)
    area = load_area("grundskola")
    assert (
        summary["goals"] == evaluate(area, demo.load_values(area.kpis, None, None), "1880").counts
    )
    assert manifest["1880/grundskola"]["summary"] == summary


def test_render_from_kolada_fetches_into_the_store_and_credits_kolada(kolada_server, tmp_path):
    summary = render.render(
        ["kultur"],
        ["1880"],
        source="kolada",
        out=tmp_path / "ut",
        jobs=1,
        progress=False,
        overview=False,
    )
    assert summary.exit_code == 0, summary.text()
    assert kolada_server.requests, "nothing was asked of the (fake) Kolada API"
    nb = nbformat.read(tmp_path / "ut" / "1880" / "kultur.ipynb", as_version=4)
    texts, images, errors = outputs(nb)
    joined = "\n".join(texts)
    assert not errors and images >= 5
    assert "Källa: Kolada" in joined
    assert "Demodata" not in joined and "DEMODATA" not in joined
    assert read_summary(nb)["source"] == "kolada" and read_summary(nb)["demo"] is False
