"""Private helpers shared by the charts in :mod:`analys.plots`.

New Axes, the "no data" message, Swedish tick formatting, picking rows out of a values frame
and the comparison set of a municipality. Nothing here is public API; import from ``plots``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator

from analys import reference, registry
from analys.chartstyle import annotate_source, figure_caption
from analys.errors import ParamsError
from analys.format import decimals_for, number, with_unit, year_text
from analys.frame import reused
from analys.vocabulary import MUNICIPALITY_TYPE_WORDS


def new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax`` itself, or the Axes of a new constrained-layout figure of ``size`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, created = plt.subplots(figsize=size, layout="constrained")
    return created


def finish(ax: Axes, source: str, *, derived: bool, kpis: tuple = ()) -> Axes:
    """Common finish of a chart: compact tick and axis labels, then the source caption.

    The caption sits 30 points under the axes, so tick labels and axis titles are kept small
    enough not to run into it.
    """
    ax.tick_params(labelsize=8)
    ax.xaxis.label.set_fontsize(9)
    ax.yaxis.label.set_fontsize(9)
    return annotate_source(ax, source, derived=derived, kpis=kpis)


LEGEND_PLACES = ("inside", "right", "none")


def place_legend(ax: Axes, legend: str) -> None:
    """The Axes' legend ``inside`` (emptiest corner), to the ``right`` outside, or ``none``."""
    if legend not in LEGEND_PLACES:
        allowed = ", ".join(f"'{p}'" for p in LEGEND_PLACES)
        raise ParamsError(f"legend: '{legend}' finns inte – välj {allowed}.")
    if legend == "right":
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    elif legend == "inside":
        ax.legend(fontsize=8, frameon=False, loc="best")


def shared_legend(figure: Figure, axes: Sequence[Axes], *, ncols: int = 5) -> None:
    """One legend above a grid of panels drawn with ``legend="none"``.

    Entries are merged by label across the panels; every target line ("Mål 85,0 % (2030)")
    becomes one "Mål" entry, since each panel writes its own target on the line.
    """
    entries: dict[str, Artist] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault("Mål" if label.startswith("Mål") else label, handle)
    if entries:
        figure.legend(
            list(entries.values()),
            list(entries.keys()),
            loc="outside upper center",
            ncols=min(ncols, len(entries)),
            frameon=False,
            fontsize=8,
        )


def shared_caption(figure: Figure, axes: Sequence[Axes]) -> None:
    """One source caption under a grid of panels instead of the same one under each.

    Only when every panel's caption reads the same: a panel credited otherwise (an own
    indicator's file) keeps its own, and so do the others.
    """
    captions = [[t for t in ax.texts if t.get_gid() == "analys-caption"] for ax in axes]
    if not captions or any(len(c) != 1 for c in captions):
        return
    texts = {" ".join(c[0].get_text().split()) for c in captions}
    if len(texts) != 1:
        return
    for (caption,) in captions:
        caption.remove()
    figure_caption(figure, texts.pop())


