"""The policy-area report: what each section of ``notebooks/omrade.ipynb`` shows.

The notebook stays thin: its ``parameters`` cell holds a params file's keys (plus
``data_cache``), and each section is one call, e.g. ``report.summary()``. The sections follow
RKA's deviation analysis: Sammanfattning, Måluppfyllelse per mål, Jämförelse med andra,
Utveckling över tid, Att fokusera på, Förväntat värde och samband, Kön, Om underlaget.

The report publishes a machine-readable summary (goal-status counts) with the mimetype
``application/vnd.analys.summary+json`` for the batch renderer's index.
"""

from __future__ import annotations

import html
import importlib.metadata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Image, display

from analys import data, reference, registry
from analys.captions import DEMO, EGEN, KALLA
from analys.catalogue import averaged_years
from analys.chartstyle import unhinted_text
from analys.errors import AnalysError
from analys.format import decimals_for, number, with_unit
from analys.fulfilment import STATUS_LABELS, STATUSES, Evaluation, ValuesIndex, evaluate
from analys.fulfilment.country import expected_key, tables_for
from analys.goals import TARGET_KINDS, Area, Indicator, area_from_params, load_area
from analys.goals.check import TOP_KEYS
from analys.own import store as own_store
from analys.plots.base import GENDER_WORDS, year_text
from analys.plots.png import figure_png
from analys.report import sentences
from analys.safe import Markdown, literal_text, styler_cells
from analys.stats.peers import reference_group
from analys.stats.trend import NO_TEST_LABEL, OFF_TARGET, OFF_TARGET_LABEL, averaged_reason
from analys.summary import SUMMARY_MIMETYPE, read_summary  # noqa: F401 (re-exported)

#: the notebook's parameters: exactly a params file's top-level keys
PARAM_KEYS = TOP_KEYS
#: quartile words in tables, under a header that names the group ("Kvartil bland alla 290
#: kommuner"); the sentences about the peer group use other words (see sentences.py)
COLOUR_WORDS = {
    "green": "Bästa 25 %",
    "yellow": "Mittenhälften",
    "red": "Sämsta 25 %",
    "grey": "Värde saknas",
    "none": "–",
    # a neutral KPI: higher or lower than the others, never better or worse
    "high": "Högre (högsta fjärdedelen)",
    "middle": "I mitten",
    "low": "Lägre (lägsta fjärdedelen)",
}
#: the table header of the trend marker: a test over five years, not last year's change
TREND_HEADER = "Trend, 5 år (test)"
TREND_WORDS = {
    "improving": "↑ Förbättras",
    "worsening": "↓ Försämras",
    "no_change": "→ Ingen säker förändring",
    "cannot_calculate": "… Kan inte beräknas",
    "neutral": "↕ Förändras (neutralt)",
}


def _trend_word(assessment: str, label: str) -> str:
    """The trend column's word; a KPI with no trend test (a multi-year mean) says so."""
    if label == NO_TEST_LABEL:
        return f"… {label}"
    return TREND_WORDS.get(assessment, label)


def table_style(frame: pd.DataFrame, *, escape: bool = True):
    """A report table: no index, text left-aligned (numbers are formatted as text).

    Every cell is escaped for HTML (:func:`analys.safe.styler_cells`) unless ``escape`` is
    false because the caller escaped the cells itself and put HTML (links) in them.
    """
    styler = frame.style.hide(axis="index").set_table_styles(
        [{"selector": "th, td", "props": "text-align: left; vertical-align: top;"}]
    )
    return styler_cells(styler) if escape else styler


def show_figure(figure) -> None:
    """Show a figure as a PNG and free it.

    Like the inline backend (``bbox_inches="tight"``, so a caption wider than its panel is
    never cut), but with the text drawn unhinted (:func:`unhinted_text`) and the image a
    compact palette PNG (:func:`analys.plots.png.figure_png`).
    """
    literal_text(figure)  # a "$" in a shown name is no mathtext
    with unhinted_text():
        png = figure_png(figure, dpi=figure.dpi, bbox_inches="tight")
    plt.close(figure)
    display(Image(data=png, format="png"))


def indicator_label(ind: Indicator) -> str:
    """One label per indicator, the same in tables, sentences and charts.

    The params file's own label when given ("Meritvärde åk 9, pojkar"), else the registry's
    label with the gender when not the total ("Meritvärde åk 9, män").
    """
    if ind.label:
        return ind.label
    word = GENDER_WORDS.get(ind.gender)
    return f"{registry.label(ind.kpi)}, {word}" if word else registry.label(ind.kpi)


def _grid(n: int, *, width: float, height: float, ncols: int = 2):
    """One figure with ``n`` panels in rows of ``ncols`` (one draw instead of ``n``)."""
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    figure, axes = plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", squeeze=False
    )
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.remove()
    return figure, flat[:n]


