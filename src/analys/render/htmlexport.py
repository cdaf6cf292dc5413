"""Self-contained HTML from executed notebooks: no CDN scripts, styles or fonts.

nbconvert's ``lab`` template loads require.js, MathJax and mermaid from CDNs and the widget
renderer from unpkg. Reports must open anywhere, offline, so the template used here extends
``lab`` and drops every one of those blocks; images are already embedded as data URIs by
nbconvert. Every page gets a Content-Security-Policy ``<meta>`` (no network, no script), and
an export that would still reach outside the page fails loudly
(:class:`ExternalReferenceError`). Of JupyterLab's stylesheet only the rules the page uses
are kept (:mod:`analys.render.pagecss`). Code is hidden unless asked for (``show_code``); the executed ``.ipynb`` keeps
everything.

One :class:`ReportExporter` is meant to be reused for many notebooks: the first export pays
for template compilation, later ones reuse it.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import TagRemovePreprocessor

from analys import safe
from analys.errors import AnalysError
from analys.render.pagecss import prune_page
from analys.safe import external_references

#: cells papermill adds or the templates mark as parameters; hidden with the code
PARAMETER_TAGS = ("parameters", "injected-parameters")

_PRINT_CSS = """
<style type="text/css">
/* analys: reading and printing tweaks */
body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
.jp-RenderedSVG img { max-width: 100%; height: auto; }
.jp-Cell.jp-mod-noOutputs.jp-CodeCell.analys-hidden-code { display: none; }
@media print {
  body.jp-Notebook { max-width: none; }
  .jp-Cell { break-inside: avoid-page; }
  .jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100% !important; height: auto; }
  h1, h2, h3 { break-after: avoid-page; }
  a[href^="#"]::after { content: none; }
}
</style>
"""

_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
    "{%- block html_head_css -%}" + _PRINT_CSS + "{%- endblock html_head_css -%}\n"
    # an image's text alternative from its output's metadata (analys.report.output), in
    # Swedish; nbconvert itself would write "No description has been provided for this image"
    "{% block data_png scoped %}\n"
    '<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">\n'
    "<img src=\"data:image/png;base64,{{ output.data['image/png'] | escape_html }}\" "
    "alt=\"{{ ((output | get_metadata('alt', 'image/png')) or 'Diagram') | escape_html }}\">\n"
    "</div>\n"
    "{%- endblock data_png %}\n"
    # an SVG chart (plots.lines_grid) as an image too: sandboxed, no script or id of it
    # meets the page, with the same Swedish text alternative
    "{% block data_svg scoped %}\n"
    '<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}">\n'
    "<img src=\"data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 }}\" "
    "alt=\"{{ ((output | get_metadata('alt', 'image/svg+xml')) or 'Diagram') | escape_html }}\">\n"
    "</div>\n"
    "{%- endblock data_svg %}\n"
)
_TEMPLATE_FILE = "analys_offline.html.j2"


class ExternalReferenceError(AnalysError):
    """The exported page would reach outside itself (network, ``javascript:``, files)."""

    def __init__(self, references: list[str]) -> None:
        self.references = references
        shown = ", ".join(safe.clean(r, 80) for r in references[:3])
        more = f" och {len(references) - 3} till" if len(references) > 3 else ""
        super().__init__(
            f"HTML-exporten innehåller externa referenser ({shown}{more}) – en rapport ska "
            "öppnas offline utan att hämta något; kontrollera texterna i params-filen"
        )


def with_csp(page: str, scripts: tuple[str, ...] = ()) -> str:
    """``page`` with the Content-Security-Policy ``<meta>`` first in its ``<head>``."""
    head = re.search(r"<head[^>]*>", page, re.IGNORECASE)
    if head is None:
        raise ValueError("the page has no <head>")
    return page[: head.end()] + "\n" + safe.csp_meta(scripts) + page[head.end() :]


def checked(page: str) -> str:
    """``page`` unchanged, or :class:`ExternalReferenceError` when it reaches outside."""
    found = external_references(page)
    if found:
        raise ExternalReferenceError(found)
    return page


def failure_page(title: str, message: str) -> str:
    """A minimal self-contained page saying that a report could not be made, and why."""
    return with_csp(
        '<!DOCTYPE html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{safe.html_text(title, safe.TITLE_LIMIT)}</title></head><body>"
        f'<h1 style="color:#b00020">Rapporten kunde inte skapas</h1>'
        f"<p>{safe.html_text(message)}</p></body></html>"
    )


_FOCUSABLE = re.compile(
    r'<div class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"(?![^>]*\btabindex=)[^>]*'
)
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_NUMERIC_REFERENCE = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")


class _LabExporter(HTMLExporter):
    """nbconvert's ``lab`` exporter without its last step, a BeautifulSoup pass over the
    whole page (a third of an export) that only gives images without a text alternative
    one and makes inputs and outputs focusable (``tabindex="0"``); :func:`_accessible`
    does both on the template's output. The filters are registered as nbconvert does."""

    def from_notebook_node(self, nb, resources=None, **kw):  # noqa: D102
        info = nb.metadata.get("language_info", {})
        lexer = info.get("pygments_lexer", info.get("name", None))
        highlight = self.filters.get(
            "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
        )
        resources = self._init_resources(resources)
        data_type = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_type)
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _accessible(page), resources


