"""``analys app``: the explorers and the report index as a Voilà web app.

Fast tests check the pages, the report list and the argument checks; the browser test starts
the real app on a free port and drives it with Playwright and the system Chromium.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from analys import app, cli
from analys.errors import ParamsError
from analys.render.index import update_manifest, write_index

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fake_reports(out: Path) -> None:
    """One rendered report (HTML + PDF), a workbook and the index, as render leaves them."""
    folder = out / "1880"
    folder.mkdir(parents=True)
    (folder / "grundskola.html").write_text(
        "<!DOCTYPE html><html lang='sv'><title>Grundskola</title><h1>Grundskola – Örebro</h1>",
        encoding="utf-8",
    )
    (folder / "grundskola.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "nyckeltal.xlsx").write_bytes(b"PK")
    entry = {
        "municipality": "1880",
        "municipality_name": "Örebro",
        "area": "grundskola",
        "title": "Grundskola",
        "kind": "area",
        "status": "ok",
        "error": "",
        "summary": {"goals": {"met": 1, "partly": 2, "not_met": 0, "no_data": 0}, "demo": True},
        "html": "1880/grundskola.html",
        "ipynb": "1880/grundskola.ipynb",
        "good_html": "1880/grundskola.html",
        "source": "demo",
        "year": None,
        "rendered": "2026-12-01T08:00:00+00:00",
    }
    (folder / "grundskola.ipynb").write_text("{}", encoding="utf-8")
    write_index(out, update_manifest(out, {"1880/grundskola": entry}))


def test_pages_have_navigation_no_code_to_show_and_skip_missing_widgets(tmp_path):
    shown = app.build_pages(tmp_path, app.PAGES, source="demo", out=tmp_path / "ut")
    names = [p.name for p in shown]
    assert names[:2] == ["trender", "samband"] and "rapporter" in names
    from analys import widgets

    assert ("malbyggare" in names) == hasattr(widgets, "GoalBuilder")
    start = nbformat.read(tmp_path / "start.ipynb", as_version=4)
    assert all(cell.cell_type == "markdown" for cell in start.cells)
    assert "[Trender](trender.ipynb)" in start.cells[0].source
    trend = nbformat.read(tmp_path / "trender.ipynb", as_version=4)
    assert "**Trender**" in trend.cells[0].source and "Demodata" in trend.cells[1].source
    code = trend.cells[-1].source
    assert "SOURCE = 'demo'" in code and "TrendExplorer(source=SOURCE" in code


def test_a_page_whose_widget_is_missing_is_left_out():
    page = app.Page("x", "X", "intro", "pass", requires="NoSuchWidgetAnywhere")
    assert not page.available() and app.Page("y", "Y", "i", "pass").available()


def test_report_list_links_html_pdf_and_workbook(tmp_path):
    assert "Inga rapporter ännu" in app.report_list(tmp_path).data
    _fake_reports(tmp_path)
    page = app.report_list(tmp_path).data
    assert "../files/rapporter/1880/grundskola.html" in page
    assert "../files/rapporter/1880/grundskola.pdf" in page
    assert "../files/rapporter/1880/nyckeltal.xlsx" in page
    assert "../files/rapporter/index.html" in page and "1 uppfyllda, 2 delvis" in page


@pytest.mark.parametrize(
    ("given", "wanted"),
    [(None, "/"), ("/", "/"), ("analys", "/analys/"), ("/kommun/analys", "/kommun/analys/")],
)
def test_base_url_is_normalised(given, wanted):
    assert app.normalise_base_url(given) == wanted


def test_bad_address_is_refused_in_swedish(capsys):
    with pytest.raises(ParamsError, match="portnummer mellan 1 och 65535"):
        app.check_address("127.0.0.1", 70000)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert cli.main(["app", "--port", str(port)]) == 2
    assert f"--port: {port}" in capsys.readouterr().err
    assert cli.main(["app", "--base-url", "https://x.se/analys"]) == 2
    assert "ingen sökväg" in capsys.readouterr().err


def test_voila_runs_offline_on_localhost_with_the_analys_template(tmp_path):
    argv = app.voila_argv(tmp_path, host="127.0.0.1", port=8866, base_url="/analys/")
    assert "--Voila.ip=127.0.0.1" in argv and "--Voila.base_url=/analys/" in argv
    assert "--VoilaConfiguration.template=analys" in argv
    template = app.install_template(tmp_path / "jupyter")
    text = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'lab/index.html.j2'" in text and "replace(" in text
    assert str(tmp_path / "jupyter") in os.environ["JUPYTER_PATH"]


# the real app in a browser ------------------------------------------------------------------


def _wait_for(url: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"analys app avslutades: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"analys app svarade inte på {url}")


@pytest.mark.slow
@pytest.mark.browser
def test_app_in_a_browser_offline(tmp_path):
    from analys.render.pdf import chromium_path

    chromium = chromium_path()
    if chromium is None:
        pytest.skip("Chromium saknas (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "reports"
    _fake_reports(out)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "analys.cli", "app", "--port", str(port), "--out", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    requests: list[str] = []
    try:
        _wait_for(base + "/", proc, 180)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 1300, "height": 1000})

            def guard(route):
                url = route.request.url
                if url.startswith(("data:", "blob:")) or urlparse(url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.set_default_timeout(240_000)
            page.on("request", lambda request: requests.append(request.url))
            page.goto(base + "/", wait_until="domcontentloaded")
            assert page.url.endswith("/voila/render/start.ipynb")
            page.get_by_role("link", name="Trender").first.click()
            chart = page.locator("img[alt='Trenddiagram']")
            chart.wait_for()
            assert page.locator(".jp-InputArea-editor").count() == 0  # no code shown
            assert "TrendExplorer(" not in page.locator("body").inner_text()
            before = chart.get_attribute("src")
            kpi = page.locator(".widget-dropdown", has_text="Nyckeltal").locator("select")
            options = kpi.locator("option").all_inner_texts()
            current = kpi.evaluate("s => s.options[s.selectedIndex].text")
            other = next(text for text in options if text != current)
            kpi.select_option(label=other)
            page.wait_for_function(
                "([before]) => { const img = document.querySelector(\"img[alt='Trenddiagram']\");"
                " return img && img.src !== before; }",
                arg=[before],
            )
            assert other.split(" (")[0] in page.locator("body").inner_text()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app-trender.png"), full_page=True)
            page.get_by_role("link", name="Rapporter").first.click()
            link = page.get_by_role("link", name="Hela rapportindexet")
            with context.expect_page() as opened:  # JupyterLab opens output links in a new tab
                link.click()
            index = opened.value
            index.wait_for_load_state()
            assert index.url.endswith("/voila/files/rapporter/index.html")
            assert "Rapporter – måluppfyllelse" in index.title()
            assert index.get_by_role("link", name="Grundskola").count() >= 1
            index.on("request", lambda request: requests.append(request.url))
            index.screenshot(path=str(ARTIFACTS / "app-rapporter.png"))
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    outside = [
        url
        for url in requests
        if not url.startswith(("data:", "blob:")) and urlparse(url).hostname != "127.0.0.1"
    ]
    assert requests and not outside, outside
