"""Open-ended fetches (every year) are planned for the years Kolada really has for the KPIs,
not an assumed 30: the span the store holds, up to the catalogue's latest
publication."""

from __future__ import annotations

import pandas as pd

from analys import reference
from analys.kolada import KoladaClient
from analys.kolada.plan import ALL_YEARS_ESTIMATE, estimated_requests, plan_chunks
from analys.store import Store, fetch_values
from analys.store.files import year_span

pytest_plugins = ["fake_kolada"]

KPIS = ["N15507", "N15428", "N15813", "N15033", "N11102", "N11041", "N11808", "N11811"]


def test_year_span_reads_the_stored_years_and_the_latest_publication():
    stored = {
        "N1": {"first_year": 2012, "latest_year": 2024},
        "N2": {"first_year": 2015, "latest_year": 2025},
        "N3": {"first_year": None, "latest_year": None},
    }
    assert year_span(stored, ["N1", "N2"]) == 14
    assert year_span(stored, ["N2"]) == 11
    catalogue = pd.DataFrame({"id": ["N1", "N2"], "publ_period": ["2026", None]})
    assert year_span(stored, ["N1"], catalogue) == 15  # a newer year is published
    assert year_span(stored, ["N3"]) is None and year_span({}, ["N1"]) is None


def test_the_span_changes_the_plan_when_30_years_would_overestimate():
    """40 KPIs × 291 units over 14 years: cut for 30 years the query takes 48 pages,
    cut for the real 14 it takes 36."""
    assumed = plan_chunks(40, 291, None)
    real = plan_chunks(40, 291, None, year_span=14)
    assert estimated_requests(40, 291, None, assumed, year_span=14) == 48
    assert estimated_requests(40, 291, None, real, year_span=14) == 36
    assert estimated_requests(40, 291, None, assumed) == estimated_requests(
        40, 291, None, assumed, year_span=ALL_YEARS_ESTIMATE
    )


def test_an_all_years_refresh_is_planned_for_the_stored_span(kolada_server):
    client = KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001)
    units = ["0000", *reference.municipality_codes()]
    store = Store()
    first = fetch_values(KPIS, units, None, client=client, store=store)
    span = year_span(store.manifest["kpis"], KPIS)
    assert span == first["year"].max() - first["year"].min() + 1 < ALL_YEARS_ESTIMATE
    planned = client.plan(KPIS, units, None, year_span=span)
    assert len(planned) < len(client.plan(KPIS, units, None))
    kolada_server.reset_requests()
    fetch_values(KPIS, units, None, client=client, store=store)  # a from_date refresh
    asked = kolada_server.data_requests()
    assert asked and all("from_date=" in r for r in asked)
    assert len(asked) == len(planned)