def no_data(ax: Axes, message: str, source: str, *, derived: bool = False) -> Axes:
    """Write ``message`` in the middle of an otherwise empty ``ax`` (plus the caption)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(
        0.5,
        0.5,
        textwrap.fill(message, 50),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=10,
        color="#333333",
        gid="analys-message",
    )
    annotate_source(ax, source, derived=derived)
    return ax


def tick_text(value: float) -> str:
    """A tick label the Swedish way with as few decimals as the value needs (at most two)."""
    if not math.isfinite(value):
        return ""
    for decimals in (0, 1, 2):
        if abs(round(value, decimals) - value) < 1e-9 * max(1.0, abs(value)):
            return number(value + 0.0, decimals)
    return number(value, 2)


def swedish_ticks(axis: object, bins: int | None = None, most: float | None = None) -> None:
    """Format the ticks of a value axis (``ax.xaxis``/``ax.yaxis``) Swedish: ``12 345,5``.

    ``bins`` caps the number of ticks (for narrow axes with wide numbers). Ticks above
    ``most`` are left unlabelled: a share's axis stretched for a label's room does not read
    "120 %".
    """
    if bins is not None:
        axis.set_major_locator(MaxNLocator(nbins=bins))

    def label(value: float, _pos: object) -> str:
        return "" if most is not None and value > most + 1e-9 else tick_text(value)

    axis.set_major_formatter(FuncFormatter(label))


class LatestYearLocator(Locator):
    """Whole years 1, 2, 5 or 10 apart, counted from the latest year with data (``latest``;
    default the last year in view): as many as fit the axis, and always that year, so its
    label (the preliminary "2025*" most of all) is never left out, as an evenly spaced
    2014, 2016 … 2024 would, or 2018, 2023, 2028 on an axis stretched to a target year."""

    #: ticks on an axis however short, and at most however long
    FEWEST, MOST = 3, 9

    def __init__(self, latest: int | None = None) -> None:
        self.latest = latest

    def __call__(self):
        low, high = self.axis.get_view_interval()
        return self.tick_values(low, high)

    def tick_values(self, vmin: float, vmax: float):
        fit = self.axis.get_tick_space() if self.axis is not None else self.MOST
        return year_tick_values(vmin, vmax, self.latest, fit)


def year_tick_values(vmin: float, vmax: float, latest: int | None, fit: int) -> np.ndarray:
    """The years :class:`LatestYearLocator` ticks between ``vmin`` and ``vmax`` when ``fit``
    labels fit the axis (clipped to its fewest and most)."""
    low, high = sorted((vmin, vmax))
    if not (math.isfinite(low) and math.isfinite(high)):
        return np.array([])
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if last < first:
        return np.array([])
    anchor = latest if latest is not None and first <= latest <= last else last
    most = min(max(fit, LatestYearLocator.FEWEST), LatestYearLocator.MOST)
    for step in YEAR_STEPS:
        ticks = [*range(anchor, first - 1, -step)][::-1] + [*range(anchor + step, last + 1, step)]
        if len(ticks) <= most:
            break
    return np.array(ticks, dtype=float)


#: distances between year ticks, shortest first
YEAR_STEPS = (1, 2, 5, 10, 20, 50)


def latest_year(frame: pd.DataFrame) -> int | None:
    """The latest ``year`` with a ``value`` in ``frame`` (a year axis counts from it)."""
    years = frame.loc[frame["value"].notna(), "year"]
    return int(years.max()) if len(years) else None


def year_ticks(axis: object, preliminary: int | None = None, latest: int | None = None) -> None:
    """Integer year ticks without a thousands separator (:class:`LatestYearLocator`),
    counted from ``latest`` (the latest year with data) when given.

    The ``preliminary`` year (Kolada's latest, not yet final) is written with a star: "2025*".
    """
    axis.set_major_locator(LatestYearLocator(latest))
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: year_text(value, preliminary)))


def unit_word(codes: str | Iterable[str] | None) -> str:
    """``regioner`` when the code (or the first code) is a region, else ``kommuner``."""
    if codes is None:
        return "kommuner"
    first = codes if isinstance(codes, str) else next(iter(codes), None)
    municipality_type = reference.municipality_type(str(first)) if first else None
    return MUNICIPALITY_TYPE_WORDS["L" if municipality_type == "L" else "K"]


def value_text(value: float, unit: str | None) -> str:
    """A value with its unit and a sensible number of decimals, e.g. ``231,5 poäng``."""
    return with_unit(value, unit, decimals_for(unit, value))


def axis_label(kpi: str) -> str:
    """The axis label of a KPI: its registry label with the unit, e.g. ``Elever i åk 9 (%)``."""
    unit = registry.unit(kpi)
    return f"{registry.label(kpi)} ({unit})" if unit else registry.label(kpi)


def wrap(text: str, width: int = 34) -> str:
    """Break a long label over lines."""
    return textwrap.fill(text, width)


def kpi_title(kpi: str, gender: str = "T") -> str:
    """The chart title for a KPI, naming the gender when not the total."""
    word = registry.gender_words(kpi).get(gender) if gender != "T" else None
    return f"{registry.label(kpi)}, {word}" if word else registry.label(kpi)


@reused
def select(
    data: pd.DataFrame,
    *,
    kpi: str,
    gender: str | None = "T",
    year: int | None = None,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Rows of a values frame for one KPI (and gender, year or years); missing values kept."""
    if data is None or len(data) == 0 or "kpi" not in data.columns:
        return pd.DataFrame(columns=["kpi", "municipality", "year", "gender", "value"])
    mask = data["kpi"] == kpi
    if gender is not None and "gender" in data.columns:
        mask &= data["gender"] == gender
    if year is not None:
        mask &= data["year"] == int(year)
    if years is not None:
        mask &= data["year"].isin([int(y) for y in years])
    part = data.loc[mask, ["municipality", "year", "value"]].copy()
    part["municipality"] = part["municipality"].astype(str)
    part["value"] = pd.to_numeric(part["value"], errors="coerce").astype(float)
    return part


@reused
def by_municipality(part: pd.DataFrame) -> pd.Series:
    """One value per municipality code (the first when a code repeats)."""
    series = part.drop_duplicates("municipality").set_index("municipality")["value"]
    return series.astype(float)


def same_type(municipality: str | None, available: Iterable[str]) -> list[str]:
    """The comparison set: every code of ``available`` of the same type as ``municipality``.

    Municipalities (K) are compared with municipalities and regions (L) with regions; Riket and
    groups (``G…``) never belong to it (docs/methods.md#quartile-colours). For an unknown code
    every available code except Riket and groups is used.
    """
    municipality_type = reference.municipality_type(municipality) if municipality else None
    return reference.of_type(available, municipality_type)


def peer_codes(peers: Sequence[str] | None, municipality: str | None) -> list[str]:
    """The peer codes as strings, without duplicates and never the focus municipality."""
    if peers is None or isinstance(peers, str):
        peers = [] if peers is None else [peers]
    return [str(p) for p in dict.fromkeys(peers) if str(p) != municipality]


def quantiles(values: pd.Series) -> tuple[float, float, float, float, float]:
    """Min, Q1, median, Q3 and max with numpy's default (linear) method; NaN when empty."""
    x = values.dropna().to_numpy(dtype=float)
    if len(x) == 0:
        return (np.nan,) * 5
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    return float(x.min()), float(q1), float(median), float(q3), float(x.max())


# label offsets in points, nearest first: right/left of the point, then further up and down
