"""Swedish number formatting: decimal comma, space between thousands."""

from __future__ import annotations

import math
from collections.abc import Sequence

MISSING = "–"


#: the minus sign of Swedish typography (U+2212), not the hyphen-minus
MINUS = "\u2212"


def number(x: float | int | None, decimals: int = 1) -> str:
    """Format ``x`` the Swedish way: ``12 345,6``, ``−3,5``; ``–`` for missing.

    A value that rounds to zero has no sign ("0,0", never "-0,0").
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    if round(x, decimals) == 0:
        x = 0
    text = f"{x:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace("-", MINUS)


#: units that say nothing after a number ("3,3 antal", "0,8 index" read as "3,3", "0,8")
BARE_UNITS = ("antal", "index")


def unit_after_number(unit: str | None) -> str | None:
    """How ``unit`` reads after a number: ``antal/100 vårdplatser`` as "per 100
    vårdplatser", ``antal`` and ``index`` not at all; every other unit as it is."""
    if not unit or unit in BARE_UNITS:
        return None
    if unit.startswith("antal/"):
        return f"per {unit.removeprefix('antal/')}"
    return unit


def with_unit(x: float | int | None, unit: str | None = None, decimals: int = 1) -> str:
    """``number`` followed by the unit, e.g. ``62,3 %``, ``118 300 kr/elev`` or ``2,7 per
    100 vårdplatser`` (:func:`unit_after_number`)."""
    text = number(x, decimals)
    shown = unit_after_number(unit)
    if text == MISSING or not shown:
        return text
    return f"{text} {shown}"


def decimals_for(unit: str | None, magnitude: float | None = None) -> int:
    """A sensible number of decimals for a unit: none for kronor and counts of people."""
    if unit and unit.startswith("kr"):
        return 0
    if magnitude is not None and not math.isnan(magnitude) and abs(magnitude) >= 1000:
        return 0
    return 1


def difference_unit(unit: str | None) -> str | None:
    """The unit of a difference: percentage points for shares."""
    return "procentenheter" if unit == "%" else unit


def year_text(year: float, preliminary: int | None = None) -> str:
    """A year as text, starred when it is Kolada's preliminary year: ``2025*``.

    Tables, sentences, chart axes and map titles all write the preliminary year this way.
    """
    star = "*" if preliminary is not None and round(year) == int(preliminary) else ""
    return f"{year:.0f}{star}"


#: what a starred year means, said by the chart note and the report footnote alike
_FINAL_LATER = "Kolada publicerar de slutliga värdena senare"
#: the note under a chart or map that shows a starred year
PRELIMINARY_NOTE = f"* preliminärt år: {_FINAL_LATER}"


def met_of(met: int, total: int) -> str:
    """ "2 av 4 indikatorer uppfyllda"; "1 av 1 indikator uppfylld" (the noun agrees with
    the total)."""
    if total == 1:
        return f"{met} av 1 indikator uppfylld"
    return f"{met} av {total} indikatorer uppfyllda"


def indicator_basis(met: int, total: int, *, partly: int = 0, no_data: int = 0) -> str:
    """What a goal's status rests on: "1 av 3 indikatorer uppfyllda, 1 delvis och 1 utan
    data" (the partly met count half, those without data do not count); the report's goal
    sentence and the evaluation's reason say it alike."""
    text = met_of(met, total)
    extra = [f"{partly} delvis"] if partly else []
    extra += [f"{no_data} utan data"] if no_data else []
    return f"{text}, {join_and(extra)}" if extra else text


def trend_until(last: float | None, year: float | None, preliminary: int | None = None) -> str:
    """ " (t.o.m. 2024)" when a trend test's ``last`` year is before the ``year`` judged (that
    year's own value is missing), else "": the trend column says where its test ends."""
    if last is None or year is None or math.isnan(last) or math.isnan(year) or last >= year:
        return ""
    return f" (t.o.m. {year_text(last, preliminary)})"


def preliminary_footnote(year: int) -> str:
    """The report's footnote for a starred year: "2025* är preliminärt: …"."""
    return f"{year}* är preliminärt: {_FINAL_LATER}, och de kan ändras."


def join_and(items: Sequence[str]) -> str:
    """Swedish enumeration: "a", "a och b", "a, b och c" ("" for none)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]
