"""The explorers and the report index as a web app without code: ``analys app``.

A politician or a colleague without JupyterLab opens a web page and gets the trend explorer,
the driver explorer and the rendered reports. The app is Voilà: each page is a small
notebook generated here (a Markdown navigation bar, a Markdown introduction and one code cell
that displays an explorer), rendered with the code stripped. Each visit of a page starts its
own kernel, which loads its data once and keeps it for the session; a bad choice shows the
explorer's own Swedish message, exactly as in JupyterLab.

The pages are a list (:data:`PAGES`); a page whose widget is not (yet) in
:mod:`analys.widgets` – the goal builder – is left out until it exists. Add a page by
appending a :class:`Page`.

Network: it listens on 127.0.0.1 unless ``--host`` says otherwise, runs offline (Voilà serves
the widget JavaScript itself; pages use only the widgets that ship with ipywidgets, so no
third-party module is fetched from a CDN, and no page uses MathJax), and ``--base-url`` lets it
run behind a reverse proxy under a path. Rendered reports (``OUT``, default ``reports/``) are
served read-only under ``voila/files/rapporter/``: HTML, PDF and Excel files only.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analys.captions import DEMO
from analys.data import check_source
from analys.errors import ParamsError
from analys.render.index import read_manifest

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
START = "start"
TEMPLATE = "analys"  # src/analys/app/template: Voilà's lab template without CDN links
REPORTS_LINK = "rapporter"  # the OUT folder inside the app's root
#: what of OUT the app serves (paths relative to the app root)
FILE_ALLOWLIST = [
    rf"{REPORTS_LINK}/.*\.(html|pdf|xlsx)",
    r".*\.(png|jpg|gif|svg)",
]
FILE_DENYLIST = [r".*\.(ipynb|py|json|parquet)"]


@dataclass(frozen=True)
class Page:
    """One page of the app: a notebook with a heading, an introduction and one code cell.

    ``code`` may use ``SOURCE`` (the data source) and ``OUT`` (the reports folder), which the
    app defines before it. ``requires`` names an attribute of :mod:`analys.widgets` the page
    needs; the page is left out while it is missing.
    """

    name: str
    title: str
    intro: str
    code: str
    requires: str | None = None

    def available(self) -> bool:
        """Whether the page can be shown: its widget exists in :mod:`analys.widgets`.

        Checked on the package's export list without importing the widgets (pandas,
        matplotlib), so the server starts fast.
        """
        if self.requires is None:
            return True
        spec = importlib.util.find_spec("analys.widgets")
        if spec is None or spec.origin is None:
            return False
        exported = Path(spec.origin).read_text(encoding="utf-8")
        return re.search(rf"\b{re.escape(self.requires)}\b", exported) is not None


PAGES: list[Page] = [
    Page(
        "trender",
        "Trender",
        "Välj nyckeltal, kommun och jämförelsegrupp. Diagrammet visar kommunens utveckling mot "
        "jämförelsegruppens median med kvartilband och mot riket; tabellen visar värde, rang "
        "och kvartilsfärg per år, och trendmarkören säger om förändringen de fem senaste åren "
        "är statistiskt säker.",
        "from analys.widgets import TrendExplorer\n\n"
        "TrendExplorer(source=SOURCE, save_dir=OUT + '/utforska')",
    ),
    Page(
        "samband",
        "Samband",
        "Vilka strukturella förutsättningar hänger ihop med goda resultat, och vilka kommuner "
        "gör bättre än förutsättningarna ger? *Samband mellan kommuner är inte orsakseffekter.*",
        "from analys.widgets import DriverExplorer\n\n"
        "DriverExplorer(source=SOURCE, area='grundskola', save_dir=OUT + '/utforska')",
    ),
    Page(
        "malbyggare",
        "Målbyggare",
        "Bygg mål och indikatorer för ett område och se direkt hur de bedöms.",
        "from analys.widgets import GoalBuilder\n\nGoalBuilder(source=SOURCE)",
        requires="GoalBuilder",
    ),
    Page(
        REPORTS_LINK,
        "Rapporter",
        "De renderade rapporterna per kommun och område, med målstatus. Öppna en rapport som "
        "webbsida eller PDF, eller hämta kommunens Excel-arbetsbok.",
        "from analys.app import report_list\n\nreport_list(OUT)",
    ),
]


# the pages as notebooks -------------------------------------------------------------------


def _nav(pages: list[Page], current: str) -> str:
    links = [f"[Start]({START}.ipynb)" if current != START else "**Start**"]
    for page in pages:
        links.append(
            f"**{page.title}**" if page.name == current else f"[{page.title}]({page.name}.ipynb)"
        )
    return " · ".join(links)


def _notebook(cells: list[Any]) -> Any:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build_pages(root: Path, pages: list[Page], *, source: str, out: Path) -> list[Page]:
    """Write the start page and every available page into ``root``; return the pages written."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell

    shown = [page for page in pages if page.available()]
    setup = f"SOURCE = {source!r}\nOUT = {str(out)!r}"
    demo = f"\n\n*{DEMO}.*" if source == "demo" else ""
    for page in shown:
        nb = _notebook(
            [
                new_markdown_cell(_nav(shown, page.name)),
                new_markdown_cell(f"# {page.title}\n\n{page.intro}{demo}"),
                new_code_cell(f"{setup}\n\n{page.code}"),
            ]
        )
        nbformat.write(nb, root / f"{page.name}.ipynb")
    items = "\n".join(
        f"- **[{p.title}]({p.name}.ipynb)** – {p.intro.split('. ')[0]}." for p in shown
    )
    start = _notebook(
        [
            new_markdown_cell(_nav(shown, START)),
            new_markdown_cell(
                "# Mål och resultat\n\nFölj upp de politiska målen med nyckeltal från Kolada, "
                f"jämför med andra kommuner och se vad som hänger ihop med goda resultat.\n\n{items}"
                f"{demo}\n\nRåa värden: Källa: Kolada. Bedömningar, färger och trender: Egen "
                "bearbetning av data från Kolada."
            ),
        ]
    )
    nbformat.write(start, root / f"{START}.ipynb")
    return shown


