"""The area report's frame: title and lead, section 1 *Sammanfattning* and section 8
*Om underlaget*, and the machine-readable summary the batch renderer's index reads
(mimetype ``application/vnd.analys.summary+json``)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pandas as pd

from analys import plots
from analys.captions import DERIVED_CREDIT, KOLADA_CREDIT
from analys.format import number
from analys.fulfilment import STATUSES
from analys.goals import TARGET_KINDS
from analys.own import store as own_store
from analys.report import output, sentences
from analys.report.base import report_part
from analys.safe import Markdown
from analys.summary import SUMMARY_MIMETYPE
from analys.vocabulary import TARGET_KIND_WORDS


def lower_first(title: str) -> str:
    """A title inside a sentence: "Funktionsnedsättning (LSS)" → "funktionsnedsättning (LSS)"
    (only the first letter, and not in an acronym: "LSS-boenden" stays)."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


@report_part
class AboutSections:
    """The report's header, *Sammanfattning* and *Om underlaget* (a mixin of ``Report``)."""

    # -- header and 1. Sammanfattning ------------------------------------------------------

    def header(self) -> None:
        """Title, what the report is about, and the demo banner."""
        year = f" {self._year(self.year)}" if self.year else ""
        output.display(Markdown(f"# {self.area.title} – {self.place}{year}"))
        lead = self.area.description or ""
        compared = (
            self.everyone.counted()
            if self.group.everyone
            else f"{self.group.counted()} och med {self.everyone.counted()}"
        )
        output.display(
            Markdown(
                f"{lead} Rapporten följer upp de politiska målen för {lower_first(self.area.title)} med "
                f"nyckeltal från Kolada och jämför {self.place} med {compared}. "
                f"Jämförelsegruppen: {self.group.source}."
            )
        )
        self._preliminary_note([self.year])  # the title's star
        self._demo_banner()

    def summary(self) -> None:
        """Section 1: goal status at a glance, in words and as a chart."""
        counts = self.evaluation.counts
        output.display(
            Markdown(
                sentences.area_sentence(
                    self.area.title, counts, self.place, self.year, preliminary=self.preliminary
                )
            )
        )
        goals = self.evaluation.goals
        ind = self.evaluation.indicators
        counted = ind.groupby(["goal", "status"]).size()
        lines = [
            sentences.goal_sentence(
                r.title,
                r.status,
                int(counted.get((r.goal, "met"), 0)),
                int(r.n),
                partly=int(counted.get((r.goal, "partly"), 0)),
                no_data=int(counted.get((r.goal, "no_data"), 0)),
            )
            for r in goals.itertuples()
        ]
        cut = self.area.cutoffs
        lines.append(
            f"*Ett mål är uppfyllt när indikatorerna med data når minst "
            f"{number(cut.met * 100, 0)} % av poängen (uppfylld = 1, delvis = ½), delvis "
            f"uppfyllt från {number(cut.partly * 100, 0)} %. Indikatorer utan data räknas "
            f"inte; har mindre än {number(cut.coverage * 100, 0)} % av dem data kan målet inte "
            "bedömas.*"
        )
        output.display(Markdown("\n".join(f"- {line}" for line in lines[:-1]) + "\n\n" + lines[-1]))
        bars = plots.goal_bars(goals)
        output.show_figure(plots.goal_status_svg(bars, source=self.source))
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
            "preliminary": self.preliminary,  # Kolada's preliminary year: the index stars it
            "source": self.source,
            "demo": self.demo,
            "goals": {s: int(ev.summary.at[s, "goals"]) for s in STATUSES},
            "indicators": {s: int(ev.summary.at[s, "indicators"]) for s in STATUSES},
            "snapshot": self.snapshot.get("snapshot"),
        }
        output.display({SUMMARY_MIMETYPE: payload, "text/plain": ""}, raw=True)

    # -- Om underlaget -----------------------------------------------------------------------

    def about(self) -> None:
        """Section 8: source, snapshot, parameters, versions, method notes and attribution."""
        snap = self.snapshot
        rows = [
            ("Källa", str(snap.get("label") or self.source).removeprefix("Källa: ")),
            ("Dataversion", snap.get("snapshot") or "–"),
            ("Hämtat", snap.get("fetched") or ("ingår i paketet" if self.demo else "–")),
            (
                "Region" if self.municipality_type == "L" else "Kommun",
                f"{self.place} ({self.municipality})",
            ),
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
        output.display(pd.DataFrame(rows, columns=["", "Uppgift"]).pipe(output.table_style))
        kinds = sorted({i.target.kind for _, i in self.area.indicators}, key=TARGET_KINDS.index)
        output.display(
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
                f"efter korsvaliderad residual. Slags målvärden i området: "
                f"{', '.join(TARGET_KIND_WORDS[k] for k in kinds)}."
            )
        )
        output.display(
            Markdown(
                f"**{KOLADA_CREDIT}.** Färger, rangordningar, residualer och målstatus: {DERIVED_CREDIT}."
            )
        )
        self._preliminary_note([self.year])
        own = own_store.credit_line(self.area.kpis, self.source)
        if own:
            output.display(Markdown(f"**Egna uppgifter:** {own}"))
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
