"""One entry point for values and metadata, whatever the source.

The contract is docs/data-contract.md#the-values-frame and docs/data-contract.md#sources.

Sources:

* ``demo``   – the embedded synthetic data set (works offline; every output says so);
* ``store``  – what ``analys fetch`` saved under ``data/`` before (works offline);
* ``kolada`` – the live Kolada v3 API; what is fetched is saved in the store too.

The municipality's own indicators (ids ``EGEN-…``, :mod:`analys.own`) are read beside
Kolada's: from the store where ``analys import`` put them (sources ``store`` and
``kolada``), or from the demo's own-indicator file (source ``demo``).

Nothing falls back silently from one source to another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from analys import demo, reference
from analys.demo import units as demo_units
from analys.errors import ParamsError
from analys.frame import as_values_frame, empty_values
from analys.kolada import default_client
from analys.own import store as own_store
from analys.store import Store, fetch_values
from analys.store.units import UnitStore, fetch_unit_values
from analys.vocabulary import SOURCES


def check_source(source: str) -> str:
    """Return ``source`` when it is known, else raise a Swedish ``ParamsError``."""
    if source not in SOURCES:
        raise ParamsError(f"source: '{source}' är inte tillåtet – välj demo, kolada eller store")
    return source


def _as_list(items: str | Iterable | None) -> list | None:
    if items is None:
        return None
    if isinstance(items, str | int):
        return [items]
    return list(items)


def load_values(
    kpis: str | Sequence[str],
    municipalities: str | Sequence[str] | None = None,
    years: int | Sequence[int] | None = None,
    *,
    source: str = "demo",
    genders: Sequence[str] | None = ("T",),
) -> pd.DataFrame:
    """Values for ``kpis`` as the values frame (docs/data-contract.md#the-values-frame).

    Parameters
    ----------
    kpis
        One KPI id or a list of ids.
    municipalities
        Codes of municipalities, regions, ``0000`` or groups; ``None`` for all.
    years
        One year or a list; ``None`` for all years the source has.
    source
        ``demo``, ``store`` or ``kolada``.
    genders
        Which of ``T``, ``K``, ``M`` to keep; ``None`` keeps all.
    """
    check_source(source)
    kpi_list = [str(k) for k in _as_list(kpis)]
    units = None if municipalities is None else [str(m) for m in _as_list(municipalities)]
    year_list = None if years is None else [int(y) for y in _as_list(years)]
    own_ids = [k for k in kpi_list if k.startswith("EGEN-")]
    if own_ids:
        kolada_ids = [k for k in kpi_list if k not in own_ids]
        own = own_store.read_values(own_ids, units, year_list, source=source)
        rest = load_values(kolada_ids, units, year_list, source=source, genders=genders)
        if genders is not None:
            own = own[own["gender"].isin(list(genders))]
        return as_values_frame(pd.concat([rest, own], ignore_index=True))
    if not kpi_list:
        return empty_values()
    if source == "demo":
        frame = demo.load_values(kpi_list, units, year_list)
    elif source == "store":
        frame = Store().read_values(kpi_list, units, year_list)
    else:
        # Kolada needs two of KPIs, units and years: "all" means Riket, regions, municipalities
        everyone = reference.municipalities()["municipality"].tolist()
        frame = fetch_values(kpi_list, units if units is not None else everyone, year_list)
    if genders is not None:
        frame = frame[frame["gender"].isin(list(genders))]
    return as_values_frame(frame)


def load_units(
    municipalities: str | Sequence[str] | None = None, *, source: str = "demo"
) -> pd.DataFrame:
    """The unit (OU) catalogue: schools, preschools, care homes … (part of the stable interface).

    Returns
    -------
    DataFrame
        Columns ``id`` (Kolada's OU id, ``V15E…``), ``title``, ``municipality`` (the code
        Kolada gives the unit, a string) and ``activity`` (the id's V-code, e.g. ``V15``
        grundskola; :mod:`analys.kolada.ou_ids`), sorted by municipality, activity and title.

    Parameters
    ----------
    municipalities
        Municipality codes; ``None`` for all the source has.
    source
        ``demo`` (real ids and names, synthetic values), ``store`` (what ``analys fetch``
        saved) or ``kolada`` (read from the API now and saved in the store).
    """
    check_source(source)
    codes = None if municipalities is None else [str(m) for m in _as_list(municipalities)]
    if source == "demo":
        frame = demo_units.units(codes)
    elif source == "store":
        frame = UnitStore().units(codes)
    else:
        client = default_client()
        frame = client.ous(municipality=codes)
        UnitStore().write_units(frame, codes, client.base_url)
    frame = frame.loc[:, ["id", "title", "municipality", "activity"]]
    return frame.sort_values(["municipality", "activity", "title", "id"]).reset_index(drop=True)


def unit_data(kpis: Sequence[str], source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unit catalogue and the unit values of ``kpis`` (every unit the source has), as the
    reports read them: ``kolada`` reads what the store has saved (a report never fetches)."""
    saved = source if source != "kolada" else "store"
    return load_units(source=saved), load_unit_values(list(kpis), source=saved)


def load_unit_values(
    kpis: str | Sequence[str],
    units: str | Sequence[str] | None = None,
    municipalities: str | Sequence[str] | None = None,
    years: int | Sequence[int] | None = None,
    *,
    source: str = "demo",
    genders: Sequence[str] | None = ("T",),
) -> pd.DataFrame:
    """Unit-level values: the values frame with ``ou`` beside ``municipality``.

    The contract is docs/data-contract.md#unit-values.

    Columns kpi, ou, municipality, year, gender, value, count, status. ``count`` is what
    Kolada gives for the unit (in the demo: the synthetic number of pupils, children or
    survey answers behind the value); ``value`` is NaN when withheld, never 0.

    Parameters
    ----------
    kpis
        KPI ids with unit data (``has_ou_data`` in the catalogue); own indicators
        (``EGEN-…``) give the unit rows their import file had (source ``store``/``kolada``:
        what ``analys import`` stored; ``demo``: the demo's own-indicator file).
    units
        OU ids; ``None`` for every unit (of ``municipalities`` when given).
    municipalities
        Municipality codes whose units are wanted; ``None`` for all.
    years, source, genders
        As in :func:`load_values`.
    """
    check_source(source)
    kpi_list = [str(k) for k in _as_list(kpis)]
    ous = None if units is None else [str(u) for u in _as_list(units)]
    codes = None if municipalities is None else [str(m) for m in _as_list(municipalities)]
    year_list = None if years is None else [int(y) for y in _as_list(years)]
    own_ids = [k for k in kpi_list if k.startswith("EGEN-")]
    if own_ids:
        # own indicators' unit rows (an import file's ``ou`` column) beside Kolada's
        own = own_store.read_unit_values(own_ids, source=source)
        for column, wanted in (("ou", ous), ("municipality", codes), ("year", year_list)):
            if wanted is not None:
                own = own[own[column].isin(wanted)]
        if genders is not None:
            own = own[own["gender"].isin(list(genders))]
        rest_ids = [k for k in kpi_list if k not in own_ids]
        rest = (
            load_unit_values(rest_ids, ous, codes, year_list, source=source, genders=genders)
            if rest_ids
            else empty_values(ou=True)
        )
        return as_values_frame(pd.concat([rest, own], ignore_index=True), ou=True)
    if source == "demo":
        frame = demo_units.load_unit_values(kpi_list, ous, codes, year_list)
    elif source == "store":
        frame = UnitStore().read_unit_values(kpi_list, ous, codes, year_list)
    elif ous is not None:
        frame = default_client().ou_values(kpi_list, ous, year_list)
        if codes is not None:
            frame = frame[frame["municipality"].isin(codes)]
    else:
        frame = fetch_unit_values(kpi_list, codes, year_list)
    if genders is not None:
        frame = frame[frame["gender"].isin(list(genders))]
    return as_values_frame(frame, ou=True)


def load_kpis(source: str = "demo") -> pd.DataFrame:
    """The KPI catalogue of ``source``, with Kolada's metadata fields as columns.

    The own indicators of ``source`` follow Kolada's; the column ``source`` says which is
    which (``kolada`` or ``egen``).
    """
    check_source(source)
    if source == "demo":
        return own_store.with_own(demo.kpis(), source)
    store = Store()
    if source == "kolada":
        store.refresh_metadata()
    return own_store.with_own(store.kpis(), source)


def load_groups(source: str = "demo") -> pd.DataFrame:
    """Municipality groups of ``source``: columns group, title, members (tuple of codes)."""
    check_source(source)
    if source == "demo":
        return demo.groups()
    store = Store()
    if source == "kolada":
        store.refresh_metadata()
    return store.groups()


def snapshot(source: str = "demo") -> dict[str, Any]:
    """What the data is: source, label, snapshot date, URL, API version, demo flag."""
    check_source(source)
    if source == "demo":
        return demo.snapshot()
    return Store().snapshot()
