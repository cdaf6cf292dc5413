"""What both explorers share: constants, HTML tables and legends, figures shown as PNG
in HTML widgets (:class:`Picture`), and the plumbing of an explorer (:class:`Explorer`:
synchronous updates, Swedish messages, Spara)."""

from __future__ import annotations

import base64
import io
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from analys import captions, maps, reference, safe
from analys.chartstyle import (
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    JUDGED,
    NEUTRAL,
    PEERS,
    unhinted_text,
)
from analys.data import check_source
from analys.errors import AnalysError
from analys.format import MISSING, number
from analys.vocabulary import SOURCE_LABELS
from analys.widgets.session import Session

log = logging.getLogger(__name__)

#: Where Spara writes, relative to the working directory, unless ``save_dir`` is given.
SAVE_DIR = Path("reports") / "utforska"
#: Kolada's gender codes as a choice: its K and M are girls and boys in school KPIs
#: (the chart then says which, :func:`analys.registry.gender_words`)
GENDER_CHOICES = [("Totalt", "T"), ("Kvinnor/flickor", "K"), ("Män/pojkar", "M")]
DPI = 100
COLOUR_WORDS = {
    "green": "grön",
    "yellow": "gul",
    "red": "röd",
    "grey": "värde saknas",
    "none": "ingen färg",
    # a neutral KPI: higher or lower than the others, no value judgement
    "high": "högre",
    "middle": "i mitten",
    "low": "lägre",
}
#: Residual degrees of freedom a cross-section needs before the explorer fits it.


def set_options(control: w.Widget, options: list, value: Any) -> None:
    """Give a selection widget new options and a value (ipywidgets resets it otherwise)."""
    control.options = options
    control.value = value


