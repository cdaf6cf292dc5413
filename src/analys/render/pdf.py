"""Reports as PDF for the committee papers (``analys render … --pdf``).

The self-contained HTML report (:mod:`analys.render.htmlexport`) is printed by the system Chromium in
headless mode through Playwright, so the PDF shows exactly what the HTML shows, with text that
can be selected and searched and the fonts embedded (Chromium embeds subsets of every font it
uses). Nothing is downloaded: Playwright drives ``/usr/bin/chromium`` (or ``$ANALYS_CHROMIUM``)
and every request that is not a local file is aborted, so the page is printed offline.

Layout, added as print CSS on top of the report's own (:data:`PRINT_CSS`):

* A4 portrait; each page has a header with municipality, area and year and a footer with the
  page number ("Sida 3 av 9") and, for demo data, the demo watermark line
  ("Demodata – syntetiska värden, inte verklig statistik"), plus a faint diagonal DEMODATA;
* each section (a ``##`` heading) starts on a new page; tables, table rows and figures are
  never cut across a page; wide tables wrap their text to the page width.

One :class:`PdfPrinter` holds one browser and is reused for every report of a render worker.
Playwright's synchronous API must stay on the thread that started it and must not meet a
running asyncio loop (papermill/nbclient run one), so the printer owns a private thread and
every call is handed to it.
"""

from __future__ import annotations

import html
import os
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analys.captions import DEMO
from analys.errors import ParamsError

