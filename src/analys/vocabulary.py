"""The shared vocabulary: every constant that several modules use, defined once.

Sources, genders, polarities, statuses, peer options, municipality types and the demo
municipality – each with the Swedish words an analyst reads. Modules import these names
from here and never write their own copy, so a word shown to users is the same everywhere.
This module is the foundation layer: it imports nothing from :mod:`analys` except the errors.
"""

from __future__ import annotations

from analys.errors import ParamsError

#: where values come from: generated demo data, Kolada's API, or the local store of Kolada data
SOURCES = ("demo", "kolada", "store")
#: each source as users read it (widgets, the report index, captions)
SOURCE_LABELS = {
    "demo": "Demodata",
    "kolada": "Kolada (via nätet)",
    "store": "Kolada (lokalt lager)",
}

#: Kolada's gender codes: total, women (kvinnor), men (män)
GENDERS = ("T", "K", "M")
GENDER_WORDS = {"T": "totalt", "K": "kvinnor", "M": "män"}
#: the same codes of a KPI about children (förskola, grundskola): girls and boys
CHILD_GENDER_WORDS = {"T": "totalt", "K": "flickor", "M": "pojkar"}

#: municipalities one is "på", not "i" (islands): "Grundskola på Gotland"
ON_PLACES = frozenset({"Gotland", "Tjörn", "Orust", "Öckerö", "Ekerö", "Värmdö"})


def in_place(name: str) -> str:
    """ "i Örebro", "på Gotland": the preposition a municipality's name takes."""
    return f"på {name}" if name in ON_PLACES else f"i {name}"


#: which direction of a KPI is better; neutral KPIs are never better or worse
POLARITIES = ("higher", "lower", "neutral")
POLARITY_WORDS = {"higher": "högre är bättre", "lower": "lägre är bättre", "neutral": "neutral"}

#: a goal's or indicator's status against its target
STATUSES = ("met", "partly", "not_met", "no_data")
STATUS_LABELS = {
    "met": "Uppfyllt",
    "partly": "Delvis uppfyllt",
    "not_met": "Ej uppfyllt",
    "no_data": "Data saknas",
}
#: "not reaching the goal": not met or only partly met (the one rule; :func:`off_target`)
OFF_TARGET = ("not_met", "partly")
OFF_TARGET_LABEL = "Når inte målet (ej eller delvis uppfyllt)"

#: fewer municipalities than this behind a regression: results are shown with a caution
SMALL_N = 30

#: the peer sets a params file may name (besides a Kolada group id or a list of codes)
PEER_OPTIONS = ("skr", "lan", "liknande", "alla")

#: Kolada's municipality types: K a municipality (kommun), L a region (or Riket)
MUNICIPALITY_TYPES = ("K", "L")
MUNICIPALITY_TYPE_WORDS = {"K": "kommuner", "L": "regioner"}

#: the kinds of target a params file may set, in Swedish (the report's method note, the goal
#: builder's choices), in the order they are offered
TARGET_KIND_WORDS = {
    "value": "nivå (målvärde, ev. målår)",
    "national": "minst som riket",
    "peers_median": "jämförelsegruppens median",
    "peers_quantile": "kvantil i jämförelsegruppen",
    "change": "förändring sedan basår",
    "range": "intervall",
}

#: Örebro, the municipality of the demo and of a new goal draft
DEMO_MUNICIPALITY = "1880"


def sign(polarity: str) -> int:
    """``+1`` when higher is better, ``-1`` when lower is better, ``0`` for neutral.

    Raises
    ------
    ParamsError
        When ``polarity`` is not one of :data:`POLARITIES`.
    """
    if polarity not in POLARITIES:
        raise ParamsError(
            f"polarity: '{polarity}' är inte tillåten – välj higher, lower eller neutral."
        )
    return {"higher": 1, "lower": -1, "neutral": 0}[polarity]
