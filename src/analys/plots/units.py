"""Charts of units (schools, preschools, care homes …) against the national distribution.

Drawn with seaborn, whose home ground distributions are: a box of all units of the same
activity in Sweden (whiskers at the 5th and 95th percentiles) and the municipality's units as
points on top, coloured by their quartile colour (:func:`analys.stats.units.unit_table`). Same
conventions as :mod:`analys.plots`: tidy ``data=``, keywords, ``ax=``, the source caption.
Re-exported by :mod:`analys.plots`.
"""

from __future__ import annotations

import contextlib
import functools
import textwrap
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from analys import registry
from analys.chartstyle import (
    BAND,
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    JUDGED,
    NEUTRAL,
    PEERS,
    RIKET,
    TITLE_Y,
    fit_to_axes,
)
from analys.format import decimals_for, number, year_text
from analys.frame import reused
from analys.kolada.ou_ids import activity_title, unit_count
from analys.plots.base import (
    finish,
    kpi_title,
    latest_year,
    new_axes,
    no_data,
    swedish_ticks,
    wrap,
    year_ticks,
)
from analys.stats.units import unit_table


def unit_chart(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    units: pd.DataFrame,
    year: int | None = None,
    highlight: str | None = None,
    polarity: str | None = None,
    table: pd.DataFrame | None = None,
    source: str = "demo",
    preliminary: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The municipality's units on the distribution of all units of their kind in Sweden.

    Parameters
    ----------
    data : DataFrame
        Unit values (with ``ou``) for ``kpi``, all units in Sweden.
    kpi, municipality
    units : DataFrame
        The unit catalogue (id, title, municipality, activity).
    year : int, optional
        Default the latest year with values.
    highlight : str, optional
        One unit (OU id) drawn large and named – the unit report's own unit.
    polarity : optional
        Default the registry's; colours follow :func:`analys.stats.units.unit_table`.
    table : DataFrame, optional
        That :func:`~analys.stats.units.unit_table` when the caller has it already.
    source : {"demo", "kolada", "store"}
    preliminary : int, optional
        Kolada's preliminary year: written "2025*" where the chart names it.
    ax : Axes, optional

    Returns
    -------
    Axes
        The box is the national distribution of judged values; each point one of the
        municipality's units (small units at their multi-year mean, see
        :mod:`analys.stats.units`).
    """
    strip = unit_strip(
        data,
        kpi=kpi,
        municipality=municipality,
        units=units,
        year=year,
        highlight=highlight,
        polarity=polarity,
        table=table,
        preliminary=preliminary,
    )
    return draw_unit_strip(new_axes(ax, (7, 2.4)), strip, source=source)


@dataclass(frozen=True)
class UnitStrip:
    """What a unit chart shows, whichever way it is drawn: the values of every unit of the
    same kind in Sweden (the box), the municipality's units (``values``, ``colours``,
    ``titles``, ``ous``), the one to highlight and the legend ``(colour name, label)``.
    ``message`` set means there is nothing to draw."""

    kpi: str
    title: str = ""
    unit: str = ""
    national: tuple[float, ...] = ()
    ous: tuple[str, ...] = ()
    values: tuple[float, ...] = ()
    colours: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    highlight: str | None = None
    legend: tuple[tuple[str, str], ...] = ()
    seed: str = ""
    message: str | None = None

    @property
    def box(self) -> tuple[float, float, float, float, float]:
        """The box of the national values: 5th, 25th, 50th, 75th and 95th percentiles
        (numpy's linear method, as seaborn's box with ``whis=(5, 95)``)."""
        values = np.asarray(self.national, dtype=float)
        values = values[np.isfinite(values)]
        if not len(values):
            return (np.nan,) * 5
        return tuple(float(v) for v in np.percentile(values, [5, 25, 50, 75, 95]))

    def jitter(self, width: float = 0.18) -> np.ndarray:
        """Each point's offset across the box (−``width`` to ``width`` of a category), the
        same in every render (seeded by the KPI, municipality and year)."""
        generator = np.random.default_rng(zlib.crc32(self.seed.encode("utf-8")))
        return generator.uniform(-width, width, len(self.values))


def unit_strip(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    units: pd.DataFrame,
    year: int | None = None,
    highlight: str | None = None,
    polarity: str | None = None,
    table: pd.DataFrame | None = None,
    preliminary: int | None = None,
) -> UnitStrip:
    """What :func:`unit_chart` draws (its parameters, without the drawing ones)."""
    if table is None:
        table = unit_table(data, units, kpi, municipality, year, polarity=polarity)
    if table.empty:
        return UnitStrip(kpi, message=f"Inga enhetsvärden för {registry.label(kpi)}.")
    year = int(table["year"].iloc[0])
    activities = set(table["activity"])
    national = _national(data, units, kpi, year, frozenset(activities))
    shown = table.dropna(subset=["judged_value"])
    activity_text = ", ".join(sorted(activity_title(a).lower() for a in activities))
    present = set(shown["colour"])
    return UnitStrip(
        kpi,
        title=f"{kpi_title(kpi)} {year_text(year, preliminary)}\nlådan: alla enheter i Sverige "
        f"({activity_text}, 5–95 %), punkter: kommunens {unit_count(len(shown))}",
        unit=registry.unit(kpi) or "",
        national=tuple(national["value"].to_numpy(dtype=float).tolist()),
        ous=tuple(str(o) for o in shown["ou"]),
        values=tuple(shown["judged_value"].to_numpy(dtype=float).tolist()),
        colours=tuple(str(c) for c in shown["colour"]),
        titles=tuple(str(t) for t in shown["title"]),
        highlight=highlight if highlight in set(shown["ou"]) else None,
        legend=tuple((c, t) for c, t in UNIT_LEGEND if c in present),
        seed=f"{kpi}/{municipality}/{year}",
    )


@reused
def _national(
    data: pd.DataFrame, units: pd.DataFrame, kpi: str, year: int, activities: frozenset[str]
) -> pd.DataFrame:
    """Every unit's value of ``kpi`` in ``year`` (total), of units of ``activities``; kept
    per frame while :func:`analys.frame.reusing` holds a memo (a batch's unit charts)."""
    catalogue = units.set_index("id")["activity"]
    national = data[(data["kpi"] == kpi) & (data["gender"] == "T") & (data["year"] == year)]
    return national[national["ou"].map(catalogue).isin(activities)]


#: the unit chart's legend, in order: colour name and label
UNIT_LEGEND = (
    ("green", "Bästa fjärdedelen"),
    ("yellow", "Mittenhälften"),
    ("red", "Sämsta fjärdedelen"),
    ("high", COLOUR_LABELS["high"]),
    ("middle", COLOUR_LABELS["middle"]),
    ("low", COLOUR_LABELS["low"]),
    ("none", "Bedöms inte (SALSA rangordnar inte, eller för lite underlag)"),
)


def draw_unit_strip(ax: Axes, strip: UnitStrip, *, source: str) -> Axes:
    """Draw ``strip`` on ``ax`` (seaborn's box and strip plots)."""
    if strip.message is not None:
        return no_data(ax, strip.message, source)
    with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib 3.11's deprecated vert=
        warnings.simplefilter("ignore", MatplotlibDeprecationWarning)
        sns.boxplot(
            x=np.asarray(strip.national, dtype=float),
            ax=ax,
            color=BAND,
            width=0.55,
            whis=(5, 95),
            showfliers=False,
            linecolor=RIKET,
            linewidth=0.8,
        )
    shown = pd.DataFrame({"ou": strip.ous, "judged_value": strip.values, "colour": strip.colours})
    with _seeded(strip.seed):  # the same jitter in every render
        _strip(shown, ax)
    if strip.highlight is not None:
        at = strip.ous.index(strip.highlight)
        value = strip.values[at]
        ax.plot(
            [value],
            [0],
            marker="D",
            markersize=10,
            markerfacecolor=COLOURS.get(strip.colours[at], FOCUS),
            markeredgecolor=FOCUS,
            markeredgewidth=2,
            zorder=4,
            gid="analys-highlight",
        )
        ax.annotate(
            wrap(strip.titles[at], 30),
            (value, 0),
            xytext=(0, 14),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            fontweight="bold",
            color=FOCUS,
        )
    ax.set_xlabel(strip.unit)
    ax.set_yticks([])
    ax.set_ylabel("")
    swedish_ticks(ax.xaxis)
    ax.set_title(strip.title, fontsize=9, loc="left", y=TITLE_Y)
    ax.legend(
        handles=[
            Line2D([], [], marker="o", ls="", color=COLOURS[c], markeredgecolor="#333", label=t)
            for c, t in strip.legend
        ],
        fontsize=7,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
    )
    return finish(ax, source, derived=True, kpis=(strip.kpi,))


#: a column name of the tartan rug is broken after this many characters
TARTAN_HEADER_CHARS = 12
#: the narrowest column of the tartan rug, inches
TARTAN_COLUMN_MIN = 0.7
#: mean character widths (inches per point of font size) of its row and column names, generous
_EM = 0.56 / 72


def tartan_kpis(data: pd.DataFrame, kpis: Sequence[str], codes: Sequence[str]) -> list[str]:
    """The ``kpis`` that any of ``codes`` has a value of (total, any year): the rug's rows."""
    totals = data[data["kpi"].isin(list(kpis)) & (data["gender"] == "T")]
    return _rows(kpis, _present(totals), codes)


def _present(totals: pd.DataFrame) -> dict[str, frozenset]:
    """KPI → the places with a value in ``totals`` (one gender's rows), any year."""
    valued = totals[totals["value"].notna()]
    places = valued.groupby("kpi", sort=False)["municipality"].unique()
    return {str(kpi): frozenset(codes) for kpi, codes in places.items()}


def _rows(kpis: Sequence[str], present: dict[str, frozenset], codes: Sequence[str]) -> list[str]:
    """Those of ``kpis`` that any of ``codes`` has a value of (:func:`_present`)."""
    wanted = set(codes)
    return [k for k in kpis if not present.get(k, frozenset()).isdisjoint(wanted)]


def tartan_columns(municipality: str, peers: Sequence[str]) -> list[str]:
    """The rug's columns: the municipality first, then its peers (itself not twice)."""
    return [municipality, *[p for p in peers if p != municipality]]


@functools.lru_cache(maxsize=2048)
def _country_colours(
    polarity: str, codes: tuple[str, ...], values: tuple[float | None, ...]
) -> dict[str, str]:
    """The quartile colour of each municipality of one KPI and year (``None``: no value).

    Kept by content: every overview of a batch colours the same KPIs among all
    municipalities, and only its columns differ."""
    from analys.stats.compare import quartile_colours

    series = pd.Series([np.nan if v is None else v for v in values], index=list(codes))
    return quartile_colours(series, polarity)["colour"].to_dict()


def tartan_country(
    data: pd.DataFrame, kpis: Sequence[str], year: int | None = None
) -> dict[str, dict]:
    """What the tartan rugs of every municipality share (:func:`tartan_cells`): for each of
    ``kpis``, the places with a total value in any year (``present``), and in its latest
    year with data, or ``year``, every municipality's value and quartile colour among all
    municipalities (``latest``: KPI → (values by municipality, colours by municipality)).

    A batch's overviews compute it once per worker and pass it to :func:`tartan_cells`.
    """
    totals = data[data["kpi"].isin(list(kpis)) & (data["gender"] == "T")]
    present = _present(totals)
    place = totals["municipality"]
    rows = totals.loc[
        place.str.fullmatch(r"\d{4}") & ~place.str.startswith("00"),
        ["kpi", "municipality", "year", "value"],
    ]
    # each KPI's year (its latest, or ``year``) picked before the KPIs are split: the split
    # then takes one year's rows, not every year's
    wanted = rows.groupby("kpi", sort=False)["year"].transform("max") if year is None else year
    rows = rows[rows["year"] == wanted]
    latest = {}
    for kpi, part in rows.groupby("kpi", sort=False):
        values = part.set_index("municipality")["value"]
        judged = _country_colours(
            registry.polarity(kpi),
            tuple(values.index),
            tuple(None if v != v else v for v in values.to_numpy(dtype=float).tolist()),
        )
        latest[str(kpi)] = (values, judged)
    return {"present": present, "latest": latest}


def tartan_cells(
    data: pd.DataFrame,
    *,
    kpis: Sequence[str],
    codes: Sequence[str],
    year: int | None = None,
    country: dict[str, dict] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tartan rug's cells: a row per KPI any of ``codes`` has (:func:`tartan_kpis`), a
    column per municipality of ``codes``.

    Returns the cells' quartile colours among all municipalities (the names of
    :func:`analys.stats.compare.quartile_colours`: green/yellow/red, high/middle/low for a
    KPI without a direction, none; "" where the municipality has no value) and their values
    written the Swedish way ("" where none), each in the KPI's latest year with data, or
    ``year``. ``country`` is :func:`tartan_country` of the same data, KPIs and year when
    the caller has it.
    """
    if country is None:
        country = tartan_country(data, kpis, year)
    kpis = _rows(kpis, country["present"], codes)
    colours = np.full((len(kpis), len(codes)), "", dtype=object)
    labels = np.full((len(kpis), len(codes)), "", dtype=object)
    for i, kpi in enumerate(kpis):
        if kpi not in country["latest"]:
            continue
        values, judged = country["latest"][kpi]
        shown = values.reindex(codes).to_numpy(dtype=float)
        unit = registry.unit(kpi)
        for j in np.flatnonzero(np.isfinite(shown)):
            colours[i, j] = judged.get(codes[j], "grey")
            labels[i, j] = number(shown[j], decimals_for(unit, shown[j]))
    frame = partial(pd.DataFrame, index=kpis, columns=list(codes))
    return frame(colours), frame(labels)


def tartan_size(rows: Sequence[str], columns: Sequence[str]) -> tuple[float, float]:
    """Inches of a tartan rug figure: room for the longest row name (8 pt) and columns wide
    enough for their names (7 pt, already broken over lines) and a value."""
    label = max((len(r) for r in rows), default=10) * 8 * _EM + 0.3
    longest = max((len(line) for c in columns for line in c.split("\n")), default=6)
    column = max(TARTAN_COLUMN_MIN, longest * 7 * _EM + 0.15)
    return label + column * len(columns) + 0.3, 1.4 + 0.32 * len(rows)


def tartan_rug(
    data: pd.DataFrame,
    *,
    kpis: Sequence[str],
    municipality: str,
    peers: Sequence[str],
    year: int | None = None,
    source: str = "demo",
    ax: Axes | None = None,
) -> Axes:
    """Fingertips' "tartan rug": every indicator against the peer municipalities.

    Rows are KPIs, columns the focus municipality and its peers; each cell is coloured by the
    municipality's quartile colour among all municipalities of the same type
    (docs/methods.md#quartile-colours) and shows its value; a KPI without a direction is
    coloured high (blue), middle (light grey) or low (orange) without a value judgement,
    missing values grey.
    A KPI that none of the columns has any value of (another municipality's own indicator)
    gets no row (:func:`tartan_kpis`). Drawn with seaborn's heatmap; a new figure is sized so
    that every column's name fits (:func:`tartan_size`).
    """
    from analys.reference import title

    codes = tartan_columns(municipality, peers)
    colours, labels = tartan_cells(data, kpis=kpis, codes=codes, year=year)
    kpis = list(colours.index)
    headers = [wrap(title(c), TARTAN_HEADER_CHARS) for c in codes]
    ax = new_axes(ax, tartan_size([registry.label(k) for k in kpis], headers))
    order = ("red", "yellow", "green", "none", "high", "middle", "low")
    scale = {colour: float(i) for i, colour in enumerate(order)}
    grid = colours.apply(lambda column: column.map(scale)).astype(float)
    cmap = sns.color_palette([COLOURS[c] for c in order], as_cmap=True)
    sns.heatmap(
        grid,
        ax=ax,
        cmap=cmap,
        vmin=-0.5,
        vmax=len(order) - 0.5,
        cbar=False,
        annot=labels.to_numpy(),
        fmt="",
        annot_kws={"fontsize": 7},
        linewidths=0.6,
        linecolor="white",
    )
    ax.set_facecolor(COLOURS["grey"])
    ax.set_yticks(np.arange(len(kpis)) + 0.5, [registry.label(k) for k in kpis], rotation=0)
    ax.set_xticks(np.arange(len(codes)) + 0.5, headers, rotation=0, fontsize=7)
    ax.xaxis.tick_top()
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.get_xticklabels()[0].set_fontweight("bold")
    ax.set_title(
        "Alla indikatorer mot jämförelsekommunerna\n(färg: kvartil bland alla kommuner)",
        fontsize=9,
        loc="left",
        pad=28,
    )
    finish(ax, source, derived=True, kpis=tuple(kpis))
    for text in ax.texts:
        if text.get_gid() == "analys-caption":  # under the cells, narrower than the figure
            fit_to_axes(text, TARTAN_COLUMN_MIN * len(codes))
        elif text.get_gid() == "analys-watermark":  # over the cells, which fill the Axes
            text.set_zorder(5)
    return ax


#: a unit's name in a trend chart's legend is broken after this many characters, and in its
#: title shortened to this many, so that a long name ("Vardaga Katthammarsvik äldreboende -
#: Vardaga Katthammarsvik …") neither narrows the plot nor runs out of the figure
LEGEND_CHARS = 30
TITLE_NAME_CHARS = 40
#: the series of :func:`unit_trend_chart` besides the unit itself
NATIONAL_MEDIAN = "Landets enheter, median"
OTHERS_MEDIAN = "Kommunens övriga enheter, median"


def unit_trend_chart(
    data: pd.DataFrame,
    *,
    kpi: str,
    ou: str,
    units: pd.DataFrame,
    years: Sequence[int] | None = None,
    source: str = "demo",
    preliminary: int | None = None,
    legend: str = "right",
    ax: Axes | None = None,
) -> Axes:
    """One unit over the years against the other units of its municipality and of Sweden.

    The unit's line, the median and 25–75 % band of the municipality's other units of the
    same kind, and the median of all units of the kind in Sweden. A line is broken where a
    year has no value (a unit with 2018, 2019 and 2022 is not joined from 2019 to 2022), and
    every value has its marker, so a single year between gaps still shows.

    Parameters
    ----------
    data : DataFrame
        Unit values for ``kpi`` (all units of the kind in Sweden).
    kpi, ou
    units : DataFrame
        The unit catalogue (id, title, municipality, activity).
    years : sequence of int, optional
        Limit the x-axis to these years.
    source : {"demo", "kolada", "store"}
    preliminary : int, optional
        Kolada's preliminary year: its tick is written "2025*".
    legend : {"right", "none"}
        The unit's name is broken over lines there (:data:`LEGEND_CHARS`).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (8, 3.6))
    catalogue = units.set_index("id")
    if ou not in catalogue.index:
        return no_data(ax, f"Enheten {ou} finns inte i enhetsregistret.", source)
    me = catalogue.loc[ou]
    part = data[(data["kpi"] == kpi) & (data["gender"] == "T") & data["value"].notna()]
    part = part[part["ou"].map(catalogue["activity"]) == me["activity"]]
    if years is not None:
        part = part[part["year"].isin(list(years))]
    own = part[part["ou"] == ou]
    if own.empty:
        return no_data(ax, f"{me['title']} har inga värden för {registry.label(kpi)}.", source)
    others = part[(part["municipality"] == me["municipality"]) & (part["ou"] != ou)]
    span = pd.RangeIndex(int(part["year"].min()), int(part["year"].max()) + 1, name="year")
    if len(others):
        band = _by_year(others, span, [0.25, 0.75])
        ax.fill_between(span, band[0.25], band[0.75], color=BAND, alpha=0.8, label="25–75 %", lw=0)
    name = str(me["title"])
    series = [
        (NATIONAL_MEDIAN, part, RIKET, 1.5, None),
        (OTHERS_MEDIAN, others, PEERS, 1.5, None),
        (wrap(name, LEGEND_CHARS), own, FOCUS, 2.0, "analys-unit"),
    ]
    for label, frame, colour, width, gid in series:
        if len(frame):
            ax.plot(
                span,
                _by_year(frame, span, [0.5])[0.5].to_numpy(dtype=float),
                color=colour,
                lw=width,
                marker="o",
                markersize=4,
                label=label,
                gid=gid,
            )
    short = textwrap.shorten(name, TITLE_NAME_CHARS, placeholder=" …")
    ax.set_title(f"{kpi_title(kpi)} – {short}", fontsize=9, loc="left", y=TITLE_Y)
    ax.set_xlabel("")
    ax.set_ylabel(registry.unit(kpi) or "")
    swedish_ticks(ax.yaxis)
    year_ticks(ax.xaxis, preliminary, latest=latest_year(part))
    if legend != "none":
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return finish(ax, source, derived=True, kpis=(kpi,))


def _by_year(frame: pd.DataFrame, span: pd.Index, quantiles: Sequence[float]) -> pd.DataFrame:
    """The ``quantiles`` of ``frame``'s values per year of ``span`` (columns), NaN in a year
    without values: matplotlib leaves a gap there instead of joining its neighbours."""
    by_year = frame.groupby("year")["value"]
    return pd.DataFrame({q: by_year.quantile(q) for q in quantiles}).reindex(span)


@contextlib.contextmanager
def _seeded(key: str) -> Iterator[None]:
    """numpy's global generator (seaborn's jitter draws from it) seeded from ``key``, and
    restored afterwards: a chart is drawn the same every time, other code is not disturbed."""
    state = np.random.get_state()
    np.random.seed(zlib.crc32(key.encode("utf-8")))
    try:
        yield
    finally:
        np.random.set_state(state)


def _strip(shown: pd.DataFrame, ax: Axes) -> None:
    """The units as points (seaborn's strip plot), coloured by their quartile colour."""
    sns.stripplot(
        data=shown,
        x="judged_value",
        hue="colour",
        palette=COLOURS,
        hue_order=[c for c in (*JUDGED, *NEUTRAL) if c in set(shown["colour"])],
        jitter=0.18,
        size=5,
        linewidth=0.5,
        edgecolor="#333333",
        legend=False,
        ax=ax,
        zorder=3,
    )
