"""A values frame indexed for the many lookups of an evaluation.

Built once per values frame and passed to :func:`analys.fulfilment.evaluate` many times
(for every municipality of a batch, every draft in the goal builder).
"""

from __future__ import annotations

import pandas as pd

from analys import reference
from analys.frame import wide
from analys.stats.compare import quartile_colours


class ValuesIndex:
    """A values frame indexed for fast lookups: one wide (municipality × year) per KPI/gender.

    Build it once and pass it to ``evaluate`` many times (e.g. for every municipality).
    """

    def __init__(self, data: pd.DataFrame) -> None:
        long = data[["kpi", "municipality", "year", "gender", "value"]]
        self._wide: dict[tuple[str, str], pd.DataFrame] = {}
        self._colours: dict[tuple, pd.DataFrame] = {}
        for (kpi, gender), part in long.groupby(["kpi", "gender"], sort=False):
            self._wide[(str(kpi), str(gender))] = wide(part, columns="year", gender=None)

    def wide(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        """Municipality × year values of one KPI (empty when the frame has none)."""
        return self._wide.get((kpi, gender), pd.DataFrame(dtype=float))

    def colours(
        self, kpi: str, gender: str, year: int, polarity: str, municipality_type: str
    ) -> pd.DataFrame:
        """Quartile colours of one KPI and year among all units of one type (cached)."""
        key = (kpi, gender, year, polarity, municipality_type)
        if key not in self._colours:
            table = self.wide(kpi, gender)
            same = reference.of_type(table.index, municipality_type)
            column = table.loc[same, year] if year in table.columns else pd.Series(dtype=float)
            self._colours[key] = quartile_colours(column, polarity)
        return self._colours[key]

    def latest(self, kpi: str, gender: str, municipality_type: str) -> int | None:
        """The latest year in which any unit of the type has a value (the default year)."""
        key = ("latest", kpi, gender, municipality_type)
        if key not in self._colours:
            table = self.wide(kpi, gender)
            same = table.loc[reference.of_type(table.index, municipality_type)]
            years = [int(y) for y in same.columns[same.notna().any(axis=0).to_numpy()]]
            self._colours[key] = max(years) if years else None
        return self._colours[key]

    def series(self, kpi: str, municipality: str, gender: str = "T") -> pd.Series:
        """One unit's values by year (NaN dropped)."""
        table = self.wide(kpi, gender)
        if municipality not in table.index:
            return pd.Series(dtype=float)
        return table.loc[municipality].dropna()
