"""The goal builder: set goals, pick indicators and targets, see at once what they would mean.

``GoalBuilder`` edits a params file (:class:`analys.goals.draft.Draft`, round-trip YAML) and,
on every change, runs the same checker as ``analys check`` (its Swedish lines appear under
the tree) and a live preview for the chosen municipality (:mod:`analys.fulfilment.preview`):
each indicator's and goal's status now and in the last five years, the values behind it and
how many municipalities would meet such a target. Save writes a file ``analys check``
accepts; *Rendera rapport* renders the area's report and links to it.

As for the explorers, setting a control's ``.value`` from code updates everything
synchronously; ``.message`` is ``""`` or the Swedish problems.

The parts: :mod:`analys.widgets.goal_form` (the controls, their layout, the target editor),
:mod:`analys.widgets.goal_tree` (the goal tree and its editing), :mod:`analys.widgets.goal_view`
(the preview's table and HTML); this module wires them, checks, previews, saves and renders.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from analys import data, reference, safe
from analys.errors import AnalysError, ParamsError
from analys.fulfilment import ValuesIndex
from analys.fulfilment import preview as goal_preview
from analys.goals import Area
from analys.goals.draft import Draft
from analys.widgets.common import set_options
from analys.widgets.goal_form import (
    INDICATOR_CONTROLS,
    PEER_CHOICES,
    TARGET_CONTROLS,
    form_controls,
    form_layout,
    plain,
    show_target_fields,
    target_from,
)
from analys.widgets.goal_tree import GoalTree
from analys.widgets.goal_view import preview_html, preview_table
from analys.widgets.kpi_finder import KpiFinder


class GoalBuilder(GoalTree):
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
        doc = self.draft.doc
        code = str(municipality or doc.get("municipality") or "1880")
        self.finder = KpiFinder(self._source())
        self.controls = form_controls(
            self.draft, code, self._source(), self._peer_options(), self.finder.controls
        )
        self._message_html = w.HTML()
        self._preview_html = w.HTML()
        self._goals_html = w.HTML()
        self._link_html = w.HTML()
        self._wire()
        self._load_tree()
        self._refresh()
        self.ui = form_layout(
            self.controls,
            self.finder.ui,
            self._message_html,
            self._link_html,
            self._preview_html,
        )

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
        for name in TARGET_CONTROLS + INDICATOR_CONTROLS:
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
            set_options(self.controls["peers"], self._peer_options(), None)
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
            self.draft.set_field(goal, "weight", plain(self.controls["goal_weight"].value), 1)
            self._refresh()

    def _on_indicator(self) -> None:
        self._indicator = self.controls["indicator"].value or 0
        self._load_tree()
        self._refresh(preview=False)

    def _on_target(self) -> None:
        """Write the target editor into the chosen indicator."""
        item = self._current_item()
        c = self.controls
        show_target_fields(self.controls)
        if item is None:
            return
        kind = c["target_kind"].value
        old = item.get("target") or {}
        if kind == "value" and "value" not in old and c["target_value"].value == 0:
            with self._Quiet(self):  # a sensible start: the municipality's latest value
                c["target_value"].value = self._latest_value(str(item.get("kpi")))
        item["target"] = target_from(c)
        default_tolerance = float(self.draft.doc.get("tolerance", 0.05))
        self.draft.set_field(item, "weight", plain(c["weight"].value), 1)
        self.draft.set_field(item, "tolerance", plain(c["tolerance"].value), default_tolerance)
        self.draft.set_field(item, "polarity", c["polarity"].value or None)
        self.draft.set_field(item, "gender", c["gender"].value, "T")
        self._refresh()

    def _show_kpi(self) -> None:
        self.finder.describe()

    # -- save and render ---------------------------------------------------------------------

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
        if reference.municipality_type(code) != area.municipality_type:
            self.preview = self.table = None
            kind = "regioner" if area.municipality_type == "L" else "kommuner"
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
        self.table = preview_table(self.preview)
        self._preview_html.value = preview_html(self.preview, self.table, code, area)

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

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the builder shows its UI."""
        return self.ui._repr_mimebundle_(**kwargs)
