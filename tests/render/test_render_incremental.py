"""Render only what changed (issue 14 §3): fingerprints, unchanged reports, ``--force``."""

from __future__ import annotations

import json
import time

import nbformat
import pandas as pd
import pytest
from test_render import make_params, make_templates

from analys import render
from analys.render import fingerprint as fp
from analys.render.index import read_manifest


def _values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": ["N1", "N1", "N2"],
            "municipality": ["1880", "0180", "1880"],
            "year": [2023, 2023, 2023],
            "gender": ["T", "T", "T"],
            "value": [1.0, 2.0, 3.0],
            "status": ["", "", ""],
        }
    )


def test_kpi_digests_change_only_for_the_kpi_whose_values_changed():
    before = fp.kpi_digests(_values())
    shuffled = fp.kpi_digests(_values().iloc[::-1])
    assert before == shuffled  # row order is no input
    changed = _values()
    changed.loc[2, "value"] = 3.5
    after = fp.kpi_digests(changed)
    assert after["N1"] == before["N1"] and after["N2"] != before["N2"]


def test_the_fingerprint_ignores_where_the_data_cache_lies(tmp_path):
    template = tmp_path / "mall.ipynb"
    template.write_text("{}", encoding="utf-8")
    args = dict(template=str(template), params_files=[], data={"kpis": {"N1": "a"}}, options={})
    one = fp.fingerprint({"area": "skola", "data_cache": "/tmp/a.parquet"}, **args)
    two = fp.fingerprint({"area": "skola", "data_cache": "/tmp/b.parquet"}, **args)
    assert one == two
    assert fp.fingerprint({"area": "skola", "year": 2023}, **args) != one
    template.write_text('{"changed": 1}', encoding="utf-8")
    fp.file_digest.cache_clear()
    assert fp.fingerprint({"area": "skola"}, **args) != one


@pytest.mark.slow
def test_a_second_render_renders_only_what_changed(tmp_path, monkeypatch):
    from analys import data

    templates = make_templates(tmp_path / "notebooks")
    params = tmp_path / "params"
    areas = [
        str(make_params(params, "skola", "Skola", kpis=("N15507", "N15428"))),
        str(make_params(params, "kultur", "Kultur", kpis=("N15507",))),
    ]
    out = tmp_path / "ut"

    def batch(**kwargs):
        return render.render(
            areas, ["1880"], out=out, jobs=1, progress=False, notebooks=templates, **kwargs
        )

    first = batch()
    assert first.exit_code == 0 and len(first.rendered) == 3, first.text()
    manifest = read_manifest(out)
    stamped = nbformat.read(out / "1880" / "skola.ipynb", as_version=4)
    assert stamped.metadata["analys"]["fingerprint"] == manifest["1880/skola"]["fingerprint"]
    html_time = (out / "1880" / "skola.html").stat().st_mtime_ns

    # nothing changed: nothing renders, no worker (or kernel) is even started
    def no_pool(*args, **kwargs):
        raise AssertionError("a batch with nothing to render started workers")

    with monkeypatch.context() as patch:
        patch.setattr(render, "Pool", no_pool)
        started = time.perf_counter()
        second = batch()
        seconds = time.perf_counter() - started
    assert second.exit_code == 0 and not second.rendered and len(second.unchanged) == 3
    assert seconds < 30  # the data load and the fingerprints only
    assert "3 oförändrade" in second.text()
    assert (out / "1880" / "skola.html").stat().st_mtime_ns == html_time
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Senaste körningen: 0 skapade, 3 oförändrade" in index
    assert read_manifest(out)["1880/skola"]["summary"] == manifest["1880/skola"]["summary"]
    run = json.loads((out / "index.json").read_text(encoding="utf-8"))["last_run"]
    assert (run["rendered"], run["unchanged"], run["failed"]) == (0, 3, 0)

    # one KPI changes (as after `analys fetch`): only the reports that use it render again
    original = data.load_values

    def updated(kpis, *args, **kwargs):
        frame = original(kpis, *args, **kwargs)
        frame.loc[frame["kpi"] == "N15428", "value"] += 1.0
        return frame

    monkeypatch.setattr(data, "load_values", updated)
    third = batch()
    assert {r.key for r in third.rendered} == {"1880/skola", "1880/oversikt"}, third.text()
    assert {r.key for r in third.unchanged} == {"1880/kultur"}

    # --force renders everything again
    forced = batch(force=True)
    assert len(forced.rendered) == 3 and not forced.unchanged
