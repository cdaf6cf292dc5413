"""Fetching from Kolada into the store: the incremental sync and ``analys fetch``.

:func:`fetch_values` brings a query into the store (only the changes since the previous fetch
of the same query); :func:`fetch_cli` is ``analys fetch``: it checks the arguments (KPI ids,
unit codes, a year range) before asking Kolada, refreshes the catalogue, checks the ids against
it (suggesting close ids for typos) and fetches with a progress bar. Both are re-exported by
:mod:`analys.store`, which is why they import :class:`~analys.store.Store` when called.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from analys.errors import AnalysError, KoladaError, ParamsError
from analys.kolada.parse import describe_problems
from analys.store import health as store_health
from analys.store.files import utc_now, year_span

if TYPE_CHECKING:
    from analys.store import Store

KPI_ID = re.compile(r"^[NU]\d{5}$")
UNIT_ID = re.compile(r"^(\d{4}|G\d+)$")


# ---------------------------------------------------------------------------------- fetching
def fetch_values(
    kpis: str | Sequence[str],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    client: Any = None,
    store: Store | None = None,
    progress: Callable[[], Any] | None = None,
) -> pd.DataFrame:
    """Fetch values from Kolada into the store and return what was asked for.

    The first fetch of a query brings everything; a later fetch of the same query (same
    KPIs, units, years and URL) asks only for changes since the previous one (``from_date``,
    one day earlier to be safe about time zones) and removes withdrawn values.

    Parameters
    ----------
    kpis, municipalities, years
        As in :meth:`analys.kolada.KoladaClient.values`.
    client
        A :class:`~analys.kolada.KoladaClient`; default one for ``$ANALYS_KOLADA_URL``.
    store
        The store; default :class:`Store` at ``$ANALYS_DATA_DIR``.
    progress
        Called once per request done (a tqdm bar's ``update``).
    """
    if client is None:
        from analys.kolada import KoladaClient

        client = KoladaClient()
    if store is None:
        from analys.store import Store

        store = Store()
    kpi_list = [kpis] if isinstance(kpis, str) else [str(k) for k in kpis]
    units = None if municipalities is None else [str(m) for m in municipalities]
    year_list = None if years is None else sorted({int(y) for y in years})
    query = {"kpis": kpi_list, "municipalities": units, "years": year_list}
    started = utc_now()
    store.check_writable()  # before any request: a read-only folder fails at once
    store.heal(kpi_list)  # damaged files are set aside and their queries fetched in full
    previous = store.previous_fetch(kpi_list, units, year_list, client.base_url)
    span = None if year_list is not None else _stored_span(store, kpi_list)
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


def _stored_span(store: Store, kpis: Sequence[str]) -> int | None:
    """:func:`year_span` from the store's manifest and catalogue (``None`` when unknown)."""
    try:
        catalogue = store.kpis()
    except AnalysError:
        catalogue = None
    return year_span(store.manifest["kpis"], kpis, catalogue)


def _parse_years(years: str | Sequence[int] | None) -> list[int] | None:
    if years is None:
        return None
    if not isinstance(years, str):
        return [int(y) for y in years]
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", years)
    if not match:
        raise ParamsError(f"--years: '{years}' är inget årsintervall – skriv t.ex. 2015-2024")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    if first > last:
        raise ParamsError(f"--years: '{years}' – första året är större än det sista")
    return list(range(first, last + 1))


def _cli_kpis(areas: Sequence[str], kpis: Sequence[str]) -> list[str]:
    return list(_cli_needs(areas, kpis))


def _cli_needs(areas: Sequence[str], kpis: Sequence[str]) -> dict[str, set[str]]:
    """KPI id → the unit types an area needs it for (``K``/``L``; empty: the KPI's own).

    An area of municipalities needs its KPIs for municipalities, a region area for regions,
    whatever else the KPI is published for; a KPI named with ``--kpi`` needs every type it
    has (decided later from the catalogue).
    """
    ids = [k.strip().upper() for k in kpis]
    needs: dict[str, set[str]] = {k: set() for k in ids}
    if areas:
        from analys.goals import load_area

        for area in areas:
            loaded = load_area(area)
            ids += loaded.kpis
            for kpi in loaded.kpis:
                needs.setdefault(kpi, set()).add(loaded.kind)
    bad = [k for k in ids if not KPI_ID.match(k)]
    if bad:
        raise ParamsError(
            f"--kpi: {', '.join(bad)} är inga nyckeltals-id – de ser ut som "
            "N15507 eller U23401 (sök med `analys kpi search TEXT`)"
        )
    if not ids:
        raise ParamsError(
            "Ange vad som ska hämtas: ett område (t.ex. `analys fetch "
            "grundskola`) eller nyckeltal med --kpi ID"
        )
    for kpi in ids:  # a KPI named with --kpi needs all its types, even if an area has it too
        if kpi in [k.strip().upper() for k in kpis]:
            needs[kpi] = set()
    return {k: needs.get(k, set()) for k in dict.fromkeys(ids)}


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
    from analys.kolada.plan import estimated_requests, plan_chunks

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


def _check_ids(store: Store, kpis: list[str], units: list[str] | None) -> None:
    """Check ids against the fetched catalogue, suggesting close ids for typos."""
    from difflib import get_close_matches

    problems = []
    known = set(store.kpis()["id"])
    for kpi in (k for k in kpis if k not in known):
        close = get_close_matches(kpi, sorted(known), n=3, cutoff=0.6)
        hint = f" – menade du {' eller '.join(close)}?" if close else ""
        problems.append(f"--kpi: {kpi} finns inte i Koladas katalog{hint}")
    if units:
        codes = set(store.municipalities()["id"]) | set(store.groups()["group"])
        for unit in (u for u in units if u not in codes):
            problems.append(
                f"-m: {unit} är ingen kommun, region eller grupp i Kolada "
                "(kommunkoder har fyra siffror, t.ex. 0180)"
            )
    if problems:
        raise ParamsError(problems)


def _fetch_units(
    store: Store,
    client: Any,
    areas: Sequence[str],
    kpis: list[str],
    municipalities: list[str] | None,
    years: list[int] | None,
) -> str:
    """Fetch the unit (OU) values of the areas' KPIs that have them; a Swedish summary line.

    Only when areas were named (``analys fetch grundskola``): the units of ``municipalities``
    (all when ``None``; groups and Riket have no units) from ``/ou``, their values from
    ``/oudata`` (:func:`analys.store.units.fetch_unit_values`).
    """
    if not areas:
        return ""
    from tqdm import tqdm

    from analys.stats.units import unit_kpis as with_unit_data
    from analys.store.units import UnitStore, fetch_unit_values

    # the area's KPIs with unit data plus the SALSA figures a school area's unit section reads
    unit_kpis = with_unit_data(kpis, store.kpis())
    codes = (
        None
        if municipalities is None
        else [m for m in municipalities if not m.startswith("G") and m != "0000"]
    )
    if not unit_kpis or codes == []:
        return ""
    for line in store_health.describe(store.heal(unit_kpis), healed=True):
        print(line, file=sys.stderr)
    print(f"Hämtar enhetsvärden för {len(unit_kpis)} nyckeltal …", file=sys.stderr)
    with tqdm(desc="Kolada, enheter", unit="anrop", file=sys.stderr, disable=None) as bar:
        frame = fetch_unit_values(
            unit_kpis, codes, years, client=client, store=UnitStore(store.root), progress=bar.update
        )
    return (
        f"Enheter: {len(frame)} värden för {frame['ou'].nunique()} enheter och "
        f"{frame['kpi'].nunique()} nyckeltal."
    )


def _units_text(codes: Sequence[str]) -> str:
    """ "290 kommuner och riket", "21 regioner och riket", "3 enheter"."""
    from analys import reference

    kinds = [reference.unit_type(c) for c in codes if c != "0000"]
    riket = " och riket" if "0000" in codes else ""
    if kinds and all(k == "K" for k in kinds):
        return f"{len(kinds)} kommuner{riket}"
    if kinds and all(k == "L" for k in kinds):
        return f"{len(kinds)} regioner{riket}"
    return f"{len(codes)} enheter"


def fetch_cli(
    *,
    areas: Sequence[str],
    kpis: Sequence[str],
    municipalities: Sequence[str],
    years: str | Sequence[int] | None,
) -> int:
    """``analys fetch [AREA ...] [--kpi ID ...] [-m CODE ...] [--years A-B]``.

    Without ``-m`` only the unit types the KPIs are published for (an area's own type) and
    Riket are fetched (:func:`unit_batches`); without ``--years`` every year. Returns the
    exit code: 0 ok, 2 bad input, 1 when Kolada kept failing.
    """
    from tqdm import tqdm

    from analys.kolada import KoladaClient
    from analys.store import Store

    try:
        year_list = _parse_years(years)
        needs = _cli_needs(areas, kpis)
        kpi_list = list(needs)
        units = [str(m).strip() for m in municipalities] or None
        bad = [u for u in units or () if not UNIT_ID.match(u)]
        if bad:
            raise ParamsError(
                f"-m: {', '.join(bad)} är inga kommunkoder – skriv fyra siffror "
                "(t.ex. 0180), 0000 för riket eller ett grupp-id (G…)"
            )
    except ParamsError as error:
        print(error, file=sys.stderr)
        return 2
    store = Store()
    client = KoladaClient()
    try:
        store.check_writable()  # before any request to Kolada
        for line in store_health.describe(store.heal(kpi_list), healed=True):
            print(line, file=sys.stderr)
        if store.refresh_metadata(client):
            print(f"Hämtade Koladas katalog från {client.base_url}.", file=sys.stderr)
        _check_ids(store, kpi_list, units)
        chosen = units
        if units is None:
            n_years = len(year_list) if year_list else None
            span = None if year_list else _stored_span(store, kpi_list)
            batches = unit_batches(needs, store.kpis(), store.municipalities(), n_years, span)
        else:
            batches = [(kpi_list, units)]
        span = f"{year_list[0]}–{year_list[-1]}" if year_list else "alla år"
        for batch_kpis, batch_units in batches:
            print(
                f"Hämtar {len(batch_kpis)} nyckeltal för {_units_text(batch_units)}, {span}, "
                f"från {client.base_url} …",
                file=sys.stderr,
            )
        total = sum(
            len(
                client.plan(
                    k, u, year_list, year_span=_stored_span(store, k) if not year_list else None
                )
            )
            for k, u in batches
        )
        frames = []
        with tqdm(total=total, desc="Kolada", unit="anrop", file=sys.stderr, disable=None) as bar:
            for batch_kpis, batch_units in batches:
                frames.append(
                    fetch_values(
                        batch_kpis,
                        batch_units,
                        year_list,
                        client=client,
                        store=store,
                        progress=bar.update,
                    )
                )
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        unit_note = _fetch_units(store, client, areas, kpi_list, chosen, year_list)
    except ParamsError as error:
        print(error, file=sys.stderr)
        return 2
    except KoladaError as error:
        print(f"Hämtningen misslyckades: {error}", file=sys.stderr)
        return 1
    if unit_note:
        print(unit_note)
    entries = [store.previous_fetch(k, u, year_list, client.base_url) or {} for k, u in batches]
    rows = sum(int(e.get("rows", 0)) for e in entries) if all(entries) else len(frame)
    how = (
        f"ändringar sedan {entries[0]['from_date']}: {rows} rader"
        if all(e.get("incremental") for e in entries)
        else f"{rows} rader"
    )
    print(
        f"Klart: {len(frame)} värden för {frame['kpi'].nunique()} nyckeltal i {store.root} "
        f"({how}, {client.requests_made} anrop)."
    )
    problems: dict[str, int] = {}  # what parse_values repaired, over every batch
    for e in entries:
        for key, count in (e.get("problems") or {}).items():
            problems[key] = problems.get(key, 0) + int(count)
    for line in describe_problems(problems):
        print(f"Obs: {line}.")
    return 0
