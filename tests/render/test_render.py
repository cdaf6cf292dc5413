"""Batch rendering: argument checks, both kernel modes, failure isolation, kernel death.

Kernel tests run small report templates generated here, which follow the same contract as
``notebooks/omrade.ipynb`` (a ``parameters`` cell with the params keys plus ``data_cache``,
headings, a figure, the summary mimetype), so they are fast and independent of the real
report's content.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analys import render
from analys.cli import render as render_cli
from analys.errors import ParamsError
from analys.render.cache import ROW_GROUP
from analys.render.index import read_manifest, update_manifest, write_index
from analys.render.jobs import Job
from analys.summary import SUMMARY_MIMETYPE, read_summary

AREA_PARAMS = textwrap.dedent("""\
    area = "grundskola"
    title = "Grundskola"
    municipality = "1880"
    year = None
    source = "demo"
    peers = "skr"
    goals = []
    drivers = None
    cost = None
    cutoffs = None
    tolerance = 0.05
    data_cache = None
""")

AREA_BODY = [
    "import os\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport pandas as pd\n"
    "from IPython.display import Markdown, display\n\n"
    "from analys import reference\nfrom analys.captions import source_caption",
    "marker = os.environ.get('ANALYS_TEST_KILL_MARKER')\n"
    "if marker and title == 'Dödlig' and not Path(marker).exists():\n"
    "    Path(marker).write_text('dog')\n"
    "    os._exit(1)",
    "values = pd.read_parquet(data_cache) if data_cache else None\n"
    "kpis = [i['kpi'] for g in goals for i in g['indicators']]\n"
    "mine = values[(values['municipality'] == municipality) & values['kpi'].isin(kpis)"
    " & (values['gender'] == 'T')]\n"
    "display(Markdown(f'# {title} – {reference.title(municipality)}'))\n"
    "display(Markdown('## Sammanfattning'))\n"
    "print(source_caption(source))\n"
    "print(len(mine), 'värden för', municipality)",
    "if title == 'Trasig':\n    raise RuntimeError('avsiktligt fel i testrapporten')",
    "display(Markdown('## Utveckling över tid'))\n"
    "latest = mine.groupby('kpi')['value'].last()\n"
    "print(latest.round(1).to_string())\n"
    "fig, ax = plt.subplots(figsize=(4, 2))\n"
    "mine.groupby('year')['value'].mean().plot(ax=ax)\n"
    "ax.set_title(f'{title}: medel över nyckeltalen')\n"
    "plt.show()",
    "display(Markdown('## Om underlaget'))\n"
    "n = len(goals)\n"
    "display({'application/vnd.analys.summary+json': {\n"
    "    'area': area, 'title': title, 'municipality': municipality,\n"
    "    'municipality_name': reference.title(municipality), 'year': int(mine['year'].max()),\n"
    "    'source': source, 'demo': source == 'demo',\n"
    "    'goals': {'met': n, 'partly': 0, 'not_met': 0, 'no_data': 0},\n"
    "    'indicators': {'met': len(kpis), 'partly': 0, 'not_met': 0, 'no_data': 0}}}, raw=True)",
]

OVERVIEW_PARAMS = (
    'municipality = "1880"\nyear = None\nsource = "demo"\nareas = []\ndata_cache = None\n'
)
OVERVIEW_BODY = [
    "import pandas as pd\nfrom IPython.display import Markdown, display\nfrom analys import reference",
    "display(Markdown(f'# Översikt – {reference.title(municipality)}'))\n"
    "values = pd.read_parquet(data_cache)\n"
    "print(len(values[values['municipality'] == municipality]), 'värden')\n"
    "for area in areas:\n"
    "    name = area.rsplit('/', 1)[-1].removesuffix('.yaml')\n"
    "    display(Markdown(f'- [{name}]({name}.html)'))",
]


def _notebook(params: str, body: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[new_code_cell(params, metadata={"tags": ["parameters"]})]
        + [new_code_cell(source) for source in body]
    )
    nb.cells.insert(1, new_markdown_cell("Testmall för renderaren."))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def make_templates(folder: Path) -> Path:
    """Write ``omrade.ipynb`` and ``oversikt.ipynb`` test templates into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_notebook(AREA_PARAMS, AREA_BODY), folder / "omrade.ipynb")
    nbformat.write(_notebook(OVERVIEW_PARAMS, OVERVIEW_BODY), folder / "oversikt.ipynb")
    return folder


