"""PDF for the committee papers: print CSS, header and footer, A4, offline.

The page printed here is a report as :class:`~analys.render.htmlexport.ReportExporter` writes it,
built from a notebook with hand-made outputs (no kernel): a title, the demo banner, four
``##`` sections, a figure, and a deliberately wide table. One browser serves every test
(session fixture); those tests are marked slow and browser and skip without Chromium. The
render-pool test runs real kernels.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import (  # noqa: E402
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from analys.captions import DEMO, DERIVED_CREDIT, KOLADA_CREDIT  # noqa: E402
from analys.cli import render as render_cli  # noqa: E402
from analys.render import pdf  # noqa: E402
from analys.render.htmlexport import ReportExporter  # noqa: E402

pypdf = pytest.importorskip("pypdf")

SECTIONS = [
    "1. Sammanfattning",
    "2. Måluppfyllelse per mål",
    "3. Jämförelse med andra",
    "Om underlaget",
]
#: the area report's "8. Enheter": its heading is written by its code cell, not a Markdown cell
WRITTEN, WRITTEN_AFTER = "8. Enheter", "3. Jämförelse med andra"
A4 = (595.3, 841.9)  # points
WIDE_COLUMNS = 14


def _needs_chromium() -> None:
    if pdf.chromium_path() is None:
        pytest.skip("Chromium saknas (/usr/bin/chromium)")


def _png() -> str:
    figure, ax = plt.subplots(figsize=(9, 3))
    ax.plot([2020, 2021, 2022, 2023, 2024], [61, 63, 62, 65, 66])
    ax.set_title("Meritvärde åk 9")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _wide_table() -> str:
    head = "".join(f"<th>Kolumn {i}</th>" for i in range(WIDE_COLUMNS - 1)) + "<th>Q7</th>"
    cells = "".join(
        f"<td>Långtextutanmellanslagsomintefårsprängasidan{i}</td>" for i in range(WIDE_COLUMNS - 1)
    )
    rows = "".join(f"<tr>{cells}<td>Q7</td></tr>" for r in range(3))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _display(data: dict) -> nbformat.NotebookNode:
    return new_output("display_data", data=data)


def report_notebook(*, demo: bool = True) -> nbformat.NotebookNode:
    """A report-shaped executed notebook: title, banner, sections, figure, wide table."""
    title = _display({"text/markdown": "# Grundskola – Örebro 2024", "text/plain": ""})
    banner = _display(
        {
            "text/html": f"<div class='analys-demo'><b>DEMODATA</b> – {DEMO}.</div>",
            "text/plain": "",
        }
    )
    cells = [new_code_cell("report.header()", outputs=[title, *([banner] if demo else [])])]
    caption = f"<p class='analys-caption'>{DERIVED_CREDIT}.</p>"
    for n, heading in enumerate(SECTIONS):
        cells.append(new_markdown_cell(f"## {heading}"))
        outputs = [_display({"text/markdown": f"Text i avsnittet {heading}.", "text/plain": ""})]
        if n == 1:
            outputs.append(_display({"text/html": _wide_table(), "text/plain": ""}))
        if n == 2:
            outputs.append(_display({"image/png": _png(), "text/plain": ""}))
        outputs.append(_display({"text/html": caption, "text/plain": ""}))
        if heading == "Om underlaget":
            outputs.append(
                _display({"text/markdown": f"**Källa:** {KOLADA_CREDIT}.", "text/plain": ""})
            )
        cells.append(new_code_cell("report.section()", outputs=outputs))
        if heading == WRITTEN_AFTER:  # a section whose heading its code writes (8. Enheter)
            written = _display({"text/markdown": f"## {WRITTEN}", "text/plain": ""})
            text = _display({"text/markdown": "Enheternas text.", "text/plain": ""})
            cells.append(new_code_cell("report.units()", outputs=[written, text]))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


@pytest.fixture(scope="session")
def printer():
    _needs_chromium()
    with pdf.PdfPrinter() as shared:
        yield shared


@pytest.fixture(scope="session")
def demo_pdf(printer, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pdf")
    html = ReportExporter().write(report_notebook(), folder / "grundskola.html", title="Örebro")
    # the export refuses external references; should a page still have one, the printer must
    # abort the request rather than wait for the network
    page = html.read_text(encoding="utf-8")
    at = page.rindex("</body>")
    html.write_text(page[:at] + "<img src='http://192.0.2.1/x.png' alt=''>" + page[at:])
    header = pdf.PageHeader("Örebro", "Grundskola", "2024", demo=True)
    return printer.print(html, folder / "grundskola.pdf", header)


def _texts(page) -> list[tuple[str, float]]:
    """(text, x in points) of every text run on a page."""
    found: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            found.append((text, x))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_is_a4_with_every_heading_header_page_numbers_and_watermark(demo_pdf):
    reader = pypdf.PdfReader(demo_pdf)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Grundskola – Örebro 2024" in text
    assert DERIVED_CREDIT in text and KOLADA_CREDIT in text
    for n, page_text in enumerate(pages, start=1):
        assert DEMO in page_text, f"sidan {n} saknar demovattenmärket"
        assert "Örebro – Grundskola" in page_text and "År 2024" in page_text
        assert f"Sida {n} av {len(pages)}" in page_text
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 2 and abs(height - A4[1]) < 2 and height > width


@pytest.mark.slow
@pytest.mark.browser
def test_each_section_starts_on_a_new_page(demo_pdf):
    reader = pypdf.PdfReader(demo_pdf)
    first_page = []
    for heading in SECTIONS:
        first_page.append(
            next(i for i, page in enumerate(reader.pages) if heading in page.extract_text())
        )
    assert first_page == sorted(first_page) and len(set(first_page[1:])) == len(SECTIONS) - 1
    assert first_page[0] == 0  # the first section follows the title
    # a heading written by code starts its page too, and the next section the one after
    written = next(i for i, page in enumerate(reader.pages) if WRITTEN in page.extract_text())
    after = first_page[SECTIONS.index(WRITTEN_AFTER)]
    assert after < written < first_page[SECTIONS.index(WRITTEN_AFTER) + 1]


@pytest.mark.slow
@pytest.mark.browser
def test_wide_table_stays_inside_the_page(demo_pdf):
    reader = pypdf.PdfReader(demo_pdf)
    found = [(text, x, page) for page in reader.pages for text, x in _texts(page)]
    width = float(reader.pages[0].mediabox.width)
    last = [x for text, x, _ in found if text.strip().startswith("Q")]
    assert len(last) == 4, "the table's last column (header + 3 rows) is not all in the PDF"
    right_margin = 15 / 25.4 * 72
    assert max(last) < width - right_margin - 10
    assert all(0 <= x < width for _, x, _ in found)


@pytest.mark.slow
@pytest.mark.browser
def test_text_is_searchable_and_fonts_embedded(demo_pdf):
    reader = pypdf.PdfReader(demo_pdf)
    fonts = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts += 1
    assert fonts > 0


@pytest.mark.slow
@pytest.mark.browser
def test_real_data_gets_source_in_the_footer_and_no_watermark(printer, tmp_path):
    html = ReportExporter().write(report_notebook(demo=False), tmp_path / "r.html")
    header = pdf.PageHeader("Örebro", "Översikt – alla områden", "", demo=False)
    reader = pypdf.PdfReader(printer.print(html, tmp_path / "r.pdf", header))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert DEMO not in text and "Senaste år med data" in text
    assert "Källa: Kolada · Egen bearbetning" in text


def test_print_css_goes_last_into_the_head():
    page = "<html><head><style>a{}</style></head><body>x</body></html>"
    out = pdf.with_print_css(page, demo=True)
    assert out.index("analys-print") > out.index("a{}") and out.index("analys-print") < out.index(
        "</head>"
    )
    assert "DEMODATA" in out and "DEMODATA" not in pdf.with_print_css(page, demo=False)
    assert re.search(r"break-before:\s*page", out) and "break-inside: avoid-page" in out


def test_page_header_escapes_names():
    header = pdf.PageHeader("<Kommun>", "A & B", "2024")
    assert "&lt;Kommun&gt;" in header.header_html() and "A &amp; B" in header.header_html()


def test_missing_chromium_is_bad_input_before_anything_runs(monkeypatch, tmp_path, capsys):
    from analys import cli

    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "ingen-chromium"))
    out = tmp_path / "ut"
    code = cli.main(["render", "grundskola", "-m", "1880", "--pdf", "--out", str(out)])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "--pdf: Chromium saknas" in err and pdf.CHROMIUM_ENV in err


@pytest.mark.slow
@pytest.mark.browser
def test_render_pool_writes_pdfs_and_the_workbook(tmp_path):
    """``render(..., pdf=True, xlsx=True)``: a PDF beside every HTML, one workbook."""
    _needs_chromium()
    import openpyxl
    from test_render import make_params, make_templates

    from analys import render

    params = make_params(tmp_path / "params", "skola", "Skola")
    templates = make_templates(tmp_path / "templates")
    summary = render.render(
        [str(params)],
        ["1880"],
        out=tmp_path / "ut",
        jobs=1,
        progress=False,
        notebooks=templates,
        pdf=True,
        xlsx=True,
    )
    assert summary.exit_code == 0, summary.text()
    for report in summary.reports:
        text = "\n".join(p.extract_text() for p in pypdf.PdfReader(report.pdf).pages)
        assert "Örebro – " + report.title in text and DEMO in text and "Sida 1 av" in text
    skola = next(r for r in summary.reports if r.area == "skola")
    assert "År 20" in pypdf.PdfReader(skola.pdf).pages[0].extract_text()
    (book,) = summary.workbooks
    assert book.status == "ok" and book.path == tmp_path / "ut" / "1880" / "nyckeltal.xlsx"
    assert openpyxl.load_workbook(book.path).sheetnames == ["Översikt", "Skola", "Om underlaget"]
    assert f"Excel: {book.path}" in summary.text()


def test_demo_asks_for_pdfs_and_the_workbook(monkeypatch, tmp_path, capsys):
    from analys import render

    calls = {}

    def fake_render(areas, municipalities, **kwargs):
        calls.update(kwargs)
        raise render.ParamsError("stoppad i testet")

    monkeypatch.setattr(render, "render", fake_render)
    assert render_cli.run_demo(out=str(tmp_path)) == 2
    assert calls["xlsx"] is True and calls["pdf"] is (pdf.chromium_path() is not None)
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "ingen"))
    assert render_cli.run_demo(out=str(tmp_path)) == 2
    assert calls["pdf"] is False and "inga PDF:er" in capsys.readouterr().err


def test_a_pdf_that_fails_is_a_problem_and_no_stale_pdf_stays(tmp_path):
    from test_render import make_job

    from analys.render import RenderSummary, ReportStatus
    from analys.render.engine import Renderer

    class BrokenPrinter:
        def print(self, source, target, header):
            raise RuntimeError("Chromium kraschade\nmer text")

        def close(self):
            pass

    job = make_job(tmp_path, parameters={"source": "demo", "year": 2024})
    Path(job.pdf).write_bytes(b"%PDF gammal")
    renderer = Renderer()
    renderer._printer = BrokenPrinter()
    written = [job.html]
    problems = renderer._print_pdf(job, {"year": 2024}, written)
    assert problems == ["PDF kunde inte skapas: Chromium kraschade"]
    assert not Path(job.pdf).exists() and written == [job.html]
    report = ReportStatus(
        key=job.key,
        kind="area",
        area="skola",
        title="Skola",
        municipality="1880",
        municipality_name="Örebro",
        status="ok",
        ipynb=Path(job.ipynb),
        html=Path(job.html),
        seconds=1.0,
        problems=tuple(problems),
    )
    summary = RenderSummary(
        out=tmp_path, index=tmp_path / "index.html", reports=(report,), seconds=1
    )
    assert summary.exit_code == 1 and "1880 Skola: PDF kunde inte skapas" in summary.text()
