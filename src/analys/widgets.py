"""Widget explorers for JupyterLab: trends (``TrendExplorer``) and drivers (``DriverExplorer``).

All logic lives here; the notebooks ``utforska_trender`` and ``utforska_samband`` only
construct and display an explorer (DESIGN §6, issue 6). Setting a control's ``.value`` from
code updates ``.figure``, ``.table`` and ``.message`` synchronously; that is how the tests
drive them.

Responsiveness: the values are loaded once per explorer (every KPI it can show, all units,
years and genders; from Kolada each KPI is fetched once, when first chosen) and kept in a
:class:`_Session`. An interaction recomputes only what its control changes: per-year ranks
and quartile colours are cached per KPI and gender, the map is redrawn only when its KPI,
year, gender, focus or peers change, and a regression is refitted only when its data
changes (not for the focus municipality or the standardise switch). Figures are drawn on
reused Agg canvases and sent to the browser as PNG in ``HTML`` widgets.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from analys import captions, compare, goals, maps, plots, reference, registry, trend
from analys.chartstyle import COLOUR_LABELS, COLOURS, FOCUS, PEERS
from analys.data import SOURCES, check_source, load_groups, load_values
from analys.errors import AnalysError
from analys.format import MISSING, decimals_for, number
from analys.peers import PEER_LABELS, peer_set

__all__ = ["DriverExplorer", "SAVE_DIR", "TrendExplorer"]

log = logging.getLogger(__name__)

#: Where Spara writes, relative to the working directory, unless ``save_dir`` is given.
SAVE_DIR = Path("reports") / "utforska"
DPI = 100
SOURCE_LABELS = {"demo": "Demodata", "store": "Lokalt lager", "kolada": "Kolada (nätverk)"}
PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
    ("Egen lista", "egen"),
]
GENDER_CHOICES = [("Totalt", "T"), ("Kvinnor", "K"), ("Män", "M")]
GENDER_WORDS = {"T": "totalt", "K": "kvinnor", "M": "män"}
POPULATION_CHOICES = {
    "K": [("Alla kommuner", "alla"), ("Kommungruppen (SKR)", "skr"), ("Länet", "lan")],
    "L": [("Alla regioner", "alla")],
}
MODEL_CHOICES = [("Tvärsnitt (ett år)", "cross"), ("Panel (fasta effekter)", "panel")]
COLOUR_WORDS = {
    "green": "grön",
    "yellow": "gul",
    "red": "röd",
    "grey": "värde saknas",
    "none": "ingen färg",
}
#: Residual degrees of freedom a cross-section needs before the explorer fits it.
MIN_RESIDUAL_DF = 10
SMALL_N = 30
CAUTION = (
    "Samband mellan kommuner är inte orsakseffekter: att kommuner med högre värde på en "
    "förklaringsvariabel har bättre resultat betyder inte att resultatet blir bättre om "
    "variabeln ändras. Sambanden gäller kommuner, inte enskilda personer (risk för ekologiskt "
    "felslut)."
)
_NO_GROUPS = pd.DataFrame({"group": [], "title": [], "members": []})
DEFAULT_DRIVERS = {
    "K": ("N15507", ("N15816", "N02926", "N00906")),
    "L": ("N79190", ("N01982", "N00906", "N01960")),
}


# -- data ----------------------------------------------------------------------------------


class _Session:
    """The values one explorer works on, loaded once and kept.

    With ``preload`` (the default for demo and store) every registry KPI the source has is
    read in one call when the session is made; otherwise (Kolada: each KPI is a fetch)
    a KPI is loaded the first time it is asked for. Either way nothing is loaded twice.
    """

    def __init__(
        self,
        source: str,
        genders: Sequence[str] | None = None,
        *,
        preload: bool | None = None,
    ) -> None:
        self.source = check_source(source)
        self.genders = genders
        self._frames: dict[str, pd.DataFrame] = {}
        self._wide: dict[tuple[str, str], pd.DataFrame] = {}
        self._groups: pd.DataFrame | None = None
        self.kpis = self._available()
        if preload if preload is not None else source != "kolada":
            frame = load_values(self.kpis, source=source, genders=genders)
            for kpi, part in frame.groupby("kpi", sort=False):
                self._frames[str(kpi)] = part.reset_index(drop=True)
            empty = frame.iloc[0:0]
            for kpi in self.kpis:
                self._frames.setdefault(kpi, empty)

    def _available(self) -> list[str]:
        known = list(registry.entries())
        if self.source != "store":
            return known
        from analys.store import Store

        stored = set(Store().manifest.get("kpis", {}))
        have = [kpi for kpi in known if kpi in stored]
        if not have:
            raise AnalysError(
                "Det lokala lagret har inga värden för registrets nyckeltal – hämta först med "
                "'analys fetch' eller välj Demodata."
            )
        return have

    def frame(self, kpi: str) -> pd.DataFrame:
        """The values frame of one KPI: all units, years and loaded genders."""
        if kpi in self._frames:
            return self._frames[kpi]
        if kpi not in self.kpis:
            raise AnalysError(f"{registry.label(kpi)} ({kpi}) finns inte i källan {self.label}.")
        frame = load_values(kpi, source=self.source, genders=self.genders)
        self._frames[kpi] = frame
        return frame

    def wide(self, kpi: str, gender: str = "T") -> pd.DataFrame:
        """One KPI and gender as a table: a row per unit, a column per year."""
        key = (kpi, gender)
        if key in self._wide:
            return self._wide[key]
        part = self.frame(kpi)
        part = part[part["gender"] == gender]
        try:
            table = part.pivot(index="municipality", columns="year", values="value")
        except ValueError:  # duplicate rows in a store: keep the first, as Kolada lists them
            table = part.pivot_table(
                index="municipality", columns="year", values="value", aggfunc="first"
            )
        table.columns = [int(y) for y in table.columns]
        self._wide[key] = table
        return table

    def groups(self) -> pd.DataFrame:
        """The source's municipality groups (for "Liknande kommuner" and G… ids)."""
        if self._groups is None:
            self._groups = load_groups(self.source)
        return self._groups

    def years(self) -> list[int]:
        """Years with any value among the KPIs loaded so far."""
        found: set[int] = set()
        for frame in self._frames.values():
            found.update(int(y) for y in frame.loc[frame["value"].notna(), "year"].unique())
        return sorted(found)

    @property
    def label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def _kind_kpis(kpis: Iterable[str], kind: str) -> list[str]:
    """The KPIs reported for units of ``kind`` (``K`` or ``L``): their own type or ``A``."""
    entries = registry.entries()
    return [k for k in kpis if entries.get(k, {}).get("municipality_type") in (kind, "A")]


def _kpi_label(kpi: str) -> str:
    return f"{registry.label(kpi)} ({kpi})"


def _matches(kpi: str, needle: str) -> bool:
    entry = registry.entry(kpi) or {}
    hay = f"{kpi} {entry.get('title', '')} {entry.get('label', '')}".lower()
    return all(word in hay for word in needle.lower().split())


def _kpi_options(kpis: Iterable[str], search: str = "", area: str = "") -> list[tuple[str, str]]:
    """Dropdown options ``(label (id), id)``, filtered by words and by policy area."""
    entries = registry.entries()
    chosen = [
        k
        for k in kpis
        if (not area or entries.get(k, {}).get("area") == area) and _matches(k, search)
    ]
    return sorted(((_kpi_label(k), k) for k in chosen), key=lambda o: o[0].lower())