def make_job(
    folder: Path,
    area: str = "skola",
    title: str = "Skola",
    *,
    template: str | Path = "mall.ipynb",
    parameters: dict | None = None,
) -> Job:
    """One report of Örebro (1880) whose files go to ``folder/<area>.ipynb`` and ``.html``;
    ``area`` ``oversikt`` is an overview."""
    return Job(
        key=f"1880/{area}",
        kind="overview" if area == "oversikt" else "area",
        area=area,
        title=title,
        municipality="1880",
        municipality_name="Örebro",
        template=str(template),
        parameters=parameters or {},
        ipynb=str(folder / f"{area}.ipynb"),
        html=str(folder / f"{area}.html"),
    )


def make_params(
    folder: Path,
    name: str,
    title: str,
    *,
    municipality: str = "1880",
    kpis: tuple[str, ...] = ("N15507", "N15428"),
) -> Path:
    """A valid params file ``folder/<name>.yaml`` with real KPI ids."""
    folder.mkdir(parents=True, exist_ok=True)
    params = {
        "area": name,
        "title": title,
        "municipality": municipality,
        "year": None,
        "source": "demo",
        "peers": "skr" if municipality != "0018" else "alla",
        "goals": [
            {
                "id": "mal1",
                "title": "Goda resultat",
                "indicators": [{"kpi": kpi, "target": {"national": True}} for kpi in kpis],
            }
        ],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _content(path: Path) -> dict:
    """What a reader sees in an executed notebook: texts and the number of images."""
    nb = nbformat.read(path, as_version=4)
    texts, images = [], 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            data = output.get("data", {})
            images += sum(key.startswith("image/") for key in data)
            for key in ("text/markdown", "text/html"):
                if key in data:
                    texts.append(re.sub(r"0x[0-9a-f]+", "0x", data[key]))
            if "text/plain" in data and not any(k.startswith("image/") for k in data):
                texts.append(re.sub(r"0x[0-9a-f]+", "0x", data["text/plain"]))
    return {
        "texts": texts,
        "images": images,
        "counts": [c.get("execution_count") for c in nb.cells if c.cell_type == "code"],
    }


# argument checks: fast, no kernels --------------------------------------------------------


@pytest.fixture()
def areas(tmp_path: Path) -> dict[str, Path]:
    params = tmp_path / "params"
    return {
        "skola": make_params(params, "skola", "Skola"),
        "omsorg": make_params(params, "omsorg", "Omsorg", kpis=("N15428",)),
        "region": make_params(params, "region", "Region", municipality="0018", kpis=("N79240",)),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"areas": ["finns_inte"]}, "finns_inte"),
        ({"municipalities": ["9999"]}, "'9999' är ingen känd kommun"),
        ({"municipalities": ["0000"]}, "Riket"),
        ({"source": "webb"}, "source: 'webb'"),
        ({"jobs": 0}, "--jobs: 0"),
        ({"county": "Narnia"}, "--county: 'Narnia' är inget län – ange länskod eller namn: 01"),
        ({"county": "18", "municipalities": [], "all_municipalities": True}, "inte båda"),
    ],
)
def test_bad_arguments_exit_2_before_anything_runs(tmp_path, areas, capsys, args, message):
    out = tmp_path / "out"
    call = {
        "areas": [str(areas["skola"])],
        "municipalities": ["1880"],
        "all_municipalities": False,
        "year": None,
        "source": None,
        "out": str(out),
        "jobs": 1,
        "fresh_kernels": False,
        "show_code": False,
    } | args
    assert render_cli.run_cli(**call) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow  # the workers start their kernels while the data loads
def test_year_outside_the_source_is_refused_before_anything_runs(tmp_path, areas):
    out = tmp_path / "out"
    templates = make_templates(tmp_path / "templates")
    with pytest.raises(ParamsError, match="--year: 1990 finns inte i källan demo"):
        render.render(
            [str(areas["skola"])],
            ["1880"],
            year=1990,
            source="demo",
            out=out,
            notebooks=templates,
            progress=False,
        )
    assert not out.exists()
    # the workers were started (with their kernels) while the data loaded: all gone again
    assert multiprocessing.active_children() == []


