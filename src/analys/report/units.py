"""Units in the reports: the area report's *Enheter* section and the unit report.

* :func:`units_section` – the section *Enheter* of ``notebooks/omrade.ipynb`` (called by
  :meth:`analys.report.Report.units`): when the area has KPIs with unit data, a table of the
  municipality's units (value and quartile colour per KPI, trend, SALSA deviation for
  schools), short sentences on the units that stand out, the spread between the best and the
  worst unit, and the units against the national distribution (seaborn).
* :class:`UnitReport` – ``notebooks/enhet.ipynb``: one unit against the other units of its
  municipality and all units of its kind in Sweden, over time, with the SALSA deviation where
  it exists.
* the units ``analys render --units`` makes reports for: :mod:`analys.render.units`.

All analysis is in :mod:`analys.stats.units`; this module only loads and shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display

from analys import captions, data, reference, registry
from analys.chartstyle import COLOURS
from analys.errors import AnalysError
from analys.format import decimals_for, difference_unit, number, with_unit
from analys.goals import Area, load_area
from analys.kolada.ou_ids import activity_title, plural
from analys.own import store as own_store
from analys.safe import Markdown, html_text
from analys.stats import units as U

COLOUR_WORDS = {
    "green": "bästa fjärdedelen",
    "yellow": "mittenhälften",
    "red": "sämsta fjärdedelen",
    "grey": "värde saknas",
    "none": "bedöms inte",
    # a neutral KPI (no better or worse): higher or lower than the other units, as at
    # municipality level (analys.report.COLOUR_WORDS, chartstyle's blue/orange palette)
    "high": "högsta fjärdedelen",
    "middle": "mittenhälften",
    "low": "lägsta fjärdedelen",
}
TREND_ARROWS = {
    "improving": "↑ förbättras",
    "worsening": "↓ försämras",
    "no_change": "→ ingen säker förändring",
    "cannot_calculate": "… kan inte beräknas",
    "neutral": "↕ förändras",
}
TINTS = {
    "green": "#d9f0d3",
    "yellow": "#fff7bc",
    "red": "#fdd0d0",
    "high": "#cfe3f1",
    "low": "#fee4c8",
}
#: the colour legend of the unit tables: judged KPIs, and those without a direction
COLOUR_NOTE = "Färg: kvartil bland landets enheter av samma slag."
NEUTRAL_NOTE = (
    "Nyckeltal utan bättre/sämre riktning färgas blått (högsta fjärdedelen) och orange "
    "(lägsta fjärdedelen), utan värdering."
)


def colour_note(kpis: Sequence[str]) -> str:
    """The colour legend for unit tables of ``kpis`` (the neutral palette when one has it)."""
    if any(registry.polarity(k) == "neutral" and k not in U.SALSA_KPIS for k in kpis):
        return f"{COLOUR_NOTE} {NEUTRAL_NOTE}"
    return COLOUR_NOTE


def area_unit_kpis(area: Area, source: str) -> list[str]:
    """The area's KPIs with unit data (plus the SALSA companions), in the area's order."""
    return U.unit_kpis(area.kpis, data.load_kpis(source))


def load_unit_data(kpis: Sequence[str], source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unit catalogue and the unit values of ``kpis`` (all units the source has)."""
    catalogue = data.load_units(source=source if source != "kolada" else "store")
    values = data.load_unit_values(list(kpis), source=source if source != "kolada" else "store")
    return catalogue, values


def _escape(text: object) -> str:
    return html_text(text)


def _caption(source: str, kpis: Sequence[str] = ()) -> None:
    """The credit under a unit table: the own indicators' files when it shows any."""
    if any(str(k).startswith("EGEN-") for k in kpis):
        from analys.chartstyle import caption_text

        text = caption_text(source, derived=True, kpis=tuple(kpis))
    else:
        text = captions.source_caption(source, derived=True)
    display(
        HTML(f"<p class='analys-caption' style='font-size:0.8em;color:#555'>{_escape(text)}.</p>")
    )


def _show(figure) -> None:
    from analys.report import show_figure

    show_figure(figure)


def _value_text(kpi: str, value: float) -> str:
    unit = registry.unit(kpi)
    return with_unit(value, unit, decimals_for(unit, value)) if np.isfinite(value) else "–"


def _targets(area: Area) -> dict[str, Any]:
    """KPI → the first total-gender indicator's target."""
    out: dict[str, Any] = {}
    for _, indicator in area.indicators:
        if indicator.gender == "T":
            out.setdefault(indicator.kpi, indicator.target)
    return out


