"""Sections 2 *Måluppfyllelse per mål* and 5 *Att fokusera på*: the goal tables.

Per goal, the indicators with value, target, gap, status, quartile colour and trend; then
the exception list: indicators both among the worst 25 % and worsening ("red-red",
:func:`analys.fulfilment.focus.red_red`) and those off target
(:func:`analys.fulfilment.focus.off_target`).
"""

from __future__ import annotations

import pandas as pd

from analys.format import decimals_for, number, trend_until, with_unit
from analys.fulfilment import STATUS_LABELS
from analys.fulfilment.focus import off_target, red_red
from analys.own import store as own_store
from analys.report import output
from analys.report.base import report_part
from analys.report.labels import (
    COLOUR_WORDS,
    QUARTILE_TINTS,
    STATUS_TINTS,
    TREND_HEADER,
    trend_word,
)
from analys.safe import Markdown
from analys.vocabulary import OFF_TARGET_LABEL


@report_part
class GoalTableSections:
    """The goal tables and the exception list (a mixin of ``Report``)."""

    # -- 2. Måluppfyllelse per mål -----------------------------------------------------------

    def goal_tables(self) -> None:
        """Section 2: per goal, the indicators with value, target, gap, status, colour, trend."""
        ind = self.evaluation.indicators
        for goal in self.evaluation.goals.itertuples():
            output.display(
                Markdown(f"### {goal.title}\n\n**{STATUS_LABELS[goal.status]}** – {goal.reason}.")
            )
            part = ind[ind["goal"] == goal.goal]
            output.display(self._indicator_table(part))
        for note in own_store.comparison_notes(self.area.kpis, self.source, self.municipality):
            output.display(Markdown(note))
        output.display(
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

    def _trend_cell(self, trend: str, label: str, last: float, year: float) -> str:
        """The trend column's word, with the test's last year when that is before the year
        judged (the year's own value is missing): "→ Ingen säker förändring (t.o.m. 2024)"."""
        return trend_word(trend, label) + trend_until(last, year, self.preliminary)

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
                    TREND_HEADER: self._trend_cell(r.trend, r.trend_label, r.trend_last, r.year),
                    "Motivering": r.reason,
                }
            )
        table = pd.DataFrame(rows)
        return (
            table.pipe(output.table_style)
            .map(lambda v: f"background-color: {STATUS_TINTS.get(v, '')}", subset=["Status"])
            .map(
                lambda v: f"background-color: {QUARTILE_TINTS.get(v, '')}",
                subset=[self._quartile_header],
            )
        )

    # -- 5. Att fokusera på --------------------------------------------------------------------

    def focus(self) -> None:
        """Section 5: the exception list – worse than others and worsening (and off target)."""
        ind = self.evaluation.indicators.drop_duplicates(["kpi", "gender"])
        red = red_red(ind)
        off = off_target(ind)
        among = f"av {self.everyone.counted()}"
        if red.empty:
            output.display(
                Markdown(
                    f"Inget nyckeltal är både bland de 25 % sämsta {among} och på väg åt fel "
                    f"håll (trend, 5 år) för {self.place} – ingen 'röd-röd' avvikelse."
                )
            )
        else:
            output.display(
                Markdown(
                    f"**Bland de 25 % sämsta {among} och försämras** (röd-röd, Fingertips M8):"
                )
            )
            output.display(self._focus_table(red))
        if not off.empty:
            output.display(Markdown(f"**{OFF_TARGET_LABEL}:**"))
            output.display(self._focus_table(off))
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
                    self._trend_cell(a, b, last, year)
                    for a, b, last, year in zip(
                        rows["trend"],
                        rows["trend_label"],
                        rows["trend_last"],
                        rows["year"],
                        strict=True,
                    )
                ],
                "Motivering": rows["reason"],
            }
        ).pipe(output.table_style)
