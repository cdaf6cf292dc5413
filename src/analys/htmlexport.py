"""Self-contained HTML from executed notebooks: no CDN scripts, styles or fonts.

nbconvert's ``lab`` template loads require.js, MathJax and mermaid from CDNs and the widget
renderer from unpkg. Reports must open anywhere, offline, so the template used here extends
``lab`` and drops every one of those blocks; images are already embedded as data URIs by
nbconvert. Code is hidden unless asked for (``show_code``); the executed ``.ipynb`` keeps
everything.

One :class:`ReportExporter` is meant to be reused for many notebooks: the first export pays
for template compilation (≈ 0.3 s), later ones cost ≈ 0.05 s (docs/toolchain.md §2(g)).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

#: cells papermill adds or the templates mark as parameters; hidden with the code
PARAMETER_TAGS = ("parameters", "injected-parameters")

_PRINT_CSS = """
<style type="text/css">
/* analys: reading and printing tweaks */
body.jp-Notebook { max-width: 1100px; margin: 0 auto; }
.jp-Cell.jp-mod-noOutputs.jp-CodeCell.analys-hidden-code { display: none; }
@media print {
  body.jp-Notebook { max-width: none; }
  .jp-Cell { break-inside: avoid-page; }
  .jp-RenderedImage img, .jp-OutputArea-output img { max-width: 100% !important; }
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
)
_TEMPLATE_FILE = "analys_offline.html.j2"

#: an attribute value pointing at the network: src=, href=, url(...) with http(s) or //host
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|data)\s*=\s*["']?\s*|url\(\s*["']?|@import\s+["'])"""
    r"""((?:https?:)?//[^"')\s>]+)""",
    re.IGNORECASE,
)


def external_references(html: str) -> list[str]:
    """The URLs in ``html`` that a browser would fetch from the network.

    Finds ``src=``, ``href=``, ``data=``, CSS ``url(...)`` and ``@import`` values starting with
    ``http://``, ``https://`` or ``//``. An empty list means the page is self-contained.
    """
    return sorted(set(_EXTERNAL.findall(html)))


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
        exporter = HTMLExporter(
            template_name="lab",
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
        """Return the HTML page for ``nb`` with ``title`` as the page title."""
        with warnings.catch_warnings():  # the summary mimetype is for machines, not for HTML
            warnings.filterwarnings("ignore", message=".*is not able to be represented")
            body, _ = self._exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        if not self.show_code:
            body = body.replace("jp-mod-noOutputs", "jp-mod-noOutputs analys-hidden-code")
        return body

    def write(self, nb: nbformat.NotebookNode, path: str | Path, *, title: str = "Rapport") -> Path:
        """Write the HTML for ``nb`` to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.to_html(nb, title=title), encoding="utf-8")
        return path
