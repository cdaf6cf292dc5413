"""``analys import FILE`` and ``analys import --template AREA [--out FILE]``: own indicators.

``import`` checks a CSV or Excel file of the municipality's own indicators and stores them
(:func:`analys.own.store.import_file`); ``--template`` writes the collection form of an
area's own indicators (:func:`analys.own.template.write_template`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analys.data import load_units
from analys.errors import AnalysError, ParamsError
from analys.goals import load_area
from analys.own.store import import_file
from analys.own.template import write_template
from analys.safe import terminal_text
from analys.store.files import store_root


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``import`` sub-command."""
    own = commands.add_parser("import", help="läs in egna nyckeltal (CSV/Excel) till lagret")
    own.add_argument("file", nargs="?", metavar="FIL", help=".csv eller .xlsx med metadata")
    own.add_argument("--template", metavar="AREA", help="skriv en insamlingsmall för området")
    own.add_argument(
        "--out", metavar="FIL", help="mallens filnamn (standard: ./insamling_AREA.xlsx)"
    )


def handle(args: argparse.Namespace) -> int:
    """The handler of ``analys import``."""
    if args.template:
        return template(args.template, args.out)
    return import_own(args.file)


def unit_ids(municipality: str, source: str) -> list[str]:
    """The municipality's organisational units (ids), when the units catalogue is available."""
    try:
        table = load_units([municipality], source=source)
    except AnalysError:
        return []
    return sorted(table["id"].astype(str)) if "id" in table.columns else []


def template(area_name: str, out: str | None) -> int:
    """``analys import --template AREA``: write the collection form, print where."""
    area = load_area(area_name)
    path = write_template(area, out, units=unit_ids(area.municipality, area.source))
    print(f"Insamlingsmallen är skriven: {path}")
    return 0


def import_own(file: str | None) -> int:
    """``analys import FILE``: check and store the file's own indicators, one line each."""
    if not file:
        raise ParamsError("Ange en fil att läsa in (analys import FIL) eller --template OMRÅDE.")
    try:
        written = import_file(file)
    except OSError as error:
        raise AnalysError(
            f"Kunde inte skriva till det lokala lagret {store_root()}: {error.strerror or error} "
            "– kontrollera att mappen är skrivbar (eller sätt ANALYS_DATA_DIR)."
        ) from error
    for kpi, entry in written.items():
        years = (
            f"{entry['first_year']}–{entry['latest_year']}" if entry["first_year"] else "inga år"
        )
        print(
            f"{kpi}  {terminal_text(entry['meta']['title'])}: {entry['rows']} värden, "
            f"{len(entry['municipalities'])} kommun(er), {years}"
        )
    print(
        f"Inläst från {Path(file).name} till det lokala lagret {store_root()} "
        "(källa: egen uppgift)."
    )
    return 0
