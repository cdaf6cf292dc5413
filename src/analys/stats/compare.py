"""Where a municipality stands against others: quartile colours, ranks, averages, similarity.

The rules: docs/methods.md#quartile-colours, docs/methods.md#averages and
docs/methods.md#similar-municipalities. Pure functions: Series and DataFrames in, DataFrames and numbers out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analys.errors import ParamsError
from analys.frame import as_float
from analys.reference import RIKET
from analys.vocabulary import sign

COLOURS = ("green", "yellow", "red", "grey", "none")
#: a neutral KPI's categories: higher or lower than the others, with no value judgement
#: (Fingertips' blue/orange "higher/lower" palette; docs/judgements.md)
NEUTRAL_COLOURS = ("high", "middle", "low")
MIN_COLOURED = 4
UNWEIGHTED_LABEL = "ovägt medel"
WEIGHTED_LABEL = "befolkningsviktat medel"


def _ranks(values: pd.Series, polarity: str) -> pd.Series:
    """Rank 1 best, ties share the best rank; neutral KPIs rank highest value first."""
    s = sign(polarity) or 1
    return (s * values).rank(ascending=False, method="min")


def quartile_colours(values: pd.Series, polarity: str = "higher") -> pd.DataFrame:
    """Quartile colours, ranks and margins over a comparison set (docs/methods.md#quartile-colours).

    Parameters
    ----------
    values : Series
        One value per municipality, indexed by municipality code; NaN for missing. Riket
        (``0000``) and groups (``G…``) are never part of the comparison set: they get
        colour ``"none"`` and no rank or margin.
    polarity : {"higher", "lower", "neutral"}
        Which direction is better.

    Returns
    -------
    DataFrame
        Indexed like ``values`` with columns

        - ``rank``: 1 is best, ties share the best rank (``method="min"`` on the scores
          ``z = s·x``, descending); NaN when the value is missing. Neutral KPIs are ranked
          highest value first.
        - ``colour``: one of ``"green"`` (``z ≥ Q3`` and ``z > Q1``), ``"red"`` (``z ≤ Q1``
          and ``z < Q3``), ``"yellow"`` (otherwise), ``"grey"`` (value missing) or
          ``"none"`` (not coloured: fewer than 4 values in the set, or Riket/groups).
          Q1 and Q3 are numpy's default (linear) quantiles of the scores. A neutral KPI is
          never better or worse: it gets ``"high"`` (``x ≥ Q3`` and ``x > Q1``), ``"low"``
          (``x ≤ Q1`` and ``x < Q3``) or ``"middle"`` on the values themselves, shown in a
          palette without a value judgement (``chartstyle.COLOURS``).
        - ``margin``: distance from the value to the nearest cut (Q1 or Q3), in the KPI's
          unit, always ≥ 0; NaN when the value is missing or nothing is coloured.
    """
    s = sign(polarity)
    x = as_float(values)
    codes = x.index.astype(str)
    outside = pd.Series((codes == RIKET) | codes.str.startswith("G"), index=x.index, dtype=bool)
    x = x.mask(outside)
    present = x.notna()
    out = pd.DataFrame(
        {"rank": _ranks(x, polarity), "colour": "grey", "margin": np.nan}, index=x.index
    )
    out["colour"] = out["colour"].astype(object)
    out.loc[outside, "colour"] = "none"
    if present.sum() < MIN_COLOURED:
        out.loc[present, "colour"] = "none"
        return out
    top, middle, bottom = ("green", "yellow", "red") if s else NEUTRAL_COLOURS
    mask = present.to_numpy()
    z = (s or 1) * x.to_numpy(dtype=float)[mask]
    q1, q3 = np.quantile(z, [0.25, 0.75])
    colour = np.full(len(z), middle, dtype=object)
    colour[(z >= q3) & (z > q1)] = top
    colour[(z <= q1) & (z < q3)] = bottom
    colours = out["colour"].to_numpy(dtype=object).copy()
    colours[mask] = colour
    margins = out["margin"].to_numpy(dtype=float).copy()
    margins[mask] = np.minimum(np.abs(z - q1), np.abs(z - q3))
    return out.assign(colour=colours, margin=margins)


def rank_among(
    values: pd.Series, codes: Sequence[str] | None = None, polarity: str = "higher"
) -> pd.Series:
    """Ranks among ``codes`` only (e.g. the focus municipality plus its peers).

    Parameters
    ----------
    values : Series
        One value per municipality, indexed by municipality code.
    codes : sequence of str, optional
        The municipalities ranked together; all of ``values`` when omitted. Codes without a
        value get NaN.
    polarity : {"higher", "lower", "neutral"}

    Returns
    -------
    Series
        Named ``rank``, indexed by ``codes``; 1 is best and ties share the best rank.
    """
    x = as_float(values)
    if codes is not None:
        x = x.reindex(list(codes))
    return _ranks(x, polarity).rename("rank")


def position(
    values: pd.Series, municipality: str, peers: Sequence[str], polarity: str = "higher"
) -> pd.Series:
    """Where ``municipality`` stands: among all of ``values`` and among its ``peers``.

    Parameters
    ----------
    values : Series
        One value per municipality (the comparison set, e.g. all kommuner), by code.
    municipality : str
        The focus municipality.
    peers : sequence of str
        Peer codes (see :func:`analys.stats.peers.peer_set`); the focus municipality is never
        counted as its own peer.
    polarity : {"higher", "lower", "neutral"}

    Returns
    -------
    Series
        ``value``, ``colour`` and ``margin`` (from :func:`quartile_colours` over all),
        ``rank_all`` and ``count_all`` (municipalities with a value), ``rank_peers`` and
        ``count_peers`` (rank among the focus municipality plus the peers with a value),
        ``peers_median``, ``peers_q1`` and ``peers_q3`` (numpy linear quantiles of the
        peers' values) and ``difference_to_peers`` (value − peers_median).
    """
    x = as_float(values)
    colours = quartile_colours(x, polarity)
    peers = [p for p in peers if p != municipality]
    theirs = x.reindex(peers).dropna()
    value = x.get(municipality, np.nan)
    ranks = rank_among(x, [municipality, *theirs.index], polarity)
    q1, median, q3 = (
        np.quantile(theirs.to_numpy(), [0.25, 0.5, 0.75]) if len(theirs) else [np.nan] * 3
    )
    known = municipality in colours.index
    return pd.Series(
        {
            "value": value,
            "colour": colours.loc[municipality, "colour"] if known else "grey",
            "margin": colours.loc[municipality, "margin"] if known else np.nan,
            "rank_all": colours.loc[municipality, "rank"] if known else np.nan,
            "count_all": int(colours["rank"].notna().sum()),
            "rank_peers": ranks[municipality],
            "count_peers": int(ranks.notna().sum()),
            "peers_median": float(median),
            "peers_q1": float(q1),
            "peers_q3": float(q3),
            "difference_to_peers": value - median,
        },
        name=municipality,
        dtype=object,
    )


def unweighted_mean(values: pd.Series) -> float:
    """The unweighted mean of the values present: Kolada's group value."""
    x = as_float(values).dropna()
    return float(x.mean()) if len(x) else float("nan")


def weighted_mean(values: pd.Series, population: pd.Series) -> float:
    """The population-weighted mean, population typically from KPI N01951.

    Only municipalities with both a value and a positive population count; NaN when none.
    """
    x = as_float(values)
    w = as_float(population).reindex(x.index)
    keep = x.notna() & w.notna() & (w > 0)
    if not keep.any():
        return float("nan")
    return float(np.average(x[keep], weights=w[keep]))


def averages(values: pd.Series, population: pd.Series | None = None) -> pd.DataFrame:
    """Both averages, each labelled with which one it is (docs/methods.md#averages).

    Returns
    -------
    DataFrame
        Indexed by ``measure`` (``unweighted``, ``weighted``), columns ``label`` (Swedish:
        "ovägt medel", "befolkningsviktat medel"), ``value`` and ``count`` (municipalities
        used). The weighted row is NaN without ``population``.
    """
    x = as_float(values)
    n_unweighted = int(x.notna().sum())
    if population is None:
        weighted, n_weighted = float("nan"), 0
    else:
        w = as_float(population).reindex(x.index)
        n_weighted = int((x.notna() & w.notna() & (w > 0)).sum())
        weighted = weighted_mean(x, w)
    return pd.DataFrame(
        {
            "label": [UNWEIGHTED_LABEL, WEIGHTED_LABEL],
            "value": [unweighted_mean(x), weighted],
            "count": [n_unweighted, n_weighted],
        },
        index=pd.Index(["unweighted", "weighted"], name="measure"),
    )


def _weights(kpis: list[str], weights: Mapping[str, float] | Sequence[float] | None) -> pd.Series:
    if weights is None:
        return pd.Series(1.0, index=kpis)
    if isinstance(weights, Mapping):
        unknown = sorted(set(weights) - set(kpis))
        if unknown:
            raise ParamsError(f"weights: {', '.join(unknown)} finns inte bland kpis {kpis}.")
        w = pd.Series({k: float(weights.get(k, 1.0)) for k in kpis})
    else:
        if len(weights) != len(kpis):
            raise ParamsError(
                f"weights: {len(weights)} vikter men {len(kpis)} nyckeltal – ange en vikt "
                "per nyckeltal."
            )
        w = pd.Series([float(v) for v in weights], index=kpis)
    if (w < 0).any() or w.sum() <= 0:
        raise ParamsError("weights: vikterna måste vara ≥ 0 och minst en måste vara > 0.")
    return w


def similar_municipalities(
    municipality: str,
    kpis: Sequence[str],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    k: int = 7,
    *,
    data: pd.DataFrame,
) -> pd.DataFrame:
    """The ``k`` municipalities most similar to ``municipality``.

    The method is docs/methods.md#similar-municipalities.

    Each KPI is standardised across the municipalities with complete data on ``kpis``
    (``z = (x − mean) / sd``, sample sd; a KPI with sd 0 gets z = 0 and adds nothing), then
    ``D_j = Σ_k w_k·|z_jk − z_fk| / Σ_k w_k``.

    Parameters
    ----------
    municipality : str
        The focus municipality's code; it needs a value for every KPI.
    kpis : sequence of str
        Columns of ``data`` to compare on.
    weights : mapping kpi -> weight, or a sequence in the order of ``kpis``, optional
        Default equal weights.
    k : int
        How many to return.
    data : DataFrame
        Wide frame: one row per municipality (index codes), one column per KPI id.

    Returns
    -------
    DataFrame
        Indexed by ``municipality`` (nearest first, the focus municipality excluded), columns
        ``rank``, ``distance`` and one ``share_<kpi>`` per KPI: that KPI's share of the
        distance (the shares of a row sum to 1; NaN when the distance is 0).
    """
    kpis = list(kpis)
    if not kpis:
        raise ParamsError("kpis: ange minst ett nyckeltal att jämföra på.")
    missing = [kpi for kpi in kpis if kpi not in data.columns]
    if missing:
        raise ParamsError(f"kpis: {', '.join(missing)} saknas i data.")
    if k < 1:
        raise ParamsError(f"k: {k} – ange ett antal ≥ 1.")
    w = _weights(kpis, weights)
    frame = data[kpis].apply(pd.to_numeric, errors="coerce").astype(float)
    if municipality not in frame.index or frame.loc[municipality].isna().any():
        raise ParamsError(
            f"municipality: {municipality} saknar värde för något av {', '.join(kpis)} – "
            "välj nyckeltal som kommunen har värden för."
        )
    frame = frame.dropna()
    sd = frame.std(ddof=1).replace(0.0, np.nan)
    z = ((frame - frame.mean()) / sd).fillna(0.0)
    parts = (z - z.loc[municipality]).abs() * w / w.sum()
    parts = parts.drop(index=municipality)
    distance = parts.sum(axis=1)
    shares = parts.div(distance.where(distance > 0), axis=0).add_prefix("share_")
    out = pd.concat([distance.rename("distance"), shares], axis=1)
    out = out.sort_values("distance", kind="stable").head(k)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.index.name = "municipality"
    return out
