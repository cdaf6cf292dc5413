"""The unit report (``notebooks/enhet.ipynb``): one unit against the other units of its
municipality and all units of its kind in Sweden, over time, with the SALSA deviation where
it exists.

The area report's section *Enheter* is :mod:`analys.report.unit_section`; the units
``analys render --units`` makes reports for: :mod:`analys.render.units`. All analysis is in
:mod:`analys.stats.units`; this module only loads and shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from IPython.display import HTML

from analys import captions, data, plots, reference, registry
from analys.errors import AnalysError
from analys.format import difference_unit, number, preliminary_footnote, with_unit, year_text
from analys.goals import load_area
from analys.kolada.ou_ids import activity_title, plural
from analys.own import store as own_store
from analys.report import output
from analys.report.unit_common import (
    COLOUR_WORDS,
    TINTS,
    TREND_ARROWS,
    area_unit_kpis,
    caption,
    colour_note,
    column_grid,
    html_table,
    targets,
    value_text,
)
from analys.safe import Markdown, html_text
from analys.stats import salsa as salsa_mod
from analys.stats import units as U
from analys.summary import SUMMARY_MIMETYPE
from analys.vocabulary import in_place


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
        self.catalogue, self.values = data.unit_data(self.kpis, source)
        found = self.catalogue[self.catalogue["id"] == self.ou]
        if found.empty:
            raise AnalysError(f"ou: '{self.ou}' finns inte bland enheterna i underlaget")
        self.unit = found.iloc[0]
        self.title = str(self.unit["title"])
        self.activity = str(self.unit["activity"])
        mine = self.values[(self.values["ou"] == self.ou) & self.values["value"].notna()]
        self.shown = [k for k in self.kpis if k in set(mine["kpi"])]
        self.year = int(year) if year else (int(mine["year"].max()) if len(mine) else None)
        prel = data.snapshot(source).get("preliminary_year")
        self.preliminary = int(prel) if prel else None  # Kolada's latest year: "2025*"
        # the unit's latest year with values, and the latest of its kind: old values are told
        self.latest, self.kind_latest = U.latest_years(
            self.values, self.catalogue, self.ou, int(year) if year else None
        )
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
                target=targets(self.area).get(kpi),
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

    @property
    def old_values(self) -> bool:
        """The unit's latest values are older than those of other units of its kind."""
        return (
            self.latest is not None
            and self.kind_latest is not None
            and self.latest < self.kind_latest
        )

    def header(self) -> None:
        """Title, a warning when the unit's values are old, what the unit is, and the demo
        banner."""
        year = f" {year_text(self.year, self.preliminary)}" if self.year else ""
        output.display(Markdown(f"# {self.title}{year}"))
        if self.old_values:
            output.display(
                Markdown(
                    f"**Gamla värden.** Senaste värden för {self.title} är från "
                    f"{year_text(self.latest, self.preliminary)}; för andra "
                    f"{plural(self.activity)} finns värden till och med "
                    f"{year_text(self.kind_latest, self.preliminary)}. Enheten kan ha lagts "
                    "ned eller bytt id i Kolada. Jämförelserna nedan gäller enhetens senaste "
                    f"år med värden ({year_text(self.latest, self.preliminary)}), inte "
                    f"{year_text(self.kind_latest, self.preliminary)}."
                )
            )
        output.display(
            Markdown(
                f"{activity_title(self.activity)} {in_place(self.place)} (Kolada-id {self.ou}). "
                f"Rapporten jämför enheten med kommunens övriga {plural(self.activity)} och "
                f"med alla {plural(self.activity)} i landet, i de av områdets nyckeltal "
                f"({self.area.title}) som Kolada redovisar per enhet."
            )
        )
        starred = {self.year, self.kind_latest if self.old_values else None}
        if self.preliminary is not None and self.preliminary in starred:
            output.display(Markdown(preliminary_footnote(self.preliminary)))
        if self.demo:
            output.display(
                HTML(
                    "<div class='analys-demo' style='border:2px solid #d7191c;padding:0.5em;"
                    f"margin:0.5em 0;background:#fff5f5'><b>⚠ {html_text(captions.DEMO)}.</b> "
                    "Enhetens namn och id är verkliga, värdena är "
                    "påhittade.</div>"
                )
            )

    def position(self) -> None:
        """The unit's value, colour, ranks, trend and target gap per KPI, each in the year
        it is compared in (the unit's latest with a value, named in the table)."""
        if not self.rows:
            output.display(Markdown(f"{self.title} har inga värden för områdets nyckeltal."))
            return
        header = [
            "Nyckeltal",
            "År",
            "Värde",
            "Jämfört med landets enheter",
            "Plats i landet",
            "Plats i kommunen",
            "Trend",
            "Mot målet",
        ]
        rows = []
        for kpi, r in self.rows.items():
            value = value_text(kpi, float(r["judged_value"])) if r["basis"] != "–" else "–"
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
                else f"{with_unit(abs(gap), difference_unit(registry.unit(kpi)))} kvar"
            )
            compared = COLOUR_WORDS[r["colour"]]
            if kpi == U.SALSA_DEVIATION:
                compared = "rangordnas inte (Skolverket)"
            rows.append(
                [
                    (registry.label(kpi), ""),
                    (year_text(int(r["year"]), self.preliminary), ""),
                    (value + basis + (" *" if r["small"] else ""), ""),
                    (compared, TINTS.get(r["colour"], "")),
                    (rank, ""),
                    (local, ""),
                    (TREND_ARROWS.get(r["trend"], r["trend"]), ""),
                    (goal, ""),
                ]
            )
        output.display(HTML(html_table(rows, header)))
        notes = [r["note"] for r in self.rows.values() if r["note"]]
        text = f"Plats 1 är bäst. {colour_note(list(self.rows))}"
        if any(registry.polarity(k) == "neutral" for k in self.rows):
            text = text.replace("Plats 1 är bäst.", "Plats 1 är bäst (utan riktning: högst).")
        if any(r["small"] for r in self.rows.values()):
            text += " * liten enhet: medelvärdet av tre år bedöms, aldrig ett enda år."
        if notes:
            text += f" Bedöms inte: {notes[0]}."
        output.display(Markdown(text))
        caption(self.source, list(self.rows))

    def distribution(self) -> None:
        """The unit among its municipality's units and all units of its kind (seaborn)."""
        kpis = list(self.rows)
        if not kpis:
            return
        strips = [
            plots.unit_strip(
                self.values,
                kpi=kpi,
                municipality=self.municipality,
                units=self.catalogue,
                year=int(self.rows[kpi]["year"]),
                highlight=self.ou,
                preliminary=self.preliminary,
            )
            for kpi in kpis
        ]
        output.show_figure(plots.unit_strips_svg(strips, source=self.source))

    def over_time(self) -> None:
        """The unit's values over the years against the other units of its municipality and
        of Sweden (:func:`analys.plots.unit_trend_chart`, one panel per KPI)."""
        kpis = list(self.shown)
        if not kpis:
            return
        figure, axes = column_grid(len(kpis))
        for ax, kpi in zip(axes, kpis, strict=True):
            plots.unit_trend_chart(
                self.values,
                kpi=kpi,
                ou=self.ou,
                units=self.catalogue,
                source=self.source,
                preliminary=self.preliminary,
                ax=ax,
            )
        output.show_figure(figure)

    @property
    def has_salsa(self) -> bool:
        """A compulsory school of an area that follows the SALSA deviation."""
        return self.activity == "V15" and U.SALSA_DEVIATION in self.kpis

    def salsa(self) -> None:
        """Section 4, for a compulsory school only: its SALSA deviation in the report year,
        or in its latest year with one, saying which, with Skolverket's caution. Other units
        (preschools, care homes) have no such section."""
        if not self.has_salsa:
            return
        output.display(Markdown("## 4. Resultat jämfört med elevernas förutsättningar (SALSA)"))
        row = salsa_mod.unit_salsa(self.values, self.catalogue, self.ou, self.year)
        if row is None:
            until = f" till och med {year_text(self.year, self.preliminary)}" if self.year else ""
            output.display(
                Markdown(
                    f"Skolan har inga SALSA-värden{until} (Skolverket beräknar SALSA för skolor "
                    "med elever i åk 9 med betyg)."
                )
            )
            return
        judged = int(row["year"])
        lead = (
            f"**SALSA saknas för {year_text(self.year, self.preliminary)}; senaste värde "
            f"{year_text(judged, self.preliminary)}:**"
            if self.year is not None and judged != self.year
            else f"**SALSA {year_text(judged, self.preliminary)}.**"
        )
        history = self.values[
            (self.values["ou"] == self.ou)
            & (self.values["kpi"] == U.SALSA_DEVIATION)
            & (self.values["year"] <= judged)
        ].sort_values("year")
        years = ", ".join(
            f"{int(y)}: {'+' if v > 0 else ''}{number(v, 0)}"
            for y, v in zip(history["year"], history["value"], strict=True)
            if np.isfinite(v)
        )
        output.display(
            Markdown(
                f"{lead} Meritvärde {number(row['actual'], 1)}, "
                f"modellberäknat {number(row['modelled'], 1)}: avvikelse "
                f"{'+' if row['deviation'] > 0 else ''}{number(row['deviation'], 0)} poäng; "
                f"medel tre år ({judged - U.JUDGE_YEARS + 1}–{judged}) "
                f"{number(row['deviation_mean'], 1)} – **{row['reading']}**. "
                f"Avvikelse per år: {years}. *{salsa_mod.SALSA_CAUTION}*"
            )
        )
        caption(self.source)

    def about(self) -> None:
        """Source and method notes."""
        output.display(
            Markdown(
                f"**{captions.KOLADA_CREDIT}** (enhetsdata, Koladas organisatoriska enheter). "
                f"Färger, platser, trender{' och SALSA-läsning' if self.has_salsa else ''}: "
                f"{captions.DERIVED_CREDIT}. "
                "Jämförelsen gäller enheter av samma slag (Koladas V-kod); små enheter bedöms "
                "på tre års medelvärde. Enhetsid och namn byts ibland ut i Kolada, så en "
                "enhet kan sakna värden för tidigare år."
            )
        )
        if self.demo:
            output.display(Markdown(f"**{captions.DEMO}.**"))

    def publish_summary(self) -> None:
        """The machine-readable summary for the batch renderer's index (colour counts)."""
        colours = [str(r["colour"]) for r in self.rows.values()]
        payload = {
            "area": self.area.area,
            "municipality": self.municipality,
            "ou": self.ou,
            "title": self.title,
            "year": self.year,
            "preliminary": self.preliminary,
            "source": self.source,
            "colours": {c: colours.count(c) for c in sorted(set(colours))},
            # a unit whose values end before its kind's: the index says so beside the year
            "old_values": bool(self.old_values),
            "kind_latest": self.kind_latest,
        }
        output.display({SUMMARY_MIMETYPE: payload, "text/plain": ""}, raw=True)
