"""The trend explorer at the unit level: a school or care home over the years.

At the unit level (control ``level`` = ``enhet``) the KPI list holds the KPIs with unit data,
``unit`` the chosen municipality's units of the KPI's kind, and the chart and table compare
the unit with the municipality's other units and all units of its kind in Sweden
(:mod:`analys.stats.units`). :class:`UnitLevel` is the part of
:class:`~analys.widgets.TrendExplorer` that loads, chooses and shows units;
:func:`unit_history` is its computation.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analys import captions, plots, reference, registry, safe
from analys.data import load_unit_values, load_units
from analys.errors import AnalysError
from analys.format import MISSING, decimals_for
from analys.kolada.ou_ids import kpi_activities
from analys.stats import compare, trend
from analys.stats import salsa as salsa_mod
from analys.stats import units as U
from analys.widgets.common import COLOUR_WORDS, colour_cell, html_table, set_options
from analys.widgets.session import kpi_label
from analys.widgets.trend_tables import TrendChoice

UNIT_COLUMNS = ("Värde", "Kommunens övriga enheter (median)", "Landets enheter (median)")


def unit_history(
    values: pd.DataFrame,
    kinds: pd.Series,
    unit: str,
    choice: TrendChoice,
    judged: Callable[[int], tuple[pd.Series, pd.DataFrame]],
) -> pd.DataFrame:
    """Per year: the unit's value, the medians of its municipality's other units and of
    Sweden's units of its kind, its ranks and its national quartile colour.

    Parameters
    ----------
    values : DataFrame
        The unit values of the KPI (with ``ou``).
    kinds : Series
        Unit id → activity (V-code).
    unit : str
        The unit.
    choice : TrendChoice
        KPI, municipality and years.
    judged : callable
        ``judged(year)`` → the judged values and national colours of the unit's kind
        (small units on three-year means).

    Returns
    -------
    DataFrame
        Indexed by År; empty when the unit has no value in the years.
    """
    years = list(range(choice.first, choice.last + 1))
    mine = values[(values["ou"] == unit) & values["year"].isin(years)].dropna(subset=["value"])
    polarity = registry.polarity(choice.kpi)
    kind = str(kinds.get(unit))
    local_units = values.loc[values["municipality"] == choice.municipality, "ou"]
    local_units = local_units[local_units.map(kinds) == kind]
    in_town = values[values["ou"].isin(set(local_units))]
    ranked = choice.kpi != U.SALSA_DEVIATION  # Skolverket: the SALSA deviation is not ranked
    rows = []
    for year in sorted(mine["year"].unique()):
        judged_values, national = judged(int(year))
        this_year = in_town[in_town["year"] == year]
        local = compare.rank_among(judged_values, list(this_year["ou"]), polarity)
        this = values[values["year"] == year]
        this = this[this["ou"].isin(set(judged_values.index))]
        others = this_year[this_year["ou"] != unit]
        hit = national.loc[unit] if unit in national.index else None
        judged_ok = hit is not None and not pd.isna(judged_values.get(unit)) and ranked
        rows.append(
            {
                "År": int(year),
                "Värde": float(mine.loc[mine["year"] == year, "value"].iloc[0]),
                "Kommunens övriga enheter (median)": float(others["value"].median()),
                "Landets enheter (median)": float(this["value"].median()),
                "Rang i kommunen": f"{int(local[unit])} av {int(local.notna().sum())}"
                if judged_ok and not pd.isna(local.get(unit))
                else MISSING,
                "Rang i landet": f"{int(hit['rank'])} av {int(national['rank'].notna().sum())}"
                if judged_ok
                else MISSING,
                "Kvartilsfärg": COLOUR_WORDS[hit["colour"]] if judged_ok else MISSING,
            }
        )
    columns = ["År", *UNIT_COLUMNS, "Rang i kommunen", "Rang i landet", "Kvartilsfärg"]
    return pd.DataFrame(rows, columns=columns).set_index("År")


class UnitLevel:
    """The unit level of the trend explorer (a mixin of ``TrendExplorer``)."""

    def _units(self) -> pd.DataFrame:
        if self._unit_catalogue is None:
            source = "store" if self.source == "kolada" else self.source
            self._unit_catalogue = load_units(source=source).astype(object)
        return self._unit_catalogue

    def _unit_values(self, kpi: str) -> pd.DataFrame:
        if kpi not in self._unit_cache:
            source = "store" if self.source == "kolada" else self.source
            frame = load_unit_values([kpi], source=source)
            # plain object strings: the look-ups below iterate them (arrow strings are slower)
            self._unit_cache[kpi] = frame.astype({"ou": object, "municipality": object})
        return self._unit_cache[kpi]

    def _unit_year(self, kpi: str, kind: str, year: int) -> tuple[pd.Series, pd.DataFrame]:
        """Judged values and national colours of the units of ``kind`` in ``year``, cached."""
        key = (kpi, kind, year)
        if key not in self._unit_ranks:
            values = self._unit_values(kpi)
            kinds = self._units().set_index("id")["activity"]
            same = values[values["ou"].map(kinds).to_numpy() == kind]
            judged = U.judged_values(same, kpi, year)["judged_value"].astype(float)
            judged.index = judged.index.astype(object)
            colours = compare.quartile_colours(judged, registry.polarity(kpi))
            self._unit_ranks[key] = (judged, colours)
        return self._unit_ranks[key]

    def _new_level(self) -> None:
        unit_level = self.controls["level"].value == "enhet"
        if unit_level and self._kind == "L":
            self._quietly(lambda: setattr(self.controls["level"], "value", "kommun"))
            self.message = "Enhetsnivån finns för kommuner – välj en kommun först."
            return
        self._refresh_kpis()
        if unit_level:
            self._refresh_units()
        self.update()

    def _refresh_units(self) -> None:
        """The unit list: the municipality's units of the KPI's kind, by name and search."""
        c = self.controls
        units = self._units()
        own = units[units["municipality"] == c["municipality"].value]
        kinds = kpi_activities(c["kpi"].value)
        if kinds:
            own = own[own["activity"].isin(kinds)]
        with_data = set(self._unit_values(c["kpi"].value)["ou"])
        own = own[own["id"].isin(with_data)]
        search = c["unit_search"].value.strip().lower()
        if search:
            own = own[own["title"].str.lower().str.contains(search, regex=False)]
        options = [(str(t), str(i)) for t, i in zip(own["title"], own["id"], strict=True)]
        current = c["unit"].value
        values = [v for _, v in options]
        self._quietly(
            lambda: set_options(
                c["unit"],
                options,
                current if current in values else (values[0] if values else None),
            )
        )

    def _filter_units(self) -> None:
        self._refresh_units()
        self.update()

    def _update_unit(self, choice: TrendChoice) -> None:
        """The unit level: the unit against its municipality's units and Sweden's."""
        label, name = kpi_label(choice.kpi), reference.title(choice.municipality)
        if choice.gender != "T":
            raise AnalysError("Enhetsvärden redovisas bara totalt – välj Totalt.")
        self._refresh_units()
        unit = self.controls["unit"].value
        if not unit:
            search = self.controls["unit_search"].value.strip()
            extra = f" som matchar '{search}'" if search else ""
            raise AnalysError(f"{name} har inga enheter med värden för {label}{extra}.")
        choice = TrendChoice(**{**choice.__dict__, "unit": unit})
        values = self._unit_values(choice.kpi)
        catalogue = self._units()
        years = range(choice.first, choice.last + 1)
        mine = values[(values["ou"] == unit) & values["year"].isin(list(years))]
        mine = mine.dropna(subset=["value"])
        title = str(catalogue.set_index("id")["title"].get(unit, unit))
        if mine.empty:
            raise AnalysError(
                f"{title} har inga värden för {label} {choice.first}–{choice.last}. Välj andra år."
            )
        kinds = catalogue.set_index("id")["activity"]
        table = unit_history(
            values,
            kinds,
            unit,
            choice,
            lambda y: self._unit_year(choice.kpi, str(kinds.get(unit)), y),
        )
        polarity = registry.polarity(choice.kpi)
        self.marker = trend.trend_marker(table["Värde"], polarity=polarity)
        ax = self._chart.axes()
        plots.unit_trend_chart(
            values,
            kpi=choice.kpi,
            ou=unit,
            units=catalogue,
            years=years,
            source=self.source,
            ax=ax,
        )
        self._chart.draw(choice)
        self.figure, self.table = self._chart.figure, table
        self._map.clear()
        self._map_legend.value = ""
        self.map_figure = None
        self._chart.publish()
        others = len(
            catalogue[
                (catalogue["municipality"] == choice.municipality)
                & (catalogue["id"].isin(set(values["ou"])))
                & (catalogue["id"] != unit)
            ]
        )
        m = self.marker
        caution = (
            f" <i>{safe.html_text(salsa_mod.SALSA_CAUTION)}</i>"
            if choice.kpi == U.SALSA_DEVIATION
            else ""
        )
        self._marker_html.value = (
            f"<b>{safe.html_text(title)} ({safe.html_text(name)}) – {safe.html_text(label)}</b>, "
            f"{choice.first}–{choice.last}, jämfört med kommunens {others} övriga enheter och "
            f"landets enheter av samma slag.<br>Trend: <b>{safe.html_text(m.label)}</b> – "
            f"{safe.html_text(m.reason)}.{caution}"
        )
        unit_text = registry.unit(choice.kpi)
        digits = decimals_for(unit_text, table["Värde"].abs().max())
        shown = table.copy()
        shown["Kvartilsfärg"] = [colour_cell(word) for word in table["Kvartilsfärg"]]
        columns = {
            c: digits
            for c in ("Värde", "Kommunens övriga enheter (median)", "Landets enheter (median)")
        }
        caption = safe.html_text(captions.source_caption(self.source, derived=True))
        self._table_html.value = (
            html_table(shown, columns, raw=["Kvartilsfärg"])
            + "<div style='font-size:11px;color:#555'>Rang och kvartilsfärg bland enheter av "
            f"samma slag med värde (1 = bäst; små enheter på tre års medel). {caption}</div>"
        )
