"""How a params file's values are quoted in messages, and what kind of value each is.

Every message names the bad value as the file spells it (``'N1550'``, ``null``, ``.nan``),
capped at :data:`SHOWN_CHARS` characters, and the kind of a wrong value in Swedish words.
"""

from __future__ import annotations

import math
from typing import Any

#: the most characters of a value quoted in a message (longer ones end in "…")
SHOWN_CHARS = 80


def cap(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` shortened to ``limit`` characters, ending in "…": every value in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show(value: Any) -> str:
    """A value as the params file spells it, capped at :data:`SHOWN_CHARS` characters."""
    if isinstance(value, str):
        text = f"'{value}'"
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        text = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    else:
        try:
            text = str(value)
        except ValueError:  # an int with more digits than Python prints
            text = "ett heltal med tusentals siffror"
    return cap(text)


def is_number(value: Any) -> bool:
    """A finite int or float; booleans, .nan, .inf and ints too large for a float are not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def is_year(value: Any) -> bool:
    """An int that is not a bool (a year is checked against its range separately)."""
    return isinstance(value, int) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    """The kind of ``value`` in Swedish words ("text", "lista" …), for "ska vara … inte …"."""
    return {
        "str": "text",
        "int": "heltal",
        "float": "tal",
        "list": "lista",
        "dict": "mappning",
        "bool": "sant/falskt",
        "NoneType": "tomt värde",
    }.get(type(value).__name__, type(value).__name__)
