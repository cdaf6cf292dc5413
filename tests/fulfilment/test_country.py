"""Compute once, render many (issue 14 §2): shared tables give the same report."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

from analys import data  # noqa: E402
from analys.fulfilment import country  # noqa: E402
from analys.render import load_area_spec, load_cache, write_shared_tables  # noqa: E402
from analys.report import Report  # noqa: E402
from analys.report.overview import Overview  # noqa: E402

SECTIONS = (
    "header",
    "summary",
    "goal_tables",
    "comparison",
    "trends",
    "focus",
    "expected",
    "gender",
    "units",
)


@pytest.fixture(scope="module", autouse=True)
def shell():
    """An IPython shell, so that ``display`` publishes outputs that can be captured."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The data cache and the shared tables, as ``analys render`` prepares them."""
    folder = tmp_path_factory.mktemp("batch")
    specs = [load_area_spec("grundskola"), load_area_spec("ekonomi")]
    loaded = load_cache(specs, "demo", folder / "values-demo.parquet")
    tables = write_shared_tables(specs, "demo", loaded, folder / "tables-demo.pkl", year=None)
    assert tables is not None
    return str(loaded.path), str(tables)


def _same(value):
    """A table's random element ids and an object's address are no content."""
    if isinstance(value, str):
        return re.sub(r"0x[0-9a-f]+", "0x", re.sub(r"T_[0-9a-f]{5}", "T_", value))
    return value


def _content(report, sections) -> list[dict]:
    """Every output of the sections: texts, tables, figure data (the PNG bytes)."""
    with capture_output() as captured:
        for section in sections:
            getattr(report, section)()
    return [{k: _same(v) for k, v in o.data.items()} for o in captured.outputs]


def test_the_shared_tables_hold_what_every_report_of_the_area_computes(batch):
    cache, tables = batch
    shared = country.tables_for(tables, load_area_spec("grundskola").area, "demo")
    assert shared is not None and set(shared.kpis) == set(load_area_spec("grundskola").kpis())
    (key, expected), *_ = shared.expected.items()
    assert key[0] == "N15507" and expected.n > 250  # one regression over every municipality
    assert country.tables_for(tables, load_area_spec("grundskola").area, "store") is None
    assert country.tables_for(None, load_area_spec("grundskola").area, "demo") is None
    # every school of the country judged once, for each unit KPI (SALSA is never ranked)
    kpis = {key[0] for key in shared.units}
    assert kpis == {"N15813"}  # the demo has no school values of N15816
    national = next(iter(shared.units.values()))
    assert len(national) > 3000 and national["municipality"].nunique() > 250
    assert {"green", "yellow", "red"} <= set(national["colour"])
    assert national["rank_sweden"].min() == 1 and (national["count_sweden"] > 1000).all()
    assert country.tables_for(tables, load_area_spec("ekonomi").area, "demo").units == {}


@pytest.mark.slow  # draws two full reports in this process
def test_a_report_from_the_shared_tables_is_the_same_as_one_that_computes(batch):
    cache, tables = batch
    params = {**load_area_spec("grundskola").params, "municipality": "1480", "source": "demo"}
    own = Report(params, data_cache=cache)
    shared = Report(params, data_cache=cache, precomputed=tables)
    assert shared.index is country.load_tables(tables).areas["grundskola"].index
    assert own.index is not shared.index  # the first computed for itself
    mine, theirs = _content(own, SECTIONS), _content(shared, SECTIONS)
    assert len(mine) > 20 and sum("image/png" in o or "image/svg+xml" in o for o in mine) >= 7
    assert mine == theirs
    assert own.evaluation.indicators.equals(shared.evaluation.indicators)
    assert any("Enheter" in str(o.get("text/markdown", "")) for o in mine)


@pytest.mark.slow  # draws three reports' comparison and trends in this process
def test_a_batchs_reports_share_what_their_charts_compute_and_show_the_same(batch, monkeypatch):
    """The country-wide colours, ranks and bands of a chart are computed by the first report
    of a batch in a process; the next report (another municipality) takes them from the
    batch's memo and shows what it would have shown computing them itself."""
    from analys.stats import compare

    cache, tables = batch
    sections = ("comparison", "trends")
    others = ("gender", "units")  # the gender gaps' lines, the units' parts, titles, box

    def report(code):
        params = {**load_area_spec("grundskola").params, "municipality": code, "source": "demo"}
        return Report(params, data_cache=cache, precomputed=tables)

    _content(report("1880"), sections + others)  # the first report of the batch
    calls = []
    colours = compare.quartile_colours
    monkeypatch.setattr(
        compare, "quartile_colours", lambda *a, **k: calls.append(a) or colours(*a, **k)
    )
    alone = report("1480")
    alone._memo = alone._reused = None  # computes every chart's colours itself
    theirs = _content(alone, sections)
    computed = len(calls)
    calls.clear()
    second = report("1480")
    mine = _content(second, sections)
    assert len(mine) > 10 and mine == theirs
    assert len(calls) < computed and len(calls) <= 1  # the peers' own colours, at most
    assert _content(second, others) == _content(alone, others)


