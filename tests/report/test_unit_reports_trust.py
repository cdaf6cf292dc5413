"""What a reader of a unit report can trust: old values are called old near the top, every
comparison names its year, and the SALSA sentence judges the year its figures are from."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from analys.demo import units as demo_units
from analys.report.units import UnitReport
from analys.stats.units import SALSA_DEVIATION

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def latest() -> pd.DataFrame:
    """Örebro's schools: each one's latest year with any value, and with a SALSA deviation."""
    values = demo_units.load_unit_values(demo_units.unit_kpis(), municipalities=["1880"])
    schools = set(demo_units.units(["1880"]).query("activity == 'V15'")["id"])
    values = values[values["ou"].isin(schools) & values["value"].notna()]
    salsa = values[values["kpi"] == SALSA_DEVIATION]
    return pd.DataFrame(
        {"any": values.groupby("ou")["year"].max(), "salsa": salsa.groupby("ou")["year"].max()}
    )


def _position_rows(html: str) -> dict[str, list[str]]:
    """The unit report's position table: KPI label → the row's cells."""
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("analys-units", 1)[1])
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    return {row[0]: row for row in cells if row}


def test_a_unit_with_old_values_says_so_near_the_top(latest, ipython_capture):
    old = latest[latest["any"] <= latest["any"].max() - 3].sort_index()
    ou = old.index[0]  # Brunnsskolan: values up to 2021, other schools' up to 2025*
    own, newest = int(old.loc[ou, "any"]), int(latest["any"].max())
    report = UnitReport("grundskola", "1880", ou)
    assert report.year == own and report.preliminary == newest
    with ipython_capture() as shown:
        report.header()
        report.position()
    text = shown.text
    warning = (
        f"Senaste värden för {report.title} är från {own}; för andra grundskolor finns "
        f"värden till och med {newest}*. Enheten kan ha lagts ned eller bytt id i Kolada."
    )
    assert warning in text
    assert text.index(warning) < text.index("Rapporten jämför enheten")  # near the top
    assert f"{newest}* är preliminärt" in text  # the star is explained
    header = re.findall(r"<th\b[^>]*>(.*?)</th>", shown.html)
    assert header[:3] == ["Nyckeltal", "År", "Värde"]
    rows = _position_rows(shown.html)
    assert rows and all(row[1] == str(own) for row in rows.values()), rows


def test_a_unit_with_current_values_has_no_warning(latest, ipython_capture):
    ou = latest[latest["any"] == latest["any"].max()].sort_index().index[0]
    report = UnitReport("grundskola", "1880", ou)
    with ipython_capture() as shown:
        report.header()
    assert "Senaste värden för" not in shown.text


def test_the_salsa_sentence_names_the_year_the_position_table_shows(latest, ipython_capture):
    behind = latest[latest["salsa"] < latest["any"]].sort_index()
    ou = behind.index[0]  # Lundbyskolan: values up to 2025*, SALSA up to 2023
    report = UnitReport("grundskola", "1880", ou)
    salsa_year = int(behind.loc[ou, "salsa"])
    with ipython_capture() as shown:
        report.position()
        report.salsa()
    text = shown.text
    assert "ingen SALSA-avvikelse" not in text
    assert f"SALSA saknas för {report.year}*; senaste värde {salsa_year}:" in text
    row = _position_rows(shown.html)["Meritvärde åk 9 jämfört med SALSA"]
    assert row[1] == str(salsa_year)
    listed = re.search(r"Avvikelse per år: (.*?)\. ", text).group(1).split(", ")
    assert listed[-1].startswith(f"{salsa_year}: ")  # the history ends in the judged year


def test_an_old_schools_salsa_is_judged_in_its_own_year(latest, ipython_capture):
    old = latest[(latest["any"] <= latest["any"].max() - 3) & latest["salsa"].notna()]
    ou = old.sort_index().index[0]
    report = UnitReport("grundskola", "1880", ou)
    with ipython_capture() as shown:
        report.salsa()
    assert f"**SALSA {int(old.loc[ou, 'salsa'])}.**" in shown.text
    assert "ingen SALSA-avvikelse" not in shown.text


def test_the_area_reports_salsa_column_names_its_year(ipython_capture):
    from analys.report import Report

    report = Report.from_area("grundskola", "1880")
    with ipython_capture() as shown:
        report.units()
    header = re.findall(r"<th\b[^>]*>(.*?)</th>", shown.html)
    salsa = [h for h in header if h.startswith("SALSA-avvikelse")]
    assert salsa == [f"SALSA-avvikelse {report.preliminary}* (medel 3 år)"], salsa
    assert f"SALSA, meritvärde åk 9 ({report.preliminary}*)" in shown.text  # the same year
