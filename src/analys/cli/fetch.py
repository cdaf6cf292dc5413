"""``analys fetch [AREA ...] [--kpi ID ...] [-m CODE ...] [--years A-B]``: Kolada into the store.

The arguments are checked before Kolada is asked (KPI ids, unit codes, the year range); then
the catalogue is refreshed, the ids are checked against it (suggesting close ids for typos)
and the values are fetched with a progress bar (:func:`analys.store.fetch_values`), plus the
unit (OU) values of a named area's KPIs that have them. Exit codes: 0 ok, 2 bad input, 1 when
Kolada kept failing (:mod:`analys.cli.errors`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from difflib import get_close_matches

import pandas as pd
from tqdm import tqdm

from analys import reference
from analys.cli import errors
from analys.errors import ParamsError
from analys.goals import kpi_types, load_area
from analys.kolada import KoladaClient, default_client
from analys.kolada.parse import describe_problems
from analys.store import KPI_ID, UNIT_ID, Store, fetch_values, unit_batches
from analys.store import health as store_health
from analys.store.fetch import stored_span
from analys.store.units import UnitStore, fetch_unit_values

#: ``2015-2024``, ``2024`` or ``2018,2020,2022`` (spaces allowed around each part)
YEARS = re.compile(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*|((?:,\s*\d{4}\s*)+))?")


def parse_years(text: str | Sequence[int] | None) -> list[int] | None:
    """``--years``: a range ``2015-2024``, one year ``2024`` or a list ``2018,2020`` → the
    years, sorted; ``None`` (every year) when not given. ``ParamsError`` otherwise."""
    if text is None:
        return None
    if not isinstance(text, str):
        return sorted({int(y) for y in text})
    match = YEARS.fullmatch(text)
    if not match:
        raise ParamsError(
            f"--years: '{text}' är inget årsintervall – skriv t.ex. 2015-2024, 2024 eller 2018,2020"
        )
    first = int(match.group(1))
    if match.group(3):
        return sorted({first, *(int(y) for y in match.group(3).split(",") if y.strip())})
    last = int(match.group(2) or first)
    if first > last:
        raise ParamsError(f"--years: '{text}' – första året är större än det sista")
    return list(range(first, last + 1))


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``fetch`` sub-command."""
    fetch = commands.add_parser("fetch", help="hämta data från Kolada till det lokala lagret")
    fetch.add_argument("areas", nargs="*", metavar="AREA")
    fetch.add_argument("--kpi", action="append", default=[], metavar="ID")
    fetch.add_argument("-m", "--municipality", action="append", default=[], metavar="KOD")
    fetch.add_argument("--years", metavar="A-B", help="t.ex. 2015-2024, 2024 eller 2018,2020")


def handle(args: argparse.Namespace) -> int:
    """The handler of ``analys fetch`` (errors go to :func:`analys.cli.errors.run`)."""
    return fetch(
        areas=args.areas, kpis=args.kpi, municipalities=args.municipality, years=args.years
    )


def run_fetch(
    *,
    areas: Sequence[str],
    kpis: Sequence[str],
    municipalities: Sequence[str],
    years: str | Sequence[int] | None,
) -> int:
    """``analys fetch`` called from Python: the exit code, the messages printed."""
    return errors.run(
        "fetch", fetch, areas=areas, kpis=kpis, municipalities=municipalities, years=years
    )


def needs(areas: Sequence[str], kpis: Sequence[str]) -> dict[str, set[str]]:
    """KPI id → the unit types wanted (``K``/``L``; empty: every type the KPI has).

    An area's KPIs are wanted for the area's type (:func:`analys.goals.kpi_types`); a KPI
    named with ``--kpi`` for every type it is published for, even when an area has it too.
    """
    named = [k.strip().upper() for k in kpis]
    wanted = kpi_types([load_area(area) for area in areas])
    bad = [k for k in [*named, *wanted] if not KPI_ID.match(k)]
    if bad:
        raise ParamsError(
            f"--kpi: {', '.join(bad)} är inga nyckeltals-id – de ser ut som "
            "N15507 eller U23401 (sök med `analys kpi search TEXT`)"
        )
    if not named and not wanted:
        raise ParamsError(
            "Ange vad som ska hämtas: ett område (t.ex. `analys fetch "
            "grundskola`) eller nyckeltal med --kpi ID"
        )
    ordered = dict.fromkeys([*named, *wanted])
    return {k: set() if k in named else wanted[k] for k in ordered}


def check_ids(store: Store, kpis: list[str], units: list[str] | None) -> None:
    """Check ids against the fetched catalogue, suggesting close ids for typos."""
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


def fetch_units(
    store: Store,
    client: KoladaClient,
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
    from analys.stats.units import unit_kpis as with_unit_data  # import cost: scipy

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


def units_text(codes: Sequence[str]) -> str:
    """ "290 kommuner och riket", "21 regioner och riket", "3 enheter"."""
    types = [reference.municipality_type(c) for c in codes if c != "0000"]
    riket = " och riket" if "0000" in codes else ""
    if types and all(t == "K" for t in types):
        return f"{len(types)} kommuner{riket}"
    if types and all(t == "L" for t in types):
        return f"{len(types)} regioner{riket}"
    return f"{len(codes)} enheter"


def fetch(
    *,
    areas: Sequence[str],
    kpis: Sequence[str],
    municipalities: Sequence[str],
    years: str | Sequence[int] | None,
) -> int:
    """``analys fetch``: 0 when done; raises ``ParamsError`` for bad input, ``KoladaError``
    when Kolada kept failing.

    Without ``-m`` only the unit types the KPIs are published for (an area's own type) and
    Riket are fetched (:func:`analys.store.unit_batches`); without ``--years`` every year.
    """
    year_list = parse_years(years)
    wanted = needs(areas, kpis)
    kpi_list = list(wanted)
    units = [str(m).strip() for m in municipalities] or None
    bad = [u for u in units or () if not UNIT_ID.match(u)]
    if bad:
        raise ParamsError(
            f"-m: {', '.join(bad)} är inga kommunkoder – skriv fyra siffror "
            "(t.ex. 0180), 0000 för riket eller ett grupp-id (G…)"
        )
    store = Store()
    client = default_client()
    store.check_writable()  # before any request to Kolada
    for line in store_health.describe(store.heal(kpi_list), healed=True):
        print(line, file=sys.stderr)
    if store.refresh_metadata(client):
        print(f"Hämtade Koladas katalog från {client.base_url}.", file=sys.stderr)
    check_ids(store, kpi_list, units)
    if units is None:
        n_years = len(year_list) if year_list else None
        span = None if year_list else stored_span(store, kpi_list)
        batches = unit_batches(wanted, store.kpis(), store.municipalities(), n_years, span)
    else:
        batches = [(kpi_list, units)]
    span = f"{year_list[0]}–{year_list[-1]}" if year_list else "alla år"
    for batch_kpis, batch_units in batches:
        print(
            f"Hämtar {len(batch_kpis)} nyckeltal för {units_text(batch_units)}, {span}, "
            f"från {client.base_url} …",
            file=sys.stderr,
        )
    total = sum(
        len(
            client.plan(k, u, year_list, year_span=stored_span(store, k) if not year_list else None)
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
    unit_note = fetch_units(store, client, areas, kpi_list, units, year_list)
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
