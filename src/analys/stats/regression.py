"""Shared checks for the regressions of analys.stats.model and analys.stats.drivers.

Every problem with the chosen KPIs becomes a Swedish :class:`~analys.errors.ParamsError`
that names them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analys.errors import ParamsError


def kpi_list(explanatory: str | Sequence[str]) -> list[str]:
    """One KPI id or several as a list of ids."""
    return [explanatory] if isinstance(explanatory, str) else list(explanatory)


def prepare(
    frame: pd.DataFrame, outcome: str, explanatory: str | Sequence[str]
) -> tuple[pd.Series, pd.DataFrame, tuple[str, ...]]:
    """Complete-case outcome and explanatory frame, plus the codes dropped for missing data.

    Checks the columns, the number of municipalities (more than k + 2) and the rank of the
    design; every problem is a :class:`ParamsError` in Swedish.
    """
    explanatory = kpi_list(explanatory)
    if not explanatory:
        raise ParamsError("explanatory: välj minst ett förklarande nyckeltal.")
    if outcome in explanatory:
        raise ParamsError(f"explanatory: utfallet {outcome} kan inte också vara förklarande.")
    if len(set(explanatory)) != len(explanatory):
        raise ParamsError(
            f"explanatory: samma nyckeltal förekommer flera gånger: {', '.join(explanatory)}."
        )
    missing = [c for c in [outcome, *explanatory] if c not in frame.columns]
    if missing:
        raise ParamsError(
            f"nyckeltal saknas i data: {', '.join(missing)} – tillgängliga är "
            f"{', '.join(map(str, frame.columns))}."
        )
    data = frame[[outcome, *explanatory]].apply(pd.to_numeric, errors="coerce").astype(float)
    complete = data.dropna()
    dropped = tuple(str(code) for code in data.index.difference(complete.index, sort=False))
    k = len(explanatory)
    if len(complete) <= k + 2:
        raise ParamsError(
            f"för få kommuner med fullständiga data: {len(complete)} (behövs minst {k + 3} "
            f"för {k} förklarande nyckeltal) – välj färre nyckeltal eller fler kommuner."
        )
    check_rank(complete[explanatory], base=pd.DataFrame({"const": 1.0}, index=complete.index))
    return complete[outcome], complete[explanatory], dropped


def check_rank(columns: pd.DataFrame, base: pd.DataFrame) -> None:
    """Raise a Swedish :class:`ParamsError` naming the KPIs that make the design singular.

    ``base`` holds the columns that are always in the model (intercept, fixed effects);
    ``columns`` the chosen KPIs, added one at a time.
    """
    basis = base.to_numpy(dtype=float)
    rank = np.linalg.matrix_rank(basis) if basis.size else 0
    names: list[str] = []
    for name in columns.columns:
        column = columns[[name]].to_numpy(dtype=float)
        candidate = np.hstack([basis, column]) if basis.size else column
        new_rank = np.linalg.matrix_rank(candidate)
        if new_rank == rank:
            solution = np.linalg.lstsq(basis, column[:, 0], rcond=None)[0]
            partners = [
                n for n, b in zip(names, solution[base.shape[1] :], strict=True) if abs(b) > 1e-8
            ]
            if partners:
                reason = (
                    f"{name} är en exakt linjär kombination av {', '.join(partners)} "
                    "(perfekt kolinearitet)"
                )
            else:
                reason = f"{name} varierar inte (samma värde, eller bara fasta effekter)"
            raise ParamsError(
                f"explanatory: {reason} – ta bort ett av nyckeltalen "
                f"{', '.join([*partners, name])}."
            )
        basis, rank = candidate, new_rank
        names.append(name)
