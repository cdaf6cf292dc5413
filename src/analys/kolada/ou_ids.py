"""The grammar of Kolada's organisational-unit (OU) ids and which units a KPI is about.

An OU id starts with a V-code naming the activity (``V15E…`` is a grundskola), followed by
``E`` (or ``U`` for some regional units) and a number; a few ids contain dots (``V11E26..``).
The municipality is *not* reliably part of the id – always use the catalogue's
``municipality`` field. Ids are renumbered over time, so never join on titles and never
assume an id is stable across years (``docs`` and ``kolada-samples/ou/README.md``).

The V-codes follow Kolada's own grouping (``ou_type``), cross-checked against the real 2024
catalogue.
"""

from __future__ import annotations

import re

ACTIVITIES: dict[str, str] = {
    "V11": "Förskola",
    "V15": "Grundskola",
    "V17": "Gymnasieskola",
    "V21": "Hemtjänst, äldre",
    "V23": "Särskilt boende, äldre",
    "V25": "LSS boende med särskild service",
    "V26": "LSS daglig verksamhet",
    "V28": "LSS daglig verksamhet (övrig)",
    "V29": "Gruppbostad LSS",
    "V30": "Servicebostad LSS",
    "V31": "SoL boendestöd",
    "V32": "SoL boende med särskild service",
    "V34": "SoL sysselsättning",
    "V36": "Personlig assistans",
    "V45": "Våld i nära relationer",
    "V60": "Fastigheter, region",
    "V70": "Regionens vårdenheter",
}
# the plural an analyst reads ("kommunens förskolor")
PLURALS: dict[str, str] = {
    "V11": "förskolor",
    "V15": "grundskolor",
    "V17": "gymnasieskolor",
    "V21": "hemtjänstenheter",
    "V23": "särskilda boenden",
    "V25": "LSS-boenden",
    "V26": "dagliga verksamheter",
    "V29": "gruppbostäder",
    "V30": "servicebostäder",
}
# … and one of them ("1 förskola")
SINGULARS: dict[str, str] = {
    "V11": "förskola",
    "V15": "grundskola",
    "V17": "gymnasieskola",
    "V21": "hemtjänstenhet",
    "V23": "särskilt boende",
    "V25": "LSS-boende",
    "V26": "daglig verksamhet",
    "V29": "gruppbostad",
    "V30": "servicebostad",
}
#: the activities whose units' counts are pupils (compulsory and upper secondary schools)
SCHOOLS = ("V15", "V17")
LSS = ("V25", "V26", "V28", "V29", "V30")
# the KPI id's two digits after N/U → the activities whose units carry it
_KPI_PREFIX: dict[str, tuple[str, ...]] = {
    "11": ("V11",),
    "15": ("V15",),
    "17": ("V17",),
    "21": ("V21",),
    "23": ("V23",),
    "25": LSS,
    "26": LSS,
    "28": LSS,
}
_ID = re.compile(r"^(V\d{2})[A-Z]")


def activity(ou: str) -> str:
    """The V-code of an OU id (``V15E018000101`` → ``V15``); ``""`` when it has none."""
    match = _ID.match(str(ou))
    return match.group(1) if match else ""


def activity_title(code: str) -> str:
    """The Swedish name of an activity (V-code); the code itself when unknown."""
    return ACTIVITIES.get(code, code)


def plural(code: str) -> str:
    """ "grundskolor" for ``V15``; "enheter" when unknown."""
    return PLURALS.get(code, "enheter")


def unit_count(count: int, code: str | None = None) -> str:
    """ "1 förskola", "3 förskolor"; "1 enhet", "2 enheter" when ``code`` is unknown or None."""
    if count == 1:
        return f"1 {SINGULARS.get(code, 'enhet') if code else 'enhet'}"
    return f"{count} {plural(code) if code else 'enheter'}"


def kpi_activities(kpi: str) -> tuple[str, ...] | None:
    """The activities whose units carry ``kpi`` (by its id), ``None`` when not known."""
    text = str(kpi)
    if len(text) < 3 or text[0] not in "NU":
        return None
    return _KPI_PREFIX.get(text[1:3])
