"""Hostile strings everywhere a reader sees them.

The corpus is ``tests/hostile/strings.yaml``. Every accepted string goes into every text field
of generated params files (area title, description, goal titles, indicator labels) and into a
Kolada group title served by the fake Kolada server; the reports, the overview and the index
are rendered and opened in headless Chromium, with and without their Content-Security-Policy:
no dialog may open and no request may leave the page. Each refused string gives one Swedish
line and exit code 2 from ``analys check`` and ``analys render``. The cheaper layers (the
escaping helpers, Styler tables, the index, the explorers' HTML, the external-reference check,
terminal output) are tested one by one with the whole corpus.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pandas as pd
import pytest
import yaml
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from test_render import make_job

from analys import catalogue, goals, render, safe
from analys.cli import main
from analys.render import index
from analys.render.engine import Renderer, _atomic_write_text
from analys.render.htmlexport import ExternalReferenceError, ReportExporter
from analys.report import table_style
from analys.safe import external_references

ROOT = Path(__file__).resolve().parents[2]
CORPUS = yaml.safe_load((ROOT / "tests" / "hostile" / "strings.yaml").read_text(encoding="utf-8"))
LONG = "Å" * 200_000  # a 200 000-character title without a space to break at
RENDERED = [(c["id"], LONG if c["id"] == "long_word" else c["text"]) for c in CORPUS["rendered"]]
REFUSED = [(c["id"], c["text"], c["kind"]) for c in CORPUS["refused"]]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DISCARD = "127.0.0.1:9"  # where the corpus points its external references
FIELDS = ("title", "description", "goals[0].title", "goals[0].indicators[0].label")
HOSTILE_GROUP = "G999001"

# tags the escaped output may contain: what our own Markdown, tables and pages produce
ALLOWED_TAGS = {
    "a", "b", "body", "br", "code", "div", "em", "footer", "h1", "h2", "h3", "head", "html",
    "i", "img", "li", "main", "meta", "p", "script", "span", "strong", "style", "table", "tbody",
    "td", "th", "thead", "title", "tr", "ul", "ol", "hr", "pre", "label", "input", "button",
}  # fmt: skip


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def assert_inert(page: str, *, scripts: int = 0, where: str = "") -> None:
    """No tag, attribute or URL in ``page`` that a hostile string could have brought in."""
    found = tags(page)
    assert {t for t, _ in found} <= ALLOWED_TAGS, (where, {t for t, _ in found} - ALLOWED_TAGS)
    for tag, attrs in found:
        handlers = [a for a in attrs if a.lower().startswith("on")]
        assert not handlers, (where, tag, attrs)
        for name in ("href", "src"):
            value = attrs.get(name) or ""
            assert not value.lower().lstrip().startswith("javascript:"), (where, tag, attrs)
    assert sum(t == "script" for t, _ in found) == scripts, where
    assert external_references(page) == [], where
    assert "alert(" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)), where


# -- the escaping helpers, one string at a time --------------------------------------------


@pytest.mark.parametrize(("name", "text"), RENDERED, ids=[n for n, _ in RENDERED])
def test_markdown_with_a_hostile_value_renders_as_text(name: str, text: str):
    text = safe.one_line(text)  # as a title reaches the report (goals caps it)
    own = f"# {text} – Örebro\n\n{text} och **fetstil**.\n\n- {text}\n- punkt"
    page = markdown2html_mistune(safe.Markdown(own).data)
    assert_inert(page, where=name)
    assert "<strong>fetstil</strong>" in page and page.count("<li>") == 2  # our markup works
    value = markdown2html_mistune(f"Målet {safe.markdown_text(text)} är uppfyllt.")
    assert_inert(value, where=name)
    assert value.count("<p>") == 1 and "<strong>" not in value and "<h1" not in value


@pytest.mark.parametrize(("name", "text"), RENDERED, ids=[n for n, _ in RENDERED])
def test_html_text_and_styler_tables_escape_every_cell(name: str, text: str):
    assert tags(f"<p>{safe.html_text(text)}</p>") == [("p", {})]
    attribute = tags(f"<a title='{safe.html_text(text)}' href='#x'>x</a>")
    assert attribute == [("a", {"title": safe.clean(text), "href": "#x"})]
    frame = pd.DataFrame({"Indikator": [text], "Motivering": [f"{text} (skäl)"]})
    page = table_style(frame).to_html()
    assert_inert(page, where=name)
    assert len(safe.clean(text)) <= safe.TEXT_LIMIT


def test_markdown_text_is_never_fetched_or_read_as_a_file(tmp_path: Path):
    (tmp_path / "hemlig.txt").write_text("HEMLIGT", encoding="utf-8")
    url = safe.Markdown("http://127.0.0.1:9/fetch-me")
    assert url.url is None and "127.0.0.1" in url.data
    path = safe.Markdown(str(tmp_path / "hemlig.txt"))
    assert path.filename is None and "HEMLIGT" not in path.data


@pytest.mark.parametrize(("name", "text", "kind"), REFUSED, ids=[n for n, _, _ in REFUSED])
def test_unsafe_characters_are_named_and_cleaned(name: str, text: str, kind: str):
    assert any(kind in found for found in safe.unsafe_characters(text))
    cleaned = safe.clean(text)
    assert not safe.unsafe_characters(cleaned)
    cleaned.encode("utf-8")  # writable
    assert "före" in cleaned or "fil" in cleaned or cleaned.startswith("a")
    terminal = safe.terminal_text(text)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", terminal)


def test_clean_caps_long_text_and_one_line_joins_lines():
    assert len(safe.clean(LONG, 300)) == 300 and safe.clean(LONG, 300).endswith("…")
    assert safe.one_line("a\n\n# b\r\n  c") == "a # b c"
    assert safe.terminal_text("\x1b[31mRÖD\x1b[0m\x1b]0;titel\x07 kvar\nrad") == "RÖD kvar rad"


# -- the external-reference check and the CSP ----------------------------------------------

#: corpus strings that, written into a page unescaped, reach outside it
REACHING = [
    "md_image",
    "img_external",
    "img_srcset",
    "link_css",
    "style_import",
    "style_attr",
    "protocol_relative",
    "meta_refresh",
    "base_href",
    "object_data",
    "form_action",
    "iframe_js",
]


@pytest.mark.parametrize("name", REACHING)
def test_external_references_finds_what_a_raw_string_would_fetch(name: str):
    text = dict(RENDERED)[name]
    raw = markdown2html_mistune(text) if name == "md_image" else text
    assert external_references(f"<html><body>{raw}</body></html>"), name
    assert external_references(f"<html><body>{safe.html_text(text)}</body></html>") == []


def test_relative_links_fragments_and_data_urls_are_not_external():
    page = (
        "<a href='grundskola.html'>r</a><a href='#mal'>m</a><img src='data:image/png;base64,AA'>"
        "<style>.x{background:url(data:image/svg+xml;base64,AA)}</style><p>http://a.b/c</p>"
    )
    assert external_references(page) == []
    assert external_references("<img src='bild.png'>") == ["bild.png"]  # loads a file


def _notebook(*outputs: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=o) for o in outputs]
    nb.cells = [nbformat.v4.new_markdown_cell("## Rubrik"), cell]
    return nb


@pytest.fixture(scope="module")
def exporter() -> ReportExporter:
    return ReportExporter()


@pytest.mark.parametrize("show_code", [False, True])
def test_export_is_the_page_nbconvert_would_write(show_code):
    """The export skips nbconvert's last BeautifulSoup pass (alt texts and ``tabindex``) and
    does those itself: the page is the same document as nbconvert's own exporter writes."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    hostile = '<script>alert("x")</script> & "Ö"'
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    nb = _notebook(
        {"text/markdown": f"**{safe.html_text(hostile)}**", "text/plain": "x"},
        {"text/html": f"<table><tr><td>{safe.html_text(hostile)}</td></tr></table>"},
        {"image/svg+xml": svg, "text/plain": "Diagram"},
        {"text/plain": "bara text"},
    )
    nb.cells.append(nbformat.v4.new_code_cell("print(1)", outputs=[]))
    nb.cells.append(nbformat.v4.new_markdown_cell("## Jämförelse &lt; 5 &#60; ≥ &#x2265;"))
    ours = ReportExporter(show_code=show_code)
    stock = ReportExporter(show_code=show_code)
    stock._exporter.__class__ = HTMLExporter  # nbconvert's from_notebook_node, with its pass
    page, expected = ours.to_html(nb, title="Titel"), stock.to_html(nb, title="Titel")
    assert page.count('tabindex="0"') == expected.count('tabindex="0"') >= 5
    normal = [str(BeautifulSoup(p, features="html.parser")) for p in (page, expected)]
    assert normal[0] == normal[1]
    assert "Jämförelse" in page and "&#228;" not in page  # letters as letters
    assert "&lt; 5 &lt;" in page or "&lt; 5 &#60;" in page  # markup-significant: escaped
    bare = _notebook({"text/html": "<p><img src='data:image/png;base64,AAAA'></p>"})
    assert '<img alt="Bild" src=' in ours.to_html(bare)  # Swedish, never nbconvert's English