def test_area_types_decide_the_municipalities(areas):
    pairs = render.plan([str(areas["skola"]), str(areas["region"])], all_municipalities=True)
    by_area: dict[str, list[str]] = {}
    for spec, code in pairs:
        by_area.setdefault(spec.name, []).append(code)
    assert len(by_area["skola"]) == 290 and len(by_area["region"]) == 21
    assert "0018" in by_area["region"] and "1880" in by_area["skola"]
    # explicit codes pair with the areas of their own type
    pairs = render.plan([str(areas["skola"]), str(areas["region"])], ["1880", "0018"])
    assert sorted((s.name, c) for s, c in pairs) == [("region", "0018"), ("skola", "1880")]
    with pytest.raises(ParamsError, match="gäller regioner"):
        render.plan([str(areas["region"])], ["1880"])


@pytest.mark.parametrize("county", ["18", "Örebro län", "örebro", " Örebro  LÄN "])
def test_a_county_renders_its_municipalities_and_its_region(areas, county):
    """A county's analysts render their 12 municipalities and Region Örebro län in one go,
    whatever areas apply: no area needs to apply to both kinds, as with -m."""
    pairs = render.plan([str(areas["skola"]), str(areas["region"])], county=county)
    by_area: dict[str, list[str]] = {}
    for spec, code in pairs:
        by_area.setdefault(spec.name, []).append(code)
    assert len(by_area["skola"]) == 12 and {"1880", "1814", "1885"} <= set(by_area["skola"])
    assert by_area["region"] == ["0018"]
    only_school = render.plan([str(areas["skola"])], ["0180"], county="Gotland")
    assert sorted(code for _, code in only_school) == ["0180", "0980"]  # -m adds to a county


def test_area_kpis_cover_indicators_drivers_and_cost(tmp_path):
    path = make_params(tmp_path, "skola", "Skola")
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params |= {
        "drivers": {"outcome": "N15507", "explanatory": ["N15816", "N02926"]},
        "cost": "N15027",
    }
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    spec = render.load_area_spec(str(path))
    assert spec.kpis() == ["N15507", "N15428", "N15816", "N02926", "N15027"]
    assert spec.municipality_type == "K" and spec.ref == str(path.resolve())


# the index: fast ------------------------------------------------------------------------


def _entry(code, area, status="ok", **extra):
    base = {
        "municipality": code,
        "municipality_name": code,
        "area": area,
        "title": area.title(),
        "kind": "area",
        "status": status,
        "html": f"{code}/{area}.html",
        "ipynb": f"{code}/{area}.ipynb",
        "good_html": f"{code}/{area}.html",
        "source": "demo",
        "rendered": "2026-11-28T20:00:00+00:00",
        "summary": {
            "goals": {"met": 2, "partly": 1, "not_met": 0, "no_data": 1},
            "source": "demo",
            "demo": True,
            "year": 2024,
        },
    }
    return base | extra


def test_index_is_sortable_swedish_offline_and_keeps_earlier_reports(tmp_path):
    for code, area in (("1880", "skola"), ("1880", "omsorg"), ("0180", "skola")):
        (tmp_path / code).mkdir(exist_ok=True)
        (tmp_path / code / f"{area}.html").write_text("<html></html>")
    update_manifest(tmp_path, {"1880/skola": _entry("1880", "skola")})
    entries = update_manifest(
        tmp_path, {"1880/omsorg": _entry("1880", "omsorg"), "0180/skola": _entry("0180", "skola")}
    )
    assert set(entries) == {"1880/skola", "1880/omsorg", "0180/skola"}
    # a failed render of a report that was good before links the good version
    (tmp_path / "1880" / "skola.failed.html").write_text("<html>fel</html>")
    failed = _entry(
        "1880",
        "skola",
        "failed",
        html="1880/skola.failed.html",
        ipynb="1880/skola.failed.ipynb",
        error="RuntimeError: x",
        summary=None,
    )
    entries = update_manifest(tmp_path, {"1880/skola": failed})
    assert entries["1880/skola"]["previous_html"] == "1880/skola.html"
    (tmp_path / "0180" / "skola.html").unlink()  # files gone → entry gone
    entries = update_manifest(tmp_path, {})
    assert set(entries) == {"1880/skola", "1880/omsorg"}
    page = write_index(tmp_path, read_manifest(tmp_path)).read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and "Misslyckad" in page and "Delvis uppfyllt" in page
    assert "Demodata – syntetiska värden, inte verklig statistik" in page
    assert "aria-sort" in page and "localeCompare" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for link in re.findall(r'href="([^"]+)"', page):
        assert not link.startswith("/")