def report_list(out: str | Path) -> Any:
    """The app's report page: every report in ``OUT`` with links to HTML, PDF and Excel.

    Returns an HTML object for display; a Swedish note when nothing has been rendered yet.
    """
    from IPython.display import HTML

    out = Path(out)
    entries = read_manifest(out)
    base = f"../files/{REPORTS_LINK}"
    if not entries:
        return HTML(
            "<p>Inga rapporter ännu. Kör <code>analys demo</code> eller <code>analys render</code>"
            f" (utmapp {html.escape(str(out))}) och ladda om sidan.</p>"
        )
    rows = []
    books = set()
    for entry in sorted(
        entries.values(), key=lambda e: (e["municipality"], e["kind"] != "overview", e["title"])
    ):
        good = entry.get("good_html") or entry.get("html")
        if not good or not (out / good).is_file():
            continue
        links = [f"<a href='{base}/{html.escape(good)}'>Webbsida</a>"]
        pdf = Path(good).with_suffix(".pdf").as_posix()
        if (out / pdf).is_file():
            links.append(f"<a href='{base}/{html.escape(pdf)}'>PDF</a>")
        book = f"{entry['municipality']}/nyckeltal.xlsx"
        if (out / book).is_file():
            books.add(book)
        goals = (entry.get("summary") or {}).get("goals") or {}
        status = ", ".join(
            f"{n} {label.lower()}"
            for key, label in (
                ("met", "Uppfyllda"),
                ("partly", "Delvis"),
                ("not_met", "Ej uppfyllda"),
            )
            if (n := goals.get(key))
        )
        rows.append(
            "<tr>"
            f"<td>{html.escape(str(entry.get('municipality_name') or entry['municipality']))}</td>"
            f"<td>{html.escape(str(entry.get('title', '')))}</td>"
            f"<td>{html.escape(status or '–')}</td>"
            f"<td>{' · '.join(links)}</td></tr>"
        )
    excel = "".join(
        f"<li><a href='{base}/{html.escape(b)}'>Excel-arbetsbok {html.escape(b.split('/')[0])}</a></li>"
        for b in sorted(books)
    )
    return HTML(
        f"<p><a href='{base}/index.html'>Hela rapportindexet</a> (sorterbart, med status för "
        "varje rapport)</p>"
        "<table><thead><tr><th>Kommun/region</th><th>Rapport</th><th>Mål</th><th>Öppna</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        + (f"<ul>{excel}</ul>" if excel else "")
    )


# the server ---------------------------------------------------------------------------------


