"""Widget explorers for JupyterLab: trends (``TrendExplorer``) and drivers (``DriverExplorer``).

All logic lives here; the notebooks only construct and display an explorer. Setting a
control's ``.value`` from code updates ``.figure``, ``.table`` and ``.message``
synchronously — that is how the tests drive them. Session data is loaded once per KPI and
kept; an interaction recomputes only what its control changes.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from IPython.display import clear_output, display
from matplotlib.figure import Figure

from analys import captions, reference, registry
from analys.data import load_groups, load_values
from analys.errors import AnalysError
from analys.peers import peer_label, peer_set

PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
    ("Egen lista", "egen"),
]
GENDER_CHOICES = [("Totalt", "T"), ("Kvinnor", "K"), ("Män", "M")]
SOURCE_CHOICES = [("Demodata", "demo"), ("Lokalt lager", "store"), ("Kolada (nätverk)", "kolada")]
POPULATION_CHOICES = [("Alla", "alla"), ("Kommungruppen (SKR)", "skr"), ("Länet", "lan")]
MODEL_CHOICES = [("Tvärsnitt (ett år)", "cross"), ("Panel (fixa effekter)", "panel")]
SAVE_DIR = Path("reports") / "utforska"
CAUTION = (
    "Sambanden gäller mellan kommuner och är inte orsakseffekter: en kommun med högre värde på "
    "en förklaringsvariabel får inte automatiskt bättre resultat om variabeln ändras."
)
COLOUR_NAMES = {
    "green": "grön",
    "yellow": "gul",
    "red": "röd",
    "grey": "grå",
    "none": "ingen färg",
}


# -- helpers shared by both explorers ---------------------------------------------------------


class _Values:
    """Values per KPI for one source, loaded once per session (all units, years, genders)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._frames: dict[str, pd.DataFrame] = {}
        self._groups: pd.DataFrame | None = None

    def kpi(self, kpi: str) -> pd.DataFrame:
        if kpi not in self._frames:
            self._frames[kpi] = load_values(kpi, source=self.source, genders=None)
        return self._frames[kpi]

    def groups(self) -> pd.DataFrame:
        if self._groups is None:
            self._groups = load_groups(self.source)
        return self._groups


