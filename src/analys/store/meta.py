"""Kolada's catalogues in the store, and what the stored data is.

``meta/kpis.parquet``, ``meta/municipalities.parquet`` and ``meta/groups.parquet`` hold the
catalogues ``analys fetch`` refreshes (weekly, :meth:`analys.store.Store.refresh_metadata`);
:func:`snapshot` describes the stored values for the captions of every output. The
functions take the :class:`~analys.store.Store` they work on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from analys import captions
from analys.errors import AnalysError
from analys.store.files import store_lock, utc_now, write_manifest, write_table

#: the catalogues kept under ``meta/``
META_NAMES = ("kpis", "municipalities", "groups")


def meta_path(root: Path, name: str) -> Path:
    """The file of catalogue ``name`` (one of :data:`META_NAMES`) in the store at ``root``."""
    return root / "meta" / f"{name}.parquet"


def write_catalogues(store: Any, client: Any) -> None:
    """Fetch Kolada's KPI catalogue, municipalities and groups into ``store``'s ``meta/``
    and note when and from where in its manifest (under the store's write lock)."""
    fetched = utc_now()
    kpis = client.kpis()
    units = client.municipalities()
    groups = client.municipality_groups()
    groups = pd.DataFrame(
        {
            "group": groups["id"],
            "title": groups["title"],
            "members": [list(m) for m in groups["members"]],
        }
    )
    with store_lock(store.root):
        for name, table in (("kpis", kpis), ("municipalities", units), ("groups", groups)):
            table = pa.Table.from_pandas(table, preserve_index=False)
            write_table(table, meta_path(store.root, name))
        manifest = store.manifest
        manifest["metadata"] = {
            "fetched": fetched,
            "url": client.base_url,
            "kpis": len(kpis),
            "municipalities": len(units),
            "groups": len(groups),
        }
        # the top-level url stays that of the values: a catalogue from another URL whose
        # values fetch then fails must not make the stored values look as if from there
        write_manifest(store.root, manifest)
    return True


def snapshot(store: Any) -> dict[str, Any]:
    """What the data in ``store`` is (the keys of :func:`analys.demo.snapshot`)."""
    manifest = store.manifest
    if not manifest["kpis"]:
        raise store.empty_error("hämtade värden")
    fetched = manifest["updated"]
    day = fetched[:10]
    stats = manifest["kpis"].values()
    firsts = [s["first_year"] for s in stats if s.get("first_year") is not None]
    lasts = [s["latest_year"] for s in stats if s.get("latest_year") is not None]
    return {
        "source": "store",
        "label": f"{captions.KOLADA_CREDIT} (hämtat {day})",
        "snapshot": f"Kolada {day}",
        "fetched": fetched,
        "url": manifest["url"],
        "api_version": manifest["api_version"],
        "demo": False,
        "first_year": min(firsts) if firsts else None,
        "latest_year": max(lasts) if lasts else None,
        "preliminary_year": preliminary_year(store, list(manifest["kpis"]), day),
    }


def preliminary_year(store: Any, kpis: list[str], day: str) -> int | None:
    """The latest year of ``kpis`` still preliminary on ``day``: its final publication is
    later (by the store's catalogue; ``None`` without one)."""
    try:
        catalogue = store.kpis()
    except AnalysError:
        return None
    rows = catalogue[catalogue["id"].isin(kpis)]
    years = [
        int(p)
        for p, final in zip(rows["publ_period"], rows["publication_date"], strict=True)
        if isinstance(p, str) and p.isdigit() and isinstance(final, str) and final > day
    ]
    return max(years) if years else None
