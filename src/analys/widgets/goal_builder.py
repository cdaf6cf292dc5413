"""The goal builder: set goals, pick indicators and targets, see at once what they would mean.

``GoalBuilder`` edits a params file (:class:`analys.goals.draft.Draft`, round-trip YAML) and,
on every change, runs the same checker as ``analys check`` (its Swedish lines appear under
the tree) and a live preview for the chosen municipality (:mod:`analys.fulfilment.preview`):
each indicator's and goal's status now and in the last five years, the values behind it and
how many municipalities would meet such a target. Save writes a file ``analys check``
accepts; *Rendera rapport* renders the area's report and links to it.

As for the explorers, setting a control's ``.value`` from code updates everything
synchronously; ``.message`` is ``""`` or the Swedish problems.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from analys import captions, data, reference, registry, safe
from analys.errors import AnalysError, ParamsError
from analys.fulfilment import STATUS_LABELS, ValuesIndex
from analys.fulfilment import preview as goal_preview
from analys.goals import Area
from analys.goals.draft import TARGET_CHOICES, Draft, target_spec
from analys.own import store as own_store
from analys.widgets.common import _set_options
from analys.widgets.kpi_finder import KpiFinder
from analys.widgets.session import _area_titles, _unit_options

PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
]
POLARITY_CHOICES = [
    ("Enligt registret", ""),
    ("Högre är bättre", "higher"),
    ("Lägre är bättre", "lower"),
    ("Neutral", "neutral"),
]
GENDER_CHOICES = [("Totalt", "T"), ("Kvinnor", "K"), ("Män", "M")]
STATUS_COLOURS = {
    "met": "#d9f0d3",
    "partly": "#fff3bf",
    "not_met": "#f8d0d0",
    "no_data": "#eeeeee",
}
_TARGET_CONTROLS = (
    "target_kind",
    "target_value",
    "target_by",
    "quantile",
    "change",
    "since",
    "range_low",
    "range_high",
)
_INDICATOR_CONTROLS = ("weight", "tolerance", "polarity", "gender")


class GoalBuilder:
    """Build or edit a policy area's goals and indicators, with a live preview.

    Parameters
    ----------
    area : str or Path, optional
        An area in ``params/`` or a params file to edit; ``None`` starts a blank area.
    municipality : str, optional
        The municipality the preview is for (default: the area's).
    out : str or Path
        Where *Rendera rapport* writes (``OUT/<municipality>/<area>.html``).

    Attributes
    ----------
    controls : dict of str to ipywidget
        ``start``, ``area``, ``title``, ``municipality``, ``source``, ``peers``, ``goal``,
        ``goal_title``, ``goal_weight``, ``indicator``, the KPI search (``kpi_search``,
        ``policy_area``, ``kind``, ``gender_split``, ``recent``, ``kpi``), the target
        (``target_kind``, ``target_value``, ``target_by``, ``quantile``, ``change``,
        ``since``, ``range_low``, ``range_high``), ``weight``, ``tolerance``, ``polarity``,
        ``gender``, and the buttons ``add_goal``, ``remove_goal``, ``goal_up``,
        ``goal_down``, ``add_indicator``, ``remove_indicator``, ``indicator_up``,
        ``indicator_down``, ``save``, ``render``.
    draft : Draft
        The params document being edited.
    area : Area or None
        The validated area (``None`` while the draft has problems).
    problems : list of str
        What ``analys check`` would say of the file now.
    preview : Preview or None
        Status now and in the last five years, values, municipalities meeting each target.
    table : DataFrame or None
        The preview's indicator table as shown.
    message : str
        ``""`` or the Swedish problems (validation, save, render).
    """

    def __init__(
        self,
        area: str | os.PathLike | None = None,
        municipality: str | None = None,
        *,
        out: str | os.PathLike = "reports",
    ) -> None:
        self.out = Path(out)
        self.draft = Draft(area, str(municipality or "1880"))
        self.area: Area | None = None
        self.problems: list[str] = []
        self.preview: goal_preview.Preview | None = None
        self.table: pd.DataFrame | None = None
        self.figure = None  # the builder draws no figure; kept for the explorers' convention
        self.message = ""
        self.notice = ""
        self.saved: Path | None = None
        self.report: Path | None = None
        self._quiet = 0
        self._frames: dict[tuple[str, str], pd.DataFrame] = {}
        self._index: tuple[tuple, ValuesIndex] | None = None
        self._goal = 0
        self._indicator = 0
        this_year = dt.date.today().year
        doc = self.draft.doc
        code = str(municipality or doc.get("municipality") or "1880")
        self.finder = KpiFinder(self._source())
        c: dict[str, w.Widget] = {
            "start": w.Dropdown(
                options=[("Tomt område", "")] + [(t, a) for a, t in _area_titles().items()],
                value=self.draft.name if self.draft.path else "",
                description="Utgå från",
            ),
            "area": w.Text(
                description="Område (id)",
                value=str(doc.get("area") or ""),
                continuous_update=False,
            ),
            "title": w.Text(
                description="Rubrik", value=str(doc.get("title") or ""), continuous_update=False
            ),
            "municipality": w.Dropdown(options=_unit_options(), value=code, description="Kommun"),
            "source": w.Dropdown(
                options=[("Demodata", "demo"), ("Lokalt lager", "store"), ("Kolada", "kolada")],
                value=self._source(),
                description="Källa",
            ),
            "peers": w.Dropdown(options=self._peer_options(), description="Jämför med"),
            "goal": w.Select(description="Mål", rows=6, layout=w.Layout(width="460px")),
            "goal_title": w.Text(
                description="Målets namn",
                layout=w.Layout(width="460px"),
                continuous_update=False,
            ),
            "goal_weight": w.BoundedFloatText(value=1, min=0.1, max=100, description="Vikt"),
            "indicator": w.Select(
                description="Indikatorer", rows=6, layout=w.Layout(width="460px")
            ),
            **self.finder.controls,
            "target_kind": w.Dropdown(options=list(TARGET_CHOICES), description="Målvärde"),
            "target_value": w.FloatText(description="Värde"),
            "target_by": w.Dropdown(
                options=[("Inget målår", 0)] + [(str(y), y) for y in range(this_year, 2061)],
                value=0,
                description="Målår",
            ),
            "quantile": w.BoundedFloatText(
                value=0.75, min=0, max=1, step=0.05, description="Kvantil"
            ),
            "change": w.Dropdown(
                options=[("Förbättring", "improve"), ("Förändring med värdet", "number")],
                description="Förändring",
            ),
            "since": w.Dropdown(
                options=[(str(y), y) for y in range(this_year - 1, 1997, -1)],
                value=min(2020, this_year - 1),
                description="Basår",
            ),
            "range_low": w.FloatText(description="Lägst"),
            "range_high": w.FloatText(description="Högst"),
            "weight": w.BoundedFloatText(value=1, min=0.1, max=100, description="Vikt"),
            "tolerance": w.BoundedFloatText(
                value=float(doc.get("tolerance", 0.05)),
                min=0,
                max=0.99,
                step=0.01,
                description="Tolerans",
            ),
            "polarity": w.Dropdown(options=POLARITY_CHOICES, description="Riktning"),
            "gender": w.Dropdown(options=GENDER_CHOICES, description="Kön"),
        }
        for name, text in (
            ("add_goal", "Nytt mål"),
            ("remove_goal", "Ta bort mål"),
            ("goal_up", "↑"),
            ("goal_down", "↓"),
            ("add_indicator", "Lägg till nyckeltalet"),
            ("remove_indicator", "Ta bort indikator"),
            ("indicator_up", "↑"),
            ("indicator_down", "↓"),
            ("save", "Spara"),
            ("render", "Rendera rapport"),
        ):
            c[name] = w.Button(description=text)
        self.controls = c
        self._message_html = w.HTML()
        self._preview_html = w.HTML()
        self._goals_html = w.HTML()
        self._link_html = w.HTML()
        self._wire()
        self._load_tree()
        self._refresh()
        self.ui = self._layout()

    # -- plumbing ---------------------------------------------------------------------------

    def _source(self) -> str:
        source = self.draft.doc.get("source", "demo")
        return source if source in ("demo", "store", "kolada") else "demo"

    def _peer_options(self) -> list[tuple[str, Any]]:
        peers = self.draft.doc.get("peers", "skr")
        options = list(PEER_CHOICES)
        if peers not in [v for _, v in options]:
            shown = ", ".join(peers) if isinstance(peers, list) else str(peers)
            options.append((f"Som i filen ({shown})", "__file__"))
        return options

    def _wire(self) -> None:
        c = self.controls
        handlers = {
            "start": self._on_start,
            "area": lambda: self._set_top("area", c["area"].value.strip()),
            "title": lambda: self._set_top("title", c["title"].value.strip()),
            "source": self._on_source,
            "peers": self._on_peers,
            "municipality": self._refresh,
            "goal": self._on_goal,
            "goal_title": self._on_goal_title,
            "goal_weight": self._on_goal_weight,
            "indicator": self._on_indicator,
            "kpi": self._show_kpi,
        }
        for name in _TARGET_CONTROLS + _INDICATOR_CONTROLS:
            handlers[name] = self._on_target
        for name, handler in handlers.items():
            c[name].observe(self._guard(handler), names="value")
        self.finder.on_change(self._guard(lambda: None))
        buttons = {
            "add_goal": lambda: self.add_goal(),
            "remove_goal": self.remove_goal,
            "goal_up": lambda: self.move_goal(-1),
            "goal_down": lambda: self.move_goal(1),
            "add_indicator": lambda: self.add_indicator(),
            "remove_indicator": self.remove_indicator,
            "indicator_up": lambda: self.move_indicator(-1),
            "indicator_down": lambda: self.move_indicator(1),
            "save": self._save_clicked,
            "render": self._render_clicked,
        }
        for name, action in buttons.items():
            c[name].on_click(lambda _button, action=action: self._safely(action))

    def _guard(self, handler):
        def observer(_change: Any = None) -> None:
            if self._quiet:
                return
            self._safely(handler)

        return observer

    def _safely(self, action) -> None:
        try:
            action()
        except (AnalysError, OSError) as error:
            self.message = str(error)
            self._show_message()

    class _Quiet:
        def __init__(self, owner: GoalBuilder) -> None:
            self.owner = owner

        def __enter__(self) -> None:
            self.owner._quiet += 1

        def __exit__(self, *exc: Any) -> None:
            self.owner._quiet -= 1

    # -- the tree ---------------------------------------------------------------------------

    def _load_tree(self) -> None:
        """Fill the goal and indicator lists and the editors from the draft."""
        c = self.controls
        goals = self.draft.goals
        with self._Quiet(self):
            options = [
                (f"{i + 1}. {g.get('title', '(utan namn)')}", i) for i, g in enumerate(goals)
            ]
            self._goal = min(self._goal, max(len(goals) - 1, 0))
            _set_options(c["goal"], options, self._goal if options else None)
            goal = goals[self._goal] if goals else None
            c["goal_title"].value = str(goal.get("title", "")) if goal else ""
            c["goal_weight"].value = float(goal.get("weight", 1)) if goal else 1.0
            items = self.draft.indicators(self._goal) if goal else []
            self._indicator = min(self._indicator, max(len(items) - 1, 0))
            labels = [
                (f"{j + 1}. {registry.label(str(i.get('kpi')))} ({i.get('kpi')})", j)
                for j, i in enumerate(items)
            ]
            _set_options(c["indicator"], labels, self._indicator if labels else None)
            if items:
                self._load_indicator(items[self._indicator])
            for name in ("remove_goal", "goal_up", "goal_down", "add_indicator"):
                c[name].disabled = goal is None
            for name in ("remove_indicator", "indicator_up", "indicator_down"):
                c[name].disabled = not items
            for name in _TARGET_CONTROLS + _INDICATOR_CONTROLS:
                c[name].disabled = not items

    def _load_indicator(self, item: Any) -> None:
        c = self.controls
        target = item.get("target") or {}
        kind = next((k for _, k in TARGET_CHOICES if k in target), "value")
        c["target_kind"].value = kind
        if kind == "value":
            c["target_value"].value = float(target.get("value") or 0)
            c["target_by"].value = int(target.get("by") or 0)
        elif kind == "peers_quantile":
            c["quantile"].value = float(target["peers_quantile"])
        elif kind == "change":
            improve = target.get("change") == "improve"
            c["change"].value = "improve" if improve else "number"
            if not improve:
                c["target_value"].value = float(target.get("change") or 0)
            if target.get("since") in [v for _, v in c["since"].options]:
                c["since"].value = target["since"]
        elif kind == "range":
            low, high = (list(target.get("range") or [0, 0]) + [0, 0])[:2]
            c["range_low"].value, c["range_high"].value = float(low), float(high)
        c["weight"].value = float(item.get("weight", 1))
        c["tolerance"].value = float(item.get("tolerance", self.draft.doc.get("tolerance", 0.05)))
        c["polarity"].value = item.get("polarity") or ""
        c["gender"].value = item.get("gender", "T")
        self._show_target_fields()

    def _show_target_fields(self) -> None:
        c = self.controls
        kind = c["target_kind"].value
        visible = {
            "target_value": kind == "value"
            or (kind == "change" and c["change"].value != "improve"),
            "target_by": kind == "value",
            "quantile": kind == "peers_quantile",
            "change": kind == "change",
            "since": kind == "change",
            "range_low": kind == "range",
            "range_high": kind == "range",
        }
        for name, shown in visible.items():
            c[name].layout.display = None if shown else "none"

    def _current_item(self) -> Any:
        goals = self.draft.goals
        if not goals:
            return None
        items = self.draft.indicators(self._goal)
        return items[self._indicator] if items else None

    # -- handlers ---------------------------------------------------------------------------

    def _on_start(self) -> None:
        name = self.controls["start"].value or None
        self.draft = Draft(name, self.controls["municipality"].value)
        self._goal = self._indicator = 0
        with self._Quiet(self):
            doc = self.draft.doc
            self.controls["area"].value = str(doc.get("area") or "")
            self.controls["title"].value = str(doc.get("title") or "")
            self.controls["source"].value = self._source()
            _set_options(self.controls["peers"], self._peer_options(), None)
            self._sync_peers()
            if doc.get("municipality") and name:
                self.controls["municipality"].value = str(doc["municipality"])
        self.finder.set_source(self._source())
        self.saved = self.report = None
        self._load_tree()
        self._refresh()

    def _sync_peers(self) -> None:
        peers = self.draft.doc.get("peers", "skr")
        values = [v for _, v in self.controls["peers"].options]
        self.controls["peers"].value = peers if peers in values else "__file__"

    def _set_top(self, key: str, value: Any) -> None:
        self.draft.doc[key] = value
        self._refresh()

    def _on_source(self) -> None:
        self.draft.doc["source"] = self.controls["source"].value
        self._frames.clear()
        self.finder.set_source(self._source())
        self._refresh()

    def _on_peers(self) -> None:
        value = self.controls["peers"].value
        if value != "__file__":
            self.draft.doc["peers"] = value
        self._refresh()

    def _on_goal(self) -> None:
        self._goal = self.controls["goal"].value or 0
        self._indicator = 0
        self._load_tree()
        self._refresh(preview=False)

    def _on_goal_title(self) -> None:
        if self.draft.goals:
            self.draft.goals[self._goal]["title"] = self.controls["goal_title"].value.strip()
            self._load_tree()
            self._refresh()

    def _on_goal_weight(self) -> None:
        if self.draft.goals:
            goal = self.draft.goals[self._goal]
            self.draft.set_field(goal, "weight", _plain(self.controls["goal_weight"].value), 1)
            self._refresh()

    def _on_indicator(self) -> None:
        self._indicator = self.controls["indicator"].value or 0
        self._load_tree()
        self._refresh(preview=False)

    def _on_target(self) -> None:
        """Write the target editor into the chosen indicator."""
        item = self._current_item()
        c = self.controls
        self._show_target_fields()
        if item is None:
            return
        kind = c["target_kind"].value
        old = item.get("target") or {}
        if kind == "value" and "value" not in old and c["target_value"].value == 0:
            with self._Quiet(self):  # a sensible start: the municipality's latest value
                c["target_value"].value = self._latest_value(str(item.get("kpi")))
        item["target"] = target_spec(
            kind,
            value=c["target_value"].value,
            by=c["target_by"].value or None,
            quantile=c["quantile"].value,
            improve=c["change"].value == "improve",
            since=c["since"].value,
            low=c["range_low"].value,
            high=c["range_high"].value,
        )
        default_tolerance = float(self.draft.doc.get("tolerance", 0.05))
        self.draft.set_field(item, "weight", _plain(c["weight"].value), 1)
        self.draft.set_field(item, "tolerance", _plain(c["tolerance"].value), default_tolerance)
        self.draft.set_field(item, "polarity", c["polarity"].value or None)
        self.draft.set_field(item, "gender", c["gender"].value, "T")
        self._refresh()

    def _show_kpi(self) -> None:
        self.finder.describe()

    # -- actions (also for code) ------------------------------------------------------------

    def add_goal(self, title: str = "Nytt mål") -> None:
        """Append a goal and select it."""
        self._goal = self.draft.add_goal(title)
        self._indicator = 0
        self._load_tree()
        self._refresh()

    def remove_goal(self) -> None:
        if self.draft.goals:
            self.draft.remove_goal(self._goal)
            self._goal = max(self._goal - 1, 0)
            self._load_tree()
            self._refresh()

    def move_goal(self, step: int) -> None:
        if self.draft.goals:
            self._goal = self.draft.move_goal(self._goal, step)
            self._load_tree()
            self._refresh()

    def add_indicator(self, kpi: str | None = None) -> None:
        """Add the KPI chosen in the search (or ``kpi``) to the chosen goal."""
        kpi = kpi or self.controls["kpi"].value
        if not kpi:
            raise AnalysError("Välj först ett nyckeltal i sökningen.")
        if not self.draft.goals:
            self.add_goal()
        polarity = registry.polarity(kpi)
        if polarity == "neutral":
            value = self._latest_value(kpi)
            target = target_spec("range", low=value * 0.9, high=value * 1.1)
        else:
            target = target_spec("change", improve=True, since=self.controls["since"].value)
        self._indicator = self.draft.add_indicator(self._goal, kpi, target)
        self._load_tree()
        self._refresh()

    def remove_indicator(self) -> None:
        if self._current_item() is not None:
            self.draft.remove_indicator(self._goal, self._indicator)
            self._indicator = max(self._indicator - 1, 0)
            self._load_tree()
            self._refresh()

    def move_indicator(self, step: int) -> None:
        if self._current_item() is not None:
            self._indicator = self.draft.move_indicator(self._goal, self._indicator, step)
            self._load_tree()
            self._refresh()

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the params file; ``ParamsError`` (nothing written) while it has problems."""
        self.saved = self.draft.save(path)
        self.notice = f"Sparat: {self.saved}. `analys check {self.saved}` godkänner filen."
        self.message = ""
        self._show_message()
        return self.saved

    def render_report(self, out: str | os.PathLike | None = None) -> Path:
        """Save, render the area's report for the chosen municipality; return the HTML path."""
        from analys import render

        path = self.save()
        code = self.controls["municipality"].value
        folder = Path(out) if out is not None else self.out
        summary = render.render(
            [str(path)], [code], out=folder, jobs=1, progress=False, overview=False
        )
        report = folder / code / f"{self.draft.name}.html"
        if summary.exit_code or not report.is_file():
            raise AnalysError(f"Rapporten kunde inte renderas: {summary.text()}")
        self.report = report
        try:
            href = os.path.relpath(report, Path.cwd())
        except ValueError:  # another drive on Windows
            href = report.as_uri()
        self._link_html.value = (
            f"<a href='{safe.html_text(href)}' target='_blank'>Öppna rapporten: "
            f"{safe.html_text(report.name)} ({safe.html_text(reference.title(code))})</a>"
        )
        self.notice = f"Rapporten är klar: {report}"
        self._show_message()
        return report

    def _save_clicked(self) -> None:
        try:
            self.save()
        except ParamsError as error:
            self.message = "Filen sparades inte – rätta först:\n" + "\n".join(error.problems)
            self._show_message()

    def _render_clicked(self) -> None:
        try:
            self.render_report()
        except ParamsError as error:
            self.message = "Rapporten renderades inte – rätta först:\n" + "\n".join(error.problems)
            self._show_message()

    # -- checking and preview ---------------------------------------------------------------

    def _values(self, kpis: list[str]) -> ValuesIndex:
        source = self._source()
        missing = [k for k in kpis if (source, k) not in self._frames]
        if missing:
            frame = data.load_values(missing, source=source, genders=None)
            for kpi in missing:
                self._frames[(source, kpi)] = frame[frame["kpi"] == kpi]
        key = (source, tuple(sorted(kpis)))
        if self._index is None or self._index[0] != key:
            parts = [self._frames[(source, k)] for k in kpis]
            self._index = (key, ValuesIndex(pd.concat(parts, ignore_index=True)))
        return self._index[1]

    def _latest_value(self, kpi: str) -> float:
        try:
            series = self._values([kpi]).series(kpi, self.controls["municipality"].value, "T")
        except AnalysError:
            return 0.0
        series = series.dropna()
        return round(float(series.iloc[-1]), 1) if len(series) else 0.0

    def _refresh(self, preview: bool = True) -> None:
        """Check the draft as `analys check` would and update the preview."""
        self.area, self.problems = self.draft.check()
        self.message = "\n".join(self.problems)
        self.notice = ""
        self.controls["save"].disabled = bool(self.problems)
        self.controls["render"].disabled = bool(self.problems)
        if self.area is None:
            self.preview = self.table = None
            self._preview_html.value = (
                "<i>Förhandsvisningen visas när filen är giltig – se meddelandena ovan.</i>"
            )
        elif preview or self.preview is None:
            self._update_preview(self.area)
        self._show_message()

    def _update_preview(self, area: Area) -> None:
        code = self.controls["municipality"].value
        if reference.unit_type(code) != area.kind:
            self.preview = self.table = None
            kind = "regioner" if area.kind == "L" else "kommuner"
            self._preview_html.value = f"<i>Området gäller {kind} – välj en sådan.</i>"
            return
        try:
            index = self._values(area.kpis)
            groups = data.load_groups(self._source())
            self.preview = goal_preview.preview(area, index, code, groups=groups)
        except AnalysError as error:
            self.preview = self.table = None
            self.message = str(error)
            self._preview_html.value = ""
            return
        self.table = _table(self.preview)
        self._preview_html.value = _preview_html(self.preview, self.table, code, area)

    def _show_message(self) -> None:
        if self.message:
            lines = "".join(
                f"<li>{safe.html_text(line)}</li>" for line in self.message.splitlines()
            )
            self._message_html.value = f"<ul style='color:#a50f15;margin:0'>{lines}</ul>"
        elif self.notice:
            self._message_html.value = (
                f"<div style='color:#006d2c'>{safe.html_text(self.notice)}</div>"
            )
        else:
            self._message_html.value = "<div style='color:#006d2c'>Filen är giltig.</div>"

    # -- display ----------------------------------------------------------------------------

    def _layout(self) -> w.Widget:
        c = self.controls
        header = w.VBox(
            [
                w.HBox([c["start"], c["source"]]),
                w.HBox([c["area"], c["title"]]),
                w.HBox([c["municipality"], c["peers"]]),
            ]
        )
        goals = w.VBox(
            [
                w.HTML("<b>Mål</b>"),
                c["goal"],
                w.HBox([c["add_goal"], c["remove_goal"], c["goal_up"], c["goal_down"]]),
                c["goal_title"],
                c["goal_weight"],
                w.HTML("<b>Indikatorer för målet</b>"),
                c["indicator"],
                w.HBox([c["remove_indicator"], c["indicator_up"], c["indicator_down"]]),
            ]
        )
        target = w.VBox(
            [
                w.HTML("<b>Målvärde för indikatorn</b>"),
                c["target_kind"],
                c["target_value"],
                c["target_by"],
                c["quantile"],
                c["change"],
                c["since"],
                c["range_low"],
                c["range_high"],
                c["weight"],
                c["tolerance"],
                c["polarity"],
                c["gender"],
            ]
        )
        search = w.VBox([w.HTML("<b>Sök nyckeltal</b>"), self.finder.ui, c["add_indicator"]])
        actions = w.HBox([c["save"], c["render"], self._link_html])
        return w.VBox(
            [
                header,
                w.HBox([goals, target]),
                search,
                self._message_html,
                actions,
                w.HTML("<b>Förhandsvisning</b>"),
                self._preview_html,
            ]
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the builder shows its UI."""
        return self.ui._repr_mimebundle_(**kwargs)


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 4)


def _table(preview: goal_preview.Preview) -> pd.DataFrame:
    """The preview's indicator table in Swedish, as shown."""
    from analys.format import decimals_for, with_unit

    rows = preview.indicators
    return pd.DataFrame(
        {
            "Mål": rows["goal"],
            "Indikator": rows["label"],
            "År": ["–" if pd.isna(y) else int(y) for y in rows["year"]],
            "Värde": [
                with_unit(v, u or None, decimals_for(u or None, v))
                for v, u in zip(rows["value"], rows["unit"], strict=True)
            ],
            "Målvärde": rows["target_text"],
            "Status": rows["status"].map(STATUS_LABELS),
            "De senaste fem åren": rows["history"],
            "Når målet": [
                f"{m} av {n}" if n else "–"
                for m, n in zip(rows["meeting"], rows["with_value"], strict=True)
            ],
        }
    )


def _preview_html(preview: goal_preview.Preview, table: pd.DataFrame, code: str, area: Area) -> str:
    units = "regioner" if area.kind == "L" else "kommuner"
    goals = "".join(
        f"<li><span style='background:{STATUS_COLOURS[r.status]};padding:0 4px'>"
        f"{safe.html_text(STATUS_LABELS[r.status])}</span> {safe.html_text(r.title)} – "
        f"{safe.html_text(r.history)}</li>"
        for r in preview.goals.itertuples()
    )
    head = "".join(f"<th style='text-align:left'>{safe.html_text(c)}</th>" for c in table.columns)
    body = []
    for status, row in zip(
        preview.indicators["status"], table.itertuples(index=False), strict=True
    ):
        cells = "".join(
            f"<td style='{'background:' + STATUS_COLOURS[status] if name == 'Status' else ''}'>"
            f"{safe.html_text(str(value))}</td>"
            for name, value in zip(table.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    years = preview.years
    span = f"{years[0]}–{years[-1]}" if years else "–"
    return (
        f"<div><b>{safe.html_text(reference.title(code))}</b>: målens status senaste året och "
        f"åren {span}.</div><ul>{goals}</ul>"
        f"<table style='border-collapse:collapse;font-size:12px'><tr>{head}</tr>"
        f"{''.join(body)}</table>"
        f"<div style='font-size:11px;color:#555'>Når målet: hur många {units} med värde som "
        "skulle nå samma målvärde samma år (förändringsmål: jämfört med sitt eget basår). "
        f"{safe.html_text(_credit(area))}</div>"
    )


def _credit(area: Area) -> str:
    """The preview's attribution: ours, Kolada's and the own files', the demo notice."""
    text = f"{captions.EGEN}."
    own = own_store.credit_line(area.kpis, area.source)
    if own:
        text += f" {own}"
    return f"{text} {captions.DEMO}." if area.source == "demo" else text