def test_read_summary_finds_the_published_mimetype():
    nb = new_notebook(
        cells=[
            new_code_cell(
                "x",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={SUMMARY_MIMETYPE: {"area": "skola", "goals": {"met": 1}}},
                    )
                ],
            )
        ]
    )
    assert read_summary(nb)["area"] == "skola"
    assert read_summary(new_notebook()) is None


# kernels: slow -------------------------------------------------------------------------


def _render(tmp_path: Path, areas: list[Path], municipalities: list[str], out: Path, **kw):
    templates = make_templates(tmp_path / "templates")
    return render.render(
        [str(a) for a in areas], municipalities, out=out, notebooks=templates, progress=False, **kw
    )


@pytest.mark.slow
def test_both_kernel_modes_give_the_same_reports(tmp_path, areas):
    chosen = [areas["skola"], areas["omsorg"]]
    warm = _render(tmp_path, chosen, ["1880", "0180"], tmp_path / "warm", jobs=2)
    fresh = _render(
        tmp_path, chosen, ["1880", "0180"], tmp_path / "fresh", jobs=2, fresh_kernels=True
    )
    assert warm.exit_code == fresh.exit_code == 0
    assert len(warm.reports) == 6  # 2 areas × 2 municipalities + 2 overviews
    for report in warm.reports:
        twin = tmp_path / "fresh" / report.ipynb.relative_to(tmp_path / "warm")
        assert _content(report.ipynb) == _content(twin), report.key
        assert report.html.is_file()
    area = _content(tmp_path / "warm" / "0180" / "skola.ipynb")
    assert area["images"] == 1 and area["counts"][:3] == [1, 2, 3]
    assert any("Stockholm" in text for text in area["texts"])
    # the index lists every report with its goal counts, and every link resolves
    index = warm.index.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', index)
    assert len(links) == 12 and all((warm.out / link).is_file() for link in links)
    assert "0180/skola.html" in index and "1880/oversikt.html" in index
    assert warm.reports[0].summary["goals"]["met"] == 1
    manifest = json.loads((warm.out / "index.json").read_text(encoding="utf-8"))
    assert len(manifest["reports"]) == 6
    # code hidden by default, injected parameters gone from the HTML
    html = (tmp_path / "warm" / "1880" / "skola.html").read_text(encoding="utf-8")
    assert "read_parquet" not in html and "injected-parameters" not in html
    assert "Sammanfattning" in html and "data:image/png;base64," in html


@pytest.mark.slow
def test_one_failing_report_never_stops_the_others(tmp_path, areas, capsys):
    out = tmp_path / "out"
    broken = make_params(tmp_path / "params", "trasig", "Skola")
    first = _render(tmp_path, [areas["skola"], broken], ["1880"], out, jobs=2)
    assert first.exit_code == 0
    good_html = (out / "1880" / "trasig.html").read_bytes()
    # the same area now fails: the good report stays, the failure goes beside it
    broken.write_text(broken.read_text(encoding="utf-8").replace("title: Skola", "title: Trasig"))
    second = _render(tmp_path, [areas["skola"], broken], ["1880"], out, jobs=2, show_code=True)
    assert second.exit_code == 1
    assert [r.key for r in second.failed] == ["1880/trasig"]
    assert "avsiktligt fel" in second.failed[0].error
    assert (out / "1880" / "trasig.html").read_bytes() == good_html
    failed_nb = nbformat.read(out / "1880" / "trasig.failed.ipynb", as_version=4)
    assert "Rapporten kunde inte skapas" in failed_nb.cells[0].source
    assert any(
        o.get("output_type") == "error" for c in failed_nb.cells for o in c.get("outputs", [])
    )
    failed_html = (out / "1880" / "trasig.failed.html").read_text(encoding="utf-8")
    assert "avsiktligt fel" in failed_html and "read_parquet" in failed_html  # show_code
    index = second.index.read_text(encoding="utf-8")
    assert "Misslyckad" in index and "senaste lyckade versionen" in index
    assert (out / "1880" / "skola.html").is_file() and (out / "1880" / "oversikt.html").is_file()
    assert "Misslyckades: 1880 Trasig" in second.text()
    # run_cli prints the summary and returns 1; a good render removes the failure files
    broken.write_text(broken.read_text(encoding="utf-8").replace("title: Trasig", "title: Skola"))
    third = _render(tmp_path, [broken], ["1880"], out, jobs=1, overview=False)
    assert third.exit_code == 0 and not (out / "1880" / "trasig.failed.html").exists()
    assert "Misslyckad" not in third.index.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_dead_warm_kernel_is_replaced_and_the_report_retried(tmp_path, monkeypatch):
    marker = tmp_path / "kernel-died"
    monkeypatch.setenv("ANALYS_TEST_KILL_MARKER", str(marker))
    deadly = make_params(tmp_path / "params", "dodlig", "Dödlig")
    other = make_params(tmp_path / "params", "annan", "Annan")
    summary = _render(tmp_path, [deadly, other], ["1880"], tmp_path / "out", jobs=1, overview=False)
    assert marker.read_text() == "dog"
    assert summary.exit_code == 0, summary.text()
    attempts = {r.area: r.attempts for r in summary.reports}
    assert attempts == {"dodlig": 2, "annan": 1}
    assert _content(summary.reports[0].ipynb)["images"] == 1


