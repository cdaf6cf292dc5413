"""What a report asks the reader to focus on: the exception list
(docs/methods.md#exception-list-red-red).

Two rules over an evaluation's indicator table (:attr:`analys.fulfilment.Evaluation.indicators`,
with its ``colour``, ``trend`` and ``status`` columns), used by the area report's section
*Att fokusera på* and by the overview across areas:

* :func:`red_red` – among the worst 25 % of all units of the type *and* worsening over five
  years ("red-red", the Fingertips rule);
* :func:`off_target` – not reaching the goal: status ``not_met`` or ``partly``
  (:data:`analys.vocabulary.OFF_TARGET`).

An indicator that appears under several goals (the same KPI and gender) is listed once.
"""

from __future__ import annotations

import pandas as pd

from analys.vocabulary import OFF_TARGET


def _once(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators.drop_duplicates(["kpi", "gender"])


def red_red(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators in the worst quartile of all units that are also worsening.

    Parameters
    ----------
    indicators : DataFrame
        An evaluation's indicator table (columns ``kpi``, ``gender``, ``colour``, ``trend``).

    Returns
    -------
    DataFrame
        The matching rows, in the table's order, one per KPI and gender.
    """
    rows = _once(indicators)
    return rows[(rows["colour"] == "red") & (rows["trend"] == "worsening")]


def off_target(indicators: pd.DataFrame) -> pd.DataFrame:
    """The indicators that do not reach their target (not met, or only partly).

    Parameters
    ----------
    indicators : DataFrame
        An evaluation's indicator table (columns ``kpi``, ``gender``, ``status``).

    Returns
    -------
    DataFrame
        The matching rows, in the table's order, one per KPI and gender.
    """
    rows = _once(indicators)
    return rows[rows["status"].isin(OFF_TARGET)]