def _unit_options(kind: str | None = None, search: str = "") -> list[tuple[str, str]]:
    """``(name (code), code)`` for municipalities and regions (of ``kind`` when given)."""
    units = reference.municipalities()
    units = units[units["municipality"] != reference.RIKET]
    if kind is not None:
        units = units[units["type"] == kind]
    needle = search.strip().lower()
    if needle:
        hit = units["title"].str.lower().str.contains(needle, regex=False)
        units = units[hit | (units["municipality"] == search.strip())]
    pairs = zip(units["title"], units["municipality"], strict=True)
    return [(f"{title} ({code})", code) for title, code in pairs]


def _same_type(kind: str) -> list[str]:
    return reference.kommun_codes() if kind == "K" else reference.region_codes()


@lru_cache(maxsize=1)
def _area_titles() -> dict[str, str]:
    titles = {}
    for name in goals.list_areas():
        try:
            titles[name] = str(goals.read_params(goals.area_path(name)).get("title") or name)
        except AnalysError:
            titles[name] = name
    return titles


def _set_options(control: w.Widget, options: list, value: Any) -> None:
    """Give a selection widget new options and a value (ipywidgets resets it otherwise)."""
    control.options = options
    control.value = value


def _safe_name(text: str) -> str:
    """An ASCII file-name part: ``Örebro`` becomes ``Orebro``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", text).strip("_")


def _fmt(value: object, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, int | float | np.number):
        return number(float(value), decimals)
    return html.escape(str(value))


TABLE_CSS = (
    "<style>.analys-tabell table{border-collapse:collapse;font-size:12px}"
    ".analys-tabell th,.analys-tabell td{padding:2px 8px;text-align:right;"
    "border-bottom:1px solid #e5e5e5}.analys-tabell th{background:#f3f3f3}</style>"
)


def _html_table(
    frame: pd.DataFrame, decimals: dict[str, int], index: bool = True, raw: Sequence[str] = ()
) -> str:
    """A compact HTML table with Swedish numbers (decimal comma, – for missing).

    ``raw`` columns already hold HTML and are shown as they are.
    """
    formatters = {c: (lambda v, d=d: _fmt(v, d)) for c, d in decimals.items()}
    formatters |= {c: str for c in raw}
    for column in frame.columns:
        formatters.setdefault(column, _fmt)
    text = frame.to_html(index=index, formatters=formatters, escape=False, border=0, na_rep=MISSING)
    return f"{TABLE_CSS}<div class='analys-tabell'>{text}</div>"


def _tidy(controls: dict[str, w.Widget]) -> None:
    """One description width for every control, so the labels line up and are not cut."""
    for control in controls.values():
        if not isinstance(control, w.Button | w.Checkbox):
            control.style.description_width = "90px"


# -- output: figures as PNG in HTML widgets ------------------------------------------------


def _empty(ax: Axes) -> Axes:
    """``ax`` without anything drawn on it, autoscaling again, ticks kept."""
    drawn = [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.tables]
    for artist in drawn:
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.containers.clear()
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    return ax


class _Picture:
    """One figure output: a reused Figure on an Agg canvas, shown as a PNG in an HTML widget.

    Reusing the canvas keeps matplotlib's text-metrics cache warm between updates. The axes
    get fixed margins (``rect``) instead of a layout engine, which would cost a second pass.
    """

    def __init__(self, size: tuple[float, float], rect: Sequence[float], alt: str) -> None:
        self.figure = Figure(figsize=size, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.rect = list(rect)
        self.alt = alt
        self.widget = w.HTML()
        self.png = b""
        self.key: Hashable = None

    def axes(
        self, size: tuple[float, float] | None = None, rect: Sequence[float] | None = None
    ) -> Axes:
        """An empty Axes at the fixed margins: the last one emptied, or a new one.

        Emptying the last Axes (removing what was drawn) keeps its tick objects, which a new
        Axes builds again on every draw – a fifth of a trend chart's cost. A figure of
        another size, an Axes with hidden spines (a "no data" chart) or with child Axes (a
        colour bar) is replaced instead. The test suite checks that both give the same PNG.
        """
        rect = list(rect) if rect is not None else self.rect
        size = tuple(size) if size is not None else tuple(self.figure.get_size_inches())
        axes = self.figure.axes
        if (
            len(axes) == 1
            and not axes[0].child_axes
            and all(spine.get_visible() for spine in axes[0].spines.values())
            and tuple(self.figure.get_size_inches()) == size
            and list(axes[0].get_position().bounds) == rect
        ):
            return _empty(axes[0])
        self.figure.clear()
        self.figure.set_size_inches(size)
        return self.figure.add_axes(rect)

    def show(self, key: Hashable = None) -> None:
        """Render the figure to PNG and put it in the widget."""
        buffer = io.BytesIO()
        self.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})  # fast zlib
        self.png = buffer.getvalue()
        self.key = key
        data = base64.b64encode(self.png).decode("ascii")
        self.widget.value = (
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
        )

    def clear(self) -> None:
        self.widget.value = ""
        self.png = b""
        self.key = None


# -- the common explorer plumbing ----------------------------------------------------------


class _Explorer:
    """Controls, synchronous updates, Swedish messages, Spara and display."""

    controls: dict[str, w.Widget]
    ui: w.Widget

    def __init__(self, source: str, save_dir: str | Path | None) -> None:
        self.source = check_source(source)
        self.save_dir = Path(save_dir) if save_dir is not None else SAVE_DIR
        self.figure: Figure | None = None
        self.table: pd.DataFrame | None = None
        self.message = ""
        self.notice = ""
        self.saved: list[Path] = []
        self.last_update_seconds = math.nan
        self._session: _Session | None = None
        self._message_html = w.HTML()
        self._busy = False

    # --- wiring -------------------------------------------------------------------------
    def _observe(self, names: Iterable[str], handler: Callable[[], None]) -> None:
        for name in names:
            self.controls[name].observe(lambda _change, h=handler: self._run(h), names="value")

    def _quietly(self, action: Callable[[], None]) -> None:
        """Change controls without their observers running (they are part of this update)."""
        busy, self._busy = self._busy, True
        try:
            action()
        finally:
            self._busy = busy

    def _run(self, handler: Callable[[], None]) -> None:
        """Run one interaction; a bad choice becomes a Swedish message, never a traceback."""
        if self._busy:
            return
        self._busy = True
        started = time.perf_counter()
        self.message = self.notice = ""
        try:
            handler()
        except AnalysError as error:
            self._fail(str(error))
        except Exception as error:  # a bug must not leave the analyst with a dead widget
            log.exception("widget update failed")
            self._fail(
                f"Oväntat fel – det här är en bugg i analys ({type(error).__name__}: {error})."
            )
        finally:
            self._busy = False
            self.last_update_seconds = time.perf_counter() - started
            self._show_message()

    def _fail(self, message: str) -> None:
        self.message = message
        self.figure = None
        self.table = None
        self._clear_outputs()

    def _clear_outputs(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _show_message(self) -> None:
        if self.message:
            text = html.escape(self.message).replace("\n", "<br>")
            self._message_html.value = f"<div style='color:#a50f15;font-weight:600'>{text}</div>"
        elif self.notice:
            self._message_html.value = (
                f"<div style='color:#006d2c'>{html.escape(self.notice)}</div>"
            )
        else:
            self._message_html.value = ""

    def _require_session(self) -> _Session:
        if self._session is None:
            raise AnalysError(f"Ingen data är laddad från källan {SOURCE_LABELS[self.source]}.")
        return self._session

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the explorer shows its UI."""
        return self.ui._repr_mimebundle_(**kwargs)

    # --- Spara --------------------------------------------------------------------------
    def save(self, directory: str | Path | None = None) -> list[Path]:  # pragma: no cover
        raise NotImplementedError

    def _save_clicked(self) -> None:
        """Spara: a full disk or a locked file is a message; the outputs stay."""
        try:
            self.save()
        except OSError as error:
            self.message = f"Kunde inte spara i {self.save_dir}: {error.strerror or error}."

    def _write(
        self,
        stem: str,
        pictures: dict[str, Figure],
        sheets: dict[str, pd.DataFrame],
        about: dict[str, str],
        directory: str | Path | None,
    ) -> list[Path]:
        folder = Path(directory) if directory is not None else self.save_dir
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for suffix, figure in pictures.items():
            path = folder / f"{stem}{suffix}.png"
            figure.savefig(path, dpi=150)
            paths.append(path)
        first = next(iter(sheets.values()))
        csv = folder / f"{stem}.csv"
        first.to_csv(csv, sep=";", decimal=",", encoding="utf-8-sig")
        excel = folder / f"{stem}.xlsx"
        about = {**about, "Källa": captions.source_caption(self.source, derived=True)}
        with pd.ExcelWriter(excel, engine="openpyxl") as writer:
            for name, sheet in sheets.items():
                sheet.to_excel(writer, sheet_name=name)
            pd.DataFrame({"Uppgift": list(about), "Värde": list(about.values())}).to_excel(
                writer, sheet_name="Om", index=False
            )
        paths += [csv, excel]
        self.saved = paths
        self.notice = f"Sparat i {folder}: " + ", ".join(p.name for p in paths)
        return paths