def _accessible(page: str) -> str:
    """Inputs and outputs focusable from the keyboard, an ``alt`` on every image, and the
    Markdown's "&#228;" written as "ä" (as the BeautifulSoup pass wrote it)."""
    page = _FOCUSABLE.sub(lambda m: m.group(0) + ' tabindex="0"', page)
    page = _IMG_WITHOUT_ALT.sub('<img alt="Bild"', page)
    return _NUMERIC_REFERENCE.sub(_character, page)


def _character(match: re.Match) -> str:
    """A numeric character reference as its character when that is a printable letter or
    sign beyond ASCII (never "<", "&" or a quote, which stay escaped)."""
    decimal, hexadecimal = match.groups()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code < 0xA0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)
    return chr(code)


class ReportExporter:
    """Executed notebook → one self-contained HTML page (Swedish, offline).

    Parameters
    ----------
    show_code
        Keep code cells (inputs and prompts) in the HTML. By default only outputs and
        Markdown are shown, and the parameter cells are removed entirely.
    """

    def __init__(self, *, show_code: bool = False) -> None:
        self.show_code = show_code
        exporter = _LabExporter(
            template_name="lab",
            # the notebook is validated once, after the preprocessors, not after each one
            optimistic_validation=True,
            extra_loaders=[jinja2.DictLoader({_TEMPLATE_FILE: _TEMPLATE})],
            mathjax_url="",
            require_js_url="",
            widget_renderer_url="",
            exclude_input=not show_code,
            exclude_input_prompt=not show_code,
            exclude_output_prompt=not show_code,
            embed_images=True,
        )
        exporter.template_file = _TEMPLATE_FILE
        if hasattr(exporter, "language_code"):
            exporter.language_code = "sv"
        if not show_code:
            remove = TagRemovePreprocessor(remove_cell_tags=set(PARAMETER_TAGS), enabled=True)
            exporter.register_preprocessor(remove, enabled=True)
        self._exporter = exporter

    def to_html(self, nb: nbformat.NotebookNode, *, title: str = "Rapport") -> str:
        """Return the HTML page for ``nb`` with ``title`` as the page title.

        The page carries a Content-Security-Policy that allows no network and no script (the
        export has none). Raises :class:`ExternalReferenceError` when anything in the page
        would still reach outside it; nothing is written then.
        """
        with warnings.catch_warnings():  # the summary mimetype is for machines, not for HTML
            warnings.filterwarnings("ignore", message=".*is not able to be represented")
            body, _ = self._exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        if not self.show_code:
            body = body.replace("jp-mod-noOutputs", "jp-mod-noOutputs analys-hidden-code")
        return checked(with_csp(prune_page(body)))

    def write(self, nb: nbformat.NotebookNode, path: str | Path, *, title: str = "Rapport") -> Path:
        """Write the HTML for ``nb`` to ``path`` (UTF-8) and return the path.

        Raises :class:`ExternalReferenceError` (and writes nothing) like :meth:`to_html`.
        """
        path = Path(path)
        path.write_text(self.to_html(nb, title=title), encoding="utf-8")
        return path
