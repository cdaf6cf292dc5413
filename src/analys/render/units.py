"""Unit reports in the batch: the jobs ``analys render AREA -m CODE --units`` adds.

One report per unit of the municipality whose kind the area's unit KPIs cover, from
``notebooks/enhet.ipynb``, written to ``OUT/<municipality>/<area>/<ou-id>.html`` (and
``.ipynb``) and listed under the municipality in ``index.html``. A unit without any value for
the area is skipped, with a note in the summary. Light on purpose (no IPython): the render
parent imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analys import reference
from analys.render.jobs import Job

UNIT_TEMPLATE = "enhet.ipynb"


def units_to_render(area: Any, municipality: str, source: str) -> pd.DataFrame:
    """The municipality's units of the area's kinds: id, title, activity, has_data.

    ``has_data`` is False for a unit without any value for the area's unit KPIs.
    """
    from analys import data
    from analys.kolada.ou_ids import kpi_activities
    from analys.stats import units as U

    columns = ["id", "title", "activity", "has_data"]
    kpis = U.unit_kpis(area.kpis, data.load_kpis(source))
    if not kpis:
        return pd.DataFrame(columns=columns)
    read = "store" if source == "kolada" else source
    catalogue = data.load_units([municipality], source=read)
    values = data.load_unit_values(kpis, municipalities=[municipality], source=read)
    kinds: set[str] = set()
    for kpi in kpis:
        kinds |= set(kpi_activities(kpi) or ())
    own = catalogue[catalogue["activity"].isin(kinds)] if kinds else catalogue
    with_data = set(values.loc[values["value"].notna(), "ou"])
    out = own.assign(has_data=own["id"].isin(with_data))
    return out.loc[:, columns].reset_index(drop=True)


def unit_jobs(
    spec: Any,
    code: str,
    templates: Path,
    out: Path,
    *,
    source: str,
    year: int | None,
    show_code: bool,
) -> tuple[list[Job], list[str]]:
    """The unit jobs of one (area, municipality) pair and Swedish notes on skipped units."""
    template = templates / UNIT_TEMPLATE
    if not template.is_file():
        return [], [f"Enhetsrapporter: mallen {template} saknas – inga enhetsrapporter."]
    place = reference.title(code)
    try:
        from analys import data
        from analys.stats import units as U

        kpis = U.unit_kpis(
            spec.area.kpis, data.load_kpis("store" if source == "kolada" else source)
        )
        if not kpis:  # e.g. a region area: Kolada has no unit data for its KPIs
            return [], [
                f"Enhetsrapporter för {place} {spec.title}: området har inga nyckeltal med "
                "data per enhet (skola, förskola, boende …) i Kolada – inga enhetsrapporter."
            ]
        if source == "kolada":  # bring the units' values into the store first
            from analys.store.units import fetch_unit_values

            fetch_unit_values(kpis, [code], None)
        units = units_to_render(spec.area, code, source)
    except Exception as error:  # noqa: BLE001 - a store without units must not stop the batch
        return [], [f"Enhetsrapporter för {place} {spec.title}: {error}"]
    if units.empty:
        return [], [
            f"Enhetsrapporter för {place} {spec.title}: {place} har inga enheter av de slag "
            "områdets nyckeltal gäller i enhetsregistret – inga enhetsrapporter."
        ]
    jobs, notes = [], []
    folder = out / code / spec.name
    for unit in units.itertuples():
        if not unit.has_data:
            notes.append(
                f"Hoppade över {unit.title} ({unit.id}, {place}): inga värden "
                f"för {spec.title.lower()}s nyckeltal på enhetsnivå."
            )
            continue
        params = {
            "area": spec.ref,
            "municipality": code,
            "ou": unit.id,
            "source": source,
            "year": year,
        }
        jobs.append(
            Job(
                key=f"{code}/{spec.name}/{unit.id}",
                kind="unit",
                area=spec.name,
                title=f"{spec.title}: {unit.title}",
                municipality=code,
                municipality_name=reference.title(code),
                template=str(template),
                parameters=params,
                ipynb=str(folder / f"{unit.id}.ipynb"),
                html=str(folder / f"{unit.id}.html"),
                show_code=show_code,
            )
        )
    return jobs, notes