def safe_name(text: str) -> str:
    """An ASCII file-name part: ``Örebro`` becomes ``Orebro``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", text).strip("_")


def _fmt(value: object, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, int | float | np.number):
        return number(float(value), decimals)
    return safe.html_text(str(value))


TABLE_CSS = (
    "<style>.analys-tabell table{border-collapse:collapse;font-size:12px}"
    ".analys-tabell th,.analys-tabell td{padding:2px 8px;text-align:right;"
    "border-bottom:1px solid #e5e5e5}.analys-tabell th{background:#f3f3f3}</style>"
)


def html_table(
    frame: pd.DataFrame, decimals: dict[str, int], index: bool = True, raw: Sequence[str] = ()
) -> str:
    """A compact HTML table with Swedish numbers (decimal comma, – for missing).

    ``raw`` columns already hold HTML and are shown as they are.
    """
    formatters = {c: (lambda v, d=d: _fmt(v, d)) for c, d in decimals.items()}
    formatters |= {c: str for c in raw}
    for column in frame.columns:
        formatters.setdefault(column, _fmt)
    # the index and the headers are not formatted: escape them here (escape=False below)
    formatters = {safe.html_text(c): f for c, f in formatters.items()}
    frame = frame.rename(index=safe.html_text, columns=safe.html_text)
    text = frame.to_html(index=index, formatters=formatters, escape=False, border=0, na_rep=MISSING)
    return f"{TABLE_CSS}<div class='analys-tabell'>{text}</div>"


def tidy(controls: dict[str, w.Widget]) -> None:
    """One description width for every control, so the labels line up and are not cut."""
    for control in controls.values():
        if not isinstance(control, w.Button | w.Checkbox):
            control.style.description_width = "90px"


# -- output: figures as PNG in HTML widgets ------------------------------------------------


def _empty(ax: Axes) -> Axes:
    """``ax`` without anything drawn on it, autoscaling again, ticks kept."""
    drawn = [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.tables]
    drawn += list(ax.artists)  # e.g. the end labels' placers (analys.plots.labels)
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


#: One background thread compresses the explorers' PNGs (see :meth:`Picture.draw`).
_ENCODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analys-png")


def _encode_png(pixels: bytes, size: tuple[int, int]) -> bytes:
    from PIL import Image

    image = Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)  # fast zlib; the PNG is shown at once
    return buffer.getvalue()


class Picture:
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
        self._pending: Future[bytes] | None = None

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
            and list(axes[0].get_position(original=True).bounds) == rect  # maps: aspect
        ):
            return _empty(axes[0])
        self.figure.clear()
        self.figure.set_size_inches(size)
        return self.figure.add_axes(rect)

    def draw(self, key: Hashable = None) -> None:
        """Draw the figure now and start encoding its PNG in the background.

        PIL releases the GIL while it compresses, so the encoding overlaps with whatever the
        explorer draws next; :meth:`publish` waits for it. Text is drawn without hinting:
        on screen it looks the same and it draws a sixth faster.
        """
        safe.literal_text(self.figure)  # a "$" in a shown name is no mathtext
        with unhinted_text():
            self.canvas.draw()
        width, height = self.canvas.get_width_height(physical=True)
        pixels = bytes(self.canvas.buffer_rgba())  # a copy: the canvas is reused
        self._pending = _ENCODER.submit(_encode_png, pixels, (width, height))
        self.key = key

    def publish(self) -> None:
        """Put the PNG started by :meth:`draw` into the widget (waiting for it if need be)."""
        if self._pending is None:
            return
        self.png = self._pending.result()
        self._pending = None
        data = base64.b64encode(self.png).decode("ascii")
        self.widget.value = (
            f'<img src="data:image/png;base64,{data}" alt="{safe.html_text(self.alt)}" '
            'style="max-width:100%;height:auto">'
        )

    def show(self, key: Hashable = None) -> None:
        """Render the figure to PNG and put it in the widget."""
        self.draw(key)
        self.publish()

    def clear(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self.widget.value = ""
        self.png = b""
        self.key = None


# -- the common explorer plumbing ----------------------------------------------------------


class Explorer:
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
        self._session: Session | None = None
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
            text = safe.html_text(self.message).replace("\n", "<br>")
            self._message_html.value = f"<div style='color:#a50f15;font-weight:600'>{text}</div>"
        elif self.notice:
            self._message_html.value = (
                f"<div style='color:#006d2c'>{safe.html_text(self.notice)}</div>"
            )
        else:
            self._message_html.value = ""

    def _require_session(self) -> Session:
        if self._session is None:
            raise AnalysError(f"Ingen data är laddad från källan {SOURCE_LABELS[self.source]}.")
        return self._session

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the explorer shows its UI."""
        return self.ui._repr_mimebundle_(**kwargs)

    # --- Spara --------------------------------------------------------------------------
    def save(self, directory: str | Path | None = None) -> list[Path]:  # pragma: no cover
        raise NotImplementedError

    def _require_result(self) -> None:
        """Raise the Swedish message when there is nothing shown to save."""
        if self.figure is None or self.table is None:
            raise AnalysError(
                "Det finns inget resultat att spara – välj först något som går att visa."
            )

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


# -- HTML pieces: legends and table cells ----------------------------------------------


def _swatch(colour: str, text: str, line: bool = False) -> str:
    shape = "width:18px;height:3px" if line else "width:12px;height:12px"
    return (
        f"<div style='white-space:nowrap'><span style='display:inline-block;{shape};"
        f"background:{colour};margin-right:5px;vertical-align:middle'></span>"
        f"{safe.html_text(text)}</div>"
    )


def map_legend(ax: Any, focus: str, peers: Sequence[str], kind: str) -> str:
    """The map's legend as HTML: quartile colours with counts, missing values, focus, peers."""
    drawn = maps.drawn_colours(ax)
    names = {to_hex(value): name for name, value in COLOURS.items()}
    named = drawn.map(names)
    units = "regioner" if kind == "L" else "kommuner"
    rows = []
    if named.notna().all():  # quartile colours (a neutral KPI: higher/middle/lower)
        rows.append(f"<div style='color:#555'>Jämfört med alla {units}</div>")
        labels = {**COLOUR_LABELS, "none": "Ingen färg (färre än 4 värden)"}
        neutral = bool(named.isin(NEUTRAL).any())
        for name in NEUTRAL if neutral else JUDGED:
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


def colour_cell(word: str) -> str:
    colour = {v: k for k, v in COLOUR_WORDS.items()}.get(word)
    if colour in ("green", "yellow", "red", "high", "middle", "low"):
        return (
            f"<span style='background:{COLOURS[colour]};padding:0 6px;border-radius:3px'>"
            f"{safe.html_text(word)}</span>"
        )
    return safe.html_text(word)