CHROMIUM_ENV = "ANALYS_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
#: Chromium switches for a quiet, offline, headless print
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
)
#: page margins: room above and below for the header and footer Chromium draws
MARGINS = {"top": "20mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
#: seconds a page may take to load and print
TIMEOUT = 120

PRINT_CSS = """
@page { size: A4 portrait; }
html, body { background: #fff !important; }
body.jp-Notebook, body { max-width: none !important; margin: 0 !important; padding: 0 !important;
  font-size: 10pt; overflow: visible !important; }
main, .jp-Notebook, .jp-Cell, .jp-Cell-outputWrapper, .jp-Cell-outputArea, .jp-OutputArea,
.jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedHTMLCommon {
  overflow: visible !important; max-width: 100% !important; }
.jp-Cell { padding: 0 !important; }
.jp-OutputArea-prompt, .jp-InputPrompt { display: none !important; }
/* a section starts on a new page (not the first, which follows the title), also one whose
   heading its code cell writes first (the area report's "8. Enheter") */
.jp-MarkdownCell:has(h2) ~ .jp-MarkdownCell:has(h2),
.jp-MarkdownCell:has(h2) ~ .jp-CodeCell:has(.jp-OutputArea-child:first-child h2:first-child) {
  break-before: page; }
h1, h2, h3, h4 { break-after: avoid-page; break-inside: avoid-page; }
/* tables and figures are never cut across pages */
table, tr, img, svg, figure, .jp-RenderedImage, .jp-RenderedSVG, .analys-demo,
.analys-caption { break-inside: avoid-page; }
thead { display: table-header-group; }
table { width: 100% !important; max-width: 100% !important; table-layout: auto !important;
  font-size: 8pt !important; border-collapse: collapse; }
th, td { overflow-wrap: anywhere; word-break: normal; white-space: normal !important;
  hyphens: auto; padding: 2px 4px !important; }
img { max-width: 100% !important; height: auto !important; }
a[href]::after { content: none !important; }
"""

WATERMARK_CSS = """
body::after { content: "DEMODATA"; position: fixed; top: 45%; left: 8%; z-index: 1000;
  font-size: 90pt; font-weight: 700; color: rgba(215, 25, 28, 0.10); transform: rotate(-35deg);
  pointer-events: none; }
"""

_BAND = (
    "<div style='font-family: sans-serif; font-size: 8px; color: #444; width: 100%; "
    "margin: 0 15mm; display: flex; justify-content: space-between; gap: 8mm;'>"
    "<span>{left}</span><span>{right}</span></div>"
)


def chromium_path() -> str | None:
    """The Chromium to print with: ``$ANALYS_CHROMIUM``, else ``/usr/bin/chromium`` or PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def check_pdf_support() -> str:
    """The Chromium path, or ``ParamsError`` (exit 2) saying how to get one."""
    path = chromium_path()
    if path is None:
        where = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
        raise ParamsError(
            f"--pdf: Chromium saknas ({where}) – installera det (t.ex. apt-get install "
            f"chromium) eller ange sökvägen i ${CHROMIUM_ENV}"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise ParamsError(
            "--pdf: Python-paketet playwright saknas – installera om analys (make .venv/.installed)"
        ) from None
    return path


@dataclass(frozen=True)
class PageHeader:
    """What the running header and footer of every page say."""

    municipality: str  # the name, e.g. "Örebro"
    title: str  # the area (or "Översikt – alla områden")
    year: str  # e.g. "2024"; "" when the report uses each KPI's latest year
    demo: bool = False

    def header_html(self) -> str:
        left = f"{self.municipality} – {self.title}"
        right = f"År {self.year}" if self.year else "Senaste år med data"
        return _BAND.format(left=html.escape(left), right=html.escape(right))

    def footer_html(self) -> str:
        left = html.escape(DEMO) if self.demo else "Källa: Kolada · Egen bearbetning"
        right = "Sida <span class='pageNumber'></span> av <span class='totalPages'></span>"
        return _BAND.format(left=left, right=right)


def with_print_css(page_html: str, *, demo: bool = False) -> str:
    """``page_html`` with the print CSS (and the demo watermark) as the last style in its head.

    Injected into the document itself rather than by script, because the printer runs with
    JavaScript off; the printer's browser context ignores the report's Content-Security-Policy
    (``bypass_csp``) so that this one extra style applies whatever the policy says.
    """
    css = PRINT_CSS + (WATERMARK_CSS if demo else "")
    tag = f'<style type="text/css" id="analys-print">{css}</style>'
    at = page_html.lower().rfind("</head>")
    if at < 0:
        return tag + page_html
    return page_html[:at] + tag + page_html[at:]


def _block_network(route: Any) -> None:
    """Let local files through; abort everything else (the printer works offline)."""
    if route.request.url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        route.abort()


class PdfPrinter:
    """Print HTML files to PDF with one headless Chromium, reused across calls.

    Parameters
    ----------
    executable
        The Chromium binary; default :func:`chromium_path`.

    Use as a context manager or call :meth:`close`. :meth:`start` launches the browser in the
    background (a render worker calls it while its kernel warms up).
    """

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or chromium_path()
        if self.executable is None:
            check_pdf_support()  # raises the Swedish message
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analys-pdf")
        self._playwright: Any = None
        self._browser: Any = None
        self._started: Future | None = None

    # everything below _launch/_print/_stop runs on the printer's own thread
    def _launch(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        from playwright.sync_api import sync_playwright

        if self._playwright is None:
            self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=self.executable, headless=True, args=list(CHROMIUM_ARGS)
        )

    def _print(self, source: Path, target: Path, header: PageHeader) -> Path:
        self._launch()
        url = source.resolve().as_uri()
        page_html = with_print_css(source.read_text(encoding="utf-8"), demo=header.demo)
        context = self._browser.new_context(java_script_enabled=False, bypass_csp=True)
        try:
            context.route("**/*", _block_network)
            context.route(
                url,
                lambda route: route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=page_html
                ),
            )
            page = context.new_page()
            page.set_default_timeout(TIMEOUT * 1000)
            page.goto(url, wait_until="load")
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            page.pdf(
                path=str(tmp),
                format="A4",
                landscape=False,
                print_background=True,
                display_header_footer=True,
                header_template=header.header_html(),
                footer_template=header.footer_html(),
                margin=MARGINS,
                outline=True,
                tagged=True,
            )
            os.replace(tmp, target)
        finally:
            context.close()
        return target

    def _stop(self) -> None:
        try:
            if self._browser is not None:
                self._browser.close()
        finally:
            self._browser = None
            if self._playwright is not None:
                self._playwright.stop()
                self._playwright = None

    # the public face, callable from any thread
    def start(self) -> None:
        """Launch the browser in the background; :meth:`print` waits for it."""
        if self._started is None:
            self._started = self._thread.submit(self._launch)

    def print(self, source: str | Path, target: str | Path, header: PageHeader) -> Path:
        """Print the HTML file ``source`` to the PDF ``target`` (written atomically).

        Raises whatever Playwright raises when the page cannot be printed; a browser that
        crashed is relaunched for the next call.
        """
        if self._started is not None:
            try:
                self._started.result()
            except Exception:  # noqa: BLE001 – _print relaunches and raises the real reason
                pass
            self._started = None
        return self._thread.submit(self._print, Path(source), Path(target), header).result()

    def close(self) -> None:
        """Close the browser and the printer's thread."""
        try:
            self._thread.submit(self._stop).result(timeout=30)
        except Exception:  # noqa: BLE001 – closing must never hide the render's own result
            pass
        self._thread.shutdown(wait=False)

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def print_pdf(source: str | Path, target: str | Path, header: PageHeader) -> Path:
    """Print one HTML file to PDF with a browser of its own (for single use and tests)."""
    with PdfPrinter() as printer:
        return printer.print(source, target, header)
