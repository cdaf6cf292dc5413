"""The KPI registry: our curated judgement of each KPI the project uses.

Kolada has no direction or unit field, so ``kpis.yaml`` records, per KPI id, its exact
Kolada title and type, and our polarity (``higher``, ``lower``, ``neutral``), display unit
and short Swedish label for charts, optionally with a denominator KPI.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from analys.vocabulary import CHILD_GENDER_WORDS, GENDER_WORDS

#: entries of KPIs the registry file does not hold, looked up by id prefix: the
#: municipality's own indicators (``EGEN-…``) add theirs when :mod:`analys.own` is imported
#: (their definitions live in the import files, which the registry does not read)
LOOKUPS: dict[str, Callable[[str], dict[str, Any] | None]] = {}


def add_lookup(prefix: str, lookup: Callable[[str], dict[str, Any] | None]) -> None:
    """Let ``lookup(kpi)`` give the entries of KPI ids starting with ``prefix``."""
    LOOKUPS[prefix] = lookup


@lru_cache(maxsize=1)
def entries() -> dict[str, dict[str, Any]]:
    """Every registry entry, keyed by KPI id."""
    text = resources.files(__name__).joinpath("kpis.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def frame() -> pd.DataFrame:
    """The registry as a frame indexed by ``kpi``."""
    table = pd.DataFrame.from_dict(entries(), orient="index")
    table.index.name = "kpi"
    return table


def entry(kpi: str) -> dict[str, Any] | None:
    """One KPI's entry, or ``None`` when the registry does not know it.

    Own indicators (``EGEN-…``) get theirs from their import file's metadata
    (:func:`analys.own.store.registry_entry`, through :data:`LOOKUPS`: the demo file's in a
    demo report, the store's import in a store report).
    """
    if isinstance(kpi, str):
        for prefix, lookup in LOOKUPS.items():
            if kpi.startswith(prefix):
                return lookup(kpi)
    return entries().get(kpi)


def polarity(kpi: str) -> str:
    """``higher``, ``lower`` or ``neutral``; unknown KPIs are neutral (never judged)."""
    found = entry(kpi)
    return found["polarity"] if found else "neutral"


def label(kpi: str) -> str:
    """A short Swedish label for charts; the KPI id when unknown."""
    found = entry(kpi)
    return found["label"] if found else kpi


#: Kolada's operating areas whose KPIs count children: their K and M are girls and boys
CHILD_OPERATING_AREAS = ("Förskol", "Grundskol")


def gender_words(kpi: str) -> dict[str, str]:
    """What Kolada's gender codes (T, K, M) mean for ``kpi``, in Swedish.

    Kolada calls its split kvinnor/män for every KPI; of pupils in åk 6 or 9 and of
    preschool children an analyst says flickor/pojkar. Known from the KPI's operating area
    (Kolada's ``operating_area``: "Grundskola åk 0-9 …", "Förskoleverksamhet").
    """
    found = entry(kpi) or {}
    area = str(found.get("operating_area") or "")
    if area.startswith(CHILD_OPERATING_AREAS):
        return CHILD_GENDER_WORDS
    return GENDER_WORDS


def gender_gap_words(kpi: str) -> tuple[str, str]:
    """The two sides of a gender gap for ``kpi``: ``("kvinnor", "män")`` or
    ``("flickor", "pojkar")``."""
    words = gender_words(kpi)
    return words["K"], words["M"]


def unit(kpi: str) -> str | None:
    """The display unit (``%``, ``kr/elev``, ``dagar`` …), ``None`` when unknown."""
    found = entry(kpi)
    return found.get("unit") if found else None


def moving_average(kpi: str) -> int | None:
    """How many years one value averages (Kolada's "treårsmedelvärde" …), ``None`` when one.

    From the registry's ``moving_average`` (checked against Kolada's catalogue by
    tests/registry/test_real_catalogue.py); for any KPI see :func:`analys.catalogue.averaged_years`.
    """
    found = entry(kpi)
    years = found.get("moving_average") if found else None
    return int(years) if years else None


def unit_level_only(kpi: str) -> bool:
    """True when Kolada publishes the KPI per school or unit only (never a municipal indicator)."""
    found = entry(kpi)
    return bool(found and found.get("unit_level_only"))
