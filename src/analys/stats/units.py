"""Follow-up per unit (school, preschool, care home …): pure functions on unit values.

Inputs are the unit values frame (:func:`analys.load_unit_values`,
docs/data-contract.md#unit-values) and the unit catalogue (:func:`analys.load_units`). Nothing
here reads data or draws.

The rules (an experienced analyst's, written down so that results are reproducible):

* **Comparison set.** A unit is compared with all units *of the same activity* (V-code) in
  Sweden that have a value – a grundskola with grundskolor – and within its municipality.
  Colours are the quartile colours of :func:`analys.stats.compare.quartile_colours`
  (docs/methods.md#quartile-colours), ranks 1 = best with ties sharing the best rank. A
  neutral KPI (costs, volumes) is never better or worse: its units are
  ``high``/``middle``/``low`` (the blue/orange palette without a value judgement, as at
  municipality level), ranked highest value first.
* **Small units.** A unit whose ``count`` (pupils, children or survey answers behind the
  value, where the source gives it) is below :data:`SMALL_UNIT` is *small*. A small unit is
  judged on the mean of its last :data:`JUDGE_YEARS` years, never on one year; a small unit
  with a single year of data is not judged at all (colour ``"none"``, reason given). Large
  units are judged on the latest year. Every table says which basis was used.
* **Trend.** The trend marker of :func:`analys.stats.trend.trend_marker` over the unit's last five
  years (it needs five consecutive years, so no unit's trend rests on one noisy year).
* **Target.** The gap to the municipality's target only where a unit-level reading makes
  sense: level targets (``value``) and ranges; relative targets (peers, Riket, change) are
  about the municipality and give no unit gap.
* **SALSA.** Skolverket's deviation (``U15416``) must not rank schools: :func:`unit_table`
  gives it no colour and no ranks; its own tables are in :mod:`analys.stats.salsa`.
* **Old values.** A unit whose latest value is older than the latest of its kind
  (:func:`latest_years`) may have closed or changed its Kolada id; it is compared with the
  other units in its own latest year, and the reports say so, naming both years.
* **Spread.** Within the municipality: best and worst unit, the range between them and the
  interquartile range per year, and how the range changed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analys import registry
from analys.frame import wide
from analys.stats.compare import quartile_colours
from analys.stats.trend import trend_marker_of
from analys.vocabulary import sign

SMALL_UNIT = 15  # pupils / children / answers below which a unit is small
JUDGE_YEARS = 3  # a small unit is judged on the mean of this many latest years
#: Skolverket's SALSA per school: actual and modelled merit value, and the deviation
#: (:mod:`analys.stats.salsa`)
SALSA_ACTUAL, SALSA_MODEL, SALSA_DEVIATION = "N15504", "U15415", "U15416"
SALSA_KPIS = (SALSA_ACTUAL, SALSA_MODEL, SALSA_DEVIATION)
NOT_JUDGED = "för lite underlag: liten enhet med ett enda års värde"

UNIT_COLUMNS = [
    "ou",
    "title",
    "municipality",
    "activity",
    "year",
    "value",
    "count",
    "small",
    "basis",
    "judged_value",
    "colour",
    "margin",
    "rank_sweden",
    "count_sweden",
    "rank_municipality",
    "count_municipality",
    "trend",
    "trend_label",
    "target_gap",
    "note",
]


def _series(data: pd.DataFrame, kpi: str, gender: str = "T") -> pd.DataFrame:
    part = data[(data["kpi"] == kpi) & (data["gender"] == gender)]
    return part.loc[:, ["ou", "municipality", "year", "value", "count"]]


def judged_values(
    data: pd.DataFrame, kpi: str, year: int, *, gender: str = "T", small: int = SMALL_UNIT
) -> pd.DataFrame:
    """Per unit with a value in ``year``: the value each unit is judged on.

    Returns a frame indexed by ``ou`` with columns value (``year``'s), count, small,
    judged_value, basis (Swedish) and note. Small units: mean of the last
    :data:`JUDGE_YEARS` years up to ``year`` (at least two), else not judged (NaN).
    """
    part = _series(data, kpi, gender)
    part = part[part["year"].between(year - JUDGE_YEARS + 1, year) & part["value"].notna()]
    by_year = wide(part, index="ou", columns="year", gender=None)
    out = pd.DataFrame(index=pd.Index([], name="ou"))
    if year not in by_year.columns:
        out = pd.DataFrame(
            {
                "value": pd.Series(dtype=float),
                "count": pd.Series(dtype="int64"),
                "small": pd.Series(dtype=bool),
                "judged_value": pd.Series(dtype=float),
                "basis": pd.Series(dtype=object),
                "note": pd.Series(dtype=object),
            }
        )
        out.index.name = "ou"
        return out
    by_year = by_year[by_year[year].notna()]
    latest = part[part["year"] == year].drop_duplicates("ou").set_index("ou")
    out = pd.DataFrame(index=by_year.index)
    out["value"] = by_year[year].astype(float)
    out["count"] = latest["count"].reindex(by_year.index).fillna(0).astype("int64")
    out["small"] = (out["count"] > 0) & (out["count"] < small)
    multi = by_year.notna().sum(axis=1).to_numpy() >= 2
    mean = by_year.mean(axis=1).to_numpy()
    small_units = out["small"].to_numpy()
    out["judged_value"] = np.where(
        small_units, np.where(multi, mean, np.nan), out["value"].to_numpy()
    )
    span = f"medel {year - JUDGE_YEARS + 1}–{year}"
    out["basis"] = np.where(small_units, np.where(multi, span, "–"), str(year))
    out["note"] = np.where(small_units & ~multi, NOT_JUDGED, "")
    return out


def target_gap(value: float, target: object | None, polarity: str) -> float:
    """How far ``value`` is from a level or range target; ≥ 0 reached, < 0 short; NaN else.

    ``target`` is a :class:`analys.goals.Target` (``kind`` value or range) or a number (a
    level). The gap is signed by polarity: for "lower is better" a value below the target
    has a positive gap.
    """
    if target is None or value is None or not np.isfinite(value):
        return float("nan")
    kind = getattr(target, "kind", "value")
    s = sign(polarity)
    if kind == "value":
        level = getattr(target, "value", target)
        if level is None or s == 0:
            return float("nan")
        return float(s * (value - float(level)))
    if kind == "range":
        low, high = float(target.low), float(target.high)  # type: ignore[attr-defined]
        if low <= value <= high:
            return 0.0
        return float(-(low - value) if value < low else -(value - high))
    return float("nan")


#: the columns of :func:`national_table`, indexed by ``ou``
NATIONAL_COLUMNS = [
    "value",
    "count",
    "small",
    "judged_value",
    "basis",
    "note",
    "title",
    "activity",
    "municipality",
    "colour",
    "margin",
    "rank_sweden",
    "count_sweden",
]


def national_table(
    data: pd.DataFrame,
    units: pd.DataFrame,
    kpi: str,
    year: int | None = None,
    *,
    polarity: str | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Every unit in Sweden with a value of ``kpi`` in ``year``, judged against all units of
    its activity: what every municipality's :func:`unit_table` shares.

    Parameters as in :func:`unit_table` (``year`` default the latest with values).

    Returns
    -------
    DataFrame
        Indexed by ``ou`` (columns :data:`NATIONAL_COLUMNS`): the judged value
        (:func:`judged_values`), the unit's title, activity and municipality, its quartile
        colour, margin and rank among the units of its activity (``rank_sweden`` of
        ``count_sweden``). A batch computes it once per KPI and year
        (:mod:`analys.fulfilment.country`) instead of once per report.
    """
    polarity = polarity or registry.polarity(kpi)
    data = data[(data["kpi"] == kpi) & (data["gender"] == gender)]
    part = _series(data, kpi, gender)
    if part.empty:
        return pd.DataFrame(columns=NATIONAL_COLUMNS, index=pd.Index([], name="ou"))
    year = int(part["year"].max()) if year is None else int(year)
    catalogue = units.set_index("id")
    judged = judged_values(data, kpi, year, gender=gender)
    judged = judged.join(catalogue[["title", "activity"]], how="left")
    judged["municipality"] = part[part["year"] == year].set_index("ou")["municipality"]
    judged["colour"], judged["margin"] = "none", np.nan
    judged["rank_sweden"], judged["count_sweden"] = np.nan, 0
    judged["colour"] = judged["colour"].astype(object)
    for _, same in judged.groupby("activity", sort=False):
        colours = quartile_colours(same["judged_value"], polarity)
        judged.loc[same.index, "colour"] = colours["colour"]
        judged.loc[same.index, "margin"] = colours["margin"]
        judged.loc[same.index, "rank_sweden"] = colours["rank"]
        judged.loc[same.index, "count_sweden"] = int(same["judged_value"].notna().sum())
    return judged.loc[:, NATIONAL_COLUMNS]


def unit_table(
    data: pd.DataFrame,
    units: pd.DataFrame,
    kpi: str,
    municipality: str,
    year: int | None = None,
    *,
    polarity: str | None = None,
    target: object | None = None,
    gender: str = "T",
    national: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The municipality's units for one KPI: value, colour, ranks, trend, target gap.

    Parameters
    ----------
    data
        Unit values for ``kpi`` for *all units in Sweden* of the activity (the national
        comparison set), at least the last five years for trends.
    units
        The unit catalogue (id, title, municipality, activity) covering ``data``.
    kpi, municipality
        The KPI and the municipality whose units are listed.
    year
        The report year; default the latest year with values for ``kpi``.
    polarity
        Default the registry's.
    target
        The municipality's target (:class:`analys.goals.Target` or a level), see
        :func:`target_gap`.
    national
        :func:`national_table` of the same data, KPI, year, polarity and gender when the
        caller has it (a batch's shared tables); computed here otherwise.

    Returns
    -------
    DataFrame
        One row per unit of the municipality with a value in ``year`` (columns
        :data:`UNIT_COLUMNS`), sorted by municipal rank, then title. ``colour``/``rank_sweden``
        compare with all units of the same activity in Sweden; ``rank_municipality`` within
        the municipality; both on ``judged_value``.
    """
    polarity = polarity or registry.polarity(kpi)
    part = _series(data, kpi, gender)
    if part.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    year = int(part["year"].max()) if year is None else int(year)
    if national is None:
        national = national_table(data, units, kpi, year, polarity=polarity, gender=gender)
    own = national[national["municipality"] == str(municipality)]
    if own.empty:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    out = []
    for _, mine in own.groupby("activity", sort=False):
        frame = mine.copy()
        frame["rank_municipality"] = quartile_colours(mine["judged_value"], polarity)["rank"]
        frame["count_municipality"] = int(mine["judged_value"].notna().sum())
        out.append(frame)
    table = pd.concat(out)
    table["count_sweden"] = table["count_sweden"].astype("int64")
    table.loc[table["judged_value"].isna(), "colour"] = "none"
    if kpi == SALSA_DEVIATION:  # Skolverket: the deviation must not rank schools
        table["colour"] = "none"
        table[["margin", "rank_sweden", "rank_municipality"]] = np.nan
    recent = part["year"].between(year - 9, year)  # the marker reads the last five with data
    history = part[part["ou"].isin(table.index) & recent]
    ous = history["ou"].to_numpy(dtype=object)
    years = history["year"].to_numpy(dtype=int)
    values = history["value"].to_numpy(dtype=float)
    order = np.lexsort((years, ous))  # by unit, then year (stable)
    ous, years, values = ous[order], years[order], values[order]
    starts = np.flatnonzero(np.r_[True, ous[1:] != ous[:-1]]) if len(ous) else np.array([], int)
    trends = {  # one unit's years at a time, without a pandas group or Series per unit
        ous[a]: trend_marker_of(years[a:b], values[a:b], polarity)
        for a, b in zip(starts, np.r_[starts[1:], len(ous)], strict=True)
    }
    table["trend"] = [
        trends[o].assessment if o in trends else "cannot_calculate" for o in table.index
    ]
    table["trend_label"] = [trends[o].label if o in trends else "" for o in table.index]
    table["target_gap"] = [target_gap(v, target, polarity) for v in table["judged_value"]]
    table["year"] = year
    table = table.rename_axis("ou").reset_index()
    table = table.sort_values(["rank_municipality", "title"], na_position="last")
    return table.loc[:, UNIT_COLUMNS].reset_index(drop=True)


def latest_years(
    data: pd.DataFrame, units: pd.DataFrame, ou: str, year: int | None = None
) -> tuple[int | None, int | None]:
    """The latest year with a value of unit ``ou``, and of any unit of its kind (activity),
    both up to ``year`` when given; ``None`` for one without values.

    When the first is older than the second, the unit's values are old: it may have closed
    or changed its Kolada id, and the report has to say so.
    """
    kinds = units.set_index("id")["activity"]
    part = data[data["value"].notna()]
    if year is not None:
        part = part[part["year"] <= int(year)]
    same = part[part["ou"].map(kinds) == kinds.get(str(ou))]
    own = same[same["ou"] == str(ou)]
    return (
        int(own["year"].max()) if len(own) else None,
        int(same["year"].max()) if len(same) else None,
    )


def spread(
    data: pd.DataFrame,
    kpi: str,
    municipality: str,
    *,
    polarity: str | None = None,
    units: pd.DataFrame | None = None,
    gender: str = "T",
    min_units: int = 2,
) -> pd.DataFrame:
    """How far apart the municipality's units are, per year.

    Returns a frame indexed by year with columns n (units with a value), best, worst (by
    polarity; for neutral KPIs highest and lowest), best_ou, worst_ou, range (|best − worst|),
    iqr (Q3 − Q1, numpy linear) and median. Years with fewer than ``min_units`` units are
    left out. Small units count like the others here: the spread is what pupils and
    residents meet.
    """
    polarity = polarity or registry.polarity(kpi)
    s = sign(polarity) or 1
    part = _series(data, kpi, gender)
    part = part[(part["municipality"] == str(municipality)) & part["value"].notna()]
    if units is not None:
        part = part[part["ou"].isin(units["id"])]
    rows = {}
    for year, group in part.groupby("year"):
        if len(group) < min_units:
            continue
        scores = s * group["value"].to_numpy(dtype=float)
        best, worst = int(np.argmax(scores)), int(np.argmin(scores))
        q1, median, q3 = np.quantile(group["value"].to_numpy(dtype=float), [0.25, 0.5, 0.75])
        rows[int(year)] = {
            "n": len(group),
            "best": float(group["value"].iloc[best]),
            "worst": float(group["value"].iloc[worst]),
            "best_ou": str(group["ou"].iloc[best]),
            "worst_ou": str(group["ou"].iloc[worst]),
            "range": float(abs(group["value"].iloc[best] - group["value"].iloc[worst])),
            "iqr": float(q3 - q1),
            "median": float(median),
        }
    columns = ["n", "best", "worst", "best_ou", "worst_ou", "range", "iqr", "median"]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    frame.index.name = "year"
    return frame.sort_index()


def spread_change(table: pd.DataFrame, since: int | None = None) -> dict[str, float]:
    """The change of the spread (:func:`spread`) from ``since`` (default the first year) to
    the latest: ``first_year``, ``latest_year``, ``range_first``, ``range_latest``,
    ``range_change``, ``iqr_change``; empty when fewer than two years."""
    if len(table) < 2:
        return {}
    first = int(since) if since is not None and since in table.index else int(table.index[0])
    latest = int(table.index[-1])
    return {
        "first_year": first,
        "latest_year": latest,
        "range_first": float(table.loc[first, "range"]),
        "range_latest": float(table.loc[latest, "range"]),
        "range_change": float(table.loc[latest, "range"] - table.loc[first, "range"]),
        "iqr_change": float(table.loc[latest, "iqr"] - table.loc[first, "iqr"]),
    }


def unit_kpis(kpis: Sequence[str], catalogue: pd.DataFrame) -> list[str]:
    """Those of ``kpis`` that have unit data (``has_ou_data`` in the KPI catalogue), plus the
    SALSA companions (modelled and actual merit value) when the SALSA deviation is among
    them – order kept, no repeats."""
    indexed = catalogue.set_index("id")
    flags = indexed["has_ou_data"].fillna(False).astype(bool)
    out = [k for k in dict.fromkeys(kpis) if bool(flags.get(k, False))]
    if SALSA_DEVIATION not in out and _school_area(out, indexed):
        # U15416 is unit-level only, so an area's params cannot name it as a municipal
        # indicator; a school area's unit section still reads the SALSA deviation
        out += [k for k in (SALSA_DEVIATION,) if flags.get(k, False)]
    if SALSA_DEVIATION in out:
        out += [k for k in (SALSA_MODEL, SALSA_ACTUAL) if k not in out and flags.get(k, False)]
    return out


def _school_area(kpis: Sequence[str], indexed: pd.DataFrame) -> bool:
    """Whether any of ``kpis`` (with unit data) is of the SALSA deviation's operating area
    (grundskola) – then the unit section has schools whose SALSA deviation it can show."""
    if "operating_area" not in indexed.columns or SALSA_DEVIATION not in indexed.index:
        return False
    school = indexed.at[SALSA_DEVIATION, "operating_area"]
    if not isinstance(school, str) or not school:
        return False
    areas = indexed["operating_area"]
    return any(k in areas.index and areas.get(k) == school for k in kpis)


def standouts(table: pd.DataFrame, label: str, *, limit: int = 2) -> list[str]:
    """Short Swedish sentences on the units of :func:`unit_table` that stand out.

    Green units (top quarter of Sweden's units of the kind) and red units (bottom quarter)
    are named, best first, at most ``limit`` of each; for a neutral KPI the highest and
    lowest quarter, in words without a judgement; a unit with a significant trend for the
    better or worse is named too. Units not judged (small, single year) are never
    named as good or bad.
    """
    if table.empty:
        return []
    judged = table[table["colour"].isin(["green", "red"])]
    sentences = []
    good = judged[judged["colour"] == "green"].sort_values("rank_sweden").head(limit)
    bad = judged[judged["colour"] == "red"].sort_values("rank_sweden", ascending=False)
    bad = bad.head(limit)
    if len(good):
        names = _names(good["title"])
        verb = "hör" if len(good) == 1 else "hör båda" if len(good) == 2 else "hör alla"
        sentences.append(f"{label}: {names} {verb} till den bästa fjärdedelen av landets enheter.")
    if len(bad):
        names = _names(bad["title"])
        verb = "hör" if len(bad) == 1 else "hör båda" if len(bad) == 2 else "hör alla"
        sentences.append(f"{label}: {names} {verb} till den sämsta fjärdedelen av landets enheter.")
    # a neutral KPI: the highest and lowest units, named in words without a judgement
    for colour, word, ascending in (("high", "högsta", True), ("low", "lägsta", False)):
        ends = table[table["colour"] == colour].sort_values("rank_sweden", ascending=ascending)
        ends = ends.head(limit)
        if len(ends):
            names = _names(ends["title"])
            verb = "hör" if len(ends) == 1 else "hör båda" if len(ends) == 2 else "hör alla"
            sentences.append(
                f"{label}: {names} {verb} till den {word} fjärdedelen av landets enheter "
                "(ingen värdering: nyckeltalet har ingen bättre eller sämre riktning)."
            )
    for word, kind in (("förbättras", "improving"), ("försämras", "worsening")):
        moving = table[table["trend"] == kind]
        if len(moving):
            names = [str(t) for t in moving["title"].head(limit)]
            rest = len(moving) - len(names)
            text = (
                ", ".join(names) + f" och {'en' if rest == 1 else rest} till"
                if rest
                else _names(pd.Series(names))
            )
            sentences.append(f"{label} {word} signifikant vid {text}.")
    return sentences


def _names(titles: pd.Series) -> str:
    items = [str(t) for t in titles]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]
