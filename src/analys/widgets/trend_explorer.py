"""The trend explorer: a KPI and a municipality against its peers and Riket, with a map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from analys import maps, plots, reference, registry
from analys.catalogue import averaged_years
from analys.errors import AnalysError
from analys.own import store as own_store
from analys.stats import compare, trend
from analys.vocabulary import DEMO_MUNICIPALITY, SOURCES
from analys.widgets.common import (
    GENDER_CHOICES,
    Explorer,
    Picture,
    map_legend,
    safe_name,
    set_options,
    tidy,
)
from analys.widgets.session import (
    SOURCE_LABELS,
    Session,
    area_titles,
    kpi_options,
    municipality_options,
    type_kpis,
)
from analys.widgets.trend_tables import (
    LEVEL_CHOICES,
    PEER_CHOICES,
    TrendChoice,
    chosen_wide,
    marker_text,
    peer_codes,
    table_text,
    value_table,
)
from analys.widgets.trend_units import UnitLevel


class TrendExplorer(UnitLevel, Explorer):
    """Pick a KPI and a municipality; see its trend against its peers and Riket.

    Parameters
    ----------
    source : {"demo", "store", "kolada"}
        Where the values come from; can be changed with the ``source`` control.
    municipality : str, optional
        The focus municipality or region (default: the demo municipality, Örebro 1880).
    kpi : str
        The KPI shown first.
    save_dir : str or Path, optional
        Where Spara writes (default ``reports/utforska`` under the working directory).

    Attributes
    ----------
    controls : dict of str to ipywidget
        ``kpi``, ``municipality``, ``peers``, ``gender``, ``years`` (the stable interface), plus
        ``kpi_search``, ``area``, ``municipality_search``, ``own_peers`` (used when
        ``peers`` is ``egen``; choosing names switches to it), ``source`` and ``save``;
        ``level`` (``kommun`` or ``enhet``), ``unit_search`` and ``unit``: at the unit level
        the KPI list holds the KPIs with unit data, ``unit`` the chosen municipality's units
        of the KPI's kind by name, and the chart and table compare the unit with the
        municipality's other units and all units of its kind (:mod:`analys.stats.units`).
    figure : Figure or None
        The trend chart: the municipality against the peers' median and 25–75 % band and
        Riket.
    table : DataFrame or None
        Per year: Värde, Jämförelsegruppens median, Riket, Rang, Kvartilsfärg.
    message : str
        ``""`` or a Swedish message for a bad choice (then ``figure`` and ``table`` are None).
    marker : TrendResult or None
        The trend marker of the last five years (docs/methods.md#trend-markers).
    map_figure : Figure or None
        A map of the KPI in the range's last year with the focus and peers outlined.
    """

    def __init__(
        self,
        source: str = "demo",
        municipality: str | None = None,
        *,
        kpi: str = "N15507",
        save_dir: str | Path | None = None,
    ) -> None:
        super().__init__(source, save_dir)
        municipality = municipality or DEMO_MUNICIPALITY
        kind = reference.municipality_type(municipality)
        if kind is None or municipality == reference.RIKET:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        self.marker: trend.TrendResult | None = None
        self.map_figure: Figure | None = None
        self._kind = kind
        self._ranks: dict[tuple[str, str, str, int], pd.DataFrame] = {}
        self._chart = Picture((8.2, 4.0), (0.075, 0.2, 0.64, 0.72), "Trenddiagram")  # legend right
        self._map = Picture((3.4, 5.4), (0.01, 0.12, 0.62, 0.8), "Karta")
        self._map_legend = w.HTML()
        self._marker_html = w.HTML()
        self._table_html = w.HTML()
        options = kpi_options(type_kpis([*registry.entries(), *own_store.entries(source)], kind))
        c = self.controls = {
            "kpi_search": w.Text(
                placeholder="ord i namnet eller id …",
                description="Sök",
                continuous_update=False,
            ),
            "area": w.Dropdown(
                options=[("Alla områden", "")] + [(t, a) for a, t in area_titles().items()],
                value="",
                description="Område",
            ),
            "kpi": w.Dropdown(
                options=options,
                value=kpi if kpi in [v for _, v in options] else options[0][1],
                description="Nyckeltal",
                layout=w.Layout(width="560px"),
            ),
            "municipality_search": w.Text(
                placeholder="kommunens namn …", description="Sök kommun", continuous_update=False
            ),
            "municipality": w.Dropdown(
                options=municipality_options(), value=municipality, description="Kommun"
            ),
            "peers": w.Dropdown(options=PEER_CHOICES, value="skr", description="Jämför med"),
            "own_peers": w.SelectMultiple(
                options=municipality_options(kind), rows=5, description="Egen lista"
            ),
            "gender": w.ToggleButtons(options=GENDER_CHOICES, value="T", description="Kön"),
            "years": w.IntRangeSlider(
                value=(2012, 2025),
                min=2012,
                max=2025,
                description="År",
                continuous_update=False,
                layout=w.Layout(width="480px"),
            ),
            "source": w.Dropdown(
                options=[(SOURCE_LABELS[s], s) for s in SOURCES],
                value=self.source,
                description="Källa",
            ),
            "save": w.Button(
                description="Spara", icon="save", tooltip="Figur (PNG) och tabell (CSV, Excel)"
            ),
            "level": w.ToggleButtons(options=LEVEL_CHOICES, value="kommun", description="Nivå"),
            "unit_search": w.Text(
                placeholder="enhetens namn …", description="Sök enhet", continuous_update=False
            ),
            "unit": w.Dropdown(options=[], description="Enhet", layout=w.Layout(width="560px")),
        }
        self._unit_cache: dict[str, pd.DataFrame] = {}
        self._unit_ranks: dict[tuple[str, str, int], tuple[pd.Series, pd.DataFrame]] = {}
        self._unit_catalogue: pd.DataFrame | None = None
        tidy(c)
        c["save"].on_click(lambda _button: self._run(self._save_clicked))
        self._observe(["kpi_search", "area"], self._filter_kpis)
        self._observe(["municipality_search"], self._filter_municipalities)
        self._observe(["municipality"], self._new_municipality)
        self._observe(["own_peers"], self._new_own_peers)
        self._observe(["source"], self._change_source)
        self._observe(["kpi", "peers", "gender", "years"], self.update)
        self._observe(["level"], self._new_level)
        self._observe(["unit_search"], self._filter_units)
        self._observe(["unit"], self.update)
        self.ui = w.VBox(
            [
                w.HBox([c["kpi_search"], c["area"]]),
                c["kpi"],
                w.HBox([c["municipality_search"], c["municipality"]]),
                c["level"],
                w.HBox([c["unit_search"], c["unit"]]),
                w.HBox([c["peers"], c["own_peers"]]),
                w.HBox([c["gender"], c["source"]]),
                w.HBox([c["years"], c["save"]]),
                self._message_html,
                self._marker_html,
                w.HBox([self._chart.widget, self._map.widget, self._map_legend]),
                self._table_html,
            ]
        )
        self._run(self._load)

    # --- control handlers ---------------------------------------------------------------
    def _load(self, session: Session | None = None) -> None:
        self._session = session or Session(self.source)
        self._ranks.clear()
        self._unit_cache.clear()
        self._unit_ranks.clear()
        self._unit_catalogue = None
        self._map.key = None
        self._refresh_kpis()
        self._session.frame(self.controls["kpi"].value)  # Kolada: the years come with a KPI
        self._set_year_bounds()
        self.update()

    def _change_source(self) -> None:
        new, old = self.controls["source"].value, self.source
        try:
            session = Session(new)
        except AnalysError as error:  # keep showing the old source's outputs
            self._quietly(lambda: setattr(self.controls["source"], "value", old))
            self.message = f"{SOURCE_LABELS[new]} går inte att använda: {error}"
            return
        self.source = new
        self._load(session)

    def _refresh_kpis(self) -> bool:
        """Filter the KPI list by search words, area, unit type and source; True if found."""
        session = self._require_session()
        c = self.controls
        search, area = c["kpi_search"].value, c["area"].value
        kpis = type_kpis(session.kpis, self._kind)
        if c["level"].value == "enhet":
            kpis = [k for k in kpis if (registry.entry(k) or {}).get("has_ou_data")]
        options = kpi_options(kpis, search, area)
        if not options:
            words = f"'{search}'" if search else ""
            where = f" inom {area_titles().get(area, area)}" if area else ""
            self.message = f"Inget nyckeltal matchar {words}{where}. Ändra sökningen."
            return False
        values = [v for _, v in options]
        current = c["kpi"].value
        self._quietly(
            lambda: set_options(c["kpi"], options, current if current in values else values[0])
        )
        return True

    def _filter_kpis(self) -> None:
        before = self.controls["kpi"].value
        if self._refresh_kpis() and self.controls["kpi"].value != before:
            self.update()

    def _filter_municipalities(self) -> None:
        c = self.controls
        search = c["municipality_search"].value
        options = municipality_options(search=search)
        if not options:
            self.message = f"Ingen kommun eller region matchar '{search}'."
            return
        values = [v for _, v in options]
        current = c["municipality"].value
        self._quietly(
            lambda: set_options(
                c["municipality"], options, current if current in values else values[0]
            )
        )
        if c["municipality"].value != current:
            self._new_municipality()

    def _new_municipality(self) -> None:
        kind = reference.municipality_type(self.controls["municipality"].value) or "K"
        if self.controls["level"].value == "enhet":
            self._refresh_units()
        if kind != self._kind:  # municipality <-> region: other KPIs, other own-list units
            self._kind = kind
            own, peers = self.controls["own_peers"], self.controls["peers"]
            self._quietly(lambda: set_options(own, municipality_options(kind), ()))
            if peers.value == "egen":
                self._quietly(lambda: setattr(peers, "value", "skr"))
            self._refresh_kpis()
        self.update()

    def _new_own_peers(self) -> None:
        if self.controls["own_peers"].value and self.controls["peers"].value != "egen":
            self._quietly(lambda: setattr(self.controls["peers"], "value", "egen"))
        self.update()

    def _set_year_bounds(self) -> None:
        years = self._require_session().years()
        if not years:
            return
        slider = self.controls["years"]
        first, last = slider.value
        low, high = years[0], years[-1]
        keep = (max(first, low), min(last, high)) if first <= high and last >= low else None

        def apply() -> None:
            slider.max = max(high, slider.min)
            slider.min = low
            slider.max = high
            slider.value = keep if keep and keep[0] <= keep[1] else (low, high)

        self._quietly(apply)

    # --- the computation ----------------------------------------------------------------
    def _choice(self) -> TrendChoice:
        c = self.controls
        first, last = c["years"].value
        return TrendChoice(
            c["kpi"].value,
            c["municipality"].value,
            self._kind,
            c["peers"].value,
            tuple(c["own_peers"].value),
            c["gender"].value,
            int(first),
            int(last),
            c["level"].value,
            c["unit"].value or "",
        )

    def _ranks_for(self, choice: TrendChoice, wide: pd.DataFrame, year: int) -> pd.DataFrame:
        """Quartile colours and ranks of all units of the same type, cached per KPI."""
        key = (choice.kpi, choice.gender, choice.kind, year)
        if key not in self._ranks:
            values = wide[year].reindex(reference.codes_of_type(choice.kind)).dropna()
            values.index = values.index.astype(object)  # a fifth faster in quartile_colours
            self._ranks[key] = compare.quartile_colours(values, registry.polarity(choice.kpi))
        return self._ranks[key]

    def update(self) -> None:
        """Recompute the chart, marker, table and map from the controls."""
        choice = self._choice()
        if choice.level == "enhet":
            self._update_unit(choice)
            return
        wide = chosen_wide(self._require_session(), choice)
        peers = peer_codes(choice, self._require_session())
        table = value_table(choice, wide, peers, lambda year: self._ranks_for(choice, wide, year))
        polarity = registry.polarity(choice.kpi)
        self.marker = trend.trend_marker(
            table["Värde"].dropna(),
            polarity=polarity,
            averaged_years=averaged_years(choice.kpi),
        )
        session = self._require_session()
        data = session.frame(choice.kpi)

        ax = self._chart.axes()
        plots.trend_chart(
            data,
            kpi=choice.kpi,
            municipality=choice.municipality,
            peers=peers,
            gender=choice.gender,
            years=range(choice.first, choice.last + 1),
            source=self.source,
            legend="right",
            ax=ax,
        )
        self._chart.draw(choice)  # its PNG is compressed while the map is drawn
        self.figure, self.table = self._chart.figure, table
        self._draw_map(choice, wide, peers, data)
        self._chart.publish()
        self._marker_html.value = marker_text(choice, peers, self.marker)
        self._table_html.value = table_text(choice, table, self.source)

    def _draw_map(
        self, choice: TrendChoice, wide: pd.DataFrame, peers: list[str], data: pd.DataFrame
    ) -> None:
        units = wide.reindex(reference.codes_of_type(choice.kind))
        years = [y for y in units.columns if units[y].notna().any()]
        if not years:
            self._map.clear()
            self._map_legend.value = ""
            self.map_figure = None
            return
        key = (choice.kpi, choice.gender, choice.municipality, tuple(peers), years[-1], self.source)
        if key != self._map.key:  # only when what the map shows has changed
            ax = self._map.axes()
            self._map_on(ax, choice, peers, years[-1], legend=False)
            self._map.show(key)
            self._map_legend.value = map_legend(ax, choice.municipality, peers, choice.kind)
        self.map_figure = self._map.figure

    def _map_on(
        self, ax: Any, choice: TrendChoice, peers: list[str], year: int, *, legend: bool
    ) -> None:
        """The KPI's map in ``year``; on screen the legend is HTML beside it (cheaper)."""
        common = {
            "values": self._require_session().wide(choice.kpi, choice.gender)[year],
            "kpi": choice.kpi,
            "year": year,
            "gender": choice.gender,
            "source": self.source,
            "legend": legend,
            "preliminary": self._require_session().preliminary,
            "ax": ax,
        }
        if choice.kind == "L":
            maps.region_map(**common, region=choice.municipality)
        else:
            maps.municipality_map(**common, municipality=choice.municipality, peers=peers)

    def _map_for_saving(self, choice: TrendChoice) -> Figure:
        figure = Figure(figsize=(5.6, 6.6), layout="constrained")
        year = self._map.key[4]
        peers = list(self._map.key[3])
        self._map_on(figure.add_subplot(), choice, peers, year, legend=True)
        return figure

    def _clear_outputs(self) -> None:
        self._chart.clear()
        self._map.clear()
        self._map_legend.value = ""
        self.map_figure = None
        self.marker = None
        self._marker_html.value = ""
        self._table_html.value = ""

    def save(self, directory: str | Path | None = None) -> list[Path]:
        """Write the trend chart and map (PNG) and the table (CSV, Excel); return the paths.

        Parameters
        ----------
        directory : str or Path, optional
            Default: the explorer's ``save_dir`` (``reports/utforska``).

        Returns
        -------
        list of Path
            ``<name>.png``, ``<name>_karta.png`` (when a map is shown), ``<name>.csv`` and
            ``<name>.xlsx``; the name tells KPI, municipality, peers, gender and years.
        """
        self._require_result()
        choice = self._choice()
        where = f"enhet_{choice.unit}" if choice.level == "enhet" else choice.peers
        stem = safe_name(
            f"trend_{choice.kpi}_{reference.title(choice.municipality)}_{where}_"
            f"{choice.gender}_{choice.first}-{choice.last}"
        )
        pictures = {"": self._chart.figure}
        if self.map_figure is not None and choice.level != "enhet":
            pictures["_karta"] = self._map_for_saving(choice)
        about = {
            "Nyckeltal": f"{choice.kpi} {(registry.entry(choice.kpi) or {}).get('title', '')}",
            "Kommun": f"{reference.title(choice.municipality)} ({choice.municipality})",
            "Jämförelsegrupp": choice.peers,
            "Kön": registry.gender_words(choice.kpi)[choice.gender],
            "År": f"{choice.first}–{choice.last}",
            "Trend": f"{self.marker.label} – {self.marker.reason}" if self.marker else "",
        }
        return self._write(stem, pictures, {"Värden": self.table}, about, directory)
