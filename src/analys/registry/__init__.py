"""The KPI registry: our curated judgement of each KPI the project uses.

Kolada has no direction or unit field, so ``kpis.yaml`` records, per KPI id, its exact
Kolada title and type, and our polarity (``higher``, ``lower``, ``neutral``), display unit
and short Swedish label for charts, optionally with a denominator KPI.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

POLARITIES = ("higher", "lower", "neutral")


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
    (:func:`analys.own.store.registry_entry`: the demo file's in a demo report, the store's
    import in a store report).
    """
    if isinstance(kpi, str) and kpi.startswith("EGEN-"):
        from analys.own import (
            store as own_store,  # import cost: pyarrow and the store, only when used
        )

        return own_store.registry_entry(kpi)
    return entries().get(kpi)


def polarity(kpi: str) -> str:
    """``higher``, ``lower`` or ``neutral``; unknown KPIs are neutral (never judged)."""
    found = entry(kpi)
    return found["polarity"] if found else "neutral"


def sign(polarity_: str) -> int:
    """``+1`` when higher is better, ``-1`` when lower is better, ``0`` for neutral."""
    return {"higher": 1, "lower": -1}.get(polarity_, 0)


def label(kpi: str) -> str:
    """A short Swedish label for charts; the KPI id when unknown."""
    found = entry(kpi)
    return found["label"] if found else kpi


def unit(kpi: str) -> str | None:
    """The display unit (``%``, ``kr/elev``, ``dagar`` …), ``None`` when unknown."""
    found = entry(kpi)
    return found.get("unit") if found else None


def moving_average(kpi: str) -> int | None:
    """How many years one value averages (Kolada's "treårsmedelvärde" …), ``None`` when one.

    From the registry's ``moving_average`` (checked against Kolada's catalogue by
    tests/test_real_catalogue.py); for KPIs outside the registry see
    :func:`analys.registry.facts.moving_average_years`.
    """
    found = entry(kpi)
    years = found.get("moving_average") if found else None
    return int(years) if years else None


def unit_level_only(kpi: str) -> bool:
    """True when Kolada publishes the KPI per school or unit only (never a municipal indicator)."""
    found = entry(kpi)
    return bool(found and found.get("unit_level_only"))


def averaged_years(kpi: str) -> int | None:
    """:func:`moving_average` for any KPI: the registry's, else what the catalogue says.

    A KPI outside the registry is looked up once in the catalogue the other commands use
    (the store's when fetched, else the demo's) and read by
    :func:`analys.registry.facts.moving_average_years`, so every moving-average KPI in
    Kolada's catalogue is recognised, not only a hand list.
    """
    if entry(kpi) is not None:
        return moving_average(kpi)
    return _catalogue_facts().get(kpi)


@lru_cache(maxsize=1)
def _catalogue_facts() -> dict[str, int]:
    from analys.catalogue import catalogue
    from analys.errors import AnalysError
    from analys.registry.facts import moving_average_years

    try:
        table, _ = catalogue()
    except (AnalysError, OSError, ValueError):
        return {}
    found = {}
    for kpi, title, description in zip(
        table["id"], table["title"], table.get("description", [""] * len(table)), strict=True
    ):
        years = moving_average_years(str(title), "" if description is None else str(description))
        if years:
            found[str(kpi)] = years
    return found