def normalise_base_url(base_url: str | None) -> str:
    """``analys`` or ``/analys`` → ``/analys/``; ParamsError for a URL that is not a path."""
    text = (base_url or "/").strip()
    if "://" in text or any(c in text for c in "?#\\ \"'<>"):
        raise ParamsError(
            f"--base-url: '{base_url}' är ingen sökväg – ange t.ex. /analys/ (den del av adressen "
            "som den omvända proxyn skickar vidare)"
        )
    return (
        "/" + "/".join(part for part in text.split("/") if part) + ("/" if text.strip("/") else "")
    )


def check_address(host: str, port: int) -> None:
    """ParamsError unless ``port`` is a free port that ``host`` can listen on."""
    if not 1 <= int(port) <= 65535:
        raise ParamsError(f"--port: {port} – ange ett portnummer mellan 1 och 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ParamsError(f"--host: '{host}' är ingen känd adress på den här datorn") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise ParamsError(
                f"--port: {port} på {host} går inte att använda ({error.strerror}) – välj en "
                "annan port"
            ) from None


def _voila_class(reports: Path) -> type:
    from tornado.web import RedirectHandler, StaticFileHandler
    from voila.app import Voila
    from voila.static_file_handler import AllowListFileHandler
    from voila.utils import url_path_join

    follows = (
        "allowed_symlink_directory" in inspect.signature(StaticFileHandler.initialize).parameters
    )

    class AnalysVoila(Voila):
        """Voilà whose root address opens the start page instead of the file tree, and whose
        file handler may follow the ``rapporter`` link to the reports folder (newer tornado
        serves symlinked files only from the directories it is told)."""

        def init_handlers(self) -> list:
            start = url_path_join(self.base_url, f"voila/render/{START}.ipynb")
            handlers = super().init_handlers()
            for handler in handlers:
                if follows and handler[1] is AllowListFileHandler:
                    handler[2]["allowed_symlink_directory"] = [
                        str(Path(self.root_dir).resolve()),
                        str(reports.resolve()),
                    ]
            redirect = (url_path_join(self.server_url, "/?"), RedirectHandler, {"url": start})
            return [redirect, *handlers]

    return AnalysVoila


def install_template(folder: Path) -> Path:
    """Copy the app's Voilà template to ``folder/voila/templates/analys``; add ``folder`` to
    ``JUPYTER_PATH`` so that Voilà finds it. Returns the template folder."""
    target = folder / "voila" / "templates" / TEMPLATE
    shutil.copytree(Path(__file__).with_name("template"), target, dirs_exist_ok=True)
    paths = [str(folder), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    return target


def voila_argv(root: Path, *, host: str, port: int, base_url: str) -> list[str]:
    """The Voilà command line for the app (also what the README's JupyterHub recipe uses)."""
    argv = [
        str(root),
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.base_url={base_url}",
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--Voila.open_browser=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.theme=light",
    ]
    for pattern in FILE_ALLOWLIST:
        argv += ["--VoilaConfiguration.file_allowlist", pattern]
    for pattern in FILE_DENYLIST:
        argv += ["--VoilaConfiguration.file_denylist", pattern]
    return argv


def run_app(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    base_url: str | None = None,
    *,
    source: str = "demo",
    out: str | Path = "reports",
) -> int:
    """``analys app``: serve the pages until interrupted (Ctrl-C), then 0.

    Raises ``ParamsError`` for a bad source, base URL, host or port, before anything starts
    (``analys app`` prints it and exits 2, :mod:`analys.cli.errors`).
    """
    check_source(source)
    base = normalise_base_url(base_url)
    check_address(host, port)
    out = Path(out).resolve()
    work = Path(tempfile.mkdtemp(prefix="analys-app-"))
    root = work / "sidor"
    try:
        root.mkdir()
        install_template(work / "jupyter")
        out.mkdir(parents=True, exist_ok=True)
        (root / REPORTS_LINK).symlink_to(out, target_is_directory=True)
        build_pages(root, PAGES, source=source, out=out)
        shown = "localhost" if host in ("127.0.0.1", "::1") else host
        print(
            f"analys app: öppna http://{shown}:{port}{base} i webbläsaren (Ctrl-C avslutar). "
            f"Rapporterna hämtas från {out}.",
            flush=True,
        )
        _voila_class(out).launch_instance(
            argv=voila_argv(root, host=host, port=port, base_url=base)
        )
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0