def test_run_demo_renders_the_demo_municipality_and_its_region(monkeypatch, tmp_path, capsys):
    calls = {}

    def fake_render(areas, municipalities, **kwargs):
        calls.update(areas=areas, municipalities=municipalities, **kwargs)
        raise ParamsError("stoppad i testet")

    monkeypatch.setattr(render, "render", fake_render)
    assert render_cli.run_demo(out=str(tmp_path)) == 2
    assert calls["municipalities"] == ["1880", "0018"] and calls["source"] == "demo"
    assert calls["areas"] is None and "stoppad i testet" in capsys.readouterr().err


def test_data_cache_is_written_once_with_all_units(tmp_path, areas):
    specs = [render.load_area_spec(str(areas["skola"]))]
    path = tmp_path / "values-demo.parquet"
    loaded = render.load_cache(specs, "demo", path)
    years, problems = loaded.years, loaded.problems
    assert problems == {} and set(loaded.kpi_digests) == {"N15507", "N15428"}
    frame = pd.read_parquet(path)
    assert set(frame["kpi"]) == {"N15507", "N15428"}
    assert {"0000", "1880", "0180"} <= set(frame["municipality"]) and len(years) > 5
    # sorted by KPI in row groups: a report's filtered read skips the other KPIs' groups
    assert frame["kpi"].is_monotonic_increasing
    import pyarrow.parquet as pq

    assert pq.ParquetFile(path).metadata.num_rows > 0
    assert pq.ParquetFile(path).metadata.row_group(0).num_rows <= ROW_GROUP


def test_the_overview_reads_the_batch_values_once_for_all_its_areas(tmp_path, areas, monkeypatch):
    """Each area once read the cache itself: ten reads of the whole country's values."""
    from analys.report.overview import Overview

    names = [str(areas["skola"]), str(areas["omsorg"])]
    path = tmp_path / "values-demo.parquet"
    render.load_cache([render.load_area_spec(n) for n in names], "demo", path)
    reads = []
    real = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda *a, **k: reads.append(a) or real(*a, **k))
    view = Overview("1880", names, source="demo", data_cache=str(path))
    assert len(reads) == 1 and [r.area.title for r in view.reports] == ["Skola", "Omsorg"]
    assert set(view.reports[1].values["kpi"]) == {"N15428"}  # each area its own KPIs


@pytest.mark.slow
def test_a_kernel_that_never_answers_is_replaced_once(monkeypatch):
    """A warm kernel that stays silent (the start-up timeout) is swapped for a new one
    before the report is given up."""
    from analys.render import engine

    tried = []
    real = engine.WarmKernel.wait_ready

    def silent_first(kernel):
        tried.append(kernel)
        real(kernel)  # channels up before the shutdown: no half-started heartbeat thread
        if len(tried) == 1:
            kernel.shutdown()
            raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(engine.WarmKernel, "wait_ready", silent_first)
    renderer = engine.Renderer()
    try:
        kernel = renderer._kernel()
        assert len(tried) == 2 and kernel is tried[1]
        assert kernel.is_alive() and not tried[0].is_alive()
    finally:
        renderer.close()


