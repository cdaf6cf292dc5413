"""The overview: all areas for one municipality on one page (``notebooks/oversikt.ipynb``).

Each area is a :class:`analys.report.Report`; the overview shows their goals with status
(linking to the area reports), a small map per area and the exception list across areas.

One bad area (a params file that no longer validates, data the source lacks, an error while
evaluating it) does not take the overview down: it is listed as failed, with one Swedish line
saying why, and the other areas are shown. Only when every area fails is it an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import pandas as pd
from IPython.display import HTML, display

from analys import maps as maps_mod
from analys import plots, reference, registry
from analys.captions import DERIVED_CREDIT, KOLADA_CREDIT
from analys.errors import AnalysError
from analys.format import join_and, number, preliminary_footnote
from analys.frame import reused, reusing
from analys.fulfilment import STATUS_LABELS, STATUSES
from analys.fulfilment.focus import off_target, red_red
from analys.goals import Area, list_areas, load_area
from analys.own import store as own_store
from analys.report import Report, sentences
from analys.report.base import batch_memo, batch_values
from analys.report.labels import STATUS_TINTS
from analys.report.output import show_figure, table_style
from analys.report.tartan import tartan_table
from analys.safe import Markdown, html_text
from analys.stats.peers import peer_set
from analys.summary import SUMMARY_MIMETYPE
from analys.vocabulary import OFF_TARGET_LABEL

#: the status cell of an area that could not be shown
FAILED_LABEL = "Kunde inte visas"


# What a worker's overviews of one batch share is computed from the batch's values frame
# (:func:`batch_values` keeps it for the process) and kept in the batch's memo
# (:func:`analys.frame.reused`, held by :attr:`Overview._reused`).


@reused
def _rows_of(batch: pd.DataFrame, kpis: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``kpis`` of the batch's values, from its one split by KPI: the same frame
    for each overview, so that what the maps compute from it is kept too."""
    parts = _by_kpi(batch)
    found = [parts[k] for k in kpis if k in parts]
    return pd.concat(found) if found else batch.iloc[0:0]


@reused
def _by_kpi(batch: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The batch's values split by KPI."""
    return {str(k): part for k, part in batch.groupby("kpi", sort=False)}


@reused
def _tartan_country(batch: pd.DataFrame, kpis: tuple[str, ...], year: int | None) -> dict:
    """The rug's country-wide values and colours (:func:`analys.plots.tartan_country`)."""
    return plots.tartan_country(batch, list(kpis), year)


def _load_areas(names: list[str]) -> dict[str, Area | Exception]:
    """Each area of ``names`` read once, or why it could not be (reported per area later)."""
    loaded: dict[str, Area | Exception] = {}
    for name in names:
        try:
            loaded[name] = load_area(name)
        except Exception as error:  # noqa: BLE001 – one bad area must not stop the rest
            loaded[name] = error
    return loaded


def _area_label(name: str) -> str:
    """An area's name as a reader would say it, from a name or a params path."""
    text = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".yaml", ".yml"):
        text = text.removesuffix(suffix)
    return text


def _reason(error: Exception) -> str:
    """One line: an analys error's own (Swedish) text, else the kind of error and its text."""
    text = str(error) if isinstance(error, AnalysError) else f"{type(error).__name__}: {error}"
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:299] + "…"


