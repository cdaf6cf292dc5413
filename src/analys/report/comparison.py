"""Section 3 *Jämförelse med andra*: the main KPI against the peer group and every unit of
its type (ranking chart, maps), all indicators against Riket (spine chart), and result
against cost (quadrant chart)."""

from __future__ import annotations

import pandas as pd

from analys import maps, plots, reference, registry
from analys.format import decimals_for, join_and, with_unit
from analys.report import output, sentences
from analys.report.base import report_part
from analys.safe import Markdown
from analys.stats.peers import alone_in_county


@report_part
class ComparisonSections:
    """The comparison with others (a mixin of ``Report``)."""

    # -- 3. Jämförelse med andra -------------------------------------------------------------

    def _instead_of_main(self, kpi: str, year: int) -> tuple[str, int] | None:
        """When the municipality has no value of the headline ``kpi`` in ``year``: the
        area's first other indicator with a direction that it has a value of in that
        indicator's latest year, and that year; ``None`` when the headline has a value (or
        no other indicator has one)."""
        if year in self.index.series(kpi, self.municipality).index:
            return None
        for _, ind in self.area.indicators:
            other = ind.kpi
            if other == kpi or ind.gender != "T" or registry.polarity(other) == "neutral":
                continue
            when = self._latest_year(other)
            if when is not None and when in self.index.series(other, self.municipality).index:
                return other, when
        return None

    def comparison(self) -> None:
        """Section 3: ranking and maps for the main KPI, the spine chart, result against cost."""
        kpi = self.main_kpi
        year = self._latest_year(kpi)
        if year is None:
            output.display(Markdown(f"Inga värden för {registry.label(kpi)} att jämföra."))
            return
        self.peer_listing()
        instead = self._instead_of_main(kpi, year)
        if instead is not None:  # the headline KPI has no value here: compare on another
            output.display(
                Markdown(
                    f"{self.place} saknar värde {self._year(year)} för "
                    f"{registry.label(kpi)}, områdets huvudnyckeltal. Rangordningen och "
                    f"kartorna visar i stället {registry.label(instead[0])} "
                    f"({self._year(instead[1])})."
                )
            )
            kpi, year = instead
        main = self._values(kpi)
        own = main[(main["municipality"] == self.municipality) & (main["year"] == year)]
        value = float(own["value"].iloc[0]) if len(own) else float("nan")
        peer_values = main[(main["municipality"].isin(self.peers)) & (main["year"] == year)]
        position = sentences.peer_position(
            value, peer_values["value"].tolist(), registry.polarity(kpi), self.group, self.place
        )
        if pd.isna(value):
            text = sentences.missing_sentence(
                f"**{registry.label(kpi)}**", year, preliminary=self.preliminary
            )[:-1]
        else:
            text = (
                f"**{registry.label(kpi)}** {self._year(year)}: {self.place} har "
                f"{with_unit(value, registry.unit(kpi), decimals_for(registry.unit(kpi), value))}"
            )
        if position:
            text += f" och {position}"
        output.display(Markdown(text + "."))
        ranking = plots.ranking_bars(
            self.kpi_values(kpi),
            kpi=kpi,
            year=year,
            municipality=self.municipality,
            preliminary=self.preliminary,
        )
        output.show_figure(plots.ranking_svg(ranking, source=self.source, width=8, height=3.6))
        common = {"kpi": kpi, "year": year, "preliminary": self.preliminary}
        if self.area.municipality_type == "L":  # one map: Sweden's regions
            panel = maps.map_panel(
                self.kpi_values(kpi), focus=self.municipality, region=True, **common
            )
            figure = maps.map_svg([panel], source=self.source, height=6.4, max_width=5.6)
        else:
            sweden = maps.map_panel(
                self.kpi_values(kpi), focus=self.municipality, title="Sverige", **common
            )
            if alone_in_county(self.municipality):  # Gotland: its county map is itself
                figure = maps.map_svg([sweden], source=self.source, height=6.4, max_width=4.6)
            else:
                county = maps.map_panel(
                    self.kpi_values(kpi),
                    focus=self.municipality,
                    peers=self.peers,
                    county="auto",
                    title=reference.county_name(self.municipality) or "Länet",
                    **common,
                )
                figure = maps.map_svg([sweden, county], source=self.source, legends=[True, False])
        output.show_figure(figure)
        kpis = [i.kpi for _, i in self.area.indicators if i.gender == "T"]
        kpis = list(dict.fromkeys(kpis))
        statuses = self.evaluation.indicators.drop_duplicates("kpi").set_index("kpi")["status"]
        neutral = [k for k in kpis if registry.polarity(k) == "neutral"]
        grey = (
            "; grå rader har ingen riktning: högre till höger, utan värdering och med "
            "kvartilfärg i stället för målstatus"
            if neutral
            else ""
        )
        output.display(
            Markdown(
                f"**Alla indikatorer jämfört med riket** (mitten = riket, bättre till höger; "
                f"banden visar spridningen {self.everyone.among()}; färg = målstatus{grey})."
            )
        )
        spine = plots.spine_rows(
            self.kpi_values(*kpis),
            kpis=kpis,
            municipality=self.municipality,
            year=self.area.year,
            statuses=statuses,
            preliminary=self.preliminary,
        )
        height = 0.9 + 0.45 * len(kpis)
        output.show_figure(plots.spine_svg(spine, source=self.source, width=8, height=height))
        self._preliminary_note([year])
        if self.area.cost:
            self._cost(year)

    def _result_kpi(self) -> str | None:
        """The result set against the cost: the main KPI, or, when that has no direction
        (a cost itself, as LSS's cost model), the area's first indicator with one."""
        if registry.polarity(self.main_kpi) != "neutral":
            return self.main_kpi
        return next(
            (
                i.kpi
                for _, i in self.area.indicators
                if i.gender == "T" and registry.polarity(i.kpi) != "neutral"
            ),
            None,
        )

    def _cost(self, year: int) -> None:
        result = self._result_kpi()
        cost_year = self._latest_year(self.area.cost)
        if cost_year is None or result is None or result == self.area.cost:
            return
        if result != self.main_kpi:
            year = self._latest_year(result)
            if year is None:
                return
        both = min(year, cost_year)
        output.display(
            Markdown(
                f"**Resultat och kostnad {self._year(both)}** (fyrfältsdiagram): {registry.label(result)} "
                f"mot {registry.label(self.area.cost)}. Linjerna är medianerna för alla {self.unit_word}. "
                "Kostnaden värderas inte: låg kostnad kan betyda effektivitet men också mindre "
                "eller sämre service."
            )
        )
        lacking = [
            registry.label(k)
            for k in (result, self.area.cost)
            if both not in self.index.series(k, self.municipality).index
        ]
        if lacking:  # said, not silently left out of the chart
            output.display(
                Markdown(
                    f"{self.place} saknar värde {self._year(both)} för {join_and(lacking)} och syns "
                    "därför inte i diagrammet."
                )
            )
        points = plots.cost_points(
            self.kpi_values(result, self.area.cost),
            result_kpi=result,
            cost_kpi=self.area.cost,
            year=both,
            municipality=self.municipality,
            peers=self.peers,
            preliminary=self.preliminary,
        )
        output.show_figure(plots.scatter_svg(points, source=self.source, width=7, height=5))