def test_the_progress_bar_counts_each_failed_report_once(capsys):
    from analys.render.jobs import JobResult
    from analys.render.progress import BatchProgress

    bar = BatchProgress(3, enabled=True)
    bar.started("Örebro – Skola")
    failed = JobResult(key="1880/skola", status="failed", seconds=0.0, error="fel")
    bar.finished(failed)
    bar.finished(failed, "Örebro – Skola")  # the same report again: still one failure
    bar.finished(JobResult(key="1880/kultur", status="ok", seconds=1.0), "Örebro – Kultur")
    assert bar.bar.n == 3 and bar.bar.desc.startswith("Renderar (1 misslyckade)")
    bar.close()
    assert "Örebro – Kultur" in capsys.readouterr().err
    silent = BatchProgress(1, enabled=False)
    silent.finished(failed)
    silent.close()
    assert capsys.readouterr().err == ""


@pytest.mark.browser
def test_the_index_search_field_filters_rows_in_chromium(tmp_path):
    """For the whole country (3 250 rows) the index filters as one types: by municipality,
    county, report or status, every word must match; sorting keeps the filter."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    entries = {
        "1880/skola": _entry("1880", "skola", municipality_name="Örebro"),
        "1880/omsorg": _entry("1880", "omsorg", municipality_name="Örebro"),
        "1881/skola": _entry("1881", "skola", municipality_name="Kumla", status="failed"),
        "0180/skola": _entry("0180", "skola", municipality_name="Stockholm"),
        "0018/vard": _entry("0018", "vard", municipality_name="Region Örebro län"),
    }
    page_path = write_index(tmp_path, entries)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            visible = page.locator("table tbody tr:visible")
            assert visible.count() == 5 and page.inner_text("#shown") == ""
            page.fill("#filter", "örebro län")  # the county: Örebro, Kumla and the region
            assert visible.count() == 4 and page.inner_text("#shown") == "Visar 4 av 5 rapporter."
            page.fill("#filter", "Skola  ÖREBRO")  # every word, any case
            assert visible.count() == 2
            page.fill("#filter", "misslyckad")
            assert visible.count() == 1 and "Kumla" in visible.first.inner_text()
            page.locator("th").first.click()  # sorting keeps hidden rows hidden
            assert visible.count() == 1
            page.fill("#filter", "")
            assert visible.count() == 5
        finally:
            browser.close()


def test_the_index_flags_a_unit_with_old_values(tmp_path):
    """Brunnsskolan's values end in 2021 while other schools have 2025*: its index row says
    so beside the year, and the search field finds it ("gamla värden")."""
    old = _entry("1880", "skola") | {
        "kind": "unit",
        "title": "Brunnsskolan",
        "summary": {"year": 2021, "preliminary": 2025, "old_values": True, "kind_latest": 2025},
    }
    current = _entry("1880", "omsorg") | {
        "kind": "unit",
        "title": "Almby skola",
        "summary": {"year": 2025, "preliminary": 2025, "old_values": False, "kind_latest": 2025},
    }
    page = write_index(tmp_path, {"a": old, "b": current}).read_text(encoding="utf-8")
    assert "2021 (gamla värden; andra enheter har 2025*)" in page
    assert page.count("gamla värden") == 2  # the cell and the row's search text
    assert ">2025*<" in page


@pytest.mark.slow
def test_a_warm_kernel_freezes_what_survives_its_reset_and_keeps_no_history():
    """The modules, data and caches a warm kernel keeps between reports are frozen out of
    the garbage collector after each reset, so its full collections walk one report's
    objects only; a report's own garbage is collected by the next reset."""
    from jupyter_core.utils import run_sync

    from analys.render.kernel import WarmKernel

    kernel = WarmKernel()
    try:
        printed: list[str] = []

        def run(code: str) -> None:
            run_sync(kernel.kc.execute_interactive)(
                code,
                timeout=60,
                output_hook=lambda m: (
                    printed.append(m["content"]["text"]) if m["msg_type"] == "stream" else None
                ),
            )

        kernel.reset()
        run("import gc; print(gc.get_freeze_count())")
        frozen = int(printed[-1])
        # a report's garbage in a reference cycle (kept track of from builtins, which a
        # reset leaves alone): collected by the next reset, not frozen with the survivors
        run(
            "import builtins, weakref\n"
            "class Ring:\n    pass\n"
            "ring = Ring(); ring.me = ring; builtins._analys_probe = weakref.ref(ring)"
        )
        kernel.reset()
        run("import builtins; print(builtins._analys_probe() is None)")
        assert frozen > 10_000  # the imports of the warm-up at least
        assert printed[-1].strip() == "True"
        # and it keeps no input history: the batch's kernels would share one SQLite file
        run("print(get_ipython().history_manager.enabled)")
        assert printed[-1].strip() == "False"
    finally:
        kernel.shutdown()
