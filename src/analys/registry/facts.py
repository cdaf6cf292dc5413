"""What Kolada's catalogue says about a KPI that shapes the method (docs/judgements.md).

Pure functions on catalogue fields (title, description, perspective, publication), so they
apply to every KPI in any catalogue – the store's (Kolada's whole catalogue) or the demo's –
not to a hand-made list:

- :func:`moving_average_years`: the value is a mean over several years (e.g. N79190
  "treårsmedelvärde", N00923 "fem-årsintervall"); consecutive values share years, so an
  ordinary trend test on them overstates significance and none is made.
- :func:`unit_level_only`: Kolada publishes the KPI per school or unit only (U15416: "redovisas
  värden endast på skolnivå"); it is no municipal indicator.
- :func:`is_stale`: the catalogue has no current publication for the KPI (N17461: no
  publication period), or its title says the series ended ("(-2024)").
- :func:`is_cost`: a cost in kronor under Kolada's perspective "Resurser" – neutral by default.
- :func:`is_absolute_count`: an absolute count ("Elbilsladdpunkter, totalt antal") that only
  tracks the municipality's size – neutral.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_NUMBER_WORDS = {"två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "tio": 10}
_NUMBER = r"(?P<n>två|tre|fyra|fem|sex|sju|åtta|tio|[2-9]|10)"
_MOVING_AVERAGE = [
    # "treårsmedelvärde", "5-årsmedelvärde", "femårsgenomsnitt", "fem-årsintervall"
    re.compile(rf"\b{_NUMBER}\s*-?\s*års?\s*-?\s*(?:medel|genomsnitt|snitt|intervall)", re.I),
    # "Mätperioden är 3 år", "Mätperiod är fem år"
    re.compile(rf"mätperiod(?:en)?\s+är\s+{_NUMBER}\s+år", re.I),
    # "år T-2 till år T", "åren T-3 till T"
    re.compile(r"\bT\s*-\s*(?P<k>[2-9])\s+till\s+(?:år\s+)?T\b", re.I),
    # "år T till år T-2", "åren T till T-3"
    re.compile(r"\bår(?:en)?\s+T\s+till\s+(?:år\s+)?T\s*-\s*(?P<k>[2-9])", re.I),
    # "medelvärde för år T och T-2"
    re.compile(r"medelvärde\s+för\s+(?:åren|år)\s+T\s+och\s+T\s*-\s*(?P<k>[2-9])", re.I),
]
# Kolada's short form in titles: "Fallskador bland personer 80+, 3-årsm, …" (in a description
# it may name another KPI, e.g. an index listing its parts, so only the title counts).
_MOVING_AVERAGE_TITLE = re.compile(rf"\b{_NUMBER}\s*-\s*årsm\b", re.I)
# Without a stated length: "glidande (flerårs)medelvärde", "flerårsmedelvärden".
_MOVING_AVERAGE_SOME = re.compile(r"glidande\s+(?:\w+\s+)?medel|flerårsmedel", re.I)
_UNIT_LEVEL_ONLY = re.compile(
    r"redovisas\s+(?:värden|värdena|uppgifterna)?\s*endast\s+på\s+(?:skol|enhets)nivå", re.I
)
_ENDED = re.compile(r"\(\s*-\s*(\d{4})\s*\)")
_COST_TITLE = re.compile(r"kostnad", re.I)
_KRONOR = re.compile(r"\b(?:t|m)?kr\b|kronor", re.I)


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None or value != value else str(value)


def moving_average_years(title: str, description: str = "") -> int | None:
    """How many years one value averages (3 for "treårsmedelvärde"), else ``None``.

    Looks at the title first, then the description. A mean over several years without a
    stated length ("glidande flerårsmedelvärde") counts as 2, the least it can be.
    """
    short = _MOVING_AVERAGE_TITLE.search(str(title or ""))
    if short:
        word = short.group("n").lower()
        return _NUMBER_WORDS.get(word) or int(word)
    for text in (str(title or ""), str(description or "")):
        for pattern in _MOVING_AVERAGE:
            match = pattern.search(text)
            if match is None:
                continue
            groups = match.groupdict()
            if groups.get("k"):
                return int(groups["k"]) + 1
            word = groups["n"].lower()
            return _NUMBER_WORDS.get(word) or int(word)
        if _MOVING_AVERAGE_SOME.search(text):
            return 2
    return None


def unit_level_only(description: str) -> bool:
    """True when the catalogue says values are published per school or unit only."""
    return bool(_UNIT_LEVEL_ONLY.search(str(description or "")))


def ended_year(title: str) -> int | None:
    """The last year of a series Kolada has ended ("… (-2024)"), else ``None``."""
    match = _ENDED.search(str(title or ""))
    return int(match.group(1)) if match else None


def is_stale(row: Mapping[str, Any]) -> bool:
    """No current publication: no publication period in the catalogue, or an ended series."""
    return not _text(row, "publ_period").strip() or ended_year(_text(row, "title")) is not None


def is_cost(row: Mapping[str, Any]) -> bool:
    """A cost in kronor (kr/inv, kr/elev, kr/brukare …) under perspective "Resurser"."""
    title = _text(row, "title")
    return (
        _text(row, "perspective") == "Resurser"
        and bool(_COST_TITLE.search(title))
        and bool(_KRONOR.search(title))
    )


def is_net_cost_deviation(row: Mapping[str, Any]) -> bool:
    """Kolada's "Nettokostnadsavvikelse": actual against reference cost (0 = as expected)."""
    return "nettokostnadsavvikelse" in _text(row, "title").lower()


