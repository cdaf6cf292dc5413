"""The area report's data: one area, one municipality, loaded and evaluated once.

:class:`ReportBase` reads the params (as the notebook's parameters), loads the values once
(from the batch's data cache or the source), evaluates the goals once, names the peer group
and the reference group, and holds the small helpers every section uses (the year as shown,
the credit line, the demo banner, the preliminary-year note). The sections themselves are in
:mod:`analys.report.about`, :mod:`~analys.report.goal_tables`,
:mod:`~analys.report.comparison`, :mod:`~analys.report.trends` and
:mod:`~analys.report.expected`; :class:`analys.report.Report` joins them.
"""

from __future__ import annotations

import functools
import html
import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self

import pandas as pd
from IPython.display import HTML

from analys import data, reference, registry
from analys.captions import DEMO, DERIVED_CREDIT, KOLADA_CREDIT
from analys.format import preliminary_footnote, year_text
from analys.frame import reusing
from analys.fulfilment import Evaluation, ValuesIndex, evaluate
from analys.fulfilment.country import tables_for, unit_key
from analys.goals import Area, area_from_params, load_area
from analys.goals.check import TOP_KEYS
from analys.own import store as own_store
from analys.report import output
from analys.report.labels import indicator_label
from analys.safe import Markdown
from analys.stats.peers import reference_group
from analys.vocabulary import MUNICIPALITY_TYPE_WORDS

#: the notebook's parameters: exactly a params file's top-level keys
PARAM_KEYS = TOP_KEYS


def _params_source(params: Mapping[str, Any], *_: Any, **__: Any) -> str:
    return params.get("source") or "demo"


def report_part(cls: type) -> type:
    """Class decorator for the report and each of its parts (it wraps a class's own methods,
    so each part has it).

    ``__init__`` and every public method run within the own indicators' definitions of the
    report's source (:func:`analys.own.store.scoped`). Each public method of a report in a
    batch also keeps what the charts compute from the batch's values in the batch's memo
    (:func:`analys.frame.reusing`, :func:`batch_memo`): the country-wide colours, ranks and
    bands of a KPI are the same for every report of a worker.
    """
    cls = own_store.scoped(_params_source)(cls)
    for name, member in list(vars(cls).items()):
        if inspect.isfunction(member) and not name.startswith("_"):
            setattr(cls, name, _reusing_batch_memo(member))
    return cls