def _html_table(rows: list[list[tuple[str, str]]], header: list[str]) -> str:
    """A small HTML table: cells are (text, background colour or "")."""
    head = "".join(f"<th style='text-align:left'>{_escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f"<td style='text-align:left;{f'background:{tint};' if tint else ''}'>"
            f"{_escape(text)}</td>"
            for text, tint in row
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        "<table class='analys-units'><thead><tr>"
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


# ---------------------------------------------------------------------------------- section


def units_section(report: Any) -> None:
    """The *Enheter* section of the area report (nothing when the area has no unit KPIs)."""
    area: Area = report.area
    kpis = area_unit_kpis(area, report.source)
    if not kpis:
        return
    display(Markdown("## Enheter"))
    try:
        catalogue, values = load_unit_data(kpis, report.source)
    except AnalysError as error:
        display(Markdown(f"Enhetsdata saknas: {error}"))
        return
    municipality = report.municipality
    own_units = catalogue[catalogue["municipality"] == municipality]
    # the SALSA figures have their own column and paragraph (and must not be ranked)
    shown = [k for k in kpis if k not in U.SALSA_KPIS]
    year = report.year
    tables = {}
    for kpi in shown:
        part = values[values["kpi"] == kpi]
        wanted = year if year and (part["year"] == year).any() else None
        table = U.unit_table(
            values, catalogue, kpi, municipality, wanted, target=_targets(area).get(kpi)
        )
        if not table.empty:
            tables[kpi] = table
    if not tables:
        display(
            Markdown(
                f"{report.place} har inga enheter med värden för områdets nyckeltal på enhetsnivå."
            )
        )
        return
    kinds = sorted({a for t in tables.values() for a in t["activity"]})
    counts = [f"{int((own_units['activity'] == k).sum())} {plural(k)}" for k in kinds]
    names = counts[0] if len(counts) == 1 else ", ".join(counts[:-1]) + " och " + counts[-1]
    display(
        Markdown(
            f"{report.place} har {names} i Koladas enhetsregister. Varje enhet jämförs med "
            "alla enheter av samma slag "
            f"{'i landet' if report.demo else 'i underlaget (de kommuner som hämtats)'} "
            "och med kommunens övriga. Små enheter (under "
            f"{U.SMALL_UNIT} elever/svar) bedöms på medelvärdet av tre år och aldrig på ett "
            "enda år."
        )
    )
    lines = []
    for kpi, table in tables.items():
        lines += U.standouts(table, registry.label(kpi))
        change = U.spread_change(U.spread(values, kpi, municipality))
        ends = "högsta och lägsta" if registry.polarity(kpi) == "neutral" else "bästa och sämsta"
        if change:
            unit = difference_unit(registry.unit(kpi))
            word = (
                "ökat"
                if change["range_change"] > 0
                else "minskat"
                if change["range_change"] < 0
                else "är oförändrad"
            )
            lines.append(
                f"{registry.label(kpi)}: skillnaden mellan {ends} enhet är "
                f"{with_unit(change['range_latest'], unit)} ({change['latest_year']}); "
                f"den har {word} från {with_unit(change['range_first'], unit)} "
                f"({change['first_year']})."
                if word != "är oförändrad"
                else f"{registry.label(kpi)}: skillnaden mellan {ends} enhet "
                f"{word} sedan {change['first_year']}."
            )
    if lines:
        display(Markdown("\n".join(f"- {line}" for line in lines)))
    for kind in kinds:
        _activity_table(report, kind, tables, values, catalogue)
    figure, axes = _grid(len(tables))
    for ax, kpi in zip(axes, tables, strict=False):
        from analys import plots

        plots.unit_chart(
            values,
            kpi=kpi,
            municipality=municipality,
            units=catalogue,
            year=int(tables[kpi]["year"].iloc[0]),
            table=tables[kpi],
            source=report.source,
            ax=ax,
        )
    _show(figure)
    if U.SALSA_DEVIATION in kpis:
        _salsa(values, catalogue, municipality, report.source)


def _grid(n: int):
    figure, axes = plt.subplots(n, 1, figsize=(8, 2.7 * n), layout="constrained", squeeze=False)
    return figure, list(axes.flat)


def _activity_table(
    report: Any,
    kind: str,
    tables: Mapping[str, pd.DataFrame],
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
) -> None:
    mine = {k: t[t["activity"] == kind].set_index("ou") for k, t in tables.items()}
    mine = {k: t for k, t in mine.items() if not t.empty}
    if not mine:
        return
    titles = catalogue.set_index("id")["title"]
    wanted = {o for t in mine.values() for o in t.index}
    ids = sorted(wanted, key=lambda o: (str(titles.get(o, o)).lower(), o))
    first = next(iter(mine))
    salsa = pd.DataFrame()
    if kind == "V15":
        salsa = U.salsa_table(values, catalogue, report.municipality).set_index("ou")
    header = ["Enhet", *[registry.label(k) for k in mine], f"Trend ({registry.label(first)})"]
    if not salsa.empty:
        header.append("SALSA-avvikelse (medel 3 år)")
    rows = []
    for ou in ids:
        row = [(str(titles.get(ou, ou)), "")]
        for kpi, table in mine.items():
            if ou not in table.index:
                row.append(("–", ""))
                continue
            r = table.loc[ou]
            text = _value_text(kpi, float(r["judged_value"])) if r["basis"] != "–" else "–"
            if r["small"]:
                text += " *"
            row.append((f"{text} ({COLOUR_WORDS[r['colour']]})", TINTS.get(r["colour"], "")))
        trend = mine[first]["trend"].get(ou, "cannot_calculate")
        row.append((TREND_ARROWS.get(trend, trend), ""))
        if not salsa.empty:
            if ou in salsa.index:
                s = salsa.loc[ou]
                sign = "+" if s["deviation_mean"] > 0 else ""
                row.append((f"{sign}{number(s['deviation_mean'], 1)} ({s['reading']})", ""))
            else:
                row.append(("–", ""))
        rows.append(row)
    year = int(next(iter(mine.values()))["year"].iloc[0])
    display(Markdown(f"**{activity_title(kind)} i {report.place} {year}**"))
    display(HTML(_html_table(rows, header)))
    display(
        Markdown(
            f"{colour_note(list(mine))} * liten enhet: medelvärdet av de tre senaste åren "
            "visas och bedöms."
        )
    )
    _caption(report.source, list(mine))


def _salsa(values: pd.DataFrame, catalogue: pd.DataFrame, municipality: str, source: str) -> None:
    table = U.salsa_table(values, catalogue, municipality)
    if table.empty:
        return
    counts = table["reading"].value_counts()
    display(
        Markdown(
            f"**SALSA, meritvärde åk 9 ({int(table['year'].iloc[0])}).** "
            f"{counts.get('över förväntan', 0)} skolor ligger över och "
            f"{counts.get('under förväntan', 0)} under vad elevernas bakgrund ger anledning "
            f"att vänta (medel av tre år, mer än ±{number(U.SALSA_MARGIN, 0)} poäng); "
            f"{counts.get('osäkert', 0)} är för osäkra att läsa. *{U.SALSA_CAUTION}* "
            "Skolorna står därför i bokstavsordning."
        )
    )
    _caption(source)


# ---------------------------------------------------------------------------------- unit report


@own_store.scoped(
    lambda *args, **kwargs: kwargs.get("source", args[3] if len(args) > 3 else "demo")
)
class UnitReport:
    """One unit's report (``notebooks/enhet.ipynb``).

    Parameters
    ----------
    area
        Area name or params path (its unit KPIs are followed).
    municipality
        The unit's municipality.
    ou
        The unit's Kolada id.
    source
        ``demo``, ``store`` or ``kolada`` (read from the store).
    year
        Report year; default the latest with values.
    """

    def __init__(
        self,
        area: str,
        municipality: str,
        ou: str,
        source: str = "demo",
        year: int | None = None,
    ) -> None:
        self.area = load_area(area)
        self.municipality = str(municipality)
        self.ou = str(ou)
        self.source = data.check_source(source)
        self.demo = source == "demo"
        self.place = reference.title(self.municipality)
        self.kpis = area_unit_kpis(self.area, source)
        self.catalogue, self.values = load_unit_data(self.kpis, source)
        found = self.catalogue[self.catalogue["id"] == self.ou]
        if found.empty:
            raise AnalysError(f"ou: '{self.ou}' finns inte bland enheterna i underlaget")
        self.unit = found.iloc[0]
        self.title = str(self.unit["title"])
        self.activity = str(self.unit["activity"])
        mine = self.values[(self.values["ou"] == self.ou) & self.values["value"].notna()]
        self.shown = [k for k in self.kpis if k in set(mine["kpi"])]
        self.year = int(year) if year else (int(mine["year"].max()) if len(mine) else None)
        self.rows = {}
        for kpi in self.shown:
            own = mine[(mine["kpi"] == kpi) & (mine["year"] <= (self.year or 9999))]
            if own.empty:
                continue
            wanted = int(own["year"].max())  # the unit's latest year with a value
            table = U.unit_table(
                self.values,
                self.catalogue,
                kpi,
                self.municipality,
                wanted,
                target=_targets(self.area).get(kpi),
            )
            if self.ou in set(table["ou"]):
                self.rows[kpi] = table.set_index("ou").loc[self.ou]

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, Any]) -> UnitReport:
        """From the notebook's parameters (``UnitReport.from_parameters(globals())``)."""
        municipality = namespace.get("municipality")
        if isinstance(municipality, int):
            municipality = f"{municipality:04d}"
        return cls(
            str(namespace.get("area")),
            str(municipality),
            str(namespace.get("ou")),
            str(namespace.get("source") or "demo"),
            namespace.get("year"),
        )

    def header(self) -> None:
        """Title, what the unit is, and the demo banner."""
        year = f" {self.year}" if self.year else ""
        display(Markdown(f"# {self.title}{year}"))
        display(
            Markdown(
                f"{activity_title(self.activity)} i {self.place} (Kolada-id {self.ou}). "
                f"Rapporten jämför enheten med kommunens övriga {plural(self.activity)} och "
                f"med alla {plural(self.activity)} i landet, i de av områdets nyckeltal "
                f"({self.area.title}) som Kolada redovisar per enhet."
            )
        )
        if self.demo:
            display(
                HTML(
                    "<div class='analys-demo' style='border:2px solid #d7191c;padding:0.5em;"
                    "margin:0.5em 0;background:#fff5f5'><b>DEMODATA</b> – "
                    f"{_escape(captions.DEMO)}. Enhetens namn och id är verkliga, värdena är "
                    "påhittade.</div>"
                )
            )

    def position(self) -> None:
        """The unit's value, colour, ranks, trend and target gap per KPI."""
        if not self.rows:
            display(Markdown(f"{self.title} har inga värden för områdets nyckeltal."))
            return
        header = [
            "Nyckeltal",
            "Värde",
            "Jämfört med landets enheter",
            "Plats i landet",
            "Plats i kommunen",
            "Trend",
            "Mot målet",
        ]
        rows = []
        for kpi, r in self.rows.items():
            value = _value_text(kpi, float(r["judged_value"])) if r["basis"] != "–" else "–"
            basis = "" if r["basis"] == str(r["year"]) else f" ({r['basis']})"
            rank = (
                f"{int(r['rank_sweden'])} av {int(r['count_sweden'])}"
                if np.isfinite(r["rank_sweden"]) and r["colour"] != "none"
                else "–"
            )
            local = (
                f"{int(r['rank_municipality'])} av {int(r['count_municipality'])}"
                if np.isfinite(r["rank_municipality"])
                else "–"
            )
            gap = float(r["target_gap"])
            goal = (
                "–"
                if not np.isfinite(gap)
                else "når målet"
                if gap >= 0
                else f"{with_unit(abs(gap), registry.unit(kpi))} kvar"
            )
            compared = COLOUR_WORDS[r["colour"]]
            if kpi == U.SALSA_DEVIATION:
                compared = "rangordnas inte (Skolverket)"
            year_text = f" ({int(r['year'])})" if self.year and int(r["year"]) != self.year else ""
            rows.append(
                [
                    (registry.label(kpi) + year_text, ""),
                    (value + basis + (" *" if r["small"] else ""), ""),
                    (compared, TINTS.get(r["colour"], "")),
                    (rank, ""),
                    (local, ""),
                    (TREND_ARROWS.get(r["trend"], r["trend"]), ""),
                    (goal, ""),
                ]
            )
        display(HTML(_html_table(rows, header)))
        notes = [r["note"] for r in self.rows.values() if r["note"]]
        text = f"Plats 1 är bäst. {colour_note(list(self.rows))}"
        if any(registry.polarity(k) == "neutral" for k in self.rows):
            text = text.replace("Plats 1 är bäst.", "Plats 1 är bäst (utan riktning: högst).")
        if any(r["small"] for r in self.rows.values()):
            text += " * liten enhet: medelvärdet av tre år bedöms, aldrig ett enda år."
        if notes:
            text += f" Bedöms inte: {notes[0]}."
        display(Markdown(text))
        _caption(self.source, list(self.rows))

    def distribution(self) -> None:
        """The unit among its municipality's units and all units of its kind (seaborn)."""
        from analys import plots

        kpis = list(self.rows)
        if not kpis:
            return
        figure, axes = _grid(len(kpis))
        for ax, kpi in zip(axes, kpis, strict=True):
            plots.unit_chart(
                self.values,
                kpi=kpi,
                municipality=self.municipality,
                units=self.catalogue,
                year=int(self.rows[kpi]["year"]),
                highlight=self.ou,
                source=self.source,
                ax=ax,
            )
        _show(figure)

    def over_time(self) -> None:
        """The unit's values over the years against the municipality's and Sweden's units."""
        import seaborn as sns

        from analys.chartstyle import FOCUS, PEERS, RIKET
        from analys.plots.base import finish, kpi_title

        kpis = list(self.shown)
        if not kpis:
            return
        kinds = self.catalogue.set_index("id")["activity"]
        figure, axes = _grid(len(kpis))
        for ax, kpi in zip(axes, kpis, strict=True):
            part = self.values[(self.values["kpi"] == kpi) & (self.values["gender"] == "T")]
            part = part[part["ou"].map(kinds) == self.activity]
            series = [
                ("Riket, median för enheterna", part, RIKET),
                (
                    f"{self.place}, median för enheterna",
                    part[part["municipality"] == self.municipality],
                    PEERS,
                ),
            ]
            lines = []
            for name, frame, _ in series:
                median = frame.groupby("year")["value"].median().rename("value").reset_index()
                lines.append(median.assign(serie=name))
            own = part[part["ou"] == self.ou].loc[:, ["year", "value"]].assign(serie=self.title)
            lines.append(own)
            tidy = pd.concat(lines, ignore_index=True)
            palette = {series[0][0]: RIKET, series[1][0]: PEERS, self.title: FOCUS}
            sns.lineplot(
                data=tidy,
                x="year",
                y="value",
                hue="serie",
                palette=palette,
                marker="o",
                ax=ax,
            )
            ax.set_title(kpi_title(kpi), fontsize=9, loc="left")
            ax.set_xlabel("")
            ax.set_ylabel(registry.unit(kpi) or "")
            ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
            finish(ax, self.source, derived=True)
        _show(figure)

    def salsa(self) -> None:
        """The SALSA deviation for a school with year 9, with Skolverket's caution."""
        if self.activity != "V15" or U.SALSA_DEVIATION not in self.kpis:
            display(Markdown("SALSA-avvikelsen finns bara för grundskolor med årskurs 9."))
            return
        table = U.salsa_table(self.values, self.catalogue, self.municipality)
        if self.ou not in set(table["ou"]):
            display(Markdown("Skolan har ingen SALSA-avvikelse (inga elever i åk 9 med betyg)."))
            return
        row = table.set_index("ou").loc[self.ou]
        history = self.values[
            (self.values["ou"] == self.ou) & (self.values["kpi"] == U.SALSA_DEVIATION)
        ].sort_values("year")
        years = ", ".join(
            f"{int(y)}: {'+' if v > 0 else ''}{number(v, 0)}"
            for y, v in zip(history["year"], history["value"], strict=True)
            if np.isfinite(v)
        )
        display(
            Markdown(
                f"**SALSA {int(row['year'])}.** Meritvärde {number(row['actual'], 1)}, "
                f"modellberäknat {number(row['modelled'], 1)}: avvikelse "
                f"{'+' if row['deviation'] > 0 else ''}{number(row['deviation'], 0)} poäng; "
                f"medel tre år {number(row['deviation_mean'], 1)} – **{row['reading']}**. "
                f"Avvikelse per år: {years}. *{U.SALSA_CAUTION}*"
            )
        )
        _caption(self.source)

    def about(self) -> None:
        """Source and method notes."""
        display(
            Markdown(
                f"**{captions.KALLA}** (enhetsdata, Koladas organisatoriska enheter). "
                f"Färger, platser, trender och SALSA-läsning: {captions.EGEN}. "
                "Jämförelsen gäller enheter av samma slag (Koladas V-kod); små enheter bedöms "
                "på tre års medelvärde. Enhetsid och namn byts ibland ut i Kolada, så en "
                "enhet kan sakna värden för tidigare år."
            )
        )
        if self.demo:
            display(Markdown(f"**{captions.DEMO}.**"))

    def publish_summary(self) -> None:
        """The machine-readable summary for the batch renderer's index (colour counts)."""
        from analys.summary import SUMMARY_MIMETYPE

        colours = [str(r["colour"]) for r in self.rows.values()]
        payload = {
            "area": self.area.area,
            "municipality": self.municipality,
            "ou": self.ou,
            "title": self.title,
            "year": self.year,
            "source": self.source,
            "colours": {c: colours.count(c) for c in sorted(set(colours))},
        }
        display({SUMMARY_MIMETYPE: payload, "text/plain": ""}, raw=True)


def _tint(colour: str) -> str:
    return COLOURS.get(colour, "")
