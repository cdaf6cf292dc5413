"""How a Kolada query is cut into requests: the 25-id limit and the page size, planned.

Kolada takes at most 25 ids per comma list (:data:`MAX_IDS`) and returns at most 5000 rows per
page (:data:`PER_PAGE`). :func:`plan_chunks` chooses how many balanced chunks
(:func:`chunks`) to cut the KPI, unit and year lists into so that a query takes the fewest
requests, counting pages with :func:`estimated_requests`; :func:`minimum_requests` is the lower
bound any client has. :func:`plan_requests` turns a query into the :class:`Request` paths that
:class:`~analys.kolada.KoladaClient` then runs.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from analys.errors import ParamsError

MAX_IDS = 25  # ids per comma list; more gives 422
PER_PAGE = 5000  # rows per page; also the maximum
# Sizes assumed for a dimension left open (all units / all years) when planning chunks. The
# years of an open list are better known by the caller (``year_span``: the years the store
# already holds for the KPIs, up to the catalogue's latest publication); 30 only when not.
ALL_UNITS_ESTIMATE = 312
ALL_YEARS_ESTIMATE = 30
ALL_KPIS_ESTIMATE = 6100


@dataclass(frozen=True)
class Request:
    """One planned data request (a path, before paging)."""

    path: str
    params: dict[str, str]


def chunks(ids: Sequence[Any], count: int) -> list[list[Any]]:
    """Split ``ids`` into ``count`` chunks whose sizes differ by at most one, order kept."""
    size, extra = divmod(len(ids), count)
    out, start = [], 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        out.append(list(ids[start:stop]))
        start = stop
    return out


def _chunk_counts(n: int | None) -> list[int]:
    """Candidate chunk counts for ``n`` ids: the smallest count for each possible chunk size."""
    if n is None or n == 0:
        return [1]
    best: dict[int, int] = {}
    for count in range(math.ceil(n / MAX_IDS), n + 1):
        best.setdefault(math.ceil(n / count), count)
    return list(best.values())


def _sizes(n: int, count: int) -> list[tuple[int, int]]:
    """(chunk size, how many chunks of it) for ``n`` ids in ``count`` balanced chunks."""
    size, extra = divmod(n, count)
    return [(s, c) for s, c in ((size + 1, extra), (size, count - extra)) if c and s]


def estimated_requests(
    n_kpis: int | None,
    n_units: int | None,
    n_years: int | None,
    counts: tuple[int, int, int],
    per_page: int = PER_PAGE,
    year_span: int | None = None,
) -> int:
    """Requests (pages) needed when the three lists are cut into ``counts`` chunks.

    ``None`` means the dimension is left open; its size is then estimated – for the years
    ``year_span`` when the caller knows it (:func:`analys.store.files.year_span`), else
    :data:`ALL_YEARS_ESTIMATE`.
    """
    dims = []
    for n, count, guess in zip(
        (n_kpis, n_units, n_years),
        counts,
        (ALL_KPIS_ESTIMATE, ALL_UNITS_ESTIMATE, max(1, year_span or ALL_YEARS_ESTIMATE)),
        strict=True,
    ):
        dims.append([(guess, 1)] if n is None else _sizes(n, count))
    total = 0
    for (sk, ck), (su, cu), (sy, cy) in itertools.product(*dims):
        total += ck * cu * cy * max(1, math.ceil(sk * su * sy / per_page))
    return total


def plan_chunks(
    n_kpis: int | None,
    n_units: int | None,
    n_years: int | None,
    per_page: int = PER_PAGE,
    year_span: int | None = None,
) -> tuple[int, int, int]:
    """How many chunks to cut each list into so that the query takes the fewest requests.

    Each chunk holds at most 25 ids, and a request returns at most ``per_page`` rows (one
    row per KPI, unit and year), so both the chunk product and the pages count. Balanced
    chunks matter: 40 KPIs as 20 + 20 with 25 municipalities and 10 years fit one page each,
    25 + 15 would need a second page for the first chunk. ``year_span``: the years an open
    year list (``n_years`` ``None``) is expected to hold.
    """
    best: tuple[int, int, tuple[int, int, int]] | None = None
    for counts in itertools.product(
        _chunk_counts(n_kpis), _chunk_counts(n_units), _chunk_counts(n_years)
    ):
        cost = estimated_requests(n_kpis, n_units, n_years, counts, per_page, year_span)
        key = (cost, math.prod(counts), counts)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2]


def minimum_requests(
    n_kpis: int, n_units: int, n_years: int, rows: int, per_page: int = PER_PAGE
) -> int:
    """A lower bound on the requests any client needs: the 25-id limit and the page size."""
    lists = math.prod(max(1, math.ceil(n / MAX_IDS)) for n in (n_kpis, n_units, n_years))
    return max(lists, math.ceil(rows / per_page))


def join_ids(ids: Iterable[Any]) -> str:
    """Ids as one path segment: comma-separated, each percent-encoded."""
    return ",".join(quote(str(i), safe="") for i in ids)


def _len(items: list[Any] | None) -> int | None:
    return None if items is None else len(items)


def plan_requests(
    kpis: list[str] | None,
    units: list[str] | None,
    years: list[int] | None,
    *,
    from_date: str | None = None,
    ou: bool = False,
    municipality: str | None = None,
    year_span: int | None = None,
) -> list[Request]:
    """The requests (before paging) a values query is cut into.

    ``kpis``, ``units`` and ``years`` are lists without repeats, ``None`` for "all"; at least
    two must be given (Kolada's rule). ``ou`` plans unit-level data (``oudata``), optionally
    limited to the units of ``municipality``. ``year_span``: how many years "all years"
    holds for these KPIs, when known (the page estimate, :func:`plan_chunks`).
    """
    given = sum(x is not None for x in (kpis, units, years))
    if given < 2:
        raise ParamsError(
            "Kolada kräver minst två av nyckeltal, enheter och år – ange "
            "t.ex. nyckeltal och kommuner, eller nyckeltal och år"
        )
    if from_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(from_date)):
        raise ParamsError(f"from_date: '{from_date}' ska vara ett datum som 2026-03-01")
    if any(x == [] for x in (kpis, units, years)):
        return []
    counts = plan_chunks(_len(kpis), _len(units), _len(years), year_span=year_span)
    params = {"from_date": from_date} if from_date else {}
    if ou and municipality:
        params["municipality"] = str(municipality)
    unit_word = "ou" if ou else "municipality"
    parts = []
    for name, items, count in (
        ("kpi", kpis, counts[0]),
        (unit_word, units, counts[1]),
        ("year", years, counts[2]),
    ):
        parts.append([None] if items is None else [(name, chunk) for chunk in chunks(items, count)])
    root = "oudata" if ou else "data"
    out = []
    for combo in itertools.product(*parts):
        segments = [f"{name}/{join_ids(chunk)}" for name, chunk in filter(None, combo)]
        out.append(Request(f"{root}/{'/'.join(segments)}", dict(params)))
    return out
