"""Section 6 *Förväntat värde och samband*: the expected value from the area's drivers
block, the ranking by cross-validated residual and whom to learn from.

The numbers come from :func:`analys.stats.model.expected_in_year` and
:func:`analys.stats.model.residual_ranking`; this module only words and draws them.
"""

from __future__ import annotations

import pandas as pd

from analys import plots, reference, registry
from analys.errors import AnalysError
from analys.format import decimals_for, difference_unit, join_and, number, with_unit
from analys.fulfilment.country import expected_key
from analys.report import output, sentences
from analys.report.base import report_part
from analys.safe import Markdown
from analys.stats import model

#: below this R² the section says that the model explains little and names nobody to learn
#: from (docs/methods.md: the expected value is only as good as the model)
WEAK_FIT = 0.1


@report_part
class ExpectedSection:
    """Expected value and drivers (a mixin of ``Report``)."""

    # -- 6. Förväntat värde och samband ------------------------------------------------------

    def expected(self) -> None:
        """Section 6: expected value from the drivers block, residual ranking, "lär av"."""
        drivers = self.area.drivers
        if drivers is None:
            output.display(Markdown("Området har inget drivers-block; avsnittet hoppas över."))
            return
        year = self._latest_year(drivers.outcome)
        kind = self.area.municipality_type
        units = reference.municipality_codes() if kind == "K" else reference.region_codes()
        shared = self._shared_expected.get(
            expected_key(drivers.outcome, tuple(drivers.explanatory), year)
        )  # the batch's model (analys.fulfilment.country), when it computed one
        try:
            if isinstance(shared, str):  # the batch's model failed with this message
                raise AnalysError(shared)
            result = shared or model.expected_in_year(
                self.values, drivers.outcome, drivers.explanatory, year=year, codes=units
            )
        except AnalysError as error:
            output.display(Markdown(f"Förväntat värde kan inte beräknas: {error}"))
            return
        # better/worse than expected only for a KPI with a direction (the registry's: a
        # fact about quality); a neutral outcome (a cost, a net cost deviation) is only
        # higher or lower than expected (docs/judgements.md)
        polarity = registry.polarity(drivers.outcome)
        neutral = polarity == "neutral"
        # one "expected" in the sentence, the chart and the table: the leave-one-out
        # prediction (the model fitted without the unit itself), whose difference from the
        # actual value is the residual the ranking uses; the in-sample prediction of a
        # small group (21 regions) can differ from it by more than the residual itself
        table = result.table.assign(
            expected=(result.table["actual"] - result.table["loo_residual"]).fillna(
                result.table["expected"]
            )
        )
        ranked = model.residual_ranking(table, polarity)
        explained = "; ".join(registry.label(k).lower() for k in drivers.explanatory)
        output.display(
            Markdown(
                f"Vilket resultat kan man vänta sig av {self.place}, givet {explained}? En "
                f"regression över {result.n} {'kommuner' if kind == 'K' else 'regioner'} {self._year(year)} "
                f"förklarar {number(result.r2 * 100, 0)} % av skillnaderna i "
                f"{registry.label(drivers.outcome).lower()} (R² = {number(result.r2, 2)})."
            )
        )
        weak = result.r2 < WEAK_FIT
        if weak:  # a model that explains little: its expected values say little
            output.display(
                Markdown(
                    f"*Modellen förklarar bara {number(result.r2 * 100, 0)} % av skillnaderna: "
                    "det förväntade värdet säger lite om vad som är rimligt, och jämförelserna "
                    "nedan bör läsas med stor försiktighet.*"
                )
            )
        if self.municipality in table.index:
            row = table.loc[self.municipality]
            rank = int(ranked.at[self.municipality, "rank"])
            output.display(
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
                        len(ranked),
                        units=self.unit_word,
                    )
                )
            )
        else:  # said, not silently left out of the chart
            output.display(
                Markdown(
                    f"{self.place} saknar fullständiga data {self._year(year)} (utfallet eller någon av "
                    "de förklarande variablerna) och ingår därför inte i beräkningen eller i "
                    "diagrammet."
                )
            )
        points = plots.expected_points(
            table, municipality=self.municipality, peers=self.peers, kpi=drivers.outcome
        )
        output.show_figure(plots.scatter_svg(points, source=self.source, width=6.5, height=5))
        unit = registry.unit(drivers.outcome)
        # the best relative to their conditions: only those that do better than expected
        best = ranked.head(10) if neutral else ranked[ranked["score"] > 0].head(10)
        top = pd.DataFrame(
            {
                ("Region" if kind == "L" else "Kommun"): [reference.title(c) for c in best.index],
                "Faktiskt": [with_unit(v, unit, decimals_for(unit, v)) for v in best["actual"]],
                "Förväntat": [with_unit(v, unit, decimals_for(unit, v)) for v in best["expected"]],
                "Över (+) eller under (−) förväntat" if neutral else "Bättre än förväntat": [
                    with_unit(v, difference_unit(unit), decimals_for(unit, v))
                    for v in best["score"]
                ],
            }
        )
        if neutral:
            heading = (
                "**Störst avvikelse från det förväntade** (korsvaliderad residual, alla "
                f"{self.unit_word}). {registry.label(drivers.outcome)} har ingen riktning: högre eller "
                "lägre än förväntat är varken bättre eller sämre."
            )
        else:
            heading = (
                "**Bäst i förhållande till förutsättningarna** (korsvaliderad "
                f"residual, alla {self.unit_word}):"
            )
        output.display(Markdown(heading))
        output.display(top.pipe(output.table_style))
        if not neutral and not weak:  # nobody to "learn from" on a model that explains little
            learn = model.learn_from(result, self.peers, n=5, polarity=polarity)
            if len(learn):
                names = join_and([reference.title(c) for c in learn.index])
                output.display(
                    Markdown(
                        f"**Lär av:** bland {self.peers_label} gör {names} mer än "
                        "förutsättningarna förutsäger."
                    )
                )
        deviates = "avviker från det förväntade" if neutral else "gör bättre än förväntat"
        output.display(
            Markdown(
                f"*Samband mellan {self.unit_word} är inte orsakssamband: {'en region' if self.municipality_type == 'L' else 'en kommun'} som {deviates} "
                "kan ha förklaringar som modellen inte ser.*"
            )
        )
        if result.dropped:
            output.display(
                Markdown(f"Utan fullständiga data (ingår inte): {len(result.dropped)} st.")
            )
        self._preliminary_note([year])
        self._caption()
