"""The driver explorer: which structural factors go with good results, and who does
better than expected?"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from analys import goals, plots, reference, registry, vocabulary
from analys.errors import AnalysError
from analys.stats.peers import PEER_LABELS, peer_set
from analys.widgets.common import Explorer, Picture, safe_name, set_options, tidy
from analys.widgets.driver_fit import (
    DriverChoice,
    best_year,
    check_choice,
    fit,
    influence_table,
    model_frame,
    residual_table,
)
from analys.widgets.driver_text import (
    CAUTION,
    coefficient_html,
    coefficient_table,
    fit_text,
    influence_text,
    residual_text,
)
from analys.widgets.session import (
    NO_GROUPS,
    Session,
    kpi_label,
    kpi_matches,
    kpi_options,
    municipality_options,
    type_kpis,
)

POPULATION_CHOICES = {
    "K": [("Alla kommuner", "alla"), ("Kommungruppen (SKR)", "skr"), ("Länet", "lan")],
    "L": [("Alla regioner", "alla")],
}
MODEL_CHOICES = [("Tvärsnitt (ett år)", "cross"), ("Panel (fasta effekter)", "panel")]
DEFAULT_DRIVERS = {
    "K": ("N15507", ("N15816", "N02926", "N00906")),
    "L": ("N79190", ("N01982", "N00906", "N01960")),
}


class DriverExplorer(Explorer):
    """Which structural factors go with good results, and who does better than expected?

    Parameters
    ----------
    source : {"demo", "store", "kolada"}
        Where the values come from.
    area : str, optional
        A policy area in ``params/``: its ``drivers`` block gives the default outcome and
        explanatory KPIs, its default municipality the focus.
    municipality : str, optional
        The focus municipality (or region for a regional area).
    save_dir : str or Path, optional
        Where Spara writes (default ``reports/utforska`` under the working directory).

    Attributes
    ----------
    controls : dict of str to ipywidget
        ``outcome``, ``explanatory``, ``year``, ``population``, ``model``, ``municipality``
        (the stable interface), plus ``explanatory_search``, ``log`` (explanatory KPIs to take the
        natural log of), ``standardise`` and ``save``.
    figure : Figure or None
        The coefficient chart with 95 % confidence intervals.
    table : DataFrame or None
        One row per explanatory KPI: effect (standardised or per unit), confidence
        interval, p-value and VIF.
    message : str
        ``""`` or a Swedish message for a bad choice.
    result, expected
        The ``DriverResult`` (or ``PanelResult``) and, for a cross-section, the
        ``ExpectedValues`` behind the outputs.
    scatter_figure, residuals, influence
        Cross-section only: expected against actual, the municipalities ranked by
        leave-one-out residual ("bättre än förväntat"), and the influential ones.
    """

    def __init__(
        self,
        source: str = "demo",
        area: str | None = None,
        *,
        municipality: str | None = None,
        save_dir: str | Path | None = None,
    ) -> None:
        super().__init__(source, save_dir)

        kind = reference.municipality_type(municipality) if municipality else None
        loaded = goals.load_area(area) if area is not None else None
        if loaded is not None:
            kind = kind or loaded.municipality_type
            municipality = municipality or loaded.municipality
        kind = kind or "K"
        if municipality is None:
            municipality = (
                vocabulary.DEMO_MUNICIPALITY if kind == "K" else reference.region_codes()[0]
            )
        if reference.municipality_type(municipality) != kind or municipality == reference.RIKET:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        outcome, explanatory = DEFAULT_DRIVERS[kind]
        if loaded is not None and loaded.drivers is not None:
            outcome, explanatory = loaded.drivers.outcome, loaded.drivers.explanatory
        elif loaded is not None:
            outcome = loaded.main_kpi
        self._kind = kind
        self._area = loaded.area if loaded is not None else None
        self._fit_key: Hashable = None
        self.result: Any = None
        self.expected: Any = None  # analys.stats.model.ExpectedValues
        self.scatter_figure: Figure | None = None
        self.residuals: pd.DataFrame | None = None
        self.influence: pd.DataFrame | None = None
        self._coef = Picture((6.8, 3.2), (0.28, 0.22, 0.68, 0.64), "Koefficientdiagram")
        self._scatter = Picture((5.6, 4.6), (0.13, 0.17, 0.83, 0.75), "Faktiskt mot förväntat")
        self._fit_html = w.HTML()
        self._table_html = w.HTML()
        self._residual_html = w.HTML()
        self._influence_html = w.HTML()
        try:
            self._session = Session(source, genders=("T",))
            kpis = type_kpis(self._session.kpis, kind)
            problem = ""
        except AnalysError as error:  # e.g. an empty store: say so in the explorer
            kpis, problem = type_kpis(registry.entries(), kind), str(error)
        self._kpis = kpis
        units = municipality_options(kind)
        c = self.controls = {
            "outcome": w.Dropdown(
                options=kpi_options(kpis),
                value=outcome,
                description="Utfall",
                layout=w.Layout(width="560px"),
            ),
            "explanatory_search": w.Text(
                placeholder="ord i namnet eller id …",
                description="Sök",
                continuous_update=False,
            ),
            "explanatory": w.SelectMultiple(
                options=self._explanatory_options("", explanatory),
                value=tuple(explanatory),
                rows=8,
                description="Förklarande",
                layout=w.Layout(width="560px"),
            ),
            "log": w.SelectMultiple(
                options=[(kpi_label(k), k) for k in explanatory],
                value=(),
                rows=4,
                description="Logaritm",
                layout=w.Layout(width="420px"),
            ),
            "year": w.Dropdown(options=[], description="År"),
            "population": w.Dropdown(
                options=POPULATION_CHOICES[kind], value="alla", description="Population"
            ),
            "standardise": w.Checkbox(value=True, description="Standardiserade effekter"),
            "model": w.ToggleButtons(options=MODEL_CHOICES, value="cross", description="Modell"),
            "municipality": w.Dropdown(options=units, value=municipality, description="Fokus"),
            "save": w.Button(
                description="Spara",
                icon="save",
                tooltip="Figurer (PNG) och tabeller (CSV, Excel)",
            ),
        }
        tidy(c)
        c["save"].on_click(lambda _button: self._run(self._save_clicked))
        self._observe(["explanatory_search"], self._filter_explanatory)
        self._observe(["outcome"], self._new_outcome)
        self._observe(["explanatory"], self._new_explanatory)
        self._observe(
            ["year", "population", "log", "standardise", "model", "municipality"], self.update
        )
        self.ui = w.VBox(
            [
                c["outcome"],
                c["explanatory_search"],
                w.HBox([c["explanatory"], c["log"]]),
                w.HBox([c["year"], c["population"], c["municipality"]]),
                w.HBox([c["model"], c["standardise"], c["save"]]),
                self._message_html,
                self._fit_html,
                w.HBox([self._coef.widget, self._scatter.widget]),
                self._table_html,
                w.HBox([self._residual_html, self._influence_html]),
            ]
        )
        if problem:
            self.message = problem
            self._show_message()
        else:
            self._run(self._start)

    # --- control handlers ---------------------------------------------------------------
    def _start(self) -> None:
        self._set_years(keep=False)
        self.update()

    def _explanatory_options(self, search: str, chosen: Iterable[str]) -> list[tuple[str, str]]:
        """Chosen KPIs first, then matches: context KPIs (no good direction) before others."""
        chosen = list(chosen)
        entries = registry.entries()

        def order(kpi: str) -> tuple:
            entry = entries.get(kpi, {})
            return (
                entry.get("polarity") != "neutral",
                entry.get("area") != "folkhalsa",
                registry.label(kpi).lower(),
            )

        hits = sorted(
            (k for k in self._kpis if k not in chosen and kpi_matches(k, search)), key=order
        )
        return [(kpi_label(k), k) for k in chosen + hits]

    def _filter_explanatory(self) -> None:
        c = self.controls
        chosen = tuple(c["explanatory"].value)
        options = self._explanatory_options(c["explanatory_search"].value, chosen)
        self._quietly(lambda: set_options(c["explanatory"], options, chosen))
        if len(options) == len(chosen):
            self.message = (
                f"Inget nyckeltal matchar '{c['explanatory_search'].value}'. Ändra sökningen."
            )

    def _new_explanatory(self) -> None:
        c = self.controls
        chosen = tuple(c["explanatory"].value)
        logged = tuple(k for k in c["log"].value if k in chosen)
        options = [(kpi_label(k), k) for k in chosen]
        self._quietly(lambda: set_options(c["log"], options, logged))
        self.update()

    def _new_outcome(self) -> None:
        self._set_years(keep=True)
        self.update()

    def _set_years(self, keep: bool) -> None:
        """Years with values for the outcome; the default is the best-covered, latest year."""
        c = self.controls
        outcome = c["outcome"].value
        wide = self._require_session().wide(outcome).reindex(reference.codes_of_type(self._kind))
        years = [int(y) for y in wide.columns if wide[y].notna().any()]
        current = c["year"].value
        if keep and current in years:
            value = current
        elif years:
            value = self._best_year(years)
        else:
            value = None
        self._quietly(lambda: set_options(c["year"], years, value))

    def _best_year(self, years: list[int]) -> int:
        """The latest year in which nearly as many units as at best (90 %) have every KPI."""
        session = self._require_session()
        kpis = [self.controls["outcome"].value, *self.controls["explanatory"].value]
        codes = reference.codes_of_type(self._kind)
        return best_year(lambda k: session.wide(k).reindex(codes), kpis, years)

    # --- the computation ----------------------------------------------------------------
    def _choice(self) -> DriverChoice:
        c = self.controls
        return DriverChoice(
            c["outcome"].value,
            tuple(c["explanatory"].value),
            c["year"].value,
            c["population"].value,
            tuple(c["log"].value),
            bool(c["standardise"].value),
            c["model"].value,
            c["municipality"].value,
        )

    def _population(self, choice: DriverChoice) -> list[str]:
        codes = reference.codes_of_type(self._kind)
        if choice.population == "alla" or self._kind == "L":
            return codes
        peers = peer_set(choice.municipality, choice.population, groups=NO_GROUPS)
        return [choice.municipality, *peers]

    def _population_phrase(self, choice: DriverChoice) -> str:
        if choice.population == "alla" or self._kind == "L":
            return "alla kommuner" if self._kind == "K" else "alla regioner"
        name = reference.title(choice.municipality)
        return f"{PEER_LABELS[choice.population]} för {name}"

    def _fit(self, choice: DriverChoice) -> None:
        """Fit the chosen model unless the same data and model were fitted last time."""
        codes = self._population(choice)
        year = choice.year if choice.model == "cross" else None
        key = (choice.model, choice.outcome, choice.explanatory, year, tuple(codes), choice.log)
        if key == self._fit_key:
            return
        self._fit_key = None
        session = self._require_session()
        frame = model_frame(session.wide, [choice.outcome, *choice.explanatory], codes, year)
        population = self._population_phrase(choice)
        self.result, self.expected = fit(frame, choice, population, self._kind)
        self._fit_key = key

    def update(self) -> None:
        """Refit when the data or model changed, then redraw every output."""
        choice = self._choice()
        check_choice(choice)
        self.controls["year"].disabled = choice.model == "panel"
        self._fit(choice)
        coefficients = self.result.coefficients
        height = 1.9 + 0.45 * len(coefficients)  # inches: margins plus a row per KPI
        ax = self._coef.axes((6.8, height), (0.28, 0.75 / height, 0.68, 1 - 1.2 / height))
        plots.coefficient_chart(
            coefficients, standardised=choice.standardise, source=self.source, ax=ax
        )
        self._coef.show()
        self.figure = self._coef.figure
        self.table = coefficient_table(coefficients, choice.standardise)
        if choice.model == "cross":
            self._draw_cross(choice)
        else:
            self._scatter.clear()
            self.scatter_figure = self.residuals = self.influence = None
            self._residual_html.value = self._influence_html.value = ""
        self._fit_html.value = fit_text(
            self.result,
            model=choice.model,
            year=choice.year,
            population=self._population_phrase(choice),
            log=choice.log,
            dropped=len(self.expected.dropped) if choice.model == "cross" else 0,
        )
        self._table_html.value = coefficient_html(self.table)

    def _peers(self, choice: DriverChoice, table: pd.DataFrame) -> list[str]:
        """Peers to name in the scatter: "Liknande kommuner", else the SKR group."""
        if self._kind == "L":
            return []
        area = self._area or (registry.entry(choice.outcome) or {}).get("area")
        try:
            peers = peer_set(
                choice.municipality, "liknande", groups=self._require_session().groups(), area=area
            )
        except AnalysError:  # no "Liknande kommuner" group in the source: the SKR group
            peers = peer_set(choice.municipality, "skr", groups=NO_GROUPS)[:10]
        return [p for p in peers if p in table.index]

    def _draw_cross(self, choice: DriverChoice) -> None:
        expected = self.expected
        ax = self._scatter.axes()
        plots.expected_chart(
            expected.table,
            municipality=choice.municipality,
            peers=self._peers(choice, expected.table),
            kpi=choice.outcome,
            source=self.source,
            ax=ax,
        )
        self._scatter.show()
        self.scatter_figure = self._scatter.figure
        sign = vocabulary.sign(registry.polarity(choice.outcome)) or 1
        self.residuals = residual_table(expected, choice.outcome)
        self.influence = influence_table(self.result)
        self._residual_html.value = residual_text(
            self.residuals, choice.outcome, choice.municipality, sign
        )
        self._influence_html.value = influence_text(self.influence, self.result.n)

    def _clear_outputs(self) -> None:
        self._coef.clear()
        self._scatter.clear()
        self.scatter_figure = self.residuals = self.influence = None
        for widget in (self._fit_html, self._table_html, self._residual_html, self._influence_html):
            widget.value = ""

    def save(self, directory: str | Path | None = None) -> list[Path]:
        """Write the charts (PNG) and tables (CSV of the coefficients, Excel of all).

        Parameters
        ----------
        directory : str or Path, optional
            Default: the explorer's ``save_dir`` (``reports/utforska``).

        Returns
        -------
        list of Path
            ``<name>.png`` (coefficients), ``<name>_spridning.png`` (cross-section),
            ``<name>.csv`` and ``<name>.xlsx`` (sheets Koefficienter, Bättre än förväntat –
            Avvikelse från förväntat for a neutral outcome –, Inflytelserika, Om).
        """
        self._require_result()
        choice = self._choice()
        when = str(choice.year) if choice.model == "cross" else "panel"
        stem = safe_name(f"samband_{choice.outcome}_{when}_{choice.population}")
        pictures = {"": self._coef.figure}
        sheets = {"Koefficienter": self.table}
        if self.scatter_figure is not None:
            pictures["_spridning"] = self._scatter.figure
            neutral = registry.polarity(choice.outcome) == "neutral"
            sheets["Avvikelse från förväntat" if neutral else "Bättre än förväntat"] = (
                self.residuals
            )
            sheets["Inflytelserika"] = self.influence
        about = {
            "Utfall": kpi_label(choice.outcome),
            "Förklarande": ", ".join(kpi_label(k) for k in choice.explanatory),
            "Modell": {value: label for label, value in MODEL_CHOICES}[choice.model],
            "År": when,
            "Population": self._population_phrase(choice),
            "Logaritmerade": ", ".join(choice.log),
            "Varning": CAUTION,
        }
        return self._write(stem, pictures, sheets, about, directory)
