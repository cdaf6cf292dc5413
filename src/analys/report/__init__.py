"""The policy-area report: what each section of ``notebooks/omrade.ipynb`` shows.

The notebook stays thin: its ``parameters`` cell holds a params file's keys (plus
``data_cache``), and each section is one call, e.g. ``report.summary()``. The sections follow
RKA's deviation analysis: Sammanfattning, Måluppfyllelse per mål, Jämförelse med andra,
Utveckling över tid, Att fokusera på, Förväntat värde och samband, Kön, Om underlaget.

The report publishes a machine-readable summary (goal-status counts) with the mimetype
``application/vnd.analys.summary+json`` for the batch renderer's index.

Modules
-------
base
    :class:`ReportBase`: the params, the values loaded once, the evaluation done once, the
    peer group, and the helpers every section uses.
about, goal_tables, comparison, trends, expected
    The sections, one group of them per module (mixins of :class:`Report`); what they
    compute lives in :mod:`analys.stats` and :mod:`analys.fulfilment`.
labels, output
    The tables' words (indicator labels, quartile and trend words) and the one output
    channel (``display``, :func:`show_figure`, :func:`table_style`).
unit_section, units
    The section *Enheter* and the unit report (:class:`analys.report.units.UnitReport`).
overview, sentences
    All areas of one municipality on one page; the report's sentences.
"""

from __future__ import annotations

from analys.report.about import AboutSections
from analys.report.base import PARAM_KEYS, ReportBase, report_part
from analys.report.comparison import ComparisonSections
from analys.report.expected import ExpectedSection
from analys.report.goal_tables import GoalTableSections
from analys.report.labels import COLOUR_WORDS, TREND_HEADER, TREND_WORDS, indicator_label
from analys.report.output import show_figure, table_style
from analys.report.trends import TrendSections
from analys.report.unit_section import units_section
from analys.summary import SUMMARY_MIMETYPE, read_summary  # noqa: F401 (re-exported)

__all__ = [
    "COLOUR_WORDS",
    "PARAM_KEYS",
    "TREND_HEADER",
    "TREND_WORDS",
    "Report",
    "indicator_label",
    "show_figure",
    "table_style",
]


@report_part
class Report(
    AboutSections,
    GoalTableSections,
    ComparisonSections,
    TrendSections,
    ExpectedSection,
    ReportBase,
):
    """One area, one municipality: data loaded once, the evaluation done once.

    Built like :class:`~analys.report.base.ReportBase` (``params``, ``data_cache``,
    ``precomputed``), which loads the data and evaluates the goals; the section classes add
    what is shown.

    Each section is one method, in the notebook's order: :meth:`header`, :meth:`summary`,
    :meth:`goal_tables`, :meth:`comparison`, :meth:`trends`, :meth:`focus`,
    :meth:`expected`, :meth:`gender`, :meth:`units`, :meth:`about`.
    """

    # -- Enheter ------------------------------------------------------------------------------

    def units(self) -> None:
        """Section *Enheter*, only when the area has KPIs with unit data (schools, care homes
        …): the municipality's units against each other and all units of their kind
        (:func:`analys.report.unit_section.units_section`)."""
        units_section(self)