def _reusing_batch_memo(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with reusing(getattr(self, "_reused", None)):
            return function(self, *args, **kwargs)

    return method


#: the batch's values already read in this process: (batch, KPIs) → values (one batch at a time)
_BATCH_VALUES: dict[tuple, pd.DataFrame] = {}
#: the unit catalogue and values of a batch (:func:`batch_unit_data`)
_BATCH_UNITS: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
#: what a batch's reports in this process share beyond its values (:func:`batch_memo`)
_BATCH_MEMO: dict[tuple, dict[str, Any]] = {}


def _batch(data_cache: str | os.PathLike) -> tuple:
    """A batch's identity: its data cache's path, size and modification time."""
    stat = os.stat(data_cache)
    return (os.fspath(data_cache), stat.st_size, stat.st_mtime_ns)


def batch_memo(data_cache: str | os.PathLike) -> dict[str, Any]:
    """A memo for the batch of ``data_cache`` that its reports in this process share (one
    batch at a time): the values split by KPI, and what the charts compute from them
    (:func:`analys.frame.reusing`). The batch's values are never changed, so what is
    computed from them holds for every report."""
    batch = _batch(data_cache)
    if batch not in _BATCH_MEMO:
        _BATCH_MEMO.clear()
        _BATCH_MEMO[batch] = {"reused": {}}
    return _BATCH_MEMO[batch]


def batch_values(data_cache: str | os.PathLike, kpis: Sequence[str]) -> pd.DataFrame:
    """The values of ``kpis`` in a batch's data cache (:mod:`analys.render.cache`), read once
    per process.

    A worker's kernel renders the same area for many municipalities, and reading the area's
    slice of the parquet file took longer than selecting the report's rows. A slice is taken
    from one already read that holds its KPIs (the overview's, of every area) when there is
    one; a new batch (another file, or the file rewritten) starts afresh.
    """
    batch = _batch(data_cache)
    wanted = tuple(sorted(set(kpis)))
    found = _BATCH_VALUES.get((batch, wanted))
    if found is None:
        if any(key[0] != batch for key in _BATCH_VALUES):
            _BATCH_VALUES.clear()
        wider = next(
            (f for (_, have), f in _BATCH_VALUES.items() if set(wanted) <= set(have)), None
        )
        if wider is not None:
            found = wider[wider["kpi"].isin(wanted)].reset_index(drop=True)
        else:
            found = pd.read_parquet(data_cache, filters=[("kpi", "in", list(wanted))])
            found = found.reset_index(drop=True)
        _BATCH_VALUES[(batch, wanted)] = found
    return found


def batch_unit_data(
    data_cache: str | os.PathLike, kpis: Sequence[str], source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`analys.data.unit_data` kept for the batch of ``data_cache``: the reports of an
    area that one worker renders read the unit catalogue and values once."""
    key = (_batch(data_cache), source, tuple(kpis))
    if key not in _BATCH_UNITS:
        if any(old[0] != key[0] for old in _BATCH_UNITS):
            _BATCH_UNITS.clear()
        _BATCH_UNITS[key] = data.unit_data(kpis, source)
    return _BATCH_UNITS[key]


@report_part
class ReportBase:
    """One area, one municipality: data loaded once, the evaluation done once.

    Parameters
    ----------
    params
        A params dict (a params file's keys, as the notebook's parameters).
    data_cache
        Path of a parquet values frame the batch renderer prepared, read once per process
        (:func:`batch_values`); ``None`` loads from the params' source.
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
        self.data_cache = data_cache
        #: in a batch: what its reports in this process share (the values split by KPI, the
        #: charts' computations: :func:`batch_memo`)
        self._memo: dict[str, Any] | None = None
        self._reused: dict | None = None
        if data_cache:
            values = batch_values(data_cache, self.area.kpis)
            self._memo = batch_memo(data_cache)
            self._reused = self._memo["reused"]
        else:
            values = data.load_values(self.area.kpis, None, None, source=self.source, genders=None)
        self.values = values.reset_index(drop=True)
        self._by_kpi: dict[str, pd.DataFrame] | None = None
        shared = tables_for(precomputed, self.area, self.source)  # computed once per batch
        if shared is not None:
            self.index, self.groups = shared.index, shared.groups
            self.snapshot = dict(shared.snapshot)
        else:
            self.groups = data.load_groups(self.source)
            self.snapshot = data.snapshot(self.source)
            self.index = ValuesIndex(self.values)
        self._shared_expected = shared.expected if shared is not None else {}
        self._shared_units = shared.units if shared is not None else {}
        self._shared_gaps = shared.gaps if shared is not None else None
        self.evaluation: Evaluation = evaluate(
            self.area, self.index, self.municipality, self.area.year, groups=self.groups
        )
        self.peers = list(self.evaluation.peers)
        self.municipality_type = self.area.municipality_type
        self.unit_word = MUNICIPALITY_TYPE_WORDS[self.municipality_type]
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
        prel = self.snapshot.get("preliminary_year")
        self.preliminary = int(prel) if prel else None
        # targets and reasons against the peer group name it ("bland 7 liknande kommuner";
        # "bland övriga 20 regioner" when the group is everyone: the focus is not in it), and
        # write Kolada's preliminary year starred ("Värde saknas 2025*; …"), as everywhere
        among = f"bland {self.group.others()}"
        for column in ("target_text", "reason"):
            texts = (
                self.evaluation.indicators[column]
                .astype(str)
                .str.replace("jämförelsegruppens median", f"medianen {among}", regex=False)
                .str.replace("i jämförelsegruppen", among, regex=False)
                .str.replace("jämförelsegruppen", self.group.others(), regex=False)
            )
            if self.preliminary is not None:
                texts = texts.str.replace(
                    rf"(?<![\d,]){self.preliminary}(?![\d,*])", f"{self.preliminary}*", regex=True
                )
            self.evaluation.indicators[column] = texts
        years = self.evaluation.indicators["year"].dropna()
        self.year = int(self.area.year or (years.max() if len(years) else 0)) or None

    @classmethod
    def from_parameters(cls, namespace: Mapping[str, Any]) -> Self:
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
    ) -> Self:
        """A report for a params file, e.g. ``Report.from_area("grundskola", "1480")``."""
        params = dict(load_area(name_or_path).params)
        if municipality:
            params["municipality"] = municipality
        params.update(overrides)
        return cls(params)

    # -- helpers --------------------------------------------------------------------------

    def unit_data(self, kpis: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The unit catalogue and the unit values of ``kpis`` (:func:`analys.data.unit_data`),
        read once per process for a batch's reports."""
        if self.data_cache:
            return batch_unit_data(self.data_cache, kpis, self.source)
        return data.unit_data(kpis, self.source)

    def national_units(self, kpi: str, year: int) -> pd.DataFrame | None:
        """Every unit's judgement for ``kpi`` in ``year``
        (:func:`analys.stats.units.national_table`) when the batch made it once for all its
        reports (:mod:`analys.fulfilment.country`); ``None`` otherwise."""
        return self._shared_units.get(unit_key(kpi, year, registry.polarity(kpi)))

    def kpi_values(self, *kpis: str) -> pd.DataFrame:
        """The rows of ``kpis`` (every gender and unit) of the area's values, split once:
        each chart selects one KPI's rows, and filtering the whole frame for every chart
        cost more than drawing it."""
        if self._memo is None:
            return self._kpi_values(kpis)
        # a batch's reports of a worker share one split (and the charts what they compute
        # from each part: they get the same frames)
        key = ("kpi_values", tuple(self.area.kpis), tuple(dict.fromkeys(kpis)))
        if key not in self._memo:
            self._memo[key] = self._kpi_values(kpis)
        return self._memo[key]

    def _kpi_values(self, kpis: Sequence[str]) -> pd.DataFrame:
        if self._by_kpi is None:
            split = ("kpi_split", tuple(self.area.kpis))
            if self._memo is not None and split in self._memo:
                self._by_kpi = self._memo[split]
            else:
                self._by_kpi = {str(k): part for k, part in self.values.groupby("kpi", sort=False)}
                if self._memo is not None:
                    self._memo[split] = self._by_kpi
        parts = [self._by_kpi[k] for k in dict.fromkeys(kpis) if k in self._by_kpi]
        if not parts:
            return self.values.iloc[0:0]
        return parts[0] if len(parts) == 1 else pd.concat(parts)

    def _values(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        part = self.kpi_values(kpi)
        return part[part["gender"] == gender]

    def _caption(self, derived: bool = True, kpis: Sequence[str] | None = None) -> None:
        """The credit under a table or text; own data among ``kpis`` (default the area's)
        says whose."""
        credit = DERIVED_CREDIT if derived else KOLADA_CREDIT
        text = f"{credit}. {DEMO}." if self.demo else f"{credit}."
        own = own_store.credit_line(self.area.kpis if kpis is None else kpis, self.source)
        text = f"{text} {own}" if own else text
        output.display(
            HTML(
                f"<p class='analys-caption' style='font-size:0.8em;color:#555'>"
                f"{html.escape(text)}</p>"
            )
        )

    def _demo_banner(self) -> None:
        if self.demo:
            output.display(
                HTML(
                    "<div class='analys-demo' style='border:2px solid #d7191c;padding:0.5em;"
                    f"margin:0.5em 0;background:#fff5f5'><b>⚠ {html.escape(DEMO)}.</b> "
                    "Siffrorna i rapporten är påhittade och får inte "
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
            output.display(Markdown(preliminary_footnote(self.preliminary)))

    def peer_listing(self) -> None:
        """The peer group: its name, where it comes from and its members."""
        group = self.group
        members = self._members_text()
        text = f"**Jämförelsegrupp:** {group.counted()} – {group.source}. Medlemmar: {members}."
        if not group.everyone:  # quartiles and ranks use everyone: say so when that differs
            text += (
                f" Kvartilfärger och rangordning jämför i stället {self.place} med "
                f"{self.everyone.counted()}."
            )
        output.display(Markdown(text))

    def _members_text(self) -> str:
        if self.group.everyone:
            return f"alla {self.unit_word} utom {self.place}"
        return self.group.members_text()

    @property
    def _quartile_header(self) -> str:
        return f"Kvartil {self.everyone.among()}"

    def _latest_year(self, kpi: str) -> int | None:
        if self.area.year:
            return int(self.area.year)
        return self.index.latest(kpi, "T", self.area.municipality_type)

    def _years_upto(self, year: int | None) -> list[int] | None:
        """The data's years up to ``year`` (``None``: all years)."""
        if year is None:
            return None
        return sorted(int(y) for y in self.values["year"].unique() if int(y) <= int(year))
