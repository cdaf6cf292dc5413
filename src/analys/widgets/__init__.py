"""Widget explorers for JupyterLab: trends (``TrendExplorer``) and drivers (``DriverExplorer``),
and the goal builder (``GoalBuilder``, notebook ``malbyggare``).

All logic lives here; the notebooks ``utforska_trender`` and ``utforska_samband`` only construct
and display an explorer (docs/architecture.md#the-stable-interface). Setting a control's
``.value`` from code updates ``.figure``, ``.table`` and ``.message`` synchronously; that is how
the tests drive them.

Responsiveness: the values are loaded once per explorer (every KPI it can show, all units,
years and genders; from Kolada each KPI is fetched once, when first chosen) and kept in a
session (:mod:`analys.widgets.session`). An interaction recomputes only what its control
changes: per-year ranks and quartile colours are cached per KPI and gender, the map is
redrawn only when its KPI, year, gender, focus or peers change, and a regression is refitted
only when its data changes (not for the focus municipality or the standardise switch).
Figures are drawn on reused Agg canvases and sent to the browser as PNG in ``HTML`` widgets
(:mod:`analys.widgets.common`).

Modules
-------
session
    The values an explorer works on, and the KPI and unit choices of the controls.
common
    Shared constants, HTML tables and legends, figures as PNG, the explorer plumbing
    (synchronous updates, Swedish messages, Spara).
trend_explorer, trend_tables, trend_units
    :class:`TrendExplorer`; what it computes and writes at the municipality level; the unit
    level (a unit against its municipality's and Sweden's units).
driver_explorer, driver_fit, driver_text
    :class:`DriverExplorer`; its model frame, checks and fit; the tables and texts it shows.
goal_builder, goal_form, goal_tree, goal_view, kpi_finder
    :class:`GoalBuilder` (model: :mod:`analys.goals.draft`, preview:
    :mod:`analys.fulfilment.preview`): its form, goal tree, preview view and KPI search.
"""

from __future__ import annotations

from analys.widgets.common import SAVE_DIR
from analys.widgets.driver_explorer import DriverExplorer
from analys.widgets.goal_builder import GoalBuilder
from analys.widgets.trend_explorer import TrendExplorer

__all__ = ["DriverExplorer", "GoalBuilder", "SAVE_DIR", "TrendExplorer"]
