"""Shown text made safe: one place for escaping, caps, the CSP and the external-reference check.

Every string that comes from a params file, the KPI registry, Kolada or the analyst's own data
passes through this module on its way to a reader:

- :func:`clean` drops what no reader should get: NUL and other control characters, bidi
  overrides (which can make text read backwards), and lone surrogates (which cannot even be
  written as UTF-8), and caps the length;
- :func:`html_text` escapes for HTML (text and attribute values);
- :func:`markdown_text` escapes for Markdown: HTML, link and image syntax, and bare URLs,
  which nbconvert would otherwise turn into links;
- :class:`Markdown` is IPython's ``Markdown`` display with its whole text escaped so: the report
  and overview write their sentences in Markdown for headings, lists and bold, never for raw
  HTML or links, so escaping the whole text keeps that markup and disarms the rest;
- :func:`styler_cells` makes a pandas Styler escape every cell;
- :func:`terminal_text` strips control characters (ANSI escapes) before text from Kolada is
  printed in a terminal.

Every HTML page the package writes carries :func:`csp_meta`: a Content-Security-Policy that
allows no network at all, inline styles, data: images and fonts, and only the scripts named
by hash. :func:`external_references` finds anything in a page that would reach out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from typing import Any

from IPython.display import Markdown as _IPythonMarkdown

#: longest title, goal title or indicator label shown in a report (``analys check`` warns)
TITLE_LIMIT = 300
#: longest description shown in a report
DESCRIPTION_LIMIT = 3000
#: longest single text (a table cell, a Kolada title, one Markdown output) shown anywhere
TEXT_LIMIT = 20_000
ELLIPSIS = "…"

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# and lone surrogates
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# ANSI escape sequences (CSI … final byte, OSC … BEL/ST) before single control characters
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
# Markdown punctuation that starts a link, image, reference definition or code span
_MARKDOWN_SPECIAL = re.compile(r"([\\`\[\]~])")
# ... and, for a single value, emphasis, headings, tables and strike-through as well
_MARKDOWN_VALUE_SPECIAL = re.compile(r"([\\`\[\]*_#|~])")
_ORDERED_ITEM = re.compile(r"(?m)^(\s*(?:[-*+]\s+)?)(\d+)([.)])")
_URL_COLON = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")


def unsafe_characters(text: str) -> list[str]:
    """Names (Swedish) of the kinds of characters in ``text`` that no reader should get.

    Empty when the text is fine. Used by ``analys check`` to refuse such titles.
    """
    kinds = []
    if "\x00" in text:
        kinds.append("NUL-tecken")
    if _SURROGATE.search(text):
        kinds.append("ensamt surrogattecken (ogiltig Unicode)")
    if re.search(r"[\x01-\x08\x0b-\x1f\x7f-\x9f]", text):
        kinds.append("styrtecken")
    if re.search(r"[\u202a-\u202e\u2066-\u2069]", text):
        kinds.append("tecken som vänder läsriktningen")
    return kinds


def clean(text: Any, limit: int | None = TEXT_LIMIT) -> str:
    """``text`` as a string without unsafe characters, capped at ``limit`` characters.

    Lone surrogates become U+FFFD (so the text can be written as UTF-8), other unsafe
    characters are dropped; a text longer than ``limit`` ends with "…".
    """
    text = "" if text is None else str(text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _UNSAFE.sub("", text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return text


def one_line(text: Any, limit: int | None = TITLE_LIMIT) -> str:
    """A title as one clean line (runs of white space, newlines included, become one space)."""
    return clean(" ".join(str("" if text is None else text).split()), limit)


def html_text(text: Any, limit: int | None = TEXT_LIMIT) -> str:
    """``text`` cleaned and escaped for HTML content and quoted attribute values."""
    return html.escape(clean(text, limit), quote=True)


def _disarm_markdown(text: str, special: re.Pattern[str] = _MARKDOWN_SPECIAL) -> str:
    text = html.escape(text, quote=False)
    text = special.sub(r"\\\1", text)
    # nbconvert turns bare URLs into links; an entity for the colon keeps them text
    return _URL_COLON.sub(r"\1&#58;", text)


def markdown_text(text: Any, limit: int | None = TEXT_LIMIT) -> str:
    """One value for a Markdown sentence: cleaned, on one line, HTML and links disarmed.

    Emphasis characters (``*``, ``_``) are escaped too, so the value reads exactly as written.
    """
    value = " ".join(clean(text, limit).split())
    value = _disarm_markdown(value, _MARKDOWN_VALUE_SPECIAL)
    return re.sub(r"^([-+>]|\d+[.)])", r"\\\1", value)


class Markdown(_IPythonMarkdown):
    """IPython's ``Markdown`` display with the whole text made safe.

    Headings, lists, bold and italics work as usual; raw HTML shows as text, and link and
    image syntax, reference definitions, code spans and bare URLs show as text too, so
    nothing in a shown string can run a script or fetch from the network.
    """

    def __init__(self, data: str | None = None, *, metadata: dict | None = None) -> None:
        # IPython would read a text starting with "http" as a URL to fetch, or an existing
        # path as a file to read: the text is set after construction, so it is only text
        super().__init__(data=None, metadata=metadata)
        text = "" if data is None else _disarm_markdown(clean(data))
        # our Markdown has no numbered lists: a value starting a line cannot begin one
        self.data = _ORDERED_ITEM.sub(r"\1\2\\\3", text)


def styler_cells(styler: Any) -> Any:
    """``styler`` with every cell (and column header) cleaned, capped and HTML-escaped."""

    def cell(value: Any) -> Any:
        return html_text(value) if isinstance(value, str) else value

    return styler.format(cell, escape=None).format_index(cell, axis="columns")


def terminal_text(text: Any, limit: int | None = TEXT_LIMIT) -> str:
    """One printed line with text from Kolada: no ANSI escapes or control characters.

    Line breaks and tabs inside become spaces (so a value cannot forge further lines);
    other spacing is kept, so aligned columns stay aligned.
    """
    text = _ANSI.sub("", "" if text is None else str(text))
    return clean(re.sub(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]", " ", text), limit)


def literal_text(figure: Any) -> Any:
    """``figure`` with every text drawn as written: no mathtext, so "$" is a dollar sign.

    Our charts use no mathtext; a title such as "Kostnad $x^$" would otherwise stop the
    drawing with a parse error. Call it just before the figure is drawn.
    """
    from matplotlib.text import Text

    for text in figure.findobj(Text):
        text.set_parse_math(False)
    return figure


# -- Content-Security-Policy and the external-reference check --------------------------------


def script_hash(script: str) -> str:
    """The CSP source expression (``'sha256-…'``) that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(scripts: tuple[str, ...] = ()) -> str:
    """No network, no plugins, no forms; inline styles, data: images and fonts.

    ``scripts`` are the page's own inline scripts, allowed by hash; without them no script
    runs at all.
    """
    script_src = " ".join(script_hash(s) for s in scripts) if scripts else "'none'"
    return (
        "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
        f"script-src {script_src}; base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def csp_meta(scripts: tuple[str, ...] = ()) -> str:
    """The ``<meta http-equiv="Content-Security-Policy">`` element for a page."""
    policy = content_security_policy(scripts)
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'


#: attributes whose value a browser loads or navigates to
_URL_ATTRIBUTES = {
    "src",
    "href",
    "data",
    "action",
    "formaction",
    "poster",
    "background",
    "srcset",
    "xlink:href",
    "manifest",
    "ping",
    "cite",
    "longdesc",
    "codebase",
    "archive",
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
_SAFE_URL = re.compile(r"^\s*(data:|#)", re.I)
_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.-]*):", re.I)