# -- trends --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TrendChoice:
    kpi: str
    municipality: str
    kind: str
    peers: str
    own: tuple[str, ...]
    gender: str
    first: int
    last: int


class TrendExplorer(_Explorer):
    """Pick a KPI and a municipality; see its trend against its peers and Riket.

    Parameters
    ----------
    source : {"demo", "store", "kolada"}
        Where the values come from; can be changed with the ``source`` control.
    municipality : str, optional
        The focus municipality or region (default: the demo municipality, Örebro 1880).
    kpi : str
        The KPI shown first.
    save_dir : str or Path, optional
        Where Spara writes (default ``reports/utforska`` under the working directory).

    Attributes
    ----------
    controls : dict of str to ipywidget
        ``kpi``, ``municipality``, ``peers``, ``gender``, ``years`` (DESIGN §6), plus
        ``kpi_search``, ``area``, ``municipality_search``, ``own_peers`` (used when
        ``peers`` is ``egen``; choosing names switches to it), ``source`` and ``save``.
    figure : Figure or None
        The trend chart: the municipality against the peers' median and 25–75 % band and
        Riket.
    table : DataFrame or None
        Per year: Värde, Jämförelsegruppens median, Riket, Rang, Kvartilsfärg.
    message : str
        ``""`` or a Swedish message for a bad choice (then ``figure`` and ``table`` are None).
    marker : TrendResult or None
        The trend marker of the last five years (methods M7).
    map_figure : Figure or None
        A map of the KPI in the range's last year with the focus and peers outlined.
    """

    def __init__(
        self,
        source: str = "demo",
        municipality: str | None = None,
        *,
        kpi: str = "N15507",
        save_dir: str | Path | None = None,
    ) -> None:
        super().__init__(source, save_dir)
        from analys import demo

        municipality = municipality or demo.DEMO_MUNICIPALITY
        kind = reference.unit_type(municipality)
        if kind is None or municipality == reference.RIKET:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        self.marker: trend.TrendResult | None = None
        self.map_figure: Figure | None = None
        self._kind = kind
        self._ranks: dict[tuple[str, str, str, int], pd.DataFrame] = {}
        self._chart = _Picture((7.2, 4.0), (0.1, 0.2, 0.8, 0.72), "Trenddiagram")
        self._map = _Picture((3.4, 5.4), (0.01, 0.12, 0.62, 0.8), "Karta")
        self._map_legend = w.HTML()
        self._marker_html = w.HTML()
        self._table_html = w.HTML()
        options = _kpi_options(_kind_kpis(registry.entries(), kind))
        c = self.controls = {
            "kpi_search": w.Text(
                placeholder="ord i namnet eller id …",
                description="Sök",
                continuous_update=False,
            ),
            "area": w.Dropdown(
                options=[("Alla områden", "")] + [(t, a) for a, t in _area_titles().items()],
                value="",
                description="Område",
            ),
            "kpi": w.Dropdown(
                options=options,
                value=kpi if kpi in [v for _, v in options] else options[0][1],
                description="Nyckeltal",
                layout=w.Layout(width="560px"),
            ),
            "municipality_search": w.Text(
                placeholder="kommunens namn …", description="Sök kommun", continuous_update=False
            ),
            "municipality": w.Dropdown(
                options=_unit_options(), value=municipality, description="Kommun"
            ),
            "peers": w.Dropdown(options=PEER_CHOICES, value="skr", description="Jämför med"),
            "own_peers": w.SelectMultiple(
                options=_unit_options(kind), rows=5, description="Egen lista"
            ),
            "gender": w.ToggleButtons(options=GENDER_CHOICES, value="T", description="Kön"),
            "years": w.IntRangeSlider(
                value=(2012, 2025),
                min=2012,
                max=2025,
                description="År",
                continuous_update=False,
                layout=w.Layout(width="480px"),
            ),
            "source": w.Dropdown(
                options=[(SOURCE_LABELS[s], s) for s in SOURCES],
                value=self.source,
                description="Källa",
            ),
            "save": w.Button(
                description="Spara", icon="save", tooltip="Figur (PNG) och tabell (CSV, Excel)"
            ),
        }
        _tidy(c)
        c["save"].on_click(lambda _button: self._run(self._save_clicked))
        self._observe(["kpi_search", "area"], self._filter_kpis)
        self._observe(["municipality_search"], self._filter_municipalities)
        self._observe(["municipality"], self._new_municipality)
        self._observe(["own_peers"], self._new_own_peers)
        self._observe(["source"], self._change_source)
        self._observe(["kpi", "peers", "gender", "years"], self.update)
        self.ui = w.VBox(
            [
                w.HBox([c["kpi_search"], c["area"]]),
                c["kpi"],
                w.HBox([c["municipality_search"], c["municipality"]]),
                w.HBox([c["peers"], c["own_peers"]]),
                w.HBox([c["gender"], c["source"]]),
                w.HBox([c["years"], c["save"]]),
                self._message_html,
                self._marker_html,
                w.HBox([self._chart.widget, self._map.widget, self._map_legend]),
                self._table_html,
            ]
        )
        self._run(self._load)

    # --- control handlers ---------------------------------------------------------------
    def _load(self, session: _Session | None = None) -> None:
        self._session = session or _Session(self.source)
        self._ranks.clear()
        self._map.key = None
        self._refresh_kpis()
        self._session.frame(self.controls["kpi"].value)  # Kolada: the years come with a KPI
        self._set_year_bounds()
        self.update()

    def _change_source(self) -> None:
        new, old = self.controls["source"].value, self.source
        try:
            session = _Session(new)
        except AnalysError as error:  # keep showing the old source's outputs
            self._quietly(lambda: setattr(self.controls["source"], "value", old))
            self.message = f"{SOURCE_LABELS[new]} går inte att använda: {error}"
            return
        self.source = new
        self._load(session)

    def _refresh_kpis(self) -> bool:
        """Filter the KPI list by search words, area, unit type and source; True if found."""
        session = self._require_session()
        c = self.controls
        search, area = c["kpi_search"].value, c["area"].value
        options = _kpi_options(_kind_kpis(session.kpis, self._kind), search, area)
        if not options:
            words = f"'{search}'" if search else ""
            where = f" inom {_area_titles().get(area, area)}" if area else ""
            self.message = f"Inget nyckeltal matchar {words}{where}. Ändra sökningen."
            return False
        values = [v for _, v in options]
        current = c["kpi"].value
        self._quietly(
            lambda: _set_options(c["kpi"], options, current if current in values else values[0])
        )
        return True

    def _filter_kpis(self) -> None:
        before = self.controls["kpi"].value
        if self._refresh_kpis() and self.controls["kpi"].value != before:
            self.update()

    def _filter_municipalities(self) -> None:
        c = self.controls
        search = c["municipality_search"].value
        options = _unit_options(search=search)
        if not options:
            self.message = f"Ingen kommun eller region matchar '{search}'."
            return
        values = [v for _, v in options]
        current = c["municipality"].value
        self._quietly(
            lambda: _set_options(
                c["municipality"], options, current if current in values else values[0]
            )
        )
        if c["municipality"].value != current:
            self._new_municipality()

    def _new_municipality(self) -> None:
        kind = reference.unit_type(self.controls["municipality"].value) or "K"
        if kind != self._kind:  # municipality <-> region: other KPIs, other own-list units
            self._kind = kind
            own, peers = self.controls["own_peers"], self.controls["peers"]
            self._quietly(lambda: _set_options(own, _unit_options(kind), ()))
            if peers.value == "egen":
                self._quietly(lambda: setattr(peers, "value", "skr"))
            self._refresh_kpis()
        self.update()

    def _new_own_peers(self) -> None:
        if self.controls["own_peers"].value and self.controls["peers"].value != "egen":
            self._quietly(lambda: setattr(self.controls["peers"], "value", "egen"))
        self.update()

    def _set_year_bounds(self) -> None:
        years = self._require_session().years()
        if not years:
            return
        slider = self.controls["years"]
        first, last = slider.value
        low, high = years[0], years[-1]
        keep = (max(first, low), min(last, high)) if first <= high and last >= low else None

        def apply() -> None:
            slider.max = max(high, slider.min)
            slider.min = low
            slider.max = high
            slider.value = keep if keep and keep[0] <= keep[1] else (low, high)

        self._quietly(apply)

    # --- the computation ----------------------------------------------------------------
    def _choice(self) -> _TrendChoice:
        c = self.controls
        first, last = c["years"].value
        return _TrendChoice(
            c["kpi"].value,
            c["municipality"].value,
            self._kind,
            c["peers"].value,
            tuple(c["own_peers"].value),
            c["gender"].value,
            int(first),
            int(last),
        )

    def _peer_codes(self, choice: _TrendChoice) -> list[str]:
        if choice.peers == "egen":
            own = [code for code in choice.own if code != choice.municipality]
            if not own:
                raise AnalysError(
                    "Välj minst en kommun i listan Egen lista (en annan än den valda kommunen)."
                )
            return own
        area = (registry.entry(choice.kpi) or {}).get("area")
        # groups are only needed for "Liknande kommuner"; a store may lack the metadata
        groups = self._require_session().groups() if choice.peers == "liknande" else _NO_GROUPS
        return peer_set(choice.municipality, choice.peers, groups=groups, area=area)

    def _peer_phrase(self, choice: _TrendChoice, peers: list[str]) -> str:
        if choice.peers == "egen":
            return f"egen lista ({len(peers)} st)"
        if choice.kind == "L":
            return f"alla regioner ({len(peers)} st)"
        return f"{PEER_LABELS[choice.peers]} ({len(peers)} st)"

    def _wide(self, choice: _TrendChoice) -> pd.DataFrame:
        session = self._require_session()
        kpi, label = choice.kpi, _kpi_label(choice.kpi)
        frame = session.frame(kpi)
        if frame["value"].notna().sum() == 0:
            raise AnalysError(f"{label} har inga värden i källan {session.label}.")
        if choice.gender != "T" and not (frame["gender"] == choice.gender).any():
            raise AnalysError(
                f"{label} redovisas inte uppdelat på kön – välj Totalt, eller ett "
                "nyckeltal som finns för kvinnor och män."
            )
        wide = session.wide(kpi, choice.gender)
        years = [y for y in wide.columns if choice.first <= y <= choice.last]
        if not years or wide[years].notna().sum().sum() == 0:
            have = [y for y in wide.columns if wide[y].notna().any()]
            raise AnalysError(
                f"{label} har inga värden {choice.first}–{choice.last} (det finns värden "
                f"{have[0]}–{have[-1]}). Välj andra år."
            )
        name = reference.title(choice.municipality)
        if (
            choice.municipality not in wide.index
            or wide.loc[choice.municipality, years].isna().all()
        ):
            kind = (registry.entry(kpi) or {}).get("municipality_type")
            hint = {
                "K": " Det redovisas bara för kommuner.",
                "L": " Det redovisas bara för regioner.",
            }
            raise AnalysError(
                f"{label} har inga värden för {name} {choice.first}–{choice.last}. Välj en "
                f"annan kommun, ett annat nyckeltal eller andra år.{hint.get(kind, '')}"
            )
        return wide[years]

    def _ranks_for(self, choice: _TrendChoice, wide: pd.DataFrame, year: int) -> pd.DataFrame:
        """Quartile colours and ranks of all units of the same type, cached per KPI."""
        key = (choice.kpi, choice.gender, choice.kind, year)
        if key not in self._ranks:
            values = wide[year].reindex(_same_type(choice.kind)).dropna()
            values.index = values.index.astype(object)  # a fifth faster in quartile_colours
            self._ranks[key] = compare.quartile_colours(values, registry.polarity(choice.kpi))
        return self._ranks[key]

    def _value_table(
        self, choice: _TrendChoice, wide: pd.DataFrame, peers: list[str]
    ) -> pd.DataFrame:
        rows = []
        peer_rows = wide.reindex(peers)
        for year in wide.columns:
            ranked = self._ranks_for(choice, wide, year)
            hit = ranked.loc[choice.municipality] if choice.municipality in ranked.index else None
            has_rank = hit is not None and not pd.isna(hit["rank"])
            rows.append(
                {
                    "År": int(year),
                    "Värde": wide.at[choice.municipality, year],
                    "Jämförelsegruppens median": peer_rows[year].median(),
                    "Riket": wide[year].get(reference.RIKET, np.nan),
                    "Rang": f"{int(hit['rank'])} av {len(ranked)}" if has_rank else MISSING,
                    "Kvartilsfärg": COLOUR_WORDS[hit["colour"]] if hit is not None else MISSING,
                }
            )
        return pd.DataFrame(rows).set_index("År")

    def update(self) -> None:
        """Recompute the chart, marker, table and map from the controls."""
        choice = self._choice()
        wide = self._wide(choice)
        peers = self._peer_codes(choice)
        table = self._value_table(choice, wide, peers)
        polarity = registry.polarity(choice.kpi)
        self.marker = trend.trend_marker(table["Värde"].dropna(), polarity=polarity)
        session = self._require_session()
        data = session.frame(choice.kpi)

        ax = self._chart.axes()
        plots.trend_chart(
            data,
            kpi=choice.kpi,
            municipality=choice.municipality,
            peers=peers,
            gender=choice.gender,
            years=range(choice.first, choice.last + 1),
            source=self.source,
            ax=ax,
        )
        self._chart.show(choice)
        self.figure, self.table = self._chart.figure, table
        self._draw_map(choice, wide, peers, data)
        self._marker_html.value = self._marker_text(choice, peers)
        self._table_html.value = self._table_text(choice, table)

    def _draw_map(
        self, choice: _TrendChoice, wide: pd.DataFrame, peers: list[str], data: pd.DataFrame
    ) -> None:
        units = wide.reindex(_same_type(choice.kind))
        years = [y for y in units.columns if units[y].notna().any()]
        if not years:
            self._map.clear()
            self._map_legend.value = ""
            self.map_figure = None
            return
        key = (choice.kpi, choice.gender, choice.municipality, tuple(peers), years[-1], self.source)
        if key != self._map.key:  # only when what the map shows has changed
            ax = self._map.axes()
            self._map_on(ax, choice, peers, years[-1], legend=False)
            self._map.show(key)
            self._map_legend.value = _map_legend(ax, choice.municipality, peers, choice.kind)
        self.map_figure = self._map.figure

    def _map_on(
        self, ax: Any, choice: _TrendChoice, peers: list[str], year: int, *, legend: bool
    ) -> None:
        """The KPI's map in ``year``; on screen the legend is HTML beside it (cheaper)."""
        common = {
            "values": self._require_session().wide(choice.kpi, choice.gender)[year],
            "kpi": choice.kpi,
            "year": year,
            "gender": choice.gender,
            "source": self.source,
            "legend": legend,
            "ax": ax,
        }
        if choice.kind == "L":
            maps.region_map(**common, region=choice.municipality)
        else:
            maps.municipality_map(**common, municipality=choice.municipality, peers=peers)

    def _map_for_saving(self, choice: _TrendChoice) -> Figure:
        figure = Figure(figsize=(5.6, 6.6), layout="constrained")
        year = self._map.key[4]
        peers = list(self._map.key[3])
        self._map_on(figure.add_subplot(), choice, peers, year, legend=True)
        return figure

    def _marker_text(self, choice: _TrendChoice, peers: list[str]) -> str:
        m = self.marker
        gender = "" if choice.gender == "T" else f", {GENDER_WORDS[choice.gender]}"
        method = f"Metod: {m.method}." if m.method else "Metod: –."
        return (
            f"<b>{html.escape(reference.title(choice.municipality))} – "
            f"{html.escape(registry.label(choice.kpi))}</b>{gender}, {choice.first}–"
            f"{choice.last}, jämfört med {html.escape(self._peer_phrase(choice, peers))}.<br>"
            f"Trend: <b>{html.escape(m.label)}</b> – {html.escape(m.reason)}. "
            f"<span style='color:#555'>{html.escape(method)}</span>"
        )

    def _table_text(self, choice: _TrendChoice, table: pd.DataFrame) -> str:
        unit = registry.unit(choice.kpi)
        magnitude = table["Värde"].abs().max()
        digits = decimals_for(unit, magnitude)
        shown = table.copy()
        shown["Kvartilsfärg"] = [_colour_cell(word) for word in table["Kvartilsfärg"]]
        columns = {c: digits for c in ("Värde", "Jämförelsegruppens median", "Riket")}
        caption = html.escape(captions.source_caption(self.source, derived=True))
        unit_text = f" Enhet: {html.escape(unit)}." if unit else ""
        return (
            _html_table(shown, columns, raw=["Kvartilsfärg"])
            + f"<div style='font-size:11px;color:#555'>Rang och kvartilsfärg bland alla "
            f"{'regioner' if choice.kind == 'L' else 'kommuner'} med värde (1 = bäst)."
            f"{unit_text} {caption}</div>"
        )

    def _clear_outputs(self) -> None:
        self._chart.clear()
        self._map.clear()
        self._map_legend.value = ""
        self.map_figure = None
        self.marker = None
        self._marker_html.value = ""
        self._table_html.value = ""

    def save(self, directory: str | Path | None = None) -> list[Path]:
        """Write the trend chart and map (PNG) and the table (CSV, Excel); return the paths.

        Parameters
        ----------
        directory : str or Path, optional
            Default: the explorer's ``save_dir`` (``reports/utforska``).

        Returns
        -------
        list of Path
            ``<name>.png``, ``<name>_karta.png`` (when a map is shown), ``<name>.csv`` and
            ``<name>.xlsx``; the name tells KPI, municipality, peers, gender and years.
        """
        if self.figure is None or self.table is None:
            raise AnalysError(
                "Det finns inget resultat att spara – välj först något som går att visa."
            )
        choice = self._choice()
        stem = _safe_name(
            f"trend_{choice.kpi}_{reference.title(choice.municipality)}_{choice.peers}_"
            f"{choice.gender}_{choice.first}-{choice.last}"
        )
        pictures = {"": self._chart.figure}
        if self.map_figure is not None:
            pictures["_karta"] = self._map_for_saving(choice)
        about = {
            "Nyckeltal": f"{choice.kpi} {(registry.entry(choice.kpi) or {}).get('title', '')}",
            "Kommun": f"{reference.title(choice.municipality)} ({choice.municipality})",
            "Jämförelsegrupp": choice.peers,
            "Kön": GENDER_WORDS[choice.gender],
            "År": f"{choice.first}–{choice.last}",
            "Trend": f"{self.marker.label} – {self.marker.reason}" if self.marker else "",
        }
        return self._write(stem, pictures, {"Värden": self.table}, about, directory)