def test_a_report_takes_its_units_judgements_from_the_shared_tables(batch, monkeypatch):
    cache, tables = batch
    params = {**load_area_spec("grundskola").params, "municipality": "0428", "source": "demo"}
    report = Report(params, data_cache=cache, precomputed=tables)
    assert report.national_units("N15813", report.year) is not None

    def no_national(*args, **kwargs):
        raise AssertionError("the report judged every school of the country again")

    monkeypatch.setattr("analys.stats.units.national_table", no_national)
    with capture_output() as captured:
        report.units()
    assert any("Grundskol" in str(o.data) for o in captured.outputs)
    own = Report(params, data_cache=cache)  # without the shared tables it must judge them
    assert own.national_units("N15813", own.year) is None
    with pytest.raises(AssertionError, match="judged every school"), capture_output():
        own.units()


def test_an_overview_reads_the_shared_tables_for_every_area(batch, monkeypatch):
    cache, tables = batch

    def no_pivot(*args, **kwargs):
        raise AssertionError("the overview rebuilt a value index the batch had computed")

    monkeypatch.setattr("analys.report.base.ValuesIndex", no_pivot)
    overview = Overview(
        "1880", ["grundskola", "ekonomi"], source="demo", data_cache=cache, precomputed=tables
    )
    assert [r.area.area for r in overview.reports] == ["grundskola", "ekonomi"]
    assert all(r.groups is not None for r in overview.reports)
    assert data.snapshot("demo")["snapshot"] == overview.reports[0].snapshot["snapshot"]


def test_the_overviews_of_a_batch_share_the_country_wide_rug_and_maps(batch, monkeypatch):
    """A worker's overviews colour every KPI of the rug among all municipalities once
    (``plots.tartan_country``), and each small map's panel once (the batch's memo), and show
    what an overview computing for itself shows."""
    from analys import plots
    from analys.stats import compare

    cache, tables = batch
    calls = []
    real = plots.tartan_country
    monkeypatch.setattr(plots, "tartan_country", lambda *a, **k: calls.append(1) or real(*a, **k))
    areas = ["grundskola", "ekonomi"]
    first, second = (
        Overview(code, areas, source="demo", data_cache=cache, precomputed=tables)
        for code in ("1880", "0428")
    )
    _content(first, ["maps", "rug"])
    coloured = []
    colours = compare.quartile_colours
    monkeypatch.setattr(
        compare, "quartile_colours", lambda *a, **k: coloured.append(1) or colours(*a, **k)
    )
    shared = _content(second, ["maps", "rug"])
    assert len(calls) == 1 and coloured == []
    alone = _content(Overview("0428", areas, source="demo"), ["maps", "rug"])
    assert len(shared) >= 3 and shared == alone


def test_a_report_takes_its_gender_gaps_from_the_shared_tables(batch, monkeypatch):
    """Every municipality's gaps between women and men are computed once per batch; the
    section *Kön* of a report from the shared tables computes none."""
    cache, tables = batch
    shared = country.tables_for(tables, load_area_spec("grundskola").area, "demo").gaps
    assert shared is not None and shared.kpis and set(shared.by_kpi) == set(shared.kpis)
    assert shared.all["municipality"].nunique() > 250
    params = {**load_area_spec("grundskola").params, "municipality": "0428", "source": "demo"}
    report = Report(params, data_cache=cache, precomputed=tables)

    def no_gaps(*args, **kwargs):
        raise AssertionError("the report computed every municipality's gaps again")

    monkeypatch.setattr("analys.stats.gender.gender_gaps", no_gaps)
    monkeypatch.setattr("analys.plots.trend.gender_gaps", no_gaps)
    with capture_output() as captured:
        report.gender()
    assert any("image/svg+xml" in o.data for o in captured.outputs)
