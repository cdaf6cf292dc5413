"""The trend explorer: a KPI and a municipality against its peers and Riket, with a map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analys import captions, maps, plots, reference, registry, safe
from analys.catalogue import averaged_years
from analys.data import SOURCES
from analys.errors import AnalysError
from analys.format import MISSING, decimals_for
from analys.own import store as own_store
from analys.stats import compare, trend
from analys.stats.peers import PEER_LABELS, peer_set
from analys.widgets.common import (
    COLOUR_WORDS,
    _colour_cell,
    _Explorer,
    _html_table,
    _map_legend,
    _Picture,
    _safe_name,
    _set_options,
    _tidy,
)
from analys.widgets.session import (
    _NO_GROUPS,
    SOURCE_LABELS,
    _area_titles,
    _kind_kpis,
    _kpi_label,
    _kpi_options,
    _same_type,
    _Session,
    _unit_options,
)

PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
    ("Egen lista", "egen"),
]
GENDER_CHOICES = [("Totalt", "T"), ("Kvinnor", "K"), ("Män", "M")]
GENDER_WORDS = {"T": "totalt", "K": "kvinnor", "M": "män"}
LEVEL_CHOICES = [("Kommun", "kommun"), ("Enhet", "enhet")]


@dataclass(frozen=True)
class _TrendChoice:
    kpi: str
    municipality: str
    kind: str
    peers: str
    own: tuple[str, ...]
    gender: str
    first: int
    last: int
    level: str = "kommun"
    unit: str = ""


class TrendExplorer(_Explorer):
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
        from analys import demo

        municipality = municipality or demo.DEMO_MUNICIPALITY
        kind = reference.unit_type(municipality)
        if kind is None or municipality == reference.RIKET:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        self.marker: trend.TrendResult | None = None
        self.map_figure: Figure | None = None
        self._kind = kind
        self._ranks: dict[tuple[str, str, str, int], pd.DataFrame] = {}
        self._chart = _Picture((8.2, 4.0), (0.075, 0.2, 0.64, 0.72), "Trenddiagram")  # legend right
        self._map = _Picture((3.4, 5.4), (0.01, 0.12, 0.62, 0.8), "Karta")
        self._map_legend = w.HTML()
        self._marker_html = w.HTML()
        self._table_html = w.HTML()
        options = _kpi_options(_kind_kpis([*registry.entries(), *own_store.entries(source)], kind))
        c = self.controls = {
            "kpi_search": w.Text(
                placeholder="ord i namnet eller id …",
                description="Sök",
                continuous_update=False,
            ),
            "area": w.Dropdown(
                options=[("Alla områden", "")] + [(t, a) for a, t in _area_titles().items()],
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
                options=_unit_options(), value=municipality, description="Kommun"
            ),
            "peers": w.Dropdown(options=PEER_CHOICES, value="skr", description="Jämför med"),
            "own_peers": w.SelectMultiple(
                options=_unit_options(kind), rows=5, description="Egen lista"
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
        _tidy(c)
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
    def _load(self, session: _Session | None = None) -> None:
        self._session = session or _Session(self.source)
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
            session = _Session(new)
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
        kpis = _kind_kpis(session.kpis, self._kind)
        if c["level"].value == "enhet":
            kpis = [k for k in kpis if (registry.entry(k) or {}).get("has_ou_data")]
        options = _kpi_options(kpis, search, area)
        if not options:
            words = f"'{search}'" if search else ""
            where = f" inom {_area_titles().get(area, area)}" if area else ""
            self.message = f"Inget nyckeltal matchar {words}{where}. Ändra sökningen."
            return False
        values = [v for _, v in options]
        current = c["kpi"].value
        self._quietly(
            lambda: _set_options(c["kpi"], options, current if current in values else values[0])
        )
        return True

    def _filter_kpis(self) -> None:
        before = self.controls["kpi"].value
        if self._refresh_kpis() and self.controls["kpi"].value != before:
            self.update()

    def _filter_municipalities(self) -> None:
        c = self.controls
        search = c["municipality_search"].value
        options = _unit_options(search=search)
        if not options:
            self.message = f"Ingen kommun eller region matchar '{search}'."
            return
        values = [v for _, v in options]
        current = c["municipality"].value
        self._quietly(
            lambda: _set_options(
                c["municipality"], options, current if current in values else values[0]
            )
        )
        if c["municipality"].value != current:
            self._new_municipality()

    def _new_municipality(self) -> None:
        kind = reference.unit_type(self.controls["municipality"].value) or "K"
        if self.controls["level"].value == "enhet":
            self._refresh_units()
        if kind != self._kind:  # municipality <-> region: other KPIs, other own-list units
            self._kind = kind
            own, peers = self.controls["own_peers"], self.controls["peers"]
            self._quietly(lambda: _set_options(own, _unit_options(kind), ()))
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
    def _choice(self) -> _TrendChoice:
        c = self.controls
        first, last = c["years"].value
        return _TrendChoice(
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

    def _peer_codes(self, choice: _TrendChoice) -> list[str]:
        if choice.peers == "egen":
            own = [code for code in choice.own if code != choice.municipality]
            if not own:
                raise AnalysError(
                    "Välj minst en kommun i listan Egen lista (en annan än den valda kommunen)."
                )
            return own
        area = (registry.entry(choice.kpi) or {}).get("area")
        # groups are only needed for "Liknande kommuner"; a store may lack the metadata
        groups = self._require_session().groups() if choice.peers == "liknande" else _NO_GROUPS
        return peer_set(choice.municipality, choice.peers, groups=groups, area=area)

    def _peer_phrase(self, choice: _TrendChoice, peers: list[str]) -> str:
        if choice.peers == "egen":
            return f"egen lista ({len(peers)} st)"
        if choice.kind == "L":
            return f"alla regioner ({len(peers)} st)"
        return f"{PEER_LABELS[choice.peers]} ({len(peers)} st)"

    def _wide(self, choice: _TrendChoice) -> pd.DataFrame:
        session = self._require_session()
        kpi, label = choice.kpi, _kpi_label(choice.kpi)
        frame = session.frame(kpi)
        if frame["value"].notna().sum() == 0:
            raise AnalysError(f"{label} har inga värden i källan {session.label}.")
        if choice.gender != "T" and not (frame["gender"] == choice.gender).any():
            raise AnalysError(
                f"{label} redovisas inte uppdelat på kön – välj Totalt, eller ett "
                "nyckeltal som finns för kvinnor och män."
            )
        wide = session.wide(kpi, choice.gender)
        years = [y for y in wide.columns if choice.first <= y <= choice.last]
        if not years or wide[years].notna().sum().sum() == 0:
            have = [y for y in wide.columns if wide[y].notna().any()]
            raise AnalysError(
                f"{label} har inga värden {choice.first}–{choice.last} (det finns värden "
                f"{have[0]}–{have[-1]}). Välj andra år."
            )
        name = reference.title(choice.municipality)
        if (
            choice.municipality not in wide.index
            or wide.loc[choice.municipality, years].isna().all()
        ):
            kind = (registry.entry(kpi) or {}).get("municipality_type")
            hint = {
                "K": " Det redovisas bara för kommuner.",
                "L": " Det redovisas bara för regioner.",
            }
            raise AnalysError(
                f"{label} har inga värden för {name} {choice.first}–{choice.last}. Välj en "
                f"annan kommun, ett annat nyckeltal eller andra år.{hint.get(kind, '')}"
            )
        return wide[years]

    def _ranks_for(self, choice: _TrendChoice, wide: pd.DataFrame, year: int) -> pd.DataFrame:
        """Quartile colours and ranks of all units of the same type, cached per KPI."""
        key = (choice.kpi, choice.gender, choice.kind, year)
        if key not in self._ranks:
            values = wide[year].reindex(_same_type(choice.kind)).dropna()
            values.index = values.index.astype(object)  # a fifth faster in quartile_colours
            self._ranks[key] = compare.quartile_colours(values, registry.polarity(choice.kpi))
        return self._ranks[key]

    def _value_table(
        self, choice: _TrendChoice, wide: pd.DataFrame, peers: list[str]
    ) -> pd.DataFrame:
        medians = wide.reindex(peers).median()
        riket = wide.loc[reference.RIKET] if reference.RIKET in wide.index else None
        ranks, colours = [], []
        for year in wide.columns:
            ranked = self._ranks_for(choice, wide, year)
            hit = ranked.loc[choice.municipality] if choice.municipality in ranked.index else None
            has_rank = hit is not None and not pd.isna(hit["rank"])
            ranks.append(f"{int(hit['rank'])} av {len(ranked)}" if has_rank else MISSING)
            colours.append(COLOUR_WORDS[hit["colour"]] if hit is not None else MISSING)
        table = pd.DataFrame(
            {
                "Värde": wide.loc[choice.municipality].to_numpy(dtype=float),
                "Jämförelsegruppens median": medians.to_numpy(dtype=float),
                "Riket": np.nan if riket is None else riket.to_numpy(dtype=float),
                "Rang": ranks,
                "Kvartilsfärg": colours,
            },
            index=pd.Index([int(y) for y in wide.columns], name="År"),
        )
        return table

    def update(self) -> None:
        """Recompute the chart, marker, table and map from the controls."""
        choice = self._choice()
        if choice.level == "enhet":
            self._update_unit(choice)
            return
        wide = self._wide(choice)
        peers = self._peer_codes(choice)
        table = self._value_table(choice, wide, peers)
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
        self._marker_html.value = self._marker_text(choice, peers)
        self._table_html.value = self._table_text(choice, table)

    # --- the unit level -----------------------------------------------------------------
    def _units(self) -> pd.DataFrame:
        if self._unit_catalogue is None:
            from analys.data import load_units

            source = "store" if self.source == "kolada" else self.source
            self._unit_catalogue = load_units(source=source).astype(object)
        return self._unit_catalogue

    def _unit_values(self, kpi: str) -> pd.DataFrame:
        if kpi not in self._unit_cache:
            from analys.data import load_unit_values

            source = "store" if self.source == "kolada" else self.source
            frame = load_unit_values([kpi], source=source)
            # plain object strings: the look-ups below iterate them (arrow strings are slower)
            self._unit_cache[kpi] = frame.astype({"ou": object, "municipality": object})
        return self._unit_cache[kpi]

    def _unit_year(self, kpi: str, kind: str, year: int) -> tuple[pd.Series, pd.DataFrame]:
        """Judged values and national colours of the units of ``kind`` in ``year``, cached."""
        from analys.stats import units as U

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
        from analys.kolada.ou_ids import kpi_activities

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
            lambda: _set_options(
                c["unit"],
                options,
                current if current in values else (values[0] if values else None),
            )
        )

    def _filter_units(self) -> None:
        self._refresh_units()
        self.update()

    def _update_unit(self, choice: _TrendChoice) -> None:
        """The unit level: the unit against its municipality's units and Sweden's."""
        from analys.stats import units as U

        label, name = _kpi_label(choice.kpi), reference.title(choice.municipality)
        if choice.gender != "T":
            raise AnalysError("Enhetsvärden redovisas bara totalt – välj Totalt.")
        self._refresh_units()
        unit = self.controls["unit"].value
        if not unit:
            search = self.controls["unit_search"].value.strip()
            extra = f" som matchar '{search}'" if search else ""
            raise AnalysError(f"{name} har inga enheter med värden för {label}{extra}.")
        choice = _TrendChoice(**{**choice.__dict__, "unit": unit})
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
        polarity = registry.polarity(choice.kpi)
        kinds = catalogue.set_index("id")["activity"]
        kind = str(kinds.get(unit))
        local_units = values.loc[values["municipality"] == choice.municipality, "ou"]
        local_units = local_units[local_units.map(kinds) == kind]
        in_town = values[values["ou"].isin(set(local_units))]
        rows = []
        for year in sorted(mine["year"].unique()):
            judged, national = self._unit_year(choice.kpi, kind, int(year))
            this_year = in_town[in_town["year"] == year]
            local = compare.rank_among(judged, list(this_year["ou"]), polarity)
            this = values[values["year"] == year]
            this = this[this["ou"].isin(set(judged.index))]
            others = this_year[this_year["ou"] != unit]
            hit = national.loc[unit] if unit in national.index else None
            judged_ok = hit is not None and not pd.isna(judged.get(unit))
            rows.append(
                {
                    "År": int(year),
                    "Värde": float(mine.loc[mine["year"] == year, "value"].iloc[0]),
                    "Kommunens övriga enheter (median)": float(others["value"].median()),
                    "Landets enheter (median)": float(this["value"].median()),
                    "Rang i kommunen": f"{int(local[unit])} av {int(local.notna().sum())}"
                    if judged_ok
                    and not pd.isna(local.get(unit))
                    and choice.kpi != U.SALSA_DEVIATION
                    else MISSING,
                    "Rang i landet": f"{int(hit['rank'])} av {int(national['rank'].notna().sum())}"
                    if judged_ok and choice.kpi != U.SALSA_DEVIATION
                    else MISSING,
                    "Kvartilsfärg": COLOUR_WORDS[hit["colour"]]
                    if judged_ok and choice.kpi != U.SALSA_DEVIATION
                    else MISSING,
                }
            )
        table = pd.DataFrame(rows).set_index("År")
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
            f" <i>{safe.html_text(U.SALSA_CAUTION)}</i>" if choice.kpi == U.SALSA_DEVIATION else ""
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
        shown["Kvartilsfärg"] = [_colour_cell(word) for word in table["Kvartilsfärg"]]
        columns = {
            c: digits
            for c in ("Värde", "Kommunens övriga enheter (median)", "Landets enheter (median)")
        }
        caption = safe.html_text(captions.source_caption(self.source, derived=True))
        self._table_html.value = (
            _html_table(shown, columns, raw=["Kvartilsfärg"])
            + "<div style='font-size:11px;color:#555'>Rang och kvartilsfärg bland enheter av "
            f"samma slag med värde (1 = bäst; små enheter på tre års medel). {caption}</div>"
        )

    def _draw_map(
        self, choice: _TrendChoice, wide: pd.DataFrame, peers: list[str], data: pd.DataFrame
    ) -> None:
        units = wide.reindex(_same_type(choice.kind))
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
            self._map_legend.value = _map_legend(ax, choice.municipality, peers, choice.kind)
        self.map_figure = self._map.figure

    def _map_on(
        self, ax: Any, choice: _TrendChoice, peers: list[str], year: int, *, legend: bool
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

    def _map_for_saving(self, choice: _TrendChoice) -> Figure:
        figure = Figure(figsize=(5.6, 6.6), layout="constrained")
        year = self._map.key[4]
        peers = list(self._map.key[3])
        self._map_on(figure.add_subplot(), choice, peers, year, legend=True)
        return figure

    def _marker_text(self, choice: _TrendChoice, peers: list[str]) -> str:
        m = self.marker
        gender = "" if choice.gender == "T" else f", {GENDER_WORDS[choice.gender]}"
        method = f"Metod: {m.method}." if m.method else "Metod: –."
        return (
            f"<b>{safe.html_text(reference.title(choice.municipality))} – "
            f"{safe.html_text(registry.label(choice.kpi))}</b>{gender}, {choice.first}–"
            f"{choice.last}, jämfört med {safe.html_text(self._peer_phrase(choice, peers))}.<br>"
            f"Trend: <b>{safe.html_text(m.label)}</b> – {safe.html_text(m.reason)}. "
            f"<span style='color:#555'>{safe.html_text(method)}</span>"
        )

    def _table_text(self, choice: _TrendChoice, table: pd.DataFrame) -> str:
        unit = registry.unit(choice.kpi)
        magnitude = table["Värde"].abs().max()
        digits = decimals_for(unit, magnitude)
        shown = table.copy()
        shown["Kvartilsfärg"] = [_colour_cell(word) for word in table["Kvartilsfärg"]]
        columns = {c: digits for c in ("Värde", "Jämförelsegruppens median", "Riket")}
        caption = safe.html_text(captions.source_caption(self.source, derived=True))
        unit_text = f" Enhet: {safe.html_text(unit)}." if unit else ""
        return (
            _html_table(shown, columns, raw=["Kvartilsfärg"])
            + f"<div style='font-size:11px;color:#555'>Rang och kvartilsfärg bland alla "
            f"{'regioner' if choice.kind == 'L' else 'kommuner'} med värde (1 = bäst)."
            f"{unit_text} {caption}</div>"
        )

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
        stem = _safe_name(
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
            "Kön": GENDER_WORDS[choice.gender],
            "År": f"{choice.first}–{choice.last}",
            "Trend": f"{self.marker.label} – {self.marker.reason}" if self.marker else "",
        }
        return self._write(stem, pictures, {"Värden": self.table}, about, directory)