def _outward(url: str, *, loads: bool) -> bool:
    """Whether ``url`` reaches outside the page: a scheme other than data:, or //host.

    Relative links (another report in the folder) are fine for ``href``; anything that
    ``loads`` (``src`` and the like) must be a data: URL or a fragment.
    """
    url = html.unescape(url).strip()
    if not url or _SAFE_URL.match(url):
        return False
    if url.startswith(("//", "\\\\", "/\\", "\\/")) or _SCHEME.match(url):
        return True
    return loads


class _ReferenceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            name = name.lower()
            if name == "style":
                self._css(value)
            elif name == "http-equiv" and value.lower() == "refresh":
                self.found.append("meta refresh")
            elif name in _URL_ATTRIBUTES:
                urls = [u.split()[0] for u in value.split(",") if u.strip()]
                urls = urls if name == "srcset" else [value]
                loads = tag == "link" or name not in ("href", "xlink:href", "cite", "longdesc")
                self.found += [u.strip() for u in urls if _outward(u, loads=loads)]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for match in _CSS_URL.finditer(css):
            url = match.group(2) if match.group(2) is not None else match.group(4)
            if _outward(url or "", loads=True):
                self.found.append(url.strip())


def external_references(page: str) -> list[str]:
    """The URLs in an HTML page that a browser would fetch or navigate to outside it.

    Parses the page (text that merely mentions a URL does not count) and looks at every
    URL-valued attribute, inline ``style`` attributes and ``<style>`` blocks (``url()``,
    ``@import``) and ``meta refresh``. Fine: data: URLs, ``#fragments`` and, for links,
    relative paths (the next report in the folder). An empty list means self-contained.
    """
    finder = _ReferenceFinder()
    finder.feed(page)
    finder.close()
    return sorted(set(finder.found))