def _swatch(colour: str, text: str, line: bool = False) -> str:
    shape = "width:18px;height:3px" if line else "width:12px;height:12px"
    return (
        f"<div style='white-space:nowrap'><span style='display:inline-block;{shape};"
        f"background:{colour};margin-right:5px;vertical-align:middle'></span>"
        f"{html.escape(text)}</div>"
    )


def _map_legend(ax: Any, focus: str, peers: Sequence[str], kind: str) -> str:
    """The map's legend as HTML: quartile colours with counts, missing values, focus, peers."""
    drawn = maps.drawn_colours(ax)
    names = {to_hex(value): name for name, value in COLOURS.items()}
    named = drawn.map(names)
    units = "regioner" if kind == "L" else "kommuner"
    rows = []
    if named.notna().all():  # quartile colours (a neutral KPI gets a colour bar instead)
        rows.append(f"<div style='color:#555'>Jämfört med alla {units}</div>")
        labels = {**COLOUR_LABELS, "none": "Ingen färg (färre än 4 värden)"}
        for name in ("green", "yellow", "red", "none"):
            count = int((named == name).sum())
            if count or name != "none":
                rows.append(_swatch(COLOURS[name], f"{labels[name]} ({count})"))
    missing = int((named == "grey").sum())
    if missing:
        rows.append(_swatch(COLOURS["grey"], f"Värde saknas ({missing})"))
    if focus in drawn.index:
        rows.append(_swatch(FOCUS, reference.title(focus), line=True))
    shown = [p for p in peers if p in drawn.index and p != focus]
    if shown and kind == "K":
        rows.append(_swatch(PEERS, f"Jämförelsekommuner ({len(shown)})", line=True))
    return f"<div style='font-size:11px;padding-top:30px'>{''.join(rows)}</div>"


