"""The demo's comparison groups: Kolada's fixed groups and synthetic "Liknande" groups.

Fixed groups (SKR municipality groups, counties, size classes) come from the reference facts;
the "Liknande kommuner/regioner" groups are each unit's seven nearest on the area's
structural drivers, titled in Kolada's own forms (:func:`liknande_title`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys import reference
from analys.demo import model
from analys.demo.model import REFERENCE_YEAR
from analys.demo.world import LAST_YEAR, REF, World


def liknande_title(word: str, name: str, year: int, *, regions: bool = False) -> str:
    """A comparison-group title in Kolada's own forms (see the real group catalogue).

    "Liknande kommuner grundskola, Örebro, 2024"; the overall group and the regions' health
    care group put a comma after the noun: "Liknande kommuner, övergripande, Örebro, 2025",
    "Liknande regioner, hälso- och sjukvård (inkl läkemedel), Region Örebro län, 2024".
    """
    noun = "regioner" if regions else "kommuner"
    comma = "," if word in ("övergripande", "hälso- och sjukvård (inkl läkemedel)") else ""
    return f"Liknande {noun}{comma} {word}, {name}, {year}"


def _nearest(columns: list[np.ndarray], k: int = 7) -> np.ndarray:
    """Row indices of the ``k`` nearest units (Euclidean over z-scores), self excluded."""
    z = np.column_stack(columns)
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    distance = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    return np.argsort(distance, axis=1, kind="stable")[:, :k]


def liknande_groups(world: World) -> pd.DataFrame:
    """ "Liknande kommuner <område>, <kommun>, <år>": the 7 nearest on standardised drivers.

    Distance is Euclidean over z-scores (2024, 290 municipalities) of the area's
    structural KPIs (``logX`` means log10 of X). Ids: ``GL`` + area code + municipality
    code, e.g. ``GLGR1880``; real Kolada group ids are ``G`` + digits only. Titles follow
    Kolada's forms (:func:`liknande_title`); the overall group is dated a year later, as in
    Kolada. Then the regions' groups (:func:`liknande_region_groups`).
    """
    rows = []
    for word, (code, drivers) in model.LIKNANDE.items():
        columns = []
        for d in drivers:
            x = world.values[d.removeprefix("log")][:, REF]
            columns.append(np.log10(x) if d.startswith("log") else x)
        nearest = _nearest(columns)
        year = LAST_YEAR if word == "övergripande" else REFERENCE_YEAR
        for i, focus in enumerate(world.codes):
            rows.append(
                {
                    "group": f"GL{code}{focus}",
                    "title": liknande_title(word, reference.title(focus), year),
                    "members": [str(world.codes[j]) for j in nearest[i]],
                }
            )
    return pd.concat([pd.DataFrame(rows), liknande_region_groups(world)], ignore_index=True)


def liknande_region_groups(world: World) -> pd.DataFrame:
    """ "Liknande regioner …, Region X, 2024": each region's 7 nearest regions.

    A region's drivers are the population-weighted means of its municipalities' values
    (population itself summed) in 2024. Ids: ``GLR`` + area code + region code.
    """
    regions = reference.region_codes()
    population = world.values["N01951"][:, REF]
    rows = []
    for word, (code, drivers) in model.LIKNANDE_REGIONER.items():
        columns = []
        for d in drivers:
            kpi = d.removeprefix("log")
            x = world.values[kpi][:, REF]
            per_region = []
            for region in regions:
                inside = world.counties == region[2:]
                if kpi == "N01951":
                    per_region.append(population[inside].sum())
                else:
                    per_region.append(np.average(x[inside], weights=population[inside]))
            value = np.asarray(per_region, dtype=float)
            columns.append(np.log10(value) if d.startswith("log") else value)
        nearest = _nearest(columns)
        for i, focus in enumerate(regions):
            rows.append(
                {
                    "group": f"GLR{code}{focus}",
                    "title": liknande_title(
                        word, reference.title(focus), REFERENCE_YEAR, regions=True
                    ),
                    "members": [str(regions[j]) for j in nearest[i]],
                }
            )
    return pd.DataFrame(rows)


def build_groups(world: World) -> pd.DataFrame:
    """Fixed groups (SKR, county, size class) followed by the Liknande groups."""
    fixed = reference.fixed_groups()
    table = pd.DataFrame(
        {
            "group": fixed["group"],
            "title": fixed["title"],
            "members": [list(m) for m in fixed["members"]],
        }
    )
    return pd.concat([table, liknande_groups(world)], ignore_index=True)