@own_store.scoped(lambda params, *_, **__: params.get("source") or "demo")
class Report:
    """One area, one municipality: data loaded once, the evaluation done once.

    Parameters
    ----------
    params
        A params dict (a params file's keys, as the notebook's parameters).
    data_cache
        Path of a parquet values frame the batch renderer prepared; ``None`` loads from the
        params' source.
    precomputed
        Path of the batch's shared tables (:mod:`analys.fulfilment.country`): the area's
        values, value index, colours and expected values are then taken from there.
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        data_cache: str | None = None,
        precomputed: str | None = None,
    ) -> None:
        clean = {k: v for k, v in params.items() if k in PARAM_KEYS and v is not None}
        if isinstance(clean.get("municipality"), int):  # papermill -p municipality 0180 → 180
            clean["municipality"] = f"{clean['municipality']:04d}"
        self.area: Area = area_from_params(clean, file=f"params ({clean.get('area', '?')})")
        self.municipality = self.area.municipality
        self.place = reference.title(self.municipality)
        self.source = self.area.source
        self.demo = self.source == "demo"
        if data_cache:
            values = pd.read_parquet(data_cache, filters=[("kpi", "in", self.area.kpis)])
        else:
            values = data.load_values(self.area.kpis, None, None, source=self.source, genders=None)
        self.values = values.reset_index(drop=True)
        shared = tables_for(precomputed, self.area, self.source)  # computed once per batch
        if shared is not None:
            self.index, self.groups = shared.index, shared.groups
            self.snapshot = dict(shared.snapshot)
        else:
            self.groups = data.load_groups(self.source)
            self.snapshot = data.snapshot(self.source)
            self.index = ValuesIndex(self.values)
        self._shared_expected = shared.expected if shared is not None else {}
        self.evaluation: Evaluation = evaluate(
            self.area, self.index, self.municipality, self.area.year, groups=self.groups
        )
        self.peers = list(self.evaluation.peers)
        self.kind = self.area.kind
        self.unit_word = "regioner" if self.kind == "L" else "kommuner"
        peers = self.area.peers if isinstance(self.area.peers, str) else list(self.area.peers)
        #: the peer group, named (peers_* targets, sentences, trend bands, "Lär av")
        self.group = reference_group(
            self.municipality, peers, groups=self.groups, area=self.area.area
        )
        #: every unit of the type (quartile colours, ranking chart, maps)
        self.everyone = reference_group(self.municipality, "alla", groups=self.groups)
        self.peers_label = self.group.counted()
        # one label per indicator everywhere (the rows follow area.indicators)
        self.evaluation.indicators["label"] = [
            indicator_label(ind) for _, ind in self.area.indicators
        ]
        # targets and reasons against the peer group name it ("bland 7 liknande kommuner")
        among = self.group.among()
        for column in ("target_text", "reason"):
            self.evaluation.indicators[column] = (
                self.evaluation.indicators[column]
                .astype(str)
                .str.replace("jämförelsegruppens median", f"medianen {among}", regex=False)
                .str.replace("i jämförelsegruppen", among, regex=False)
                .str.replace("jämförelsegruppen", self.group.counted(), regex=False)
            )
        years = self.evaluation.indicators["year"].dropna()
        self.year = int(self.area.year or (years.max() if len(years) else 0)) or None
        prel = self.snapshot.get("preliminary_year")
        self.preliminary = int(prel) if prel else None

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, Any]) -> Report:
        """A report from a notebook's parameters (``Report.from_parameters(globals())``).

        When ``goals`` is ``None`` only the area's name was given: its goals are read from
        ``params/<area>.yaml`` and the other given parameters override the file's.
        """
        params = {k: namespace.get(k) for k in PARAM_KEYS}
        if params.get("goals") is None:
            given = {k: v for k, v in params.items() if v is not None}
            params = {**load_area(params["area"]).params, **given}
        return cls(
            params,
            data_cache=namespace.get("data_cache"),
            precomputed=namespace.get("precomputed"),
        )

    @classmethod
    def from_area(
        cls, name_or_path: str, municipality: str | None = None, **overrides: Any
    ) -> Report:
        """A report for a params file, e.g. ``Report.from_area("grundskola", "1480")``."""
        params = dict(load_area(name_or_path).params)
        if municipality:
            params["municipality"] = municipality
        params.update(overrides)
        return cls(params)

    # -- helpers --------------------------------------------------------------------------

    def _values(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        part = self.values[(self.values["kpi"] == kpi) & (self.values["gender"] == gender)]
        return part

    def _caption(self, derived: bool = True) -> None:
        credit = EGEN if derived else KALLA
        text = f"{credit}. {DEMO}." if self.demo else f"{credit}."
        own = own_store.credit_line(self.area.kpis, self.source)  # own data says whose
        text = f"{text} {own}" if own else text
        display(
            HTML(
                f"<p class='analys-caption' style='font-size:0.8em;color:#555'>"
                f"{html.escape(text)}</p>"
            )
        )

    def _demo_banner(self) -> None:
        if self.demo:
            display(
                HTML(
                    "<div class='analys-demo' style='border:2px solid #d7191c;padding:0.5em;"
                    "margin:0.5em 0;background:#fff5f5'><b>DEMODATA</b> – "
                    f"{html.escape(DEMO)}. Siffrorna i rapporten är påhittade och får inte "
                    "användas som underlag för beslut.</div>"
                )
            )

    @property
    def main_kpi(self) -> str:
        return self.area.main_kpi

    def _year(self, year: Any) -> str:
        """A year as shown: "2025*" when it is Kolada's preliminary year, "–" when missing."""
        if year is None or pd.isna(year):
            return "–"
        return year_text(int(year), self.preliminary)

    def _preliminary_note(self, years: Any) -> None:
        """The footnote for "2025*", when one of ``years`` is the preliminary year."""
        shown = {int(y) for y in years if y is not None and not pd.isna(y)}
        if self.preliminary is not None and self.preliminary in shown:
            display(
                Markdown(
                    f"\\* {self.preliminary} är preliminärt: Kolada publicerar de slutliga "
                    "värdena senare, och de kan ändras."
                )
            )

    def peer_listing(self) -> None:
        """The peer group: its name, where it comes from and its members."""
        group = self.group
        members = self._members_text()
        display(
            Markdown(
                f"**Jämförelsegrupp:** {group.counted()} – {group.source}. Medlemmar: {members}. "
                f"Kvartilfärger och rangordning jämför i stället {self.place} med "
                f"{self.everyone.counted()}."
            )
        )

    def _members_text(self) -> str:
        if self.group.everyone:
            return f"alla {self.unit_word} utom {self.place}"
        return self.group.members_text()

    # -- header and 1. Sammanfattning ------------------------------------------------------

    def header(self) -> None:
        """Title, what the report is about, and the demo banner."""
        year = f" {self.year}" if self.year else ""
        display(Markdown(f"# {self.area.title} – {self.place}{year}"))
        lead = self.area.description or ""
        display(
            Markdown(
                f"{lead} Rapporten följer upp de politiska målen för {self.area.title.lower()} med "
                f"nyckeltal från Kolada och jämför {self.place} med {self.group.counted()} "
                f"och med {self.everyone.counted()}. Jämförelsegruppen: {self.group.source}."
            )
        )
        self._demo_banner()

    def summary(self) -> None:
        """Section 1: goal status at a glance, in words and as a chart."""
        from analys import plots

        counts = self.evaluation.counts
        display(Markdown(sentences.area_sentence(self.area.title, counts, self.place, self.year)))
        goals = self.evaluation.goals
        ind = self.evaluation.indicators
        met = ind[ind["status"] == "met"].groupby("goal").size()
        lines = [
            sentences.goal_sentence(r.title, r.status, int(met.get(r.goal, 0)), int(r.n))
            for r in goals.itertuples()
        ]
        display(Markdown("\n".join(f"- {line}" for line in lines)))
        figure, ax = plt.subplots(figsize=(7, 0.6 + 0.5 * len(goals)), layout="constrained")
        plots.goal_status_chart(goals, source=self.source, ax=ax)
        show_figure(figure)
        self.publish_summary()

    def publish_summary(self) -> None:
        """Publish the machine-readable summary the batch renderer's index reads."""
        ev = self.evaluation
        payload = {
            "area": self.area.area,
            "title": self.area.title,
            "municipality": self.municipality,
            "municipality_name": self.place,
            "year": self.year,
            "source": self.source,
            "demo": self.demo,
            "goals": {s: int(ev.summary.at[s, "goals"]) for s in STATUSES},
            "indicators": {s: int(ev.summary.at[s, "indicators"]) for s in STATUSES},
            "snapshot": self.snapshot.get("snapshot"),
        }
        display({SUMMARY_MIMETYPE: payload, "text/plain": ""}, raw=True)

    # -- 2. Måluppfyllelse per mål -----------------------------------------------------------

    def goal_tables(self) -> None:
        """Section 2: per goal, the indicators with value, target, gap, status, colour, trend."""
        ind = self.evaluation.indicators
        for goal in self.evaluation.goals.itertuples():
            display(
                Markdown(f"### {goal.title}\n\n**{STATUS_LABELS[goal.status]}** – {goal.reason}.")
            )
            part = ind[ind["goal"] == goal.goal]
            display(self._indicator_table(part))
        for note in own_store.comparison_notes(self.area.kpis, self.source):
            display(Markdown(note))
        display(
            Markdown(
                "*Status:* uppfyllt när värdet når målet; delvis uppfyllt inom toleransen "
                f"(normalt {number(self.area.tolerance * 100, 0)} % av målvärdet); mål mot "
                f"jämförelsegruppen avser {self.group.counted()}. "
                f"*{self._quartile_header}:* de 25 % bästa, mittenhälften eller de 25 % "
                f"sämsta {self.everyone.among()} (inte jämförelsegruppen). *{TREND_HEADER}:* "
                "signifikanstest över de fem senaste åren till och med årtalet i kolumnen År "
                "(Fingertips metod) – inte förändringen det senaste året."
            )
        )
        self._preliminary_note(ind["year"])
        self._caption()

    @property
    def _quartile_header(self) -> str:
        return f"Kvartil {self.everyone.among()}"

    def _indicator_table(self, part: pd.DataFrame):
        rows = []
        for r in part.itertuples():
            unit = r.unit or None
            dec = decimals_for(unit, r.value)
            gap = (
                "–"
                if pd.isna(r.gap)
                else (
                    "±0" if r.gap == 0 else f"{'+' if r.gap > 0 else '−'}{number(abs(r.gap), dec)}"
                )
            )
            rows.append(
                {
                    "Indikator": r.label,
                    "År": self._year(r.year),
                    "Värde": with_unit(r.value, unit, dec),
                    "Mål": r.target_text,
                    "Avstånd": gap,
                    "Status": STATUS_LABELS[r.status],
                    self._quartile_header: COLOUR_WORDS.get(r.colour, "–"),
                    TREND_HEADER: _trend_word(r.trend, r.trend_label),
                    "Motivering": r.reason,
                }
            )
        table = pd.DataFrame(rows)
        colours = {
            "Uppfyllt": "#d9f0d3",
            "Delvis uppfyllt": "#fff3bf",
            "Ej uppfyllt": "#f8d0d0",
            "Data saknas": "#eeeeee",
        }
        quartiles = {
            COLOUR_WORDS["green"]: "#d9f0d3",
            COLOUR_WORDS["yellow"]: "#fff3bf",
            COLOUR_WORDS["red"]: "#f8d0d0",
            COLOUR_WORDS["high"]: "#cfe3f1",
            COLOUR_WORDS["low"]: "#fee4c8",
        }
        return (
            table.pipe(table_style)
            .map(lambda v: f"background-color: {colours.get(v, '')}", subset=["Status"])
            .map(
                lambda v: f"background-color: {quartiles.get(v, '')}",
                subset=[self._quartile_header],
            )
        )

    # -- 3. Jämförelse med andra -------------------------------------------------------------

    def comparison(self) -> None:
        """Section 3: ranking and maps for the main KPI, the spine chart, result against cost."""
        from analys import maps, plots

        kpi = self.main_kpi
        year = self._latest_year(kpi)
        if year is None:
            display(Markdown(f"Inga värden för {registry.label(kpi)} att jämföra."))
            return
        self.peer_listing()
        main = self._values(kpi)
        own = main[(main["municipality"] == self.municipality) & (main["year"] == year)]
        value = float(own["value"].iloc[0]) if len(own) else float("nan")
        peer_values = main[(main["municipality"].isin(self.peers)) & (main["year"] == year)]
        position = sentences.peer_position(
            value, peer_values["value"].tolist(), registry.polarity(kpi), self.group, self.place
        )
        if pd.isna(value):
            text = sentences.missing_sentence(f"**{registry.label(kpi)}**", year)[:-1]
        else:
            text = (
                f"**{registry.label(kpi)}** {self._year(year)}: {self.place} har "
                f"{with_unit(value, registry.unit(kpi), decimals_for(registry.unit(kpi), value))}"
            )
        if position:
            text += f" och {position}"
        display(Markdown(text + "."))
        figure, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
        plots.ranking_chart(
            self.values,
            kpi=kpi,
            year=year,
            municipality=self.municipality,
            source=self.source,
            preliminary=self.preliminary,
            ax=ax,
        )
        show_figure(figure)
        figure, axes = plt.subplots(
            1, 2, figsize=(8, 5.4), layout="constrained", width_ratios=[1, 1.1]
        )
        if self.area.kind == "L":
            maps.region_map(
                self.values,
                kpi=kpi,
                year=year,
                region=self.municipality,
                source=self.source,
                preliminary=self.preliminary,
                ax=axes[0],
            )
            axes[1].remove()
        else:
            maps.municipality_map(
                self.values,
                kpi=kpi,
                year=year,
                municipality=self.municipality,
                source=self.source,
                title="Sverige",
                preliminary=self.preliminary,
                ax=axes[0],
            )
            maps.municipality_map(
                self.values,
                kpi=kpi,
                year=year,
                municipality=self.municipality,
                peers=self.peers,
                county="auto",
                source=self.source,
                legend=False,
                title=reference.COUNTIES.get(self._county(), "Länet"),
                preliminary=self.preliminary,
                ax=axes[1],
            )
        show_figure(figure)
        kpis = [i.kpi for _, i in self.area.indicators if i.gender == "T"]
        kpis = list(dict.fromkeys(kpis))
        statuses = self.evaluation.indicators.drop_duplicates("kpi").set_index("kpi")["status"]
        display(
            Markdown(
                f"**Alla indikatorer jämfört med riket** (mitten = riket, bättre till höger; "
                f"banden visar spridningen {self.everyone.among()}; färg = målstatus)."
            )
        )
        figure, ax = plt.subplots(figsize=(8, 0.9 + 0.45 * len(kpis)), layout="constrained")
        plots.spine_chart(
            self.values,
            kpis=kpis,
            municipality=self.municipality,
            year=self.area.year,
            statuses=statuses,
            source=self.source,
            ax=ax,
        )
        show_figure(figure)
        self._preliminary_note([year])
        if self.area.cost:
            self._cost(year)

    def _county(self) -> str:
        units = reference.municipalities().set_index("municipality")
        return str(units.at[self.municipality, "county"])

    def _cost(self, year: int) -> None:
        from analys import plots

        cost_year = self._latest_year(self.area.cost)
        if cost_year is None:
            return
        both = min(year, cost_year)
        display(
            Markdown(
                f"**Resultat och kostnad {both}** (fyrfältsdiagram): {registry.label(self.main_kpi)} "
                f"mot {registry.label(self.area.cost)}. Linjerna är medianerna för alla {self.unit_word}. "
                "Kostnaden värderas inte: låg kostnad kan betyda effektivitet men också mindre "
                "eller sämre service."
            )
        )
        figure, ax = plt.subplots(figsize=(7, 5), layout="constrained")
        plots.cost_chart(
            self.values,
            result_kpi=self.main_kpi,
            cost_kpi=self.area.cost,
            year=both,
            municipality=self.municipality,
            peers=self.peers,
            source=self.source,
            ax=ax,
        )
        show_figure(figure)

    def _latest_year(self, kpi: str) -> int | None:
        if self.area.year:
            return int(self.area.year)
        return self.index.latest(kpi, "T", self.area.kind)

    # -- 4. Utveckling över tid --------------------------------------------------------------

    def trends(self) -> None:
        """Section 4: one sentence per indicator, then their trend charts side by side.

        Everything ends at the report year: a series stops at the indicator's year (the
        report's ``year`` when given), a value missing in that year is "data saknas", and
        the charts end there too.
        """
        from analys import plots

        shown = list(dict.fromkeys((ind.kpi, ind.gender) for _, ind in self.area.indicators))
        first = {(ind.kpi, ind.gender): ind for _, ind in reversed(self.area.indicators)}
        years = self.evaluation.indicators.drop_duplicates(["kpi", "gender"])
        when = {
            (r.kpi, r.gender): (None if pd.isna(r.year) else int(r.year))
            for r in years.itertuples()
        }
        lines = []
        for key in shown:
            ind = first[key]
            label = indicator_label(ind)
            year = when.get(key, self.year)
            series = self.index.series(ind.kpi, self.municipality, ind.gender)
            if year is not None:
                series = series[series.index <= year]
            if year is not None and year not in series.index:
                last = int(series.index.max()) if len(series) else None
                lines.append(sentences.missing_sentence(label, year, last))
                continue
            peer_values = self.index.wide(ind.kpi, ind.gender)
            position = None
            if year is not None and year in peer_values.columns:
                position = sentences.peer_position(
                    float(series[year]),
                    peer_values[year].reindex(self.peers).tolist(),
                    registry.polarity(ind.kpi),  # a fact about quality, not the goal's stance
                    self.group,
                    self.place,
                )
            lines.append(
                sentences.indicator_sentence(
                    label, series, ind.polarity, position=position, year=year
                )
            )
            averaged = averaged_years(ind.kpi)
            if averaged:  # no trend test on overlapping multi-year means
                lines[-1] += f" ({averaged_reason(averaged)}.)"
        display(Markdown("\n".join(f"- {line}" for line in lines)))
        display(
            Markdown(
                "*Meningarna beskriver förändringen år för år fram till det senaste året; "
                f"kolumnen {TREND_HEADER} i tabellerna ovan är ett signifikanstest över fem år "
                "och kan därför visa en annan riktning. Linjen i diagrammen är medianen för "
                f"{self.group.counted()}, bandet deras mittersta hälft.*"
            )
        )
        last_year = self.area.year
        figure, axes = _grid(len(shown), width=4.6, height=3.1)
        for ax, key in zip(axes, shown, strict=False):
            ind = first[key]
            target = ind.target.value if ind.target.kind == "value" else None
            plots.trend_chart(
                self.values,
                kpi=ind.kpi,
                municipality=self.municipality,
                peers=self.peers,
                gender=ind.gender,
                years=self._years_upto(last_year),
                target=target,
                target_year=ind.target.by,
                source=self.source,
                legend="none",
                title=indicator_label(ind),
                preliminary=self.preliminary,
                peers_label=self.group.counted(),
                ax=ax,
            )
        plots.shared_legend(figure, axes)
        show_figure(figure)
        self._preliminary_note(self._years_upto(last_year) or self.values["year"].unique())

    def _years_upto(self, year: int | None) -> list[int] | None:
        """The data's years up to ``year`` (``None``: all years)."""
        if year is None:
            return None
        return sorted(int(y) for y in self.values["year"].unique() if int(y) <= int(year))

    # -- 5. Att fokusera på --------------------------------------------------------------------

    def focus(self) -> None:
        """Section 5: the exception list – worse than others and worsening (and off target)."""
        ind = self.evaluation.indicators.drop_duplicates(["kpi", "gender"])
        red = ind[(ind["colour"] == "red") & (ind["trend"] == "worsening")]
        off = ind[ind["status"].isin(OFF_TARGET)]
        among = f"av {self.everyone.counted()}"
        if red.empty:
            display(
                Markdown(
                    f"Inget nyckeltal är både bland de 25 % sämsta {among} och på väg åt fel "
                    f"håll (trend, 5 år) för {self.place} – ingen 'röd-röd' avvikelse."
                )
            )
        else:
            display(
                Markdown(
                    f"**Bland de 25 % sämsta {among} och försämras** (röd-röd, Fingertips M8):"
                )
            )
            display(self._focus_table(red))
        if not off.empty:
            display(Markdown(f"**{OFF_TARGET_LABEL}:**"))
            display(self._focus_table(off))
        self._preliminary_note(ind["year"])
        self._caption()

    def _focus_table(self, rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "Indikator": rows["label"],
                "År": [self._year(y) for y in rows["year"]],
                "Värde": [
                    with_unit(v, u or None, decimals_for(u or None, v))
                    for v, u in zip(rows["value"], rows["unit"], strict=True)
                ],
                "Status": rows["status"].map(STATUS_LABELS),
                self._quartile_header: rows["colour"].map(COLOUR_WORDS),
                TREND_HEADER: [
                    _trend_word(a, b)
                    for a, b in zip(rows["trend"], rows["trend_label"], strict=True)
                ],
                "Motivering": rows["reason"],
            }
        ).pipe(table_style)

    # -- 6. Förväntat värde och samband ------------------------------------------------------

    def expected(self) -> None:
        """Section 6: expected value from the drivers block, residual ranking, "lär av"."""
        from analys import plots
        from analys.stats import model

        drivers = self.area.drivers
        if drivers is None:
            display(Markdown("Området har inget drivers-block; avsnittet hoppas över."))
            return
        year = self._latest_year(drivers.outcome)
        kind = self.area.kind
        wide = self.values[(self.values["gender"] == "T") & (self.values["year"] == year)]
        wide = wide.pivot_table(index="municipality", columns="kpi", values="value")
        units = reference.kommun_codes() if kind == "K" else reference.region_codes()
        wide = wide[wide.index.isin(units)]
        columns = [drivers.outcome, *drivers.explanatory]
        missing = [k for k in columns if k not in wide.columns]
        if missing:
            display(
                Markdown(
                    f"Förväntat värde kan inte beräknas: inga värden {year} för "
                    f"{', '.join(missing)}."
                )
            )
            return
        shared = self._shared_expected.get(
            expected_key(drivers.outcome, tuple(drivers.explanatory), year)
        )
        try:
            if isinstance(shared, str):  # the batch's model failed with this message
                raise AnalysError(shared)
            result = shared or model.expected_values(
                wide[columns], drivers.outcome, list(drivers.explanatory)
            )
        except AnalysError as error:
            display(Markdown(f"Förväntat värde kan inte beräknas: {error}"))
            return
        # better/worse than expected only for a KPI with a direction (the registry's: a
        # fact about quality); a neutral outcome (a cost, a net cost deviation) is only
        # higher or lower than expected (docs/judgements.md)
        polarity = registry.polarity(drivers.outcome)
        neutral = polarity == "neutral"
        table = result.table
        s = registry.sign(polarity) or 1
        score = (s * table["loo_residual"]).sort_values(ascending=False)
        if neutral:  # the largest deviations either way, none of them "best"
            score = table["loo_residual"].reindex(
                table["loo_residual"].abs().sort_values(ascending=False).index
            )
        explained = "; ".join(registry.label(k).lower() for k in drivers.explanatory)
        display(
            Markdown(
                f"Vilket resultat kan man vänta sig av {self.place}, givet {explained}? En "
                f"regression över {result.n} {'kommuner' if kind == 'K' else 'regioner'} {year} "
                f"förklarar {number(result.r2 * 100, 0)} % av skillnaderna i "
                f"{registry.label(drivers.outcome).lower()} (R² = {number(result.r2, 2)})."
            )
        )
        if self.municipality in table.index:
            row = table.loc[self.municipality]
            rank = int(list(score.index).index(self.municipality)) + 1
            display(
                Markdown(
                    sentences.expected_sentence(
                        self.place,
                        registry.label(drivers.outcome),
                        float(row["actual"]),
                        float(row["expected"]),
                        float(row["loo_residual"]),
                        polarity,
                        registry.unit(drivers.outcome),
                        rank,
                        len(score),
                        units=self.unit_word,
                    )
                )
            )
        figure, ax = plt.subplots(figsize=(6.5, 5), layout="constrained")
        plots.expected_chart(
            table,
            municipality=self.municipality,
            peers=self.peers,
            kpi=drivers.outcome,
            source=self.source,
            ax=ax,
        )
        show_figure(figure)
        unit = registry.unit(drivers.outcome)
        top = pd.DataFrame(
            {
                "Kommun": [reference.title(c) for c in score.index[:10]],
                "Faktiskt": [with_unit(table.at[c, "actual"], unit) for c in score.index[:10]],
                "Förväntat": [with_unit(table.at[c, "expected"], unit) for c in score.index[:10]],
                "Över (+) eller under (−) förväntat" if neutral else "Bättre än förväntat": [
                    number(v) for v in score.iloc[:10]
                ],
            }
        )
        if neutral:
            heading = (
                "**Störst avvikelse från det förväntade** (korsvaliderad residual, alla "
                f"enheter). {registry.label(drivers.outcome)} har ingen riktning: högre eller "
                "lägre än förväntat är varken bättre eller sämre."
            )
        else:
            heading = (
                "**Bäst i förhållande till förutsättningarna** (korsvaliderad "
                "residual, alla enheter):"
            )
        display(Markdown(heading))
        display(top.pipe(table_style))
        if not neutral:
            learn = model.learn_from(result, self.peers, n=5, polarity=polarity)
            if len(learn):
                names = ", ".join(reference.title(c) for c in learn.index)
                display(
                    Markdown(
                        f"**Lär av:** bland {self.peers_label} gör {names} mer än "
                        "förutsättningarna förutsäger."
                    )
                )
        deviates = "avviker från det förväntade" if neutral else "gör bättre än förväntat"
        display(
            Markdown(
                f"*Samband mellan {self.unit_word} är inte orsakssamband: {'en region' if self.kind == 'L' else 'en kommun'} som {deviates} "
                "kan ha förklaringar som modellen inte ser.*"
            )
        )
        if result.dropped:
            display(Markdown(f"Utan fullständiga data (ingår inte): {len(result.dropped)} st."))
        self._caption()

    # -- 7. Kön ----------------------------------------------------------------------------

    def gender(self) -> None:
        """Section 7: the gap between women and men for KPIs divided by gender."""
        from analys import plots
        from analys.stats import gender as gender_mod

        kpis = [
            k
            for k in dict.fromkeys(i.kpi for _, i in self.area.indicators)
            if (registry.entry(k) or {}).get("divided_by_gender")
        ]
        if not kpis:
            display(Markdown("Inget av områdets nyckeltal redovisas uppdelat på kön."))
            return
        gaps = gender_mod.gender_gaps(self.values[self.values["kpi"].isin(kpis)])
        if self.area.year:
            gaps = gaps[gaps["year"] <= int(self.area.year)]
        same = gaps["municipality"].map(reference.unit_type) == self.kind
        lines, drawn, shown_years = [], [], []
        for kpi in kpis:
            label = registry.label(kpi)
            part = gaps[(gaps["kpi"] == kpi) & same & gaps["gap"].notna()]
            if part.empty:
                continue
            year = int(self.area.year or part["year"].max())
            own = part[part["municipality"] == self.municipality]
            if year not in set(own["year"]):
                last = int(own["year"].max()) if len(own) else None
                lines.append(sentences.missing_sentence(f"**{label}**", year, last))
                continue
            row = gender_mod.gap_versus_peers(part, self.municipality, self.peers, year).loc[kpi]
            phrase = gender_mod.describe_gap(float(row["gap"]), registry.unit(kpi))
            trend = gender_mod.gap_trend(
                own.set_index("year")["gap"], averaged_years=averaged_years(kpi)
            )
            peers_text = ""
            if not pd.isna(row["peers_median"]):
                larger = "större" if bool(row["larger_than_peers"]) else "mindre"
                peers_text = f" Skillnaden är {larger} än medianen {self.group.among(int(row['peers_count']))}."
            lines.append(f"**{label}** {self._year(year)}: {phrase}. {trend.label}.{peers_text}")
            drawn.append(kpi)
            shown_years.append(year)
        if lines:
            display(Markdown("\n".join(f"- {line}" for line in lines)))
        if not drawn:
            if not lines:
                display(Markdown(f"Könsuppdelade värden saknas för {self.place}."))
            return
        figure, axes = _grid(len(drawn), width=4.6, height=2.8)
        for ax, kpi in zip(axes, drawn, strict=True):
            plots.gender_gap_chart(
                self.values,
                kpi=kpi,
                municipality=self.municipality,
                peers=self.peers,
                years=self._years_upto(self.area.year),
                source=self.source,
                legend="none",
                preliminary=self.preliminary,
                peers_label=self.group.counted(),
                ax=ax,
            )
        plots.shared_legend(figure, axes)
        show_figure(figure)
        self._preliminary_note(shown_years)

    # -- Enheter ------------------------------------------------------------------------------

    def units(self) -> None:
        """Section *Enheter*, only when the area has KPIs with unit data (schools, care homes
        …): the municipality's units against each other and all units of their kind
        (:func:`analys.report.units.units_section`)."""
        from analys.report.units import units_section

        units_section(self)

    # -- 8. Om underlaget --------------------------------------------------------------------

    def about(self) -> None:
        """Section 8: source, snapshot, parameters, versions, method notes and attribution."""
        snap = self.snapshot
        rows = [
            ("Källa", str(snap.get("label") or self.source).removeprefix("Källa: ")),
            ("Dataversion", snap.get("snapshot") or "–"),
            ("Hämtat", snap.get("fetched") or ("ingår i paketet" if self.demo else "–")),
            ("Region" if self.kind == "L" else "Kommun", f"{self.place} ({self.municipality})"),
            ("År", self._year(self.year) if self.year else "senaste med data"),
            ("Jämförelsegrupp", self.group.counted()),
            ("Jämförelsegruppens källa", self.group.source),
            ("Jämförelsegruppens medlemmar", self._members_text()),
            ("Kvartilfärger och rangordning", self.everyone.among()),
            ("Tolerans", f"{number(self.area.tolerance * 100, 0)} %"),
            (
                "Brytpunkter för mål",
                f"uppfyllt ≥ {number(self.area.cutoffs.met, 2)}, delvis ≥ "
                f"{number(self.area.cutoffs.partly, 2)}, täckning ≥ "
                f"{number(self.area.cutoffs.coverage, 2)}",
            ),
            ("Egna uppgifter", "; ".join(own_store.credit(self.area.kpis, self.source)) or "–"),
            ("Params-fil", Path(self.area.path).name if self.area.path else self.area.area),
            ("Programversioner", self._versions()),
        ]
        display(pd.DataFrame(rows, columns=["", "Uppgift"]).pipe(table_style))
        kinds = sorted({i.target.kind for _, i in self.area.indicators}, key=TARGET_KINDS.index)
        display(
            Markdown(
                "**Metod.** Indikatorstatus: uppfyllt när värdet når målvärdet, delvis uppfyllt "
                "inom toleransen, annars ej uppfyllt; data saknas räknas aldrig som uppfyllt. "
                "Målets poäng = (vikt för uppfyllda + ½ · vikt för delvis uppfyllda) / vikt med data. "
                "Kvartilfärger: grön/röd när värdet ligger i bästa/sämsta fjärdedelen "
                f"{self.everyone.among()}. Meningarna om läget jämför med "
                f"{self.group.counted()}; med färre än 8 i gruppen anges plats i stället för "
                "kvartil. Trend: de fem senaste åren till och med rapportåret, signifikans enligt "
                "Fingertips; meningarna beskriver i stället förändringen år för år. "
                "Förväntat värde: linjär regression (OLS) på strukturella nyckeltal; rangordning "
                f"efter korsvaliderad residual. Målvärdestyper i området: {', '.join(kinds)}."
            )
        )
        display(Markdown(f"**{KALLA}.** Färger, rangordningar, residualer och målstatus: {EGEN}."))
        self._preliminary_note([self.year])
        own = own_store.credit_line(self.area.kpis, self.source)
        if own:
            display(Markdown(f"**Egna uppgifter:** {own}"))
        if self.demo:
            self._demo_banner()

    @staticmethod
    def _versions() -> str:
        names = ("analys", "pandas", "statsmodels", "matplotlib", "papermill")
        found = []
        for name in names:
            try:
                found.append(f"{name} {importlib.metadata.version(name)}")
            except importlib.metadata.PackageNotFoundError:
                continue
        return ", ".join(found)