def is_absolute_count(row: Mapping[str, Any]) -> bool:
    """An absolute count ("…, totalt antal", "Invånare totalt, antal"): it tracks size.

    Ratios ("antal/1000 inv", "per årsarbetare", "Elever/lärare") are not absolute counts.
    """
    title = _text(row, "title")
    lowered = title.lower()
    if not re.search(r"\bantal\s*$|,\s*totalt antal\b|,\s*antal\s*$", lowered):
        return False
    return "/" not in title and not re.search(r"\bper\b", lowered)


def facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every fact above for one catalogue row (``title``, ``description`` … as in Kolada)."""
    title, description = _text(row, "title"), _text(row, "description")
    return {
        "moving_average": moving_average_years(title, description),
        "unit_level_only": unit_level_only(description),
        "stale": is_stale(row),
        "ended": ended_year(title),
        "cost": is_cost(row),
        "net_cost_deviation": is_net_cost_deviation(row),
        "absolute_count": is_absolute_count(row),
    }


#: the first character(s) of a registry ``judgement`` and the polarity they state
NOTE_MARKS = {"↑": "higher", "↓": "lower", "neutral": "neutral"}
#: words in a note that say the KPI has no direction (a contradiction next to ↑ or ↓)
UNDIRECTED_WORDS = ("kontext", "förklaringsvariabel", "inte bättre", "≠ bättre", "ingen kvalitet")


def rule_polarity(row: Mapping[str, Any]) -> str | None:
    """``"neutral"`` when the written rule (docs/judgements.md) fixes the KPI as neutral.

    Costs in kronor under "Resurser", net cost deviations and absolute counts are neutral
    whatever else is said; for any other KPI the rule leaves the direction to a stated
    reason (``None``).
    """
    if is_cost(row) or is_net_cost_deviation(row) or is_absolute_count(row):
        return "neutral"
    return None


def note_polarity(judgement: str) -> str | None:
    """The polarity a registry note states by its first mark (↑, ↓ or neutral), else None."""
    text = str(judgement or "").strip()
    for mark, polarity in NOTE_MARKS.items():
        if text.startswith(mark):
            return polarity
    return None


def rule_problems(kpi: str, entry: Mapping[str, Any], row: Mapping[str, Any]) -> list[str]:
    """Where a registry entry contradicts its own note or the rule (empty when it agrees).

    ``row`` holds the catalogue's fields for the KPI (title, description, perspective).
    """
    problems = []
    polarity = entry.get("polarity")
    note = str(entry.get("judgement") or "")
    stated = note_polarity(note)
    if stated is None:
        problems.append(f"{kpi}: anteckningen börjar inte med ↑, ↓ eller neutral: {note!r}")
    elif stated != polarity:
        problems.append(f"{kpi}: polarity {polarity} men anteckningen säger {stated}: {note!r}")
    reason = note.split("–", 1)[1].strip() if "–" in note else ""
    if not reason:
        problems.append(f"{kpi}: anteckningen saknar motivering efter ' – ': {note!r}")
    if polarity != "neutral" and any(w in note.lower() for w in UNDIRECTED_WORDS):
        problems.append(f"{kpi}: polarity {polarity} men anteckningen talar emot: {note!r}")
    required = rule_polarity(row)
    if required and polarity != required:
        problems.append(
            f"{kpi}: regeln kräver {required} (kostnad, nettokostnadsavvikelse eller absolut "
            f"antal) men registret säger {polarity}"
        )
    return problems
