"""``analys kpi search TEXT`` and ``analys kpi show ID``: the KPI catalogue on the terminal.

The answers come from :mod:`analys.catalogue` (the store's catalogue when fetched, else the
demo's) and say which catalogue answered. Kolada's texts are printed through
:func:`analys.safe.terminal_text`: no escapes or forged lines.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from analys.catalogue import DISCONTINUED, search, show
from analys.registry import facts
from analys.safe import terminal_text
from analys.store import Store

TYPES = {"K": "kommuner", "L": "regioner", "A": "kommuner och regioner"}
#: Kolada's ``auspice`` codes as we read them (Kolada does not document them)
AUSPICES = {
    "E": "egen regi",
    "P": "privat regi / köpt",
    "O": "andra offentliga huvudmän",
    "T": "alla huvudmän",
    "X": "ej tillämpligt",
    "A": "kommunalförbund m.fl.",
}
POLARITY = {
    "higher": "högre är bättre",
    "lower": "lägre är bättre",
    "neutral": "neutral (varken högre eller lägre är bättre)",
}


def add_parser(commands: argparse._SubParsersAction, parser_class: type) -> None:
    """The ``kpi search`` and ``kpi show`` sub-commands."""
    kpi = commands.add_parser("kpi", help="sök och visa nyckeltal")
    kpi_commands = kpi.add_subparsers(
        dest="kpi_command", metavar="search|show", parser_class=parser_class
    )
    kpi_commands.required = True
    search_parser = kpi_commands.add_parser("search", help="sök nyckeltal på titel")
    search_parser.add_argument("text")
    show_parser = kpi_commands.add_parser("show", help="visa ett nyckeltal")
    show_parser.add_argument("id")


def handle(args: argparse.Namespace) -> int:
    """The handler of ``analys kpi``."""
    if args.kpi_command == "search":
        return search_cli(args.text)
    return show_cli(args.id)


def _source_line(used: str) -> str:
    if used == "store":
        meta = Store().manifest.get("metadata") or {}
        day = (meta.get("fetched") or "")[:10]
        return f"Källa: Koladas katalog i det lokala lagret (hämtad {day})."
    return (
        "Källa: demokatalogen (de nyckeltal projektet använder). Kör `analys fetch` för "
        "att söka i Koladas hela katalog."
    )


def search_cli(text: str) -> int:
    """``analys kpi search TEXT``: matching KPIs (id, title, area); exit 0, or 2 for no text."""
    if not str(text).strip():
        print("Skriv ett sökord, t.ex. `analys kpi search meritvärde`.", file=sys.stderr)
        return 2
    hits = search(text)
    print(_source_line(hits.attrs["source"]))
    if hits.empty:
        print(terminal_text(f"Inga nyckeltal matchar '{text}'."))
        return 0
    for kpi, title, area in zip(hits["id"], hits["title"], hits["area"], strict=True):
        print(terminal_text(f"{kpi}  {title}  [{area or '–'}]"))
    print(f"{len(hits)} nyckeltal.")
    return 0


def _auspice(code: Any) -> str:
    """Kolada's ``auspice`` code with our reading of it (the codes are not documented)."""
    if not code:
        return "–"
    reading = AUSPICES.get(code)
    return f"{code} ({reading}; tolkad kod)" if reading else str(code)


def _yes_no(value: Any) -> str:
    if value is None:
        return "–"
    return "ja" if bool(value) else "nej"


def _fact_lines(meta: dict[str, Any]) -> list[str]:
    """Notes from the catalogue's facts that shape the method (docs/judgements.md)."""
    lines = []
    years = facts.moving_average_years(meta.get("title") or "", meta.get("description") or "")
    if years:
        lines.append(f"Obs: varje värde är ett medelvärde över {years} år – inget trendtest görs.")
    if facts.unit_level_only(meta.get("description") or ""):
        lines.append("Obs: redovisas bara per skola eller enhet – inget kommunnyckeltal.")
    if not meta.get("publ_period") and not DISCONTINUED.search(str(meta.get("title") or "")):
        lines.append("Obs: ingen aktuell publicering i katalogen – serien kan ha upphört.")
    return lines


def show_cli(kpi_id: str) -> int:
    """``analys kpi show ID``: Kolada's metadata and the registry entry; ``ParamsError``
    (exit 2) when the id is unknown."""
    info = show(kpi_id)
    meta, entry = info["kolada"], info["registry"]
    kind = meta.get("municipality_type")
    auspice = meta.get("auspice")
    lines = [
        f"{info['id']}  {meta.get('title') or ''}",
        "",
        f"Beskrivning:            {meta.get('description') or '–'}",
        f"Verksamhetsområde:      {meta.get('operating_area') or '–'}",
        f"Perspektiv:             {meta.get('perspective') or '–'}",
        f"Finns för:              {TYPES.get(kind, kind or '–')}",
        f"Huvudman:               {_auspice(auspice)}",
        f"Könsuppdelat:           {_yes_no(meta.get('is_divided_by_gender'))}",
        f"Enhetsdata:             {_yes_no(meta.get('has_ou_data'))}",
        f"Publiceringsperiod:     {meta.get('publ_period') or '–'}",
        f"Preliminär publicering: {meta.get('prel_publication_date') or '–'}",
        f"Slutlig publicering:    {meta.get('publication_date') or '–'}",
    ]
    if info["discontinued"]:
        lines.append(
            f"Obs: serien är avslutad ({info['discontinued']}) – välj ett nyare nyckeltal."
        )
    lines += _fact_lines(meta)
    lines.append("")
    if entry:
        lines += [
            "Projektets bedömning (registret):",
            f"  Riktning:  {POLARITY.get(entry.get('polarity'), entry.get('polarity'))}",
            f"  Enhet:     {entry.get('unit') or '–'}",
            f"  Kortnamn:  {entry.get('label') or '–'}",
        ]
        if entry.get("judgement"):
            lines.append(f"  Motivering: {entry['judgement']}")
    else:
        lines.append(
            "Projektets register saknar nyckeltalet: ingen riktning bedömd, så det färgläggs inte."
        )
    lines += ["", _source_line(info["source"])]
    print("\n".join(terminal_text(line) for line in lines))  # Kolada's text: no escapes
    return 0
