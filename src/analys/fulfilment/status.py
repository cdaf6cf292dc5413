"""The judgement rules of one indicator and one goal.

The rules are docs/methods.md#indicator-status and docs/methods.md#goal-status.

An indicator is met when ``s·(x − t) ≥ 0`` (``s`` the polarity's sign), partly met within
``tolerance·|t|`` of the target, else not met; a range target is met inside the range. A goal's
status comes from its score and coverage with the area's cut-offs. Pure functions of numbers.
"""

from __future__ import annotations

import math

import numpy as np

from analys import registry
from analys.goals import Indicator
from analys.vocabulary import sign

#: how a reason marks a direction that the params file, not the registry, gives
OWN_STANCE = "enligt målets egen riktning"


def own_stance(ind: Indicator) -> bool:
    """True when the params file sets a direction the registry does not give the KPI.

    A cost is neutral in the registry (lower is not better); a goal may still want it lower
    ("kostnaden ska vara lägre än riket"). That is the goal's own stance, not a fact about
    quality, and the reason says so.
    """
    return ind.polarity != "neutral" and ind.polarity != registry.polarity(ind.kpi)


def status_of(x: float, t: float, polarity: str, tolerance: float) -> str:
    """Met when s·(x − t) ≥ 0, partly within ``tolerance·|t|``, else not met.

    The rule is docs/methods.md#indicator-status.
    """
    if is_missing(x) or is_missing(t):
        return "no_data"
    s = sign(polarity) or 1
    gap = s * (x - t)
    if gap >= 0:
        return "met"
    if gap >= -tolerance * abs(t):
        return "partly"
    return "not_met"


def range_status(x: float, low: float, high: float, tolerance: float) -> str:
    """Inside the range met; within ``tolerance`` of the nearest bound outside partly."""
    if is_missing(x):
        return "no_data"
    if low <= x <= high:
        return "met"
    bound = low if x < low else high
    return "partly" if abs(x - bound) <= tolerance * abs(bound) else "not_met"


def goal_status(score: float, coverage: float, cutoffs) -> str:
    """Goal status from the score and coverage with the area's cut-offs.

    The rule is docs/methods.md#goal-status.
    """
    if coverage < cutoffs.coverage or is_missing(score):
        return "no_data"
    if score >= cutoffs.met:
        return "met"
    if score >= cutoffs.partly:
        return "partly"
    return "not_met"


def is_missing(x: float | None) -> bool:
    """True for ``None`` and NaN: a value or target that is not there."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def quantile_target(peer_values: np.ndarray, q: float, polarity: str) -> float:
    """The q-quantile of the scores s·x, back on the value scale (docs/methods.md#peer-sets)."""
    s = sign(polarity) or 1
    return float(s * np.quantile(s * peer_values, q))
