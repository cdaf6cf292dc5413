"""The data an explorer works on: a :class:`Session` of values loaded once, and the
KPI and unit choices offered in the controls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import pandas as pd

from analys import goals, reference, registry
from analys.data import check_source, load_groups, load_values, snapshot
from analys.errors import AnalysError
from analys.frame import wide
from analys.own import store as own_store
from analys.store import Store
from analys.vocabulary import SOURCE_LABELS

NO_GROUPS = pd.DataFrame({"group": [], "title": [], "members": []})


class Session:
    """The values one explorer works on, loaded once and kept.

    With ``preload`` (the default for demo and store) every registry KPI the source has is
    read in one call when the session is made; otherwise (Kolada: each KPI is a fetch)
    a KPI is loaded the first time it is asked for. Either way nothing is loaded twice.
    """

    def __init__(
        self,
        source: str,
        genders: Sequence[str] | None = None,
        *,
        preload: bool | None = None,
    ) -> None:
        self.source = check_source(source)
        self.genders = genders
        self._frames: dict[str, pd.DataFrame] = {}
        self._wide: dict[tuple[str, str], pd.DataFrame] = {}
        self._groups: pd.DataFrame | None = None
        self.kpis = self._available()
        if preload if preload is not None else source != "kolada":
            frame = load_values(self.kpis, source=source, genders=genders)
            for kpi, part in frame.groupby("kpi", sort=False):
                self._frames[str(kpi)] = part.reset_index(drop=True)
            empty = frame.iloc[0:0]
            for kpi in self.kpis:
                self._frames.setdefault(kpi, empty)

    @property
    def preliminary(self) -> int | None:
        """Kolada's preliminary year for this source (written "2025*"), ``None`` when none."""
        if not hasattr(self, "_preliminary"):
            try:
                year = snapshot(self.source if self.source != "kolada" else "store").get(
                    "preliminary_year"
                )
            except AnalysError:
                year = None
            self._preliminary = int(year) if year else None
        return self._preliminary

    def _available(self) -> list[str]:
        known = list(registry.entries())
        own = list(own_store.entries(self.source))  # the municipality's own indicators
        if self.source != "store":
            return known + own
        stored = set(Store().manifest.get("kpis", {}))
        have = [kpi for kpi in known if kpi in stored] + own
        if not have:
            raise AnalysError(
                "Det lokala lagret har inga värden för registrets nyckeltal – hämta först med "
                "'analys fetch' eller välj Demodata."
            )
        return have

    def frame(self, kpi: str) -> pd.DataFrame:
        """The values frame of one KPI: all units, years and loaded genders."""
        if kpi in self._frames:
            return self._frames[kpi]
        if kpi not in self.kpis:
            raise AnalysError(f"{registry.label(kpi)} ({kpi}) finns inte i källan {self.label}.")
        frame = load_values(kpi, source=self.source, genders=self.genders)
        self._frames[kpi] = frame
        return frame

    def wide(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        """One KPI and gender as a table: a row per unit, a column per year."""
        key = (kpi, gender)
        if key in self._wide:
            return self._wide[key]
        table = wide(self.frame(kpi), columns="year", gender=gender)
        table.columns = [int(y) for y in table.columns]
        self._wide[key] = table
        return table

    def groups(self) -> pd.DataFrame:
        """The source's municipality groups (for "Liknande kommuner" and G… ids)."""
        if self._groups is None:
            self._groups = load_groups(self.source)
        return self._groups

    def years(self) -> list[int]:
        """Years with any value among the KPIs loaded so far."""
        found: set[int] = set()
        for frame in self._frames.values():
            found.update(int(y) for y in frame.loc[frame["value"].notna(), "year"].unique())
        return sorted(found)

    @property
    def label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def type_kpis(kpis: Iterable[str], kind: str) -> list[str]:
    """The KPIs reported for units of ``kind`` (``K`` or ``L``): their own type or ``A``."""
    return [k for k in kpis if (registry.entry(k) or {}).get("municipality_type") in (kind, "A")]


def kpi_label(kpi: str) -> str:
    return f"{registry.label(kpi)} ({kpi})"


def kpi_matches(kpi: str, needle: str) -> bool:
    entry = registry.entry(kpi) or {}
    hay = f"{kpi} {entry.get('title', '')} {entry.get('label', '')}".lower()
    return all(word in hay for word in needle.lower().split())


def kpi_options(kpis: Iterable[str], search: str = "", area: str = "") -> list[tuple[str, str]]:
    """Dropdown options ``(label (id), id)``, filtered by words and by policy area."""
    chosen = [
        k
        for k in kpis
        if (not area or (registry.entry(k) or {}).get("area") == area) and kpi_matches(k, search)
    ]
    return sorted(((kpi_label(k), k) for k in chosen), key=lambda o: o[0].lower())


def municipality_options(kind: str | None = None, search: str = "") -> list[tuple[str, str]]:
    """``(name (code), code)`` for municipalities and regions (of ``kind`` when given)."""
    units = reference.municipalities()
    units = units[units["municipality"] != reference.RIKET]
    if kind is not None:
        units = units[units["type"] == kind]
    needle = search.strip().lower()
    if needle:
        hit = units["title"].str.lower().str.contains(needle, regex=False)
        units = units[hit | (units["municipality"] == search.strip())]
    pairs = zip(units["title"], units["municipality"], strict=True)
    return [(f"{title} ({code})", code) for title, code in pairs]


@lru_cache(maxsize=1)
def area_titles() -> dict[str, str]:
    titles = {}
    for name in goals.list_areas():
        try:
            titles[name] = str(goals.read_params(goals.area_path(name)).get("title") or name)
        except AnalysError:
            titles[name] = name
    return titles