def _kpi_options(search: str = "", area: str = "", unit_type: str | None = None,
                 only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Dropdown options ``(label (id), id)`` from the registry, filtered by text and area."""
    table = registry.frame()
    if only is not None:
        table = table[table.index.isin(list(only))]
    if area:
        table = table[table["area"] == area]
    if unit_type == "K":
        table = table[table["municipality_type"].isin(["K", "A"])]
    elif unit_type == "L":
        table = table[table["municipality_type"].isin(["L", "A"])]
    needle = search.strip().lower()
    if needle:
        hay = (table.index.str.lower() + " " + table["title"].str.lower() + " "
               + table["label"].str.lower())
        table = table[hay.str.contains(needle, regex=False)]
    return [(f"{row.label} ({kpi})", kpi) for kpi, row in table.iterrows()]


def _municipality_options(search: str = "") -> list[tuple[str, str]]:
    units = reference.municipalities()
    units = units[units["municipality"] != reference.RIKET]
    needle = search.strip().lower()
    if needle:
        units = units[units["title"].str.lower().str.contains(needle, regex=False)
                      | (units["municipality"] == search.strip())]
    return [(f"{t} ({c})", c) for c, t in zip(units["municipality"], units["title"], strict=True)]


def _same_type_codes(municipality: str) -> list[str]:
    return reference.kommun_codes() if reference.unit_type(municipality) == "K" \
        else reference.region_codes()


def _area_options() -> list[tuple[str, str]]:
    names = {
        "forskola": "Förskola", "grundskola": "Grundskola", "gymnasieskola": "Gymnasieskola",
        "aldreomsorg": "Äldreomsorg", "funktionsnedsattning": "Funktionsnedsättning (LSS)",
        "ifo": "Individ- och familjeomsorg", "ekonomi": "Ekonomi", "miljo": "Miljö och klimat",
        "kultur": "Kultur och fritid", "folkhalsa": "Folkhälsa och befolkning",
        "halso_sjukvard": "Hälso- och sjukvård (regioner)",
    }
    present = registry.frame()["area"].unique().tolist()
    return [("Alla områden", "")] + [(names.get(a, a), a) for a in names if a in present]


def _replace_options(control: w.Dropdown, options: list[tuple[str, str]]) -> bool:
    """Give ``control`` new options, keeping its value when possible; True if it changed."""
    current = control.value
    control.options = options
    values = [value for _, value in options]
    control.value = current if current in values else values[0]
    return control.value != current


def _safe_name(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", text).strip("_")


class _Explorer:
    """Common plumbing: controls, outputs, synchronous updates and Swedish messages."""

    controls: dict[str, w.Widget]

    def __init__(self, source: str) -> None:
        self.source = source
        self._values = _Values(source)
        self.figure: Figure | None = None
        self.table: pd.DataFrame | None = None
        self.message: str = ""
        self.last_update_seconds: float = math.nan
        self._out_figure = w.Output()
        self._out_table = w.Output()
        self._out_message = w.HTML()
        self._busy = False

    # The UI -------------------------------------------------------------------------------
    def _observe(self, names: Iterable[str], handler: Callable[[], None]) -> None:
        for name in names:
            self.controls[name].observe(lambda _change, h=handler: self._run(h), names="value")

    def _run(self, handler: Callable[[], None]) -> None:
        if self._busy:
            return
        self._busy = True
        started = time.perf_counter()
        try:
            self.message = ""
            handler()
        except AnalysError as error:
            self._fail(str(error))
        except (KeyError, ValueError, np.linalg.LinAlgError) as error:
            self._fail(f"Kan inte beräkna för det valet: {error}")
        finally:
            self._busy = False
            self.last_update_seconds = time.perf_counter() - started
            self._show_message()

    def _fail(self, message: str) -> None:
        self.message = message
        self.figure = None
        self.table = None
        with self._out_figure:
            clear_output(wait=True)
        with self._out_table:
            clear_output(wait=True)

    def _show_message(self) -> None:
        if self.message:
            self._out_message.value = (
                f"<div style='color:#a50f15;font-weight:600'>{self.message}</div>")
        else:
            self._out_message.value = ""

    def _show(self, figure: Figure | None, table: pd.DataFrame | None, extra: Any = None) -> None:
        with self._out_figure:
            clear_output(wait=True)
            if figure is not None:
                display(figure)
        with self._out_table:
            clear_output(wait=True)
            if extra is not None:
                display(extra)
            if table is not None:
                display(table)

    def _ipython_display_(self) -> None:
        display(self.ui)


# -- trends ------------------------------------------------------------------------------------


class TrendExplorer(_Explorer):
    """Pick a KPI and a municipality; see its trend against peers and Riket.

    Parameters
    ----------
    source
        ``demo``, ``store`` or ``kolada``.
    municipality
        The focus municipality (default: the demo municipality, Örebro 1880).

    Attributes
    ----------
    controls
        ``kpi``, ``municipality``, ``peers``, ``gender``, ``years`` (the stable names), plus
        ``kpi_search``, ``area``, ``municipality_search``, ``own_peers``, ``source`` and
        ``save``.
    figure, table, message
        The last trend Figure, the last table of values, and ``""`` or a Swedish message.
    map_figure
        The last map of the chosen KPI and end year.
    """

    def __init__(self, source: str = "demo", municipality: str | None = None,
                 kpi: str = "N15507") -> None:
        super().__init__(source)
        from analys import demo

        municipality = municipality or demo.DEMO_MUNICIPALITY
        kind = reference.unit_type(municipality)
        if kind is None:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        options = _kpi_options(unit_type=kind)
        if kpi not in [v for _, v in options]:
            kpi = options[0][1]
        self.map_figure: Figure | None = None
        self.marker = None
        self.controls = {
            "kpi_search": w.Text(placeholder="Sök nyckeltal …", description="Sök"),
            "area": w.Dropdown(options=_area_options(), value="", description="Område"),
            "kpi": w.Dropdown(options=options, value=kpi, description="Nyckeltal",
                              layout=w.Layout(width="520px")),
            "municipality_search": w.Text(placeholder="Sök kommun …", description="Sök"),
            "municipality": w.Dropdown(options=_municipality_options(), value=municipality,
                                       description="Kommun"),
            "peers": w.Dropdown(options=PEER_CHOICES, value="skr", description="Jämför med"),
            "own_peers": w.SelectMultiple(options=_municipality_options(), rows=6,
                                          description="Egen lista"),
            "gender": w.ToggleButtons(options=GENDER_CHOICES, value="T", description="Kön"),
            "years": w.IntRangeSlider(value=(2012, 2025), min=2012, max=2025,
                                      description="År", continuous_update=False),
            "source": w.Dropdown(options=SOURCE_CHOICES, value=source, description="Källa"),
            "save": w.Button(description="Spara", icon="save",
                             tooltip="Spara figur (PNG) och tabell (CSV, Excel)"),
        }
        self._set_year_bounds()
        self.controls["save"].on_click(lambda _b: self._run(self.save))
        self._observe(["kpi_search", "area"], self._filter_kpis)
        self._observe(["municipality_search"], self._filter_municipalities)
        self._observe(["source"], self._change_source)
        self._observe(["kpi"], self._new_kpi)
        self._observe(["municipality", "peers", "own_peers", "gender", "years"], self.update)
        self._out_map = w.Output()
        self._out_marker = w.HTML()
        c = self.controls
        self.ui = w.VBox([
            w.HBox([c["kpi_search"], c["area"]]),
            c["kpi"],
            w.HBox([c["municipality_search"], c["municipality"]]),
            w.HBox([c["peers"], c["own_peers"]]),
            w.HBox([c["gender"], c["source"]]),
            w.HBox([c["years"], c["save"]]),
            self._out_message,
            self._out_marker,
            w.HBox([self._out_figure, self._out_map]),
            self._out_table,
        ])
        self._run(self.update)

    # control handlers ---------------------------------------------------------------------
    def _filter_kpis(self) -> None:
        kind = reference.unit_type(self.controls["municipality"].value)
        options = _kpi_options(self.controls["kpi_search"].value, self.controls["area"].value,
                               unit_type=kind)
        if not options:
            self.message = "Inget nyckeltal matchar sökningen."
            return
        if _replace_options(self.controls["kpi"], options):
            self._new_kpi()

    def _filter_municipalities(self) -> None:
        options = _municipality_options(self.controls["municipality_search"].value)
        if not options:
            self.message = "Ingen kommun matchar sökningen."
            return
        if _replace_options(self.controls["municipality"], options):
            self.update()

    def _change_source(self) -> None:
        self.source = self.controls["source"].value
        self._values = _Values(self.source)
        self._new_kpi()

    def _new_kpi(self) -> None:
        self._set_year_bounds()
        self.update()

    def _set_year_bounds(self) -> None:
        frame = self._values.kpi(self.controls["kpi"].value)
        years = frame.loc[frame["value"].notna(), "year"]
        if years.empty:
            return
        first, last = int(years.min()), int(years.max())
        slider = self.controls["years"]
        if (slider.min, slider.max) != (first, last):
            busy, self._busy = self._busy, True
            slider.min, slider.max = min(first, slider.min), max(last, slider.max)
            slider.value = (first, last)
            slider.min, slider.max = first, last
            self._busy = busy

    def _peer_codes(self, municipality: str) -> list[str]:
        spec = self.controls["peers"].value
        if spec == "egen":
            chosen = list(self.controls["own_peers"].value)
            if not chosen:
                raise AnalysError("Välj minst en kommun i den egna listan.")
            return [c for c in chosen if c != municipality]
        area = registry.entry(self.controls["kpi"].value) or {}
        return peer_set(municipality, spec, groups=self._values.groups(), area=area.get("area"))

    # the computation ----------------------------------------------------------------------
    def update(self) -> None:
        """Recompute the chart, marker, table and map from the current controls."""
        from analys import compare, plots, trend

        c = self.controls
        kpi, municipality, gender = c["kpi"].value, c["municipality"].value, c["gender"].value
        first, last = c["years"].value
        polarity = registry.polarity(kpi)
        frame = self._values.kpi(kpi)
        if gender != "T" and not (frame["gender"] == gender).any():
            raise AnalysError(f"{registry.label(kpi)} redovisas inte uppdelat på kön.")
        data = frame[(frame["gender"] == gender) & frame["year"].between(first, last)]
        own = data[(data["municipality"] == municipality) & data["value"].notna()]
        if own.empty:
            raise AnalysError(
                f"{registry.label(kpi)} har inga värden för {reference.title(municipality)} "
                f"{first}–{last}. Välj ett annat nyckeltal, en annan kommun eller andra år.")
        peers = self._peer_codes(municipality)
        same_type = _same_type_codes(municipality)

        rows = []
        by_year = {y: g.set_index("municipality")["value"] for y, g in data.groupby("year")}
        for year in range(first, last + 1):
            values = by_year.get(year)
            if values is None:
                continue
            ranked = compare.quartile_colours(values.reindex(same_type).dropna(), polarity)
            value = values.get(municipality, np.nan)
            peer_values = values.reindex(peers).dropna()
            hit = ranked.loc[municipality] if municipality in ranked.index else None
            rows.append({
                "År": year,
                "Värde": value,
                "Jämförelsegruppens median": peer_values.median() if len(peer_values) else np.nan,
                "Riket": values.get(reference.RIKET, np.nan),
                "Rang": (f"{int(hit['rank'])} av {len(ranked)}"
                         if hit is not None and not pd.isna(hit["rank"]) else "–"),
                "Kvartilsfärg": COLOUR_NAMES.get(hit["colour"], hit["colour"])
                if hit is not None else "–",
            })
        table = pd.DataFrame(rows).set_index("År")
        series = own.set_index("year")["value"].sort_index()
        self.marker = trend.trend_marker(series, polarity=polarity)

        figure = Figure(figsize=(7.5, 4.2), layout="constrained")
        plots.trend_chart(data, kpi=kpi, municipality=municipality, peers=peers, gender=gender,
                          source=self.source, ax=figure.add_subplot())
        self.figure, self.table = figure, table
        self.map_figure = self._draw_map(data, kpi, municipality, peers, last, gender)
        label = peer_label(c["peers"].value if c["peers"].value != "egen" else peers)
        self._out_marker.value = (
            f"<b>{reference.title(municipality)} – {registry.label(kpi)}</b>, jämfört med "
            f"{label} ({len(peers)} st). Trend: <b>{self.marker.label}</b> "
            f"<span style='color:#555'>({self.marker.method}; {self.marker.reason})</span>")
        self._show(figure, table)
        with self._out_map:
            clear_output(wait=True)
            if self.map_figure is not None:
                display(self.map_figure)

    def _draw_map(self, data: pd.DataFrame, kpi: str, municipality: str, peers: list[str],
                  year: int, gender: str) -> Figure | None:
        from analys import maps

        figure = Figure(figsize=(3.6, 6.0), layout="constrained")
        ax = figure.add_subplot()
        if reference.unit_type(municipality) == "L":
            maps.region_map(data, kpi=kpi, year=year, region=municipality, gender=gender,
                            source=self.source, ax=ax)
        else:
            maps.municipality_map(data, kpi=kpi, year=year, municipality=municipality,
                                  peers=peers, gender=gender, source=self.source, ax=ax)
        return figure

    def save(self, directory: str | Path | None = None) -> list[Path]:
        """Write the current figure (PNG) and table (CSV, Excel); return the paths."""
        if self.figure is None or self.table is None:
            raise AnalysError("Det finns inget resultat att spara – välj först något som går "
                              "att visa.")
        c = self.controls
        first, last = c["years"].value
        stem = _safe_name(
            f"trend_{c['kpi'].value}_{reference.title(c['municipality'].value)}_"
            f"{c['peers'].value}_{c['gender'].value}_{first}-{last}")
        folder = Path(directory) if directory is not None else SAVE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / f"{stem}.png", folder / f"{stem}.csv", folder / f"{stem}.xlsx"]
        self.figure.savefig(paths[0], dpi=150)
        table = self.table.reset_index()
        table.to_csv(paths[1], index=False, sep=";", decimal=",", encoding="utf-8-sig")
        with pd.ExcelWriter(paths[2]) as writer:
            table.to_excel(writer, sheet_name="Värden", index=False)
            pd.DataFrame({"Källa": [captions.source_caption(self.source)]}).to_excel(
                writer, sheet_name="Källa", index=False)
        self.message = "Sparat: " + ", ".join(str(p) for p in paths)
        return paths


# -- drivers -----------------------------------------------------------------------------------


STRUCTURAL = ["N15816", "N01982", "N00906", "N02926", "N02937", "N01994", "N01960", "N01813",
              "N01951", "N03937", "N02901", "N00956"]


class DriverExplorer(_Explorer):
    """Which structural factors go with good results, and who does better than expected?

    Parameters
    ----------
    source
        ``demo``, ``store`` or ``kolada``.
    area
        A policy area in ``params/``; its ``drivers`` block gives the default outcome and
        explanatory KPIs.

    Attributes
    ----------
    controls
        ``outcome``, ``explanatory``, ``year``, ``population``, ``model``, ``municipality``
        (the stable names), plus ``explanatory_search``, ``log`` and ``standardise``.
    figure, table, message
        The last coefficient Figure, the last coefficient table, and ``""`` or a Swedish
        message. ``scatter_figure``, ``map_figure``, ``residuals``, ``influence``,
        ``result`` and ``expected`` hold the other outputs.
    """

    def __init__(self, source: str = "demo", area: str | None = None,
                 municipality: str | None = None) -> None:
        super().__init__(source)
        from analys import demo

        outcome, explanatory = "N15507", ["N15816", "N02926", "N00906"]
        if area is not None:
            from analys.goals import load_area

            loaded = load_area(area)
            if loaded.drivers is not None:
                outcome = loaded.drivers.outcome
                explanatory = list(loaded.drivers.explanatory)
            municipality = municipality or loaded.municipality
        municipality = municipality or demo.DEMO_MUNICIPALITY
        kind = reference.unit_type(municipality) or "K"
        self._kind = kind
        outcomes = _kpi_options(unit_type=kind)
        self.scatter_figure: Figure | None = None
        self.map_figure: Figure | None = None
        self.residuals: pd.DataFrame | None = None
        self.influence: pd.DataFrame | None = None
        self.result = None
        self.expected = None
        self.controls = {
            "outcome": w.Dropdown(options=outcomes, value=outcome, description="Utfall",
                                  layout=w.Layout(width="520px")),
            "explanatory_search": w.Text(placeholder="Sök förklaringsvariabel …",
                                         description="Sök"),
            "explanatory": w.SelectMultiple(options=self._explanatory_options(""),
                                            value=tuple(explanatory), rows=8,
                                            description="Förklarande",
                                            layout=w.Layout(width="520px")),
            "year": w.Dropdown(options=list(range(2012, 2026)), value=2024, description="År"),
            "population": w.Dropdown(options=POPULATION_CHOICES, value="alla",
                                     description="Population"),
            "log": w.SelectMultiple(options=self._explanatory_options(""), value=(),
                                    rows=4, description="Logaritm"),
            "standardise": w.Checkbox(value=True, description="Standardiserade effekter"),
            "model": w.ToggleButtons(options=MODEL_CHOICES, value="cross", description="Modell"),
            "municipality": w.Dropdown(options=_municipality_options(), value=municipality,
                                       description="Kommun"),
        }
        self._set_years()
        self._observe(["explanatory_search"], self._filter_explanatory)
        self._observe(["outcome"], self._new_outcome)
        self._observe(["explanatory", "year", "population", "log", "standardise", "model",
                       "municipality"], self.update)
        self._out_fit = w.HTML()
        self._out_scatter = w.Output()
        self._out_map = w.Output()
        self._out_residuals = w.Output()
        c = self.controls
        self.ui = w.VBox([
            c["outcome"],
            w.HBox([c["explanatory_search"]]),
            w.HBox([c["explanatory"], c["log"]]),
            w.HBox([c["year"], c["population"], c["municipality"]]),
            w.HBox([c["model"], c["standardise"]]),
            self._out_message,
            self._out_fit,
            w.HBox([self._out_figure, self._out_scatter]),
            w.HBox([self._out_residuals, self._out_map]),
            self._out_table,
        ])
        self._run(self.update)

    def _explanatory_options(self, search: str) -> list[tuple[str, str]]:
        options = _kpi_options(search, unit_type=self._kind)
        order = {k: i for i, k in enumerate(STRUCTURAL)}
        return sorted(options, key=lambda o: (order.get(o[1], len(order)), o[0]))

    def _filter_explanatory(self) -> None:
        chosen = tuple(self.controls["explanatory"].value)
        options = self._explanatory_options(self.controls["explanatory_search"].value)
        keep = [o for o in self._explanatory_options("") if o[1] in chosen]
        merged = keep + [o for o in options if o[1] not in chosen]
        self.controls["explanatory"].options = merged
        self.controls["explanatory"].value = chosen
        if not options:
            self.message = "Ingen förklaringsvariabel matchar sökningen."

    def _new_outcome(self) -> None:
        self._set_years()
        self.update()

    def _set_years(self) -> None:
        frame = self._values.kpi(self.controls["outcome"].value)
        years = sorted(frame.loc[frame["value"].notna(), "year"].unique().tolist())
        if not years:
            return
        control = self.controls["year"]
        current = control.value
        busy, self._busy = self._busy, True
        control.options = years
        control.value = current if current in years else years[-2 if len(years) > 1 else -1]
        self._busy = busy

    def _population(self, municipality: str) -> list[str]:
        spec = self.controls["population"].value
        codes = _same_type_codes(municipality)
        if spec == "alla" or self._kind == "L":
            return codes
        return [municipality] + peer_set(municipality, spec, groups=self._values.groups())

    def _panel_frame(self, kpis: list[str], codes: list[str]) -> pd.DataFrame:
        parts = []
        for kpi in kpis:
            frame = self._values.kpi(kpi)
            frame = frame[(frame["gender"] == "T") & frame["municipality"].isin(codes)]
            parts.append(frame.set_index(["municipality", "year"])["value"].rename(kpi))
        return pd.concat(parts, axis=1)

    def update(self) -> None:
        """Refit the chosen model and redraw every output."""
        from analys import model, plots

        c = self.controls
        outcome = c["outcome"].value
        explanatory = list(c["explanatory"].value)
        municipality = c["municipality"].value
        if not explanatory:
            raise AnalysError("Välj minst en förklaringsvariabel.")
        if outcome in explanatory:
            raise AnalysError(
                f"Utfallet {registry.label(outcome)} ({outcome}) kan inte också vara "
                "förklaringsvariabel – ta bort det ur listan.")
        codes = self._population(municipality)
        panel = self._panel_frame([outcome, *explanatory], codes)
        for kpi in [outcome, *explanatory]:
            if panel[kpi].notna().sum() == 0:
                raise AnalysError(f"{registry.label(kpi)} ({kpi}) har inga värden för urvalet.")
        logged = [k for k in c["log"].value if k in explanatory]
        for kpi in logged:
            if (panel[kpi].dropna() <= 0).any():
                raise AnalysError(f"Logaritm går inte: {registry.label(kpi)} har värden ≤ 0.")
        warnings: list[str] = []
        if c["model"].value == "panel":
            result = model.panel(panel.reset_index(), outcome, explanatory, log=logged)
            self.result, self.expected = result, None
            coefficients = result.coefficients
            fit = (f"Panelmodell med kommun- och årseffekter: n = {result.n} observationer, "
                   f"{result.n_groups} kommuner; standardfel klustrade per kommun.")
            self.scatter_figure = self.map_figure = None
            self.residuals = self.influence = None
        else:
            year = c["year"].value
            cross = panel.xs(year, level="year") if year in panel.index.get_level_values(
                "year") else pd.DataFrame(columns=panel.columns)
            complete = cross.dropna()
            if len(complete) < len(explanatory) + 10:
                raise AnalysError(
                    f"För få kommuner med fullständiga data år {year}: {len(complete)} – "
                    f"minst {len(explanatory) + 10} behövs för {len(explanatory)} "
                    "förklaringsvariabler. Välj ett annat år, färre variabler eller en "
                    "större population.")
            if logged:
                cross = cross.assign(**{k: np.log(cross[k]) for k in logged})
            result = model.drivers(cross, outcome, explanatory,
                                   standardise=c["standardise"].value)
            expected = model.expected_values(cross, outcome, explanatory)
            self.result, self.expected = result, expected
            coefficients = result.coefficients
            warnings += list(result.warnings)
            fit = (f"Tvärsnitt {year}: n = {result.n} kommuner, R² = {result.r2:.2f} "
                   f"(justerat {result.r2_adj:.2f}).").replace(".", ",")
            peers = [p for p in peer_set(municipality, "skr", groups=self._values.groups())
                     if p in expected.table.index] if self._kind == "K" else []
            scatter = Figure(figsize=(5.5, 4.5), layout="constrained")
            plots.expected_chart(expected.table, municipality=municipality, peers=peers,
                                 kpi=outcome, source=self.source, ax=scatter.add_subplot())
            self.scatter_figure = scatter
            sign = registry.sign(registry.polarity(outcome)) or 1
            residuals = expected.table.assign(
                kommun=[reference.title(m) for m in expected.table.index],
                score=sign * expected.table["loo_residual"],
            ).sort_values("score", ascending=False)
            self.residuals = residuals
            self.influence = result.influence[result.influence["influential"]] \
                if "influential" in result.influence else result.influence
            self.map_figure = self._residual_map(residuals, municipality, outcome)
        if c["model"].value == "cross" and self.result.n < 30:
            warnings.append(f"Litet underlag (n = {self.result.n}): tolka sambanden försiktigt.")
        figure = Figure(figsize=(5.5, 4.5), layout="constrained")
        plots.coefficient_chart(coefficients, standardised=c["standardise"].value,
                                source=self.source, ax=figure.add_subplot())
        self.figure, self.table = figure, coefficients
        notes = "".join(f"<li>{text}</li>" for text in warnings)
        self._out_fit.value = (f"<p>{fit}</p><p><i>{CAUTION}</i></p>"
                               + (f"<ul style='color:#a50f15'>{notes}</ul>" if notes else ""))
        self._show(figure, coefficients)
        with self._out_scatter:
            clear_output(wait=True)
            if self.scatter_figure is not None:
                display(self.scatter_figure)
        with self._out_residuals:
            clear_output(wait=True)
            if self.residuals is not None:
                display(w.HTML("<b>Bättre än förväntat</b> (korsvaliderad residual)"))
                display(self.residuals.head(10))
                if self.influence is not None and len(self.influence):
                    display(w.HTML("<b>Inflytelserika kommuner</b> (Cooks avstånd > 4/n)"))
                    display(self.influence)
        with self._out_map:
            clear_output(wait=True)
            if self.map_figure is not None:
                display(self.map_figure)

    def _residual_map(self, residuals: pd.DataFrame, municipality: str, outcome: str
                      ) -> Figure | None:
        from analys import maps

        if self._kind != "K":
            return None
        figure = Figure(figsize=(3.6, 6.0), layout="constrained")
        maps.municipality_map(values=residuals["score"], kpi=outcome, municipality=municipality,
                              colour_by="diverging", source=self.source,
                              title="Bättre/sämre än förväntat", ax=figure.add_subplot())
        return figure
