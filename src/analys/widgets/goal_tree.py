"""The goal builder's tree: the goals of the draft and each goal's indicators.

:class:`GoalTree` (a mixin of :class:`~analys.widgets.GoalBuilder`) fills the goal and
indicator lists and the target editor from the draft, and edits the tree: add, remove and
move goals and indicators (buttons, or the same methods from code). A new indicator starts
with a target that fits its KPI: improvement since the base year, or for a KPI without a
direction a range of ±10 % around the municipality's latest value.
"""

from __future__ import annotations

from typing import Any

from analys import registry
from analys.errors import AnalysError
from analys.goals.draft import target_spec
from analys.widgets.common import set_options
from analys.widgets.goal_form import INDICATOR_CONTROLS, TARGET_CONTROLS, show_target


class GoalTree:
    """The goal tree of the builder (a mixin of ``GoalBuilder``)."""

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
            set_options(c["goal"], options, self._goal if options else None)
            goal = goals[self._goal] if goals else None
            c["goal_title"].value = str(goal.get("title", "")) if goal else ""
            c["goal_weight"].value = float(goal.get("weight", 1)) if goal else 1.0
            items = self.draft.indicators(self._goal) if goal else []
            self._indicator = min(self._indicator, max(len(items) - 1, 0))
            labels = [
                (f"{j + 1}. {registry.label(str(i.get('kpi')))} ({i.get('kpi')})", j)
                for j, i in enumerate(items)
            ]
            set_options(c["indicator"], labels, self._indicator if labels else None)
            if items:
                default = float(self.draft.doc.get("tolerance", 0.05))
                show_target(c, items[self._indicator], default)
            for name in ("remove_goal", "goal_up", "goal_down", "add_indicator"):
                c[name].disabled = goal is None
            for name in ("remove_indicator", "indicator_up", "indicator_down"):
                c[name].disabled = not items
            for name in TARGET_CONTROLS + INDICATOR_CONTROLS:
                c[name].disabled = not items

    def _current_item(self) -> Any:
        goals = self.draft.goals
        if not goals:
            return None
        items = self.draft.indicators(self._goal)
        return items[self._indicator] if items else None

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
