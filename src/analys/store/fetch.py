"""Fetching from Kolada into the store: the incremental sync, and what to ask for.

:func:`fetch_into` brings a query into a store (only the changes since the previous fetch of
the same query; :func:`analys.store.fetch_values` is the same with the default store and
client); :func:`unit_batches` groups KPIs into as few queries as their unit types allow.
``analys fetch`` (:mod:`analys.cli.fetch`) uses both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd

from analys.errors import AnalysError
from analys.kolada.plan import estimated_requests, plan_chunks
from analys.store.files import utc_now, year_span

KPI_ID = re.compile(r"^[NU]\d{5}$")
UNIT_ID = re.compile(r"^(\d{4}|G\d+)$")


# ---------------------------------------------------------------------------------- fetching
def fetch_into(
    store: Any,
    kpis: str | Sequence[str],
    municipalities: Sequence[str] | None,
    years: Sequence[int] | None,
    *,
    client: Any,
    progress: Callable[[], Any] | None = None,
) -> pd.DataFrame:
    """Fetch values from Kolada into ``store`` and return what was asked for.

    The first fetch of a query brings everything; a later fetch of the same query (same
    KPIs, units, years and URL) asks only for changes since the previous one (``from_date``,
    one day earlier to be safe about time zones) and removes withdrawn values.

    Parameters
    ----------
    store
        The :class:`~analys.store.Store` to fetch into.
    kpis, municipalities, years
        As in :meth:`analys.kolada.KoladaClient.values`.
    client
        The :class:`~analys.kolada.KoladaClient` to ask.
    progress
        Called once per request done (a tqdm bar's ``update``).
    """
    kpi_list = [kpis] if isinstance(kpis, str) else [str(k) for k in kpis]
    units = None if municipalities is None else [str(m) for m in municipalities]
    year_list = None if years is None else sorted({int(y) for y in years})
    query = {"kpis": kpi_list, "municipalities": units, "years": year_list}
    started = utc_now()
    store.check_writable()  # before any request: a read-only folder fails at once
    store.heal(kpi_list)  # damaged files are set aside and their queries fetched in full
    previous = store.previous_fetch(kpi_list, units, year_list, client.base_url)
    span = None if year_list is not None else stored_span(store, kpi_list)
    if previous:
        since = (date.fromisoformat(previous["fetched"][:10]) - timedelta(days=1)).isoformat()
        frame = client.values(
            kpi_list,
            units,
            year_list,
            from_date=since,
            include_deleted=True,
            progress=progress,
            year_span=span,
        )
        store.write_values(
            frame,
            query=query,
            url=client.base_url,
            fetched=started,
            incremental=True,
            from_date=since,
        )
    else:
        frame = client.values(kpi_list, units, year_list, progress=progress, year_span=span)
        store.write_values(frame, query=query, url=client.base_url, fetched=started)
    return store.read_values(kpi_list, units, year_list)


def stored_span(store: Any, kpis: Sequence[str]) -> int | None:
    """:func:`year_span` from the store's manifest and catalogue (``None`` when unknown)."""
    try:
        catalogue = store.kpis()
    except AnalysError:
        catalogue = None
    return year_span(store.manifest["kpis"], kpis, catalogue)


KPI_TYPES = {"K": {"K"}, "L": {"L"}, "A": {"K", "L"}}


def unit_batches(
    needs: dict[str, set[str]],
    catalogue: pd.DataFrame,
    units: pd.DataFrame,
    n_years: int | None,
    year_span: int | None = None,
) -> list[tuple[list[str], list[str]]]:
    """(KPIs, unit codes) per query: only the unit types the KPIs have, plus Riket.

    Parameters
    ----------
    needs
        KPI id → the unit types wanted (``K``, ``L``); empty means every type the KPI is
        published for (the catalogue's ``municipality_type``: K, L or A for both).
    catalogue
        The KPI catalogue (columns ``id`` and ``municipality_type``).
    units
        Kolada's municipalities, regions and Riket (columns ``id`` and ``type``).
    n_years
        Years asked for (``None``: all), for the request estimate.
    year_span
        With ``n_years`` ``None``: the years Kolada has for the KPIs, as far as known
        (:func:`year_span`).

    KPIs wanting the same types share a query. Queries are merged when that takes fewer
    requests (25-id lists and 5000-row pages, :func:`analys.kolada.plan.plan_chunks`), so
    the count stays at its minimum: a municipal area asks only for the 290 municipalities
    and Riket, a region area only for the 21 regions and Riket.
    """
    own = dict(zip(catalogue["id"], catalogue["municipality_type"], strict=False))
    by_types: dict[frozenset[str], list[str]] = {}
    for kpi, wanted in needs.items():
        has = KPI_TYPES.get(str(own.get(kpi) or "A"), {"K", "L"})
        types = frozenset((wanted & has) or has)
        by_types.setdefault(types, []).append(kpi)
    codes = units["id"].astype(str)
    kinds = units["type"].astype(str)
    riket = ["0000"] if "0000" in set(codes) else []

    def members(types: frozenset[str]) -> list[str]:
        chosen = [c for c, t in zip(codes, kinds, strict=True) if t in types and c != "0000"]
        return riket + chosen

    def cost(block: list[frozenset[str]]) -> int:
        n_kpis = sum(len(by_types[t]) for t in block)
        n_units = len(members(frozenset().union(*block)))
        counts = plan_chunks(n_kpis, n_units, n_years, year_span=year_span)
        return estimated_requests(n_kpis, n_units, n_years, counts, year_span=year_span)

    best: tuple[int, list[list[frozenset[str]]]] | None = None
    for partition in _partitions(list(by_types)):
        total = sum(cost(block) for block in partition)
        if best is None or total < best[0]:
            best = (total, partition)
    assert best is not None
    return [
        ([k for t in block for k in by_types[t]], members(frozenset().union(*block)))
        for block in best[1]
    ]


def _partitions(items: list[Any]) -> list[list[list[Any]]]:
    """Every way to split ``items`` into groups (at most three items here: K, L, both)."""
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    out = []
    for partition in _partitions(rest):
        out.append([[first], *partition])
        for i in range(len(partition)):
            out.append([*partition[:i], [first, *partition[i]], *partition[i + 1 :]])
    return out