class Overview:
    """All areas for one municipality on one page (``notebooks/oversikt.ipynb``).

    Parameters
    ----------
    municipality
        The municipality; region areas are shown for its region.
    areas
        Area names or params paths; default every area in ``params/``.
    year, source
        Override every area's year and source when given.
    data_cache
        Parquet values frame prepared by the batch renderer; ``None`` loads from the source.
    precomputed
        The batch's shared tables (:mod:`analys.fulfilment.country`), for every area.
    """

    def __init__(
        self,
        municipality: str,
        areas: list[str] | None = None,
        *,
        year: int | None = None,
        source: str | None = None,
        data_cache: str | None = None,
        precomputed: str | None = None,
    ) -> None:
        self.municipality = str(municipality)
        self.place = reference.title(self.municipality)
        self.municipality_type = reference.municipality_type(self.municipality) or "K"
        self.reports: list[Report] = []
        #: areas that could not be shown: (title or name, the reason in one Swedish line)
        self.failed: list[tuple[str, str]] = []
        # the batch's values of every area, read once (kept in the process for its reports)
        loaded = _load_areas(list(areas or list_areas()))
        kpis = sorted(
            {
                k
                for a in loaded.values()
                if isinstance(a, Area) and a.municipality_type == self.municipality_type
                for k in a.kpis
            }
        )
        #: the batch's values of every area (one read; each report takes its slice of it)
        self._batch = batch_values(data_cache, kpis) if data_cache else None
        #: what the batch's reports in this process share (:func:`batch_memo`)
        self._reused = batch_memo(data_cache)["reused"] if data_cache else None
        for name, area in loaded.items():
            label = _area_label(name)
            try:
                if isinstance(area, Exception):
                    raise area
                label = area.title or label
                if area.municipality_type != self.municipality_type:
                    continue
                params = dict(area.params, municipality=self.municipality)
                if year is not None:
                    params["year"] = year
                if source is not None:
                    params["source"] = source
                report = Report(params, data_cache=data_cache, precomputed=precomputed)
                if report.values.empty:
                    raise AnalysError(
                        f"datakällan har inga värden för områdets nyckeltal "
                        f"({', '.join(area.kpis)})"
                    )
            except Exception as error:  # noqa: BLE001 – one bad area must not stop the rest
                self.failed.append((label, _reason(error)))
                continue
            self.reports.append(report)
        if not self.reports:
            if self.failed:
                raise AnalysError(
                    f"Inget område kunde visas för {self.place} ({self.municipality}): "
                    + "; ".join(f"{title}: {why}" for title, why in self.failed)
                )
            raise AnalysError(f"Inga områden gäller {self.place} ({self.municipality}).")
        self.source = self.reports[0].source
        self._units = "regioner" if self.municipality_type == "L" else "kommuner"
        self.demo = any(r.demo for r in self.reports)

    @cached_property
    def values(self) -> pd.DataFrame:
        """Every area's values, each KPI once: from the first area that has it (areas that
        share a KPI read the same rows; a drop_duplicates over all of them cost a second).
        In a batch, the batch's one read of all of them."""
        if self._batch is not None:
            return self._batch
        frames, seen = [], set()
        for report in self.reports:
            kpis = report.values["kpi"]
            new = ~kpis.isin(list(seen))
            frames.append(report.values[new] if not new.all() else report.values)
            seen.update(kpis[new].unique())
        return pd.concat(frames, ignore_index=True)

    def _kpi_rows(self, kpis: Sequence[str]) -> pd.DataFrame:
        """The rows of ``kpis`` of :attr:`values` (in a batch from its one split by KPI)."""
        if self._batch is None:
            return self.values[self.values["kpi"].isin(list(kpis))]
        with reusing(self._reused):
            return _rows_of(self._batch, tuple(kpis))

    def header(self) -> None:
        """Title with the areas' year, a one-line summary over all areas, the demo banner,
        and the summary the batch index shows for the overview."""
        first = self.reports[0]
        years = sorted({r.year for r in self.reports if r.year})
        ends = years[:1] + years[1:][-1:]  # one year, or the first and the last
        when = f" {'–'.join(first._year(y) for y in ends)}" if years else ""
        display(Markdown(f"# Översikt – {self.place}{when}"))
        if first.preliminary is not None and first.preliminary in years:
            display(Markdown(preliminary_footnote(first.preliminary)))
        total = {s: sum(r.evaluation.counts[s] for r in self.reports) for s in STATUSES}
        display(
            Markdown(
                sentences.area_sentence(
                    f"Alla {len(self.reports)} områden"
                    if len(self.reports) > 1
                    else first.area.title,
                    total,
                    self.place,
                    years[0] if len(years) == 1 else None,
                    preliminary=first.preliminary,
                )
            )
        )
        first._demo_banner()
        self._failed_lines()
        self._publish_summary(total, years)

    def _publish_summary(self, goals: dict[str, int], years: list[int]) -> None:
        """The overview's summary for the batch index: every area's goals together, the
        latest year and the source (the same mimetype as an area report's)."""
        first = self.reports[0]
        payload = {
            "area": "oversikt",
            "title": "Översikt – alla områden",
            "municipality": self.municipality,
            "municipality_name": self.place,
            "year": years[-1] if years else None,
            "preliminary": first.preliminary,
            "source": self.source,
            "demo": self.demo,
            "goals": {s: int(goals.get(s, 0)) for s in STATUSES},
            "areas": len(self.reports),
        }
        display({SUMMARY_MIMETYPE: payload, "text/plain": ""}, raw=True)

    def _failed_lines(self) -> None:
        """One line per area that could not be shown."""
        for title, why in self.failed:
            display(
                HTML(
                    "<p class='analys-area-failed' style='color:#b42318'>"
                    f"<b>Området {html_text(title)} kunde inte visas:</b> "
                    f"{html_text(why)}. Övriga områden visas nedan.</p>"
                )
            )

    @property
    def kpis(self) -> list[str]:
        """Every KPI of the overview's areas, in order (for the credits under its tables)."""
        return list(dict.fromkeys(k for r in self.reports for k in r.area.kpis))

    def goals(self) -> None:
        """Each area's goals with their status, linking to the area reports."""
        rows = []
        for report in self.reports:
            link = (
                f"<a href='{html_text(report.area.area)}.html'>{html_text(report.area.title)}</a>"
            )
            for goal in report.evaluation.goals.itertuples():
                rows.append(
                    {
                        "Område": link,
                        "Mål": html_text(goal.title),
                        "Status": STATUS_LABELS[goal.status],
                        "Poäng": "–" if pd.isna(goal.score) else number(goal.score, 2),
                        "Täckning": f"{number(goal.coverage * 100, 0)} %",
                    }
                )
        for title, _ in self.failed:
            rows.append(
                {
                    "Område": html_text(title),
                    "Mål": "–",
                    "Status": FAILED_LABEL,
                    "Poäng": "–",
                    "Täckning": "–",
                }
            )
        colours = {**STATUS_TINTS, FAILED_LABEL: "#fee2e2"}
        table = (
            pd.DataFrame(rows)
            .pipe(table_style, escape=False)  # the cells are escaped above
            .map(lambda v: f"background-color: {colours.get(v, '')}", subset=["Status"])
        )
        display(HTML(table.to_html(escape=False)))
        display(Markdown("Klicka på ett område för hela rapporten."))
        self.reports[0]._caption(kpis=self.kpis)  # any area's own data says whose

    def maps(self) -> None:
        """A small map per area of its main outcome KPI."""
        kpis = list(dict.fromkeys(r.main_kpi for r in self.reports))
        # in a batch, each panel's country-wide values and colours are computed once
        with reusing(self._reused):
            figure = maps_mod.small_multiples_svg(
                self._kpi_rows(kpis),
                kpis=kpis,
                municipality=self.municipality,
                region=self.municipality_type == "L",
                source=self.source,
                ncols=min(4, len(kpis)),
                preliminary=self.reports[0].preliminary,
            )
        show_figure(figure)

    def rug(self) -> None:
        """Fingertips' "tartan rug": every indicator against the municipality's SKR group.

        Rows are the areas' indicators, columns the municipality and the other members of its
        SKR municipality group, each cell coloured by its quartile among all municipalities
        and showing its value: an HTML table (:mod:`analys.report.tartan`) of the cells of
        :func:`analys.plots.tartan_cells`. Municipalities only: the section (and its heading)
        is left out of a region's overview.
        """
        if self.municipality_type != "K":  # a region has no SKR group: no section
            return
        display(Markdown("## Alla indikatorer mot jämförelsekommunerna"))
        kpis = list(
            dict.fromkeys(
                i.kpi for r in self.reports for _, i in r.area.indicators if i.gender == "T"
            )
        )
        groups = self.reports[0].groups
        peers = peer_set(self.municipality, "skr", groups=groups)[:12]
        codes = plots.tartan_columns(self.municipality, peers)
        year = self.reports[0].area.year
        country = None
        if self._batch is not None:  # the same for every overview of the batch
            with reusing(self._reused):
                country = _tartan_country(self._batch, tuple(kpis), year)
        colours, labels = plots.tartan_cells(
            self.values, kpis=kpis, codes=codes, year=year, country=country
        )
        display(HTML(tartan_table(colours, labels, names=[reference.title(c) for c in codes])))
        self.reports[0]._caption(kpis=kpis)  # every area's rows: any area's own data says whose
        rows = list(colours.index)
        left_out = [registry.label(k) for k in kpis if k not in rows]
        missing = (
            f" Utan rad, eftersom ingen av kommunerna har värden: {join_and(left_out)}."
            if left_out
            else ""
        )
        display(
            Markdown(
                f"Jämförelsekommuner: {self.place}s kommungrupp (SKR), högst tolv. Grön = bästa "
                "fjärdedelen, gul = mittenhälften, röd = sämsta fjärdedelen bland alla kommuner. "
                "Nyckeltal utan bättre/sämre riktning (kostnader, volymer) färgas utan "
                "värdering: blå = högsta fjärdedelen, ljusgrå = mittenhälften, orange = lägsta "
                "fjärdedelen. Ljusblå = för få värden för kvartiler; grå = värde saknas. "
                f"Senaste år med data per nyckeltal.{missing}"
            )
        )

    def focus(self) -> None:
        """The exception list across areas: worse than others and worsening, or off target."""
        frames = [red_red(r.evaluation.indicators).assign(area=r.area.title) for r in self.reports]
        listed = pd.concat(frames) if frames else pd.DataFrame()
        if listed.empty:
            display(
                Markdown(
                    f"Inget nyckeltal är både bland de 25 % sämsta av alla {self._units} och på "
                    "väg åt fel håll – ingen 'röd-röd' avvikelse i något område."
                )
            )
        else:
            display(
                Markdown(
                    f"**Bland de 25 % sämsta av alla {self._units} och försämras** "
                    "(röd-röd, trend över 5 år) i alla områden:"
                )
            )
            display(
                pd.DataFrame(
                    {
                        "Område": listed["area"],
                        "Indikator": listed["label"],
                        "Status": listed["status"].map(STATUS_LABELS),
                        "Motivering": listed["reason"],
                    }
                ).pipe(table_style)
            )
        off = pd.concat(
            [off_target(r.evaluation.indicators).assign(area=r.area.title) for r in self.reports]
        )
        if len(off):
            display(Markdown(f"**{OFF_TARGET_LABEL}** ({len(off)} st):"))
            display(
                pd.DataFrame(
                    {
                        "Område": off["area"],
                        "Indikator": off["label"],
                        "Status": off["status"].map(STATUS_LABELS),
                        "Motivering": off["reason"],
                    }
                ).pipe(table_style)
            )
        self.reports[0]._caption(kpis=self.kpis)  # any area's own data says whose

    def about(self) -> None:
        """Source and attribution."""
        snap = self.reports[0].snapshot
        label = str(snap.get("label") or self.source)
        what = label if self.demo else f"{KOLADA_CREDIT}{label.removeprefix(KOLADA_CREDIT)}"
        display(
            Markdown(
                f"**Underlag:** {what} (dataversion {snap.get('snapshot') or '–'}). "
                f"Målstatus, färger och trender: {DERIVED_CREDIT}."
            )
        )
        kpis = [k for report in self.reports for k in report.area.kpis]
        own = own_store.credit_line(kpis, self.source)  # own indicators say whose they are
        if own:
            display(Markdown(f"**Egna uppgifter:** {own}"))
        self.reports[0]._demo_banner()
