"""Sections 4 *Utveckling över tid* and 7 *Kön*: each indicator's development and the gap
between women and men, ending at the report year."""

from __future__ import annotations

import pandas as pd

from analys import plots, reference, registry
from analys.catalogue import averaged_years
from analys.format import join_and
from analys.fulfilment.country import gender_kpis
from analys.report import output, sentences
from analys.report.base import report_part
from analys.report.labels import TREND_HEADER, indicator_label
from analys.safe import Markdown
from analys.stats import gender as gender_mod
from analys.stats.trend import averaged_reason


@report_part
class TrendSections:
    """Development over time and by gender (a mixin of ``Report``)."""

    # -- 4. Utveckling över tid --------------------------------------------------------------

    def trends(self) -> None:
        """Section 4: one sentence per indicator, then their trend charts side by side.

        Everything ends at the report year: a series stops at the indicator's year (the
        report's ``year`` when given), a value missing in that year is "data saknas", and
        the charts end there too.
        """
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
                lines.append(
                    sentences.missing_sentence(label, year, last, preliminary=self.preliminary)
                )
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
                    label,
                    series,
                    ind.polarity,
                    position=position,
                    year=year,
                    preliminary=self.preliminary,
                )
            )
            averaged = averaged_years(ind.kpi)
            if averaged:  # no trend test on overlapping multi-year means
                reason = averaged_reason(averaged)
                lines[-1] += f" {reason[:1].upper()}{reason[1:]}."
        output.display(Markdown("\n".join(f"- {line}" for line in lines)))
        output.display(
            Markdown(
                "*Meningarna beskriver förändringen år för år fram till det senaste året; "
                f"kolumnen {TREND_HEADER} i tabellerna ovan är ett signifikanstest över fem år "
                "och kan därför visa en annan riktning. Linjen i diagrammen är medianen för "
                f"{self.group.counted()}, bandet deras mittersta hälft.*"
            )
        )
        last_year = self.area.year
        drawn = [key for key in shown if self._drawable(*key, last_year)]
        if len(drawn) < len(shown):  # e.g. another municipality's own survey indicators
            names = join_and([indicator_label(first[k]) for k in shown if k not in drawn])
            output.display(
                Markdown(
                    f"Inget diagram för {names}: varken {self.place}, "
                    f"{self.group.counted()} eller riket har värden."
                )
            )
        if not drawn:
            return
        panels = []
        for key in drawn:
            ind = first[key]
            panels.append(
                plots.trend_lines(
                    self.kpi_values(ind.kpi),
                    kpi=ind.kpi,
                    municipality=self.municipality,
                    peers=self.peers,
                    gender=ind.gender,
                    years=self._years_upto(last_year),
                    target=ind.target.value if ind.target.kind == "value" else None,
                    target_year=ind.target.by,
                    title=indicator_label(ind),
                    preliminary=self.preliminary,
                    peers_label=self.group.counted(),
                )
            )
        output.show_figure(plots.lines_grid(panels, source=self.source, width=4.6, height=3.1))
        self._preliminary_note(self._years_upto(last_year) or self.values["year"].unique())

    def _drawable(self, kpi: str, gender: str, last_year: int | None) -> bool:
        """True when a trend chart of ``kpi`` has a line to draw: a value up to
        ``last_year`` for the municipality, a peer or the country."""
        codes = {self.municipality, reference.RIKET, *self.peers}
        return any(
            len(series) and (last_year is None or series.index.min() <= last_year)
            for series in (self.index.series(kpi, code, gender) for code in codes)
        )

    # -- 7. Kön ----------------------------------------------------------------------------

    def gender(self) -> None:
        """Section 7: the gap between women and men (girls and boys) for KPIs divided by gender."""
        kpis = gender_kpis(self.area)
        if not kpis:
            output.display(Markdown("Inget av områdets nyckeltal redovisas uppdelat på kön."))
            return
        shared = self._shared_gaps  # every municipality's gaps, computed once per batch
        year = None if self.area.year is None else int(self.area.year)
        if shared is not None and (shared.kpis, shared.year) != (tuple(kpis), year):
            shared = None
        gaps = shared.all if shared else gender_mod.gender_gaps(self.kpi_values(*kpis))
        codes = reference.codes_of_type(self.municipality_type)
        summary = gender_mod.gap_summary(
            gaps,
            kpis,
            self.municipality,
            self.peers,
            codes=codes,
            year=self.area.year,
            averaged_years={k: averaged_years(k) for k in kpis},
        )
        lines, drawn, shown_years = [], [], []
        for kpi, row in summary.iterrows():
            label = registry.label(kpi)
            if not row["has_value"]:
                last = None if pd.isna(row["last_year"]) else int(row["last_year"])
                lines.append(
                    sentences.missing_sentence(
                        f"**{label}**", row["year"], last, preliminary=self.preliminary
                    )
                )
                continue
            phrase = gender_mod.describe_gap(float(row["gap"]), registry.unit(kpi), kpi=kpi)
            peers_text = ""
            if not pd.isna(row["peers_median"]):
                larger = "större" if bool(row["larger_than_peers"]) else "mindre"
                among = self.group.among(int(row["peers_count"]))
                peers_text = f" Skillnaden är {larger} än medianen {among}."
            lines.append(
                f"**{label}** {self._year(row['year'])}: {phrase}. {row['trend']}.{peers_text}"
            )
            drawn.append(kpi)
            shown_years.append(row["year"])
        if lines:
            output.display(Markdown("\n".join(f"- {line}" for line in lines)))
        if not drawn:
            if not lines:
                output.display(Markdown(f"Könsuppdelade värden saknas för {self.place}."))
            return
        panels = [
            plots.gap_lines(
                self.kpi_values(kpi),
                gaps=shared.by_kpi.get(kpi) if shared else None,
                kpi=kpi,
                municipality=self.municipality,
                peers=self.peers,
                years=self._years_upto(self.area.year),
                preliminary=self.preliminary,
                peers_label=self.group.counted(),
            )
            for kpi in drawn
        ]
        output.show_figure(plots.lines_grid(panels, source=self.source, width=4.6, height=2.8))
        self._preliminary_note(shown_years)
