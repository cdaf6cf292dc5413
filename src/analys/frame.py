"""The values frame: the one data contract every loader returns.

The contract is docs/data-contract.md#the-values-frame.

`kpi` is a Kolada id (`N…`, `U…`) or an own indicator's id, `EGEN-` plus 1–32 of A–Z, 0–9, `_`
(:mod:`analys.own`); the two forms can never collide.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

VALUES_COLUMNS = ["kpi", "municipality", "year", "gender", "value", "count", "status"]
OU_COLUMNS = ["kpi", "ou", "municipality", "year", "gender", "value", "count", "status"]
_DTYPES = {
    "kpi": "str",
    "ou": "str",
    "municipality": "str",
    "year": "int64",
    "gender": "str",
    "value": "float64",
    "count": "int64",
    "status": "str",
}


def empty_values(ou: bool = False) -> pd.DataFrame:
    """An empty values frame with the contract's columns and dtypes."""
    columns = OU_COLUMNS if ou else VALUES_COLUMNS
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in columns})


def as_values_frame(frame: pd.DataFrame, ou: bool = False) -> pd.DataFrame:
    """Coerce ``frame`` to exactly the contract: column order, dtypes, NaN never 0.

    Missing ``count`` becomes 0 and missing ``status`` becomes ``""``; codes stay strings.
    """
    columns = OU_COLUMNS if ou else VALUES_COLUMNS
    if frame.empty:
        return empty_values(ou)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"values frame saknar kolumnerna {missing}")
    out = frame.loc[:, columns].copy()
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["count"] = pd.to_numeric(out["count"], errors="coerce").fillna(0).astype("int64")
    out["status"] = out["status"].fillna("").astype("str")
    out["year"] = pd.to_numeric(out["year"]).astype("int64")
    for c in ("kpi", "municipality", "gender") + (("ou",) if ou else ()):
        out[c] = out[c].astype("str")
    return out.reset_index(drop=True)


def as_float(values: object) -> pd.Series:
    """``values`` as a Series of floats; anything that is not a number becomes NaN."""
    return pd.to_numeric(pd.Series(values), errors="coerce").astype(float)


def wide(
    data: pd.DataFrame,
    *,
    index: str | list[str] = "municipality",
    columns: str = "kpi",
    gender: str | None = "T",
    year: int | None = None,
) -> pd.DataFrame:
    """Pivot a values frame to a wide table: one row per ``index``, one column per ``columns``.

    The one pivot of the package: every wide table (municipality × KPI for a regression,
    municipality × year for a trend, unit × year, K × M for gender gaps) is made here.

    Parameters
    ----------
    data : DataFrame
        A values frame or any frame with the ``index``, ``columns`` and
        ``value`` columns.
    index, columns : str
        The column(s) whose values become the rows and the columns.
    gender : str or None
        Keep one gender (default the total, ``T``); ``None`` keeps every row (the frame
        is already one gender, or ``columns="gender"``).
    year : int, optional
        Keep one year.

    Returns
    -------
    DataFrame
        Floats, NaN where a cell has no value. A cell given twice (a store with repeated
        rows) keeps its first non-missing value, as Kolada lists them.
    """
    part = data
    if gender is not None:
        part = part[part["gender"] == gender]
    if year is not None:
        part = part[part["year"] == year]
    try:
        table = part.pivot(index=index, columns=columns, values="value")
    except ValueError:  # a repeated cell
        table = part.pivot_table(
            index=index, columns=columns, values="value", aggfunc="first", dropna=False
        )
    table.columns.name = None
    return table.astype(np.float64)


# -- computed once per frame --------------------------------------------------------------

#: the memo that :func:`reused` functions keep their results in, while :func:`reusing` holds
_MEMO: ContextVar[dict[int, tuple[weakref.ref, dict]] | None] = ContextVar(
    "analys_memo", default=None
)


@contextmanager
def reusing(memo: dict | None) -> Iterator[None]:
    """Within: a :func:`reused` function computes once per frame and arguments, and keeps
    the result in ``memo`` for as long as the frame lives (``None``: computes every time).

    The caller promises that the frames it passes are not changed while ``memo`` lives: a
    batch's values, which every report of a worker reads, are never changed
    (:mod:`analys.report.base`). Results are shared, so whoever receives one reads it only.
    """
    token = _MEMO.set(memo)
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo_held() -> bool:
    """Whether :func:`reusing` holds a memo here (a function may then take a way that pays
    off only when its result is kept)."""
    return _MEMO.get() is not None


def _key_part(value: object, held: list) -> Hashable:
    """``value`` as part of a memo's key; a frame, series or array by its identity (and
    ``held``, so that no other object takes its identity while the result is kept)."""
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index, np.ndarray)):
        held.append(value)
        return ("object", id(value))
    if isinstance(value, (list, tuple, range)):
        return tuple(_key_part(v, held) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    hash(value)  # TypeError: not a key (a generator, a dict …): computed afresh
    return value


def reused(function: Callable[..., T]) -> Callable[..., T]:
    """``function(frame, *args, **kwargs)`` kept per frame and arguments while
    :func:`reusing` holds a memo; every call computes otherwise.

    The frame is told apart by its identity (kept only while it lives); arguments by value,
    except frames, series and arrays among them, which are told apart by identity too.
    """

    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(frame: Any, *args: Any, **kwargs: Any) -> T:
        memo = _MEMO.get()
        if memo is None or frame is None:
            return function(frame, *args, **kwargs)
        held: list = []
        try:
            key = (name, _key_part(args, held), _key_part(sorted(kwargs.items()), held))
        except TypeError:
            return function(frame, *args, **kwargs)
        at = id(frame)
        entry = memo.get(at)
        if entry is None or entry[0]() is not frame:
            entry = (weakref.ref(frame, lambda _, at=at: memo.pop(at, None)), {})
            memo[at] = entry
        results = entry[1]
        if key not in results:
            results[key] = (function(frame, *args, **kwargs), held)
        return results[key][0]

    return wrapper