def _p_value(p: float) -> str:
    """A p-value as analysts read it: three decimals, ``< 0,001`` below that."""
    if p is None or not math.isfinite(p):
        return MISSING
    return "< 0,001" if p < 0.001 else number(p, 3)


def _colour_cell(word: str) -> str:
    colour = {v: k for k, v in COLOUR_WORDS.items()}.get(word)
    if colour in ("green", "yellow", "red"):
        return (
            f"<span style='background:{COLOURS[colour]};padding:0 6px;border-radius:3px'>"
            f"{html.escape(word)}</span>"
        )
    return html.escape(word)


# -- drivers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DriverChoice:
    outcome: str
    explanatory: tuple[str, ...]
    year: int | None
    population: str
    log: tuple[str, ...]
    standardise: bool
    model: str
    municipality: str


class DriverExplorer(_Explorer):
    """Which structural factors go with good results, and who does better than expected?

    Parameters
    ----------
    source : {"demo", "store", "kolada"}
        Where the values come from.
    area : str, optional
        A policy area in ``params/``: its ``drivers`` block gives the default outcome and
        explanatory KPIs, its default municipality the focus.
    municipality : str, optional
        The focus municipality (or region for a regional area).
    save_dir : str or Path, optional
        Where Spara writes (default ``reports/utforska`` under the working directory).

    Attributes
    ----------
    controls : dict of str to ipywidget
        ``outcome``, ``explanatory``, ``year``, ``population``, ``model``, ``municipality``
        (DESIGN §6), plus ``explanatory_search``, ``log`` (explanatory KPIs to take the
        natural log of), ``standardise`` and ``save``.
    figure : Figure or None
        The coefficient chart with 95 % confidence intervals.
    table : DataFrame or None
        One row per explanatory KPI: effect (standardised or per unit), confidence
        interval, p-value and VIF.
    message : str
        ``""`` or a Swedish message for a bad choice.
    result, expected
        The ``DriverResult`` (or ``PanelResult``) and, for a cross-section, the
        ``ExpectedValues`` behind the outputs.
    scatter_figure, residuals, influence
        Cross-section only: expected against actual, the municipalities ranked by
        leave-one-out residual ("bättre än förväntat"), and the influential ones.
    """

    def __init__(
        self,
        source: str = "demo",
        area: str | None = None,
        *,
        municipality: str | None = None,
        save_dir: str | Path | None = None,
    ) -> None:
        super().__init__(source, save_dir)
        from analys import demo

        kind = reference.unit_type(municipality) if municipality else None
        loaded = goals.load_area(area) if area is not None else None
        if loaded is not None:
            kind = kind or loaded.kind
            municipality = municipality or loaded.municipality
        kind = kind or "K"
        if municipality is None:
            municipality = demo.DEMO_MUNICIPALITY if kind == "K" else reference.region_codes()[0]
        if reference.unit_type(municipality) != kind or municipality == reference.RIKET:
            raise AnalysError(f"municipality: '{municipality}' är ingen känd kommun eller region")
        outcome, explanatory = DEFAULT_DRIVERS[kind]
        if loaded is not None and loaded.drivers is not None:
            outcome, explanatory = loaded.drivers.outcome, loaded.drivers.explanatory
        elif loaded is not None:
            outcome = loaded.main_kpi
        self._kind = kind
        self._area = loaded.area if loaded is not None else None
        self._fit_key: Hashable = None
        self.result: Any = None
        self.expected: Any = None  # analys.model.ExpectedValues
        self.scatter_figure: Figure | None = None
        self.residuals: pd.DataFrame | None = None
        self.influence: pd.DataFrame | None = None
        self._coef = _Picture((6.8, 3.2), (0.28, 0.22, 0.68, 0.64), "Koefficientdiagram")
        self._scatter = _Picture((5.6, 4.6), (0.13, 0.17, 0.83, 0.75), "Faktiskt mot förväntat")
        self._fit_html = w.HTML()
        self._table_html = w.HTML()
        self._residual_html = w.HTML()
        self._influence_html = w.HTML()
        try:
            self._session = _Session(source, genders=("T",))
            kpis = _kind_kpis(self._session.kpis, kind)
            problem = ""
        except AnalysError as error:  # e.g. an empty store: say so in the explorer
            kpis, problem = _kind_kpis(registry.entries(), kind), str(error)
        self._kpis = kpis
        units = _unit_options(kind)
        c = self.controls = {
            "outcome": w.Dropdown(
                options=_kpi_options(kpis),
                value=outcome,
                description="Utfall",
                layout=w.Layout(width="560px"),
            ),
            "explanatory_search": w.Text(
                placeholder="ord i namnet eller id …",
                description="Sök",
                continuous_update=False,
            ),
            "explanatory": w.SelectMultiple(
                options=self._explanatory_options("", explanatory),
                value=tuple(explanatory),
                rows=8,
                description="Förklarande",
                layout=w.Layout(width="560px"),
            ),
            "log": w.SelectMultiple(
                options=[(_kpi_label(k), k) for k in explanatory],
                value=(),
                rows=4,
                description="Logaritm",
                layout=w.Layout(width="420px"),
            ),
            "year": w.Dropdown(options=[], description="År"),
            "population": w.Dropdown(
                options=POPULATION_CHOICES[kind], value="alla", description="Population"
            ),
            "standardise": w.Checkbox(value=True, description="Standardiserade effekter"),
            "model": w.ToggleButtons(options=MODEL_CHOICES, value="cross", description="Modell"),
            "municipality": w.Dropdown(options=units, value=municipality, description="Fokus"),
            "save": w.Button(
                description="Spara",
                icon="save",
                tooltip="Figurer (PNG) och tabeller (CSV, Excel)",
            ),
        }
        _tidy(c)
        c["save"].on_click(lambda _button: self._run(self._save_clicked))
        self._observe(["explanatory_search"], self._filter_explanatory)
        self._observe(["outcome"], self._new_outcome)
        self._observe(["explanatory"], self._new_explanatory)
        self._observe(
            ["year", "population", "log", "standardise", "model", "municipality"], self.update
        )
        self.ui = w.VBox(
            [
                c["outcome"],
                c["explanatory_search"],
                w.HBox([c["explanatory"], c["log"]]),
                w.HBox([c["year"], c["population"], c["municipality"]]),
                w.HBox([c["model"], c["standardise"], c["save"]]),
                self._message_html,
                self._fit_html,
                w.HBox([self._coef.widget, self._scatter.widget]),
                self._table_html,
                w.HBox([self._residual_html, self._influence_html]),
            ]
        )
        if problem:
            self.message = problem
            self._show_message()
        else:
            self._run(self._start)

    # --- control handlers ---------------------------------------------------------------
    def _start(self) -> None:
        self._set_years(keep=False)
        self.update()

    def _explanatory_options(self, search: str, chosen: Iterable[str]) -> list[tuple[str, str]]:
        """Chosen KPIs first, then matches: context KPIs (no good direction) before others."""
        chosen = list(chosen)
        entries = registry.entries()

        def order(kpi: str) -> tuple:
            entry = entries.get(kpi, {})
            return (
                entry.get("polarity") != "neutral",
                entry.get("area") != "folkhalsa",
                registry.label(kpi).lower(),
            )

        hits = sorted((k for k in self._kpis if k not in chosen and _matches(k, search)), key=order)
        return [(_kpi_label(k), k) for k in chosen + hits]

    def _filter_explanatory(self) -> None:
        c = self.controls
        chosen = tuple(c["explanatory"].value)
        options = self._explanatory_options(c["explanatory_search"].value, chosen)
        self._quietly(lambda: _set_options(c["explanatory"], options, chosen))
        if len(options) == len(chosen):
            self.message = (
                f"Inget nyckeltal matchar '{c['explanatory_search'].value}'. Ändra sökningen."
            )

    def _new_explanatory(self) -> None:
        c = self.controls
        chosen = tuple(c["explanatory"].value)
        logged = tuple(k for k in c["log"].value if k in chosen)
        options = [(_kpi_label(k), k) for k in chosen]
        self._quietly(lambda: _set_options(c["log"], options, logged))
        self.update()

    def _new_outcome(self) -> None:
        self._set_years(keep=True)
        self.update()

    def _set_years(self, keep: bool) -> None:
        """Years with values for the outcome; the default is the best-covered, latest year."""
        c = self.controls
        outcome = c["outcome"].value
        wide = self._require_session().wide(outcome).reindex(_same_type(self._kind))
        years = [int(y) for y in wide.columns if wide[y].notna().any()]
        current = c["year"].value
        if keep and current in years:
            value = current
        elif years:
            value = self._best_year(years)
        else:
            value = None
        self._quietly(lambda: _set_options(c["year"], years, value))

    def _best_year(self, years: list[int]) -> int:
        """The latest year in which nearly as many units as at best (90 %) have every KPI."""
        session = self._require_session()
        kpis = [self.controls["outcome"].value, *self.controls["explanatory"].value]
        codes = _same_type(self._kind)
        counts = {}
        for year in years:
            columns = [session.wide(k).reindex(codes).get(year) for k in kpis]
            present = [col.notna() for col in columns if col is not None]
            counts[year] = (
                int(np.logical_and.reduce(present).sum()) if len(present) == len(kpis) else 0
            )
        enough = 0.9 * max(counts.values())
        return max(y for y, n in counts.items() if n >= enough)

    # --- the computation ----------------------------------------------------------------
    def _choice(self) -> _DriverChoice:
        c = self.controls
        return _DriverChoice(
            c["outcome"].value,
            tuple(c["explanatory"].value),
            c["year"].value,
            c["population"].value,
            tuple(c["log"].value),
            bool(c["standardise"].value),
            c["model"].value,
            c["municipality"].value,
        )

    def _population(self, choice: _DriverChoice) -> list[str]:
        codes = _same_type(self._kind)
        if choice.population == "alla" or self._kind == "L":
            return codes
        peers = peer_set(choice.municipality, choice.population, groups=_NO_GROUPS)
        return [choice.municipality, *peers]

    def _population_phrase(self, choice: _DriverChoice) -> str:
        if choice.population == "alla" or self._kind == "L":
            return "alla kommuner" if self._kind == "K" else "alla regioner"
        name = reference.title(choice.municipality)
        return f"{PEER_LABELS[choice.population]} för {name}"

    def _frame(self, kpis: Sequence[str], codes: list[str], year: int | None) -> pd.DataFrame:
        """One column per KPI: by unit for ``year``, or by (unit, year) for the panel."""
        session = self._require_session()
        columns = {}
        for kpi in kpis:
            wide = session.wide(kpi).reindex(codes)
            if year is None:
                columns[kpi] = wide.stack(future_stack=True)
            else:
                columns[kpi] = wide[year] if year in wide.columns else pd.Series(np.nan, codes)
        frame = pd.DataFrame(columns)
        if year is None:
            frame.index.names = ["municipality", "year"]
        return frame

    def _check(self, choice: _DriverChoice) -> None:
        if not choice.explanatory:
            raise AnalysError("Välj minst en förklaringsvariabel.")
        if choice.outcome in choice.explanatory:
            raise AnalysError(
                f"Utfallet {_kpi_label(choice.outcome)} kan inte också vara "
                "förklaringsvariabel – ta bort det ur listan Förklarande."
            )
        if choice.model == "cross" and choice.year is None:
            raise AnalysError(f"{_kpi_label(choice.outcome)} har inga värden i källan.")

    def _fit(self, choice: _DriverChoice) -> None:
        """Fit the chosen model unless the same data and model were fitted last time."""
        codes = self._population(choice)
        year = choice.year if choice.model == "cross" else None
        key = (choice.model, choice.outcome, choice.explanatory, year, tuple(codes), choice.log)
        if key == self._fit_key:
            return
        self._fit_key = None
        kpis = [choice.outcome, *choice.explanatory]
        frame = self._frame(kpis, codes, year)
        when = f" {year}" if year is not None else ""
        for kpi in kpis:
            if frame[kpi].notna().sum() == 0:
                raise AnalysError(
                    f"{_kpi_label(kpi)} har inga värden{when} för "
                    f"{self._population_phrase(choice)}. Välj ett annat år eller nyckeltal."
                )
        for kpi in choice.log:
            if (frame[kpi].dropna() <= 0).any():
                raise AnalysError(
                    f"Logaritmen går inte att ta: {_kpi_label(kpi)} har värden som är 0 eller "
                    "negativa. Ta bort det ur listan Logaritm."
                )
            frame[kpi] = np.log(frame[kpi])
        complete = frame.dropna()
        k = len(choice.explanatory)
        units = "regioner" if self._kind == "L" else "kommuner"
        if choice.model == "cross" and len(complete) < k + 1 + MIN_RESIDUAL_DF:
            raise AnalysError(
                f"För få {units} med fullständiga data{when}: {len(complete)} i "
                f"{self._population_phrase(choice)}, minst {k + 1 + MIN_RESIDUAL_DF} behövs "
                f"för {k} förklaringsvariabler. Välj en större population, färre "
                "förklaringsvariabler eller ett annat år."
            )
        from analys import model  # statsmodels: imported when a regression is first fitted

        if choice.model == "cross":
            self.result = model.drivers(frame, choice.outcome, list(choice.explanatory))
            self.expected = model.expected_values(frame, choice.outcome, list(choice.explanatory))
        else:
            self.result = model.panel(frame.reset_index(), choice.outcome, list(choice.explanatory))
            self.expected = None
            self._panel_beta(complete, choice)
        self._fit_key = key

    def _panel_beta(self, complete: pd.DataFrame, choice: _DriverChoice) -> None:
        """Standardised panel effects: coef·sd(x)/sd(y) over the observations used."""
        coefficients = self.result.coefficients.copy()
        scale = complete[list(choice.explanatory)].std(ddof=1) / complete[choice.outcome].std(
            ddof=1
        )
        factor = scale.reindex(coefficients["kpi"]).to_numpy()
        coefficients["beta"] = coefficients["coef"] * factor
        coefficients["beta_ci_low"] = coefficients["ci_low"] * factor
        coefficients["beta_ci_high"] = coefficients["ci_high"] * factor
        coefficients["vif"] = np.nan
        self.result = dataclasses.replace(self.result, coefficients=coefficients)

    def update(self) -> None:
        """Refit when the data or model changed, then redraw every output."""
        choice = self._choice()
        self._check(choice)
        self.controls["year"].disabled = choice.model == "panel"
        self._fit(choice)
        coefficients = self.result.coefficients
        height = 1.9 + 0.45 * len(coefficients)  # inches: margins plus a row per KPI
        ax = self._coef.axes((6.8, height), (0.28, 0.75 / height, 0.68, 1 - 1.2 / height))
        plots.coefficient_chart(
            coefficients, standardised=choice.standardise, source=self.source, ax=ax
        )
        self._coef.show()
        self.figure = self._coef.figure
        self.table = self._coefficient_table(coefficients, choice.standardise)
        if choice.model == "cross":
            self._draw_cross(choice)
        else:
            self._scatter.clear()
            self.scatter_figure = self.residuals = self.influence = None
            self._residual_html.value = self._influence_html.value = ""
        self._fit_html.value = self._fit_text(choice)
        shown = self.table.assign(**{"p-värde": [_p_value(p) for p in self.table["p-värde"]]})
        digits = {c: 3 for c in shown.columns if c not in ("Nyckeltal", "p-värde", "VIF")}
        self._table_html.value = _html_table(shown, digits | {"VIF": 1}, raw=["p-värde"])

    def _coefficient_table(self, coefficients: pd.DataFrame, standardise: bool) -> pd.DataFrame:
        beta = standardise and coefficients["beta"].notna().any()
        effect = "Standardiserad effekt" if beta else "Effekt per enhet"
        columns = ("beta", "beta_ci_low", "beta_ci_high") if beta else ("coef", "ci_low", "ci_high")
        table = pd.DataFrame(
            {
                "Nyckeltal": [registry.label(k) for k in coefficients["kpi"]],
                effect: coefficients[columns[0]].to_numpy(),
                "KI 95 % nedre": coefficients[columns[1]].to_numpy(),
                "KI 95 % övre": coefficients[columns[2]].to_numpy(),
                "p-värde": coefficients["p"].to_numpy(),
                "VIF": coefficients["vif"].to_numpy() if "vif" in coefficients else np.nan,
            },
            index=pd.Index(coefficients["kpi"], name="kpi"),
        )
        return table

    def _peers(self, choice: _DriverChoice, table: pd.DataFrame) -> list[str]:
        """Peers to name in the scatter: "Liknande kommuner", else the SKR group."""
        if self._kind == "L":
            return []
        area = self._area or (registry.entry(choice.outcome) or {}).get("area")
        try:
            peers = peer_set(
                choice.municipality, "liknande", groups=self._require_session().groups(), area=area
            )
        except AnalysError:  # no "Liknande kommuner" group in the source: the SKR group
            peers = peer_set(choice.municipality, "skr", groups=_NO_GROUPS)[:10]
        return [p for p in peers if p in table.index]

    def _draw_cross(self, choice: _DriverChoice) -> None:
        expected = self.expected
        ax = self._scatter.axes()
        plots.expected_chart(
            expected.table,
            municipality=choice.municipality,
            peers=self._peers(choice, expected.table),
            kpi=choice.outcome,
            source=self.source,
            ax=ax,
        )
        self._scatter.show()
        self.scatter_figure = self._scatter.figure
        sign = registry.sign(registry.polarity(choice.outcome)) or 1
        ranked = expected.table.assign(score=sign * expected.table["loo_residual"])
        ranked = ranked.sort_values("score", ascending=False, kind="stable")
        self.residuals = pd.DataFrame(
            {
                "Kommun": [reference.title(m) for m in ranked.index],
                "Faktiskt": ranked["actual"],
                "Förväntat": ranked["expected"],
                "Skillnad": ranked["loo_residual"],
                "Placering": np.arange(1, len(ranked) + 1),
            },
            index=ranked.index,
        )
        influence = self.result.influence
        influential = influence[influence["influential"]].sort_values("cooks_d", ascending=False)
        self.influence = pd.DataFrame(
            {
                "Kommun": [reference.title(m) for m in influential.index],
                "Cooks avstånd": influential["cooks_d"],
                "Residual": influential["residual"],
                "Hävstång": influential["leverage"],
            },
            index=influential.index,
        )
        self._residual_html.value = self._residual_text(choice, sign)
        self._influence_html.value = self._influence_text()

    def _residual_text(self, choice: _DriverChoice, sign: int) -> str:
        residuals = self.residuals
        shown = residuals.head(10)
        focus = choice.municipality
        if focus in residuals.index and focus not in shown.index:
            shown = pd.concat([shown, residuals.loc[[focus]]])
        digits = decimals_for(registry.unit(choice.outcome), residuals["Faktiskt"].abs().max())
        heading = "Bättre än förväntat" if sign > 0 else "Bättre än förväntat (lägre är bättre)"
        if registry.polarity(choice.outcome) == "neutral":
            heading = "Högst över förväntat (nyckeltalet har ingen bättre riktning)"
        where = (
            f"{reference.title(focus)}: plats {int(residuals.at[focus, 'Placering'])} av "
            f"{len(residuals)}."
            if focus in residuals.index
            else f"{reference.title(focus)} saknar fullständiga data."
        )
        return (
            f"<b>{heading}</b> – rangordnat efter korsvaliderad residual (faktiskt minus "
            f"förväntat om kommunen lämnats utanför modellen). {html.escape(where)}"
            + _html_table(
                shown, {"Faktiskt": digits, "Förväntat": digits, "Skillnad": digits, "Placering": 0}
            )
        )

    def _influence_text(self) -> str:
        n = self.result.n
        if self.influence.empty:
            return f"<b>Inflytelserika kommuner</b>: inga (Cooks avstånd över 4/n = {number(4 / n, 3)})."
        return (
            f"<b>Inflytelserika kommuner</b> (Cooks avstånd över 4/n = {number(4 / n, 3)}; "
            f"{len(self.influence)} st, de största visas). Kontrollera deras värden innan du "
            "drar slutsatser."
            + _html_table(
                self.influence.head(10), {"Cooks avstånd": 3, "Residual": 2, "Hävstång": 3}
            )
        )

    def _fit_text(self, choice: _DriverChoice) -> str:
        result = self.result
        if choice.model == "cross":
            dropped = len(self.expected.dropped)
            fit = (
                f"Tvärsnitt {choice.year}, {self._population_phrase(choice)}: n = {result.n} "
                f"({dropped} utelämnade för saknade data), R² = {number(result.r2, 2)}, "
                f"justerat R² = {number(result.r2_adj, 2)}. Robusta standardfel (HC3)."
            )
        else:
            fit = (
                f"Panel {result.years[0]}–{result.years[-1]} med fasta effekter för kommun och "
                f"år, {self._population_phrase(choice)}: n = {result.n} observationer, "
                f"{result.n_groups} enheter, R² = {number(result.r2, 2)} (med de fasta "
                "effekterna). Standardfel klustrade per kommun; bara förändringar inom "
                "kommunerna över tid bär skattningarna."
            )
        if choice.log:
            fit += " Logaritmerade: " + ", ".join(registry.label(k) for k in choice.log) + "."
        warnings = list(result.warnings)
        n_units = result.n if choice.model == "cross" else result.n_groups
        if n_units < SMALL_N and not any("Få" in text for text in warnings):
            warnings.append(f"Litet underlag (n = {n_units}): tolka sambanden mycket försiktigt.")
        notes = "".join(f"<li>{html.escape(text)}</li>" for text in warnings)
        return f"<p>{html.escape(fit)}</p><p><i>{html.escape(CAUTION)}</i></p>" + (
            f"<ul style='color:#a50f15'>{notes}</ul>" if notes else ""
        )

    def _clear_outputs(self) -> None:
        self._coef.clear()
        self._scatter.clear()
        self.scatter_figure = self.residuals = self.influence = None
        for widget in (self._fit_html, self._table_html, self._residual_html, self._influence_html):
            widget.value = ""

    def save(self, directory: str | Path | None = None) -> list[Path]:
        """Write the charts (PNG) and tables (CSV of the coefficients, Excel of all).

        Parameters
        ----------
        directory : str or Path, optional
            Default: the explorer's ``save_dir`` (``reports/utforska``).

        Returns
        -------
        list of Path
            ``<name>.png`` (coefficients), ``<name>_spridning.png`` (cross-section),
            ``<name>.csv`` and ``<name>.xlsx`` (sheets Koefficienter, Bättre än förväntat,
            Inflytelserika, Om).
        """
        if self.figure is None or self.table is None:
            raise AnalysError(
                "Det finns inget resultat att spara – välj först något som går att visa."
            )
        choice = self._choice()
        when = str(choice.year) if choice.model == "cross" else "panel"
        stem = _safe_name(f"samband_{choice.outcome}_{when}_{choice.population}")
        pictures = {"": self._coef.figure}
        sheets = {"Koefficienter": self.table}
        if self.scatter_figure is not None:
            pictures["_spridning"] = self._scatter.figure
            sheets["Bättre än förväntat"] = self.residuals
            sheets["Inflytelserika"] = self.influence
        about = {
            "Utfall": _kpi_label(choice.outcome),
            "Förklarande": ", ".join(_kpi_label(k) for k in choice.explanatory),
            "Modell": {value: label for label, value in MODEL_CHOICES}[choice.model],
            "År": when,
            "Population": self._population_phrase(choice),
            "Logaritmerade": ", ".join(choice.log),
            "Varning": CAUTION,
        }
        return self._write(stem, pictures, sheets, about, directory)
