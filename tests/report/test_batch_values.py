"""A batch's values are read once per process (analys.report.base.batch_values): a worker's
kernel renders one area for many municipalities, and the overview reads every area's KPIs."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from analys import demo
from analys.goals import load_area
from analys.report import base
from analys.report.base import batch_values


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "_BATCH_VALUES", {})
    kpis = sorted(set(load_area("grundskola").kpis) | set(load_area("kultur").kpis))
    path = tmp_path / "values.parquet"
    demo.load_values(kpis, None, None).to_parquet(path, row_group_size=32_768)
    return path


def _reads(monkeypatch) -> list:
    calls = []
    read = pd.read_parquet

    def counted(*args, **kwargs):
        calls.append(kwargs.get("filters"))
        return read(*args, **kwargs)

    monkeypatch.setattr(base.pd, "read_parquet", counted)
    return calls


def test_an_area_is_read_once_and_is_what_the_file_holds(cache, monkeypatch):
    reads = _reads(monkeypatch)
    kpis = load_area("grundskola").kpis
    first = batch_values(cache, kpis)
    assert batch_values(cache, list(reversed(kpis))) is first and len(reads) == 1
    expected = pd.read_parquet(cache, filters=[("kpi", "in", kpis)]).reset_index(drop=True)
    pd.testing.assert_frame_equal(first, expected)


def test_a_slice_of_a_wider_read_is_the_same_as_reading_it(cache, monkeypatch):
    everything = sorted(set(load_area("grundskola").kpis) | set(load_area("kultur").kpis))
    reads = _reads(monkeypatch)
    batch_values(cache, everything)  # the overview's read
    kultur = batch_values(cache, load_area("kultur").kpis)
    assert len(reads) == 1
    expected = pd.read_parquet(cache, filters=[("kpi", "in", load_area("kultur").kpis)])
    pd.testing.assert_frame_equal(kultur, expected.reset_index(drop=True))


def test_a_rewritten_file_is_read_again(cache, monkeypatch):
    kpis = load_area("kultur").kpis
    before = batch_values(cache, kpis)
    changed = before.assign(value=before["value"] + 1)
    changed.to_parquet(cache)
    stat = os.stat(cache)
    os.utime(cache, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = batch_values(cache, kpis)
    assert (after["value"].fillna(0) != before["value"].fillna(0)).any()
    assert len(base._BATCH_VALUES) == 1  # one batch at a time


def test_a_report_splits_its_values_by_kpi_once():
    """``Report.kpi_values``: each chart's KPI rows, the same rows as a filter of the whole
    frame, split once per report."""
    from analys.report import Report

    report = Report.from_area("grundskola", "1880")
    values = report.values
    first, second = report.area.kpis[:2]
    for kpis in ([first], [second, first]):
        got = report.kpi_values(*kpis).sort_index()
        pd.testing.assert_frame_equal(got, values[values["kpi"].isin(kpis)])
    assert report.kpi_values(first) is report.kpi_values(first)
    none = report.kpi_values("N99999")
    assert none.empty and list(none.columns) == list(values.columns)


def test_a_batch_reads_its_unit_data_once(cache, monkeypatch):
    """``batch_unit_data``: the unit catalogue and values of an area, read once per batch and
    process; another batch reads again."""
    monkeypatch.setattr(base, "_BATCH_UNITS", {})
    calls = []
    unit_data = base.data.unit_data

    def counted(kpis, source):
        calls.append((tuple(kpis), source))
        return unit_data(kpis, source)

    monkeypatch.setattr(base.data, "unit_data", counted)
    kpis = ["N15813", "N15504"]
    catalogue, values = base.batch_unit_data(cache, kpis, "demo")
    assert base.batch_unit_data(cache, kpis, "demo")[1] is values and len(calls) == 1
    assert set(values["kpi"]) == set(kpis) and catalogue["id"].is_unique
    other = cache.with_name("other.parquet")
    other.write_bytes(cache.read_bytes())
    base.batch_unit_data(other, kpis, "demo")
    assert len(calls) == 2 and len(base._BATCH_UNITS) == 1  # one batch at a time