def test_export_has_a_csp_and_fails_loudly_on_an_external_reference(exporter, tmp_path):
    page = exporter.to_html(_notebook({"text/markdown": "**ok**"}), title="<b>Titel</b>")
    head = page[: page.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<style")
    assert "default-src 'none'" in head and "script-src 'none'" in head
    assert "<title>&lt;b&gt;Titel&lt;/b&gt;</title>" in head
    assert "<script" not in page  # the export needs no script at all
    bad = _notebook({"text/html": "<img src='https://127.0.0.1:9/x.png'>"})
    with pytest.raises(ExternalReferenceError, match="externa referenser"):
        exporter.to_html(bad)
    target = tmp_path / "rapport.html"
    with pytest.raises(ExternalReferenceError):
        exporter.write(bad, target)
    assert not target.exists()


def test_page_title_is_escaped_for_every_string(exporter):
    nb = _notebook({"text/markdown": "text"})
    for name, text in RENDERED:
        page = exporter.to_html(nb, title=safe.one_line(text))
        head = page[: page.index("</head>")]
        assert_inert(head, where=name)
        assert len(re.findall("<title>", head)) == 1, name


def test_a_report_with_an_external_reference_is_written_as_failed(tmp_path: Path):
    job = make_job(
        tmp_path / "1880", "kultur", "Kultur", template=ROOT / "notebooks" / "omrade.ipynb"
    )
    (tmp_path / "1880").mkdir()
    renderer = Renderer()  # no kernel is started: _write only exports and writes
    nb = _notebook({"text/html": "<link rel=stylesheet href='http://127.0.0.1:9/x.css'>"})
    with pytest.raises(ExternalReferenceError):
        renderer._write(job, nb, "")
    assert list((tmp_path / "1880").iterdir()) == []  # nothing half-written
    written = renderer._write(job, nb, "HTML-exporten innehåller externa referenser")
    assert written == [job.failed_ipynb, job.failed_html]
    failed = Path(job.failed_html).read_text(encoding="utf-8")
    assert "Rapporten kunde inte skapas" in failed and external_references(failed) == []
    assert "Content-Security-Policy" in failed


def test_a_render_whose_page_reaches_outside_is_reported_failed(tmp_path: Path):
    job = make_job(tmp_path, "kultur", "Kultur", template=ROOT / "notebooks" / "omrade.ipynb")
    renderer = Renderer()
    nb = _notebook({"text/html": "<img src='http://127.0.0.1:9/x.png'>"})
    renderer._execute = lambda job, scratch: nb  # as if the kernel had run it
    result = renderer.run(job)
    assert result.status == "failed" and "externa referenser" in result.error
    assert "127.0.0.1:9/x.png" in result.error
    assert not Path(job.html).exists() and Path(job.failed_html).is_file()
    assert external_references(Path(job.failed_html).read_text(encoding="utf-8")) == []


def test_atomic_write_of_unwritable_text_leaves_no_temp_file(tmp_path: Path):
    target = tmp_path / "rapport.ipynb"
    with pytest.raises(UnicodeEncodeError):
        _atomic_write_text(target, "titel \ud800")
    assert list(tmp_path.iterdir()) == []


# -- the index -------------------------------------------------------------------------------


def test_index_escapes_hostile_titles_names_and_errors(tmp_path: Path):
    entries = {}
    for i, (_name, text) in enumerate(RENDERED):
        key = f"1880/fientlig_{i}"
        (tmp_path / "1880").mkdir(exist_ok=True)
        (tmp_path / "1880" / f"fientlig_{i}.html").write_text("x", encoding="utf-8")
        entries[key] = {
            "municipality": "1880",
            "municipality_name": text,
            "area": f"fientlig_{i}",
            "title": text,
            "kind": "area",
            "status": "failed" if i % 2 else "ok",
            "error": text,
            "html": f"1880/fientlig_{i}.html",
            "ipynb": f"1880/fientlig_{i}.ipynb",
            "source": text,
            "rendered": text,
            "summary": {
                "year": 2024,
                "preliminary": text if i % 2 else 2024,  # a hostile one, and the star
                "source": "demo",
                "demo": True,
                "goals": {"met": 1},
            },
        }
    page = index.write_index(tmp_path, entries).read_text(encoding="utf-8")
    assert_inert(page, scripts=1, where="index")
    assert ">2024*<" in page and "preliminärt år" in page
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    assert meta and safe.script_hash(script) in meta.group(1)
    script_src = re.search(r"script-src ([^;]+)", meta.group(1)).group(1)
    assert "default-src 'none'" in meta.group(1) and "unsafe" not in script_src


# -- the explorers' HTML ------------------------------------------------------------------------


def _html_values(widget) -> list[str]:
    import ipywidgets as w

    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found += _html_values(child)
    return found


def test_explorers_escape_hostile_names_labels_and_messages(monkeypatch: pytest.MonkeyPatch):
    from analys import reference, registry
    from analys.widgets import DriverExplorer, TrendExplorer
    from analys.widgets.common import html_table

    hostile = " ¦ ".join(text for _, text in RENDERED if len(text) < 200)
    monkeypatch.setattr(reference, "title", lambda code: f"{hostile} {code}")
    real_label = registry.label
    monkeypatch.setattr(registry, "label", lambda kpi: f"{real_label(kpi)} {hostile}")
    trend = TrendExplorer(source="demo", municipality="1880")
    drivers = DriverExplorer(source="demo", area="grundskola")
    drivers.message = hostile
    drivers._show_message()
    values = _html_values(trend.ui) + _html_values(drivers.ui)
    assert sum("alert(" in v for v in values) >= 3  # the hostile text is shown …
    for value in values:
        assert_inert(value, where="explorer")  # … as text
    table = pd.DataFrame({text: [text] for _, text in RENDERED[:10]}, index=[RENDERED[0][1]])
    assert_inert(html_table(table, {}), where="html_table")


# -- analys check and render: refused and long texts ---------------------------------------


def _params(title: str, description: str, goal: str, label: str, **extra) -> dict:
    return {
        "area": "fientlig",
        "title": title,
        "description": description,
        "municipality": "1880",
        "source": "demo",
        "peers": "skr",
        "goals": [
            {
                "id": "mal",
                "title": goal,
                "indicators": [
                    {"kpi": "N09809", "label": label, "target": {"peers_quantile": 0.75}}
                ],
            }
        ],
        **extra,
    }


def _write_params(folder: Path, params: dict) -> Path:
    """``params`` as a YAML file (JSON is YAML; it escapes what UTF-8 cannot hold)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{params['area']}.yaml"
    ascii_only = any(safe.unsafe_characters(text) for text in _texts(params))
    path.write_text(json.dumps(params, ensure_ascii=ascii_only, indent=1), encoding="utf-8")
    return path


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [t for item in value for t in _texts(item)] if isinstance(value, list) else []


@pytest.mark.parametrize(("name", "text", "kind"), REFUSED, ids=[n for n, _, _ in REFUSED])
def test_check_refuses_unsafe_characters_in_every_text_field(tmp_path, capsys, name, text, kind):
    for field in FIELDS:
        texts = {f: "Vanlig text" for f in FIELDS} | {field: text}
        path = _write_params(tmp_path / field, _params(*(texts[f] for f in FIELDS)))
        assert main(["check", str(path)]) == 2, (name, field)
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 2 and err[1].startswith("1 problem"), err
        assert f"{field}: texten innehåller" in err[0] and kind in err[0], err
        assert "Traceback" not in err[0] and len(err[0]) < 300


def test_render_refuses_a_nul_title_before_writing_anything(tmp_path, capsys):
    path = _write_params(tmp_path / "params", _params("Kultur\0", "b", "c", "d"))
    out = tmp_path / "ut"
    assert main(["render", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "title: texten innehåller NUL-tecken" in err[0]
    assert not out.exists() or not any(out.rglob("*"))


def test_check_warns_about_a_long_title_and_the_area_caps_it(tmp_path, capsys):
    long = "A" * 200_000  # ASCII: four of them stay under the 1 MB cap on params files
    path = _write_params(tmp_path, _params(long, long, long, long))
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 4 and all("200 000 tecken" in w for w in warnings), warnings
    assert all(len(w) < 300 for w in warnings) and captured.out.startswith("OK")
    area = goals.load_area(path)
    assert len(area.title) == safe.TITLE_LIMIT and area.title.endswith("…")
    assert len(area.goals[0].title) == safe.TITLE_LIMIT
    assert len(area.goals[0].indicators[0].name) == safe.TITLE_LIMIT
    assert len(area.description) == safe.DESCRIPTION_LIMIT


def test_area_and_evaluation_html_in_jupyter_escape_every_string(tmp_path):
    from analys import demo
    from analys.fulfilment import evaluate

    for i, chunk in enumerate(_chunks()):
        path = _write_params(tmp_path / str(i), _params(chunk, chunk, chunk, chunk))
        area = goals.load_area(path)
        assert_inert(area._repr_html_(), where=chunk)
        evaluation = evaluate(area, demo.load_values(area.kpis, None, None), "1880")
        assert_inert(evaluation._repr_html_(), where=chunk)


# -- terminal output from Kolada ---------------------------------------------------------------


def test_kpi_search_and_show_strip_control_characters_from_kolada(kolada_server, capsys):
    from analys import demo
    from analys.kolada import KoladaClient
    from analys.store import Store

    nasty = "\x1b[2J\x1b[31mRÖD\x1b[0m\x1b]0;titel\x07\r\nFalsk rad\x08\x00 \u202eslut"
    rows = demo.kpis().to_dict(orient="records")
    rows[0] = {**rows[0], "title": f"Meritvärde {nasty}", "description": f"Om {nasty}"}
    kolada_server.tables["kpi"] = rows
    Store().refresh_metadata(KoladaClient(kolada_server.url, requests_per_second=None))
    assert catalogue.search("meritvärde").attrs["source"] == "store"
    assert main(["kpi", "search", "meritvärde"]) == 0
    assert main(["kpi", "show", rows[0]["id"]]) == 0
    out = capsys.readouterr().out
    assert "RÖD" in out and "Falsk rad" in out
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", out), repr(out)
    hit = next(line for line in out.splitlines() if "Falsk rad" in line and "[" in line)
    assert hit.startswith(rows[0]["id"])  # the title's line break forged no line of its own


# -- rendered reports, overview and index in Chromium ---------------------------------------


def _chunks(limit: int = safe.TITLE_LIMIT) -> list[str]:
    """The accepted strings joined into titles that fit the title cap (the long one apart)."""
    chunks, current = [], ""
    for name, text in RENDERED:
        if name == "long_word":
            continue
        text = " ".join(text.split())
        if current and len(current) + 3 + len(text) > limit:
            chunks.append(current)
            current = text
        else:
            current = f"{current} ¦ {text}" if current else text
    return [*chunks, current]


def hostile_areas(folder: Path) -> list[Path]:
    """Two params files that put every accepted string into every text field.

    With ``n`` chunks, goal ``i`` is titled ``chunk[i]`` and its indicator is labelled
    ``chunk[(i + 1) % n]``; the description holds every string. ``fientlig_lang`` has the
    200 000-character title; ``fientlig_grupp`` has ``chunk[0]`` as its title and a Kolada
    group with a hostile title as its peers. Both read from the store, filled from the fake
    Kolada server. (Area titles go through the same escaping as goal titles; the page title
    is tested with every string apart.)
    """
    chunks = _chunks()
    n = len(chunks)
    description = "\n\n".join(text for name, text in RENDERED if name != "long_word")
    goal_list = [
        {
            "id": f"mal_{i}",
            "title": chunks[i],
            "indicators": [
                {
                    "kpi": ("N09809", "N09807")[i % 2],
                    "label": chunks[(i + 1) % n],
                    "target": {"peers_quantile": 0.75} if i % 2 == 0 else {"value": 40},
                }
            ],
        }
        for i in range(n)
    ]
    common = {"description": description, "municipality": "1880", "goals": goal_list}
    long = {"area": "fientlig_lang", "title": LONG, "source": "store", "peers": "skr"}
    group = {"area": "fientlig_grupp", "title": chunks[0], "source": "store"}
    return [
        _write_params(folder, long | common),
        _write_params(folder, group | common | {"peers": HOSTILE_GROUP}),
    ]


@pytest.fixture(scope="module")
def hostile_render(tmp_path_factory) -> Path:
    """Every hostile area for Örebro, plus its overview and the index, in one batch.

    The fake Kolada server serves hostile KPI titles, municipality names and a hostile group
    title (the peers of ``fientlig_grupp``); the store keeps what it fetched.
    """
    from fake_kolada import FakeKolada, _kpi_catalogue, _municipalities, _municipality_groups

    root = tmp_path_factory.mktemp("hostile")
    server = FakeKolada().start()
    chunks = _chunks()
    server.tables["kpi"] = [
        {**row, "title": f"{row['title']} {chunks[i % len(chunks)]}"}
        for i, row in enumerate(_kpi_catalogue())
    ]
    server.tables["municipality"] = [
        {**row, "title": f"{row['title']} {chunks[i % len(chunks)]}"}
        for i, row in enumerate(_municipalities())
    ]
    group_title = "KOLADAGRUPP " + " ¦ ".join(text for _, text in RENDERED if len(text) < 100)
    members = [m for g in _municipality_groups() if g["id"].startswith("G") for m in g["members"]]
    server.tables["municipality_groups"] = [
        *_municipality_groups(),
        {"id": HOSTILE_GROUP, "title": group_title, "members": members[:40]},
    ]
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("ANALYS_KOLADA_URL", server.url)
            patch.setenv("ANALYS_DATA_DIR", str(root / "store"))
            from analys.kolada import KoladaClient
            from analys.store import Store

            Store().refresh_metadata(KoladaClient(server.url, requests_per_second=None))
            paths = [str(p) for p in hostile_areas(root / "params")]
            assert main(["fetch", *paths, "--years", "2015-2030"]) == 0
            out = root / "ut"
            summary = render.render(paths, ["1880"], out=out, jobs=2, progress=False)
            assert summary.exit_code == 0, summary.text()
    finally:
        server.stop()
    return out


def _pages(out: Path) -> list[Path]:
    pages = sorted(out.rglob("*.html"))
    assert not [p for p in pages if p.name.endswith(".failed.html")], pages
    return pages


@pytest.mark.slow
def test_hostile_reports_are_escaped_capped_and_self_contained(hostile_render: Path):
    pages = _pages(hostile_render)
    assert len(pages) == 4  # both areas, the overview and the index
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert_inert(text, scripts=path.name == "index.html", where=path.name)
        assert 'http-equiv="Content-Security-Policy"' in text[:3000], path
        assert LONG[:1000] not in text  # the 200 000-character title is capped …
    long = (hostile_render / "1880" / "fientlig_lang.html").read_text(encoding="utf-8")
    assert "Å" * (safe.TITLE_LIMIT - 1) + "…" in long  # … and shown up to the cap
    group = (hostile_render / "1880" / "fientlig_grupp.html").read_text(encoding="utf-8")
    for report in (long, group):
        for name, text in RENDERED:  # every string is shown, as text
            if f"alert('{name}')" in text:
                assert f"alert(&#x27;{name}&#x27;)" in report or f"alert('{name}')" in report
    assert "KOLADAGRUPP" in group  # the hostile Kolada group title is shown (escaped above)
    manifest = json.loads((hostile_render / "index.json").read_text(encoding="utf-8"))
    assert all(e["status"] == "ok" for e in manifest["reports"].values())


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_pages_in_chromium_fire_no_dialog_and_no_request(hostile_render, bypass_csp):
    """Opened in Chromium: no dialog, no request; with the CSP bypassed escaping alone holds."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    pages = _pages(hostile_render)
    dialogs, requests, violations = [], [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            context = browser.new_context(bypass_csp=bypass_csp)
            context.route("**/*", lambda route: _guard(route, requests, pages))
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("console", lambda m: violations.append(m.text) if "Content" in m.text else 0)
            for path in pages:
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                page.mouse.move(200, 300)  # hover handlers, if any survived
                page.wait_for_timeout(100)
                body = page.inner_text("body")
                if path.name == "index.html":
                    assert page.locator("table tbody tr").count() == len(pages) - 1
                    page.locator("th").first.click()  # the sort script runs under the CSP
                    assert page.locator("th[aria-sort]").count() == 1
                else:
                    assert "alert('script_tag')" in body, path
        finally:
            browser.close()
    assert dialogs == [], dialogs
    assert requests == [], requests
    assert violations == [], violations  # nothing even tried what the CSP forbids


def _guard(route, requests: list[str], pages: list[Path]) -> None:
    url = route.request.url
    allowed = {p.as_uri() for p in pages}
    if urlparse(url).scheme == "data" or url.split("#")[0] in allowed:
        route.continue_()
        return
    requests.append(url)
    route.abort()


@pytest.mark.slow
@pytest.mark.browser
def test_the_csp_alone_stops_unescaped_script_and_network(hostile_render, tmp_path):
    """Defence in depth: raw hostile HTML forced into a report is stopped by its CSP."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    text = (hostile_render / "1880" / "fientlig_lang.html").read_text(encoding="utf-8")
    raw = "".join(t for n, t in RENDERED if n not in ("meta_refresh", "base_href"))
    forced = tmp_path / "forced.html"
    forced.write_text(text.replace("<body", f"<body><div>{raw}</div><x", 1), encoding="utf-8")
    dialogs, requests = [], []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: _guard(route, requests, [forced]))
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(forced.as_uri())
            page.wait_for_load_state("load")
            page.mouse.move(200, 300)
            page.wait_for_timeout(200)
        finally:
            browser.close()
    assert dialogs == [] and requests == [], (dialogs, requests)
