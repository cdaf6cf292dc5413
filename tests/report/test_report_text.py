"""What the area report says, read in-process (no kernel): named groups, regions, the year.

docs/judgements.md, sections 7–9: every comparison names its reference group; a region report
speaks of regions; with ``--year Y`` nothing later is presented as current and a value missing
in Y is "data saknas Y"; a ``liknande`` report renders from a store fetched from the fake Kolada
server that serves Kolada's real group titles. Each section is called with ``display`` and
``show_figure`` captured: Markdown/HTML as text, figures as every text artist they hold.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from analys import data  # noqa: E402
from analys.cli import main  # noqa: E402
from analys.goals import load_area  # noqa: E402
from analys.plots import SvgFigure  # noqa: E402

# overview is imported before any test patches output.show_figure: it binds that name at import,
# so an import inside a patched test would keep the patch for every later test in the process.
from analys.report import Report, output, overview  # noqa: E402

SECTIONS = ("header", "summary", "goal_tables", "comparison", "trends", "focus", "gender", "about")
REAL_GROUPS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "kolada-samples"
    / "v3_municipality_groups_all_2026-03-23.values.json"
)


class Captured:
    """Texts and figures one report displayed, per section."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = {}
        self.figures: dict[str, list[list[str]]] = {}
        self.lines: dict[str, list[list[Text]]] = {}
        self.section = ""

    def display(self, *objects, **_kwargs) -> None:
        for obj in objects:
            if isinstance(obj, dict):  # the summary mimetype
                continue
            if hasattr(obj, "to_html"):
                text = re.sub(r"<style.*?</style>", " ", obj.to_html(), flags=re.S)
            else:
                text = getattr(obj, "data", "")
            if isinstance(text, str) and text:
                text = re.sub(r"<[^>]+>", " ", text)
                self.texts.setdefault(self.section, []).append(text)

    def show(self, figure) -> None:
        if isinstance(figure, SvgFigure):  # the trend and gender grids: their texts as written
            self.figures.setdefault(self.section, []).append(list(figure.texts))
            self.lines.setdefault(self.section, []).append(list(figure.lines))
            return
        words = [t.get_text() for t in figure.findobj(Text) if t.get_text()]
        for ax in figure.axes:  # year ticks as the formatter writes them (no slow draw)
            words += [ax.xaxis.get_major_formatter()(y, 0) for y in (2022.0, 2025.0)]
        self.figures.setdefault(self.section, []).append(words)
        self.lines.setdefault(self.section, []).append(
            [line.get_xdata() for ax in figure.axes for line in ax.get_lines()]
        )
        plt.close(figure)

    def all_text(self, *, skip: tuple[str, ...] = ()) -> str:
        parts = [t for s, texts in self.texts.items() if s not in skip for t in texts]
        parts += [w for s, figs in self.figures.items() if s not in skip for f in figs for w in f]
        return "\n".join(parts)


def _discard(figure) -> None:
    """Show nothing: a matplotlib figure is closed, an SVG chart is only text."""
    if not isinstance(figure, SvgFigure):
        plt.close(figure)


def run(rep: Report, monkeypatch, sections=SECTIONS) -> Captured:
    captured = Captured()
    monkeypatch.setattr(output, "display", captured.display)
    monkeypatch.setattr(output, "show_figure", captured.show)
    for section in sections:
        captured.section = section
        getattr(rep, section)()
    return captured


@pytest.fixture(scope="module")
def grundskola() -> Report:
    """The demo report for Örebro (peers liknande), shared by the tests that only read it."""
    return Report.from_area("grundskola", "1880")


# ---------------------------------------------------------------------------------- regions


def test_a_region_report_speaks_of_regions(monkeypatch):
    rep = Report.from_area("halso_sjukvard", "0018", peers="liknande")
    assert rep.group.title.startswith("Liknande regioner, hälso- och sjukvård")
    assert len(rep.peers) == 7 and not rep.group.everyone
    out = run(rep, monkeypatch)
    text = out.all_text()
    # the result-against-cost paragraph belongs to expected()/_cost
    own = re.sub(r"\*\*Resultat och kostnad.*", "", text)
    assert not re.search(r"[Kk]ommun", own), re.findall(r".{60}[Kk]ommun.{20}", own)
    assert "7 liknande regioner" in text and "bland alla 21 regioner" in text
    assert re.search(r"plats \d+ av 21 regioner", text)
    assert "Regionernas spridning (min–max)" in text


# ---------------------------------------------------------------------------------- groups


POSITION = re.compile(r"(25 %|i mitten|bäst|sämst|plats \d+ av)")


@pytest.mark.parametrize(
    ("peers", "phrase"),
    [
        ("liknande", r"\(Örebro och ([4-6] av )?7 liknande kommuner\)"),
        ("lan", r"bland (10 av )?11 kommuner i Örebro län"),
    ],
)
def test_every_comparison_sentence_names_its_group(monkeypatch, peers, phrase):
    rep = Report.from_area("grundskola", "1880", peers=peers)
    out = run(rep, monkeypatch, ("header", "comparison", "trends", "focus", "gender"))
    sentences = [
        line
        for text in out.texts["comparison"][1:2] + out.texts["trends"][:1]
        for line in text.split("\n")
    ]
    judged = [s for s in sentences if POSITION.search(s)]
    assert len(judged) >= 5, sentences
    for sentence in judged:
        assert re.search(phrase, sentence), sentence
    if peers == "liknande":  # fewer than 8 peers: no quartile words about the group
        assert not any("25 %" in s for s in judged)
    listing = out.texts["comparison"][0]
    assert "Jämförelsegrupp:" in listing and rep.group.source in listing
    assert all(name in listing for name in rep.group.members_text().split(", "))
    legend = f"Median, {rep.group.counted()}"
    assert legend in out.figures["trends"][0] and legend in out.figures["gender"][0]
    gender = "\n".join(out.texts["gender"])
    assert "än medianen bland" in gender
    focus = "\n".join(out.texts["focus"])
    assert "av alla 290 kommuner" in focus


def test_tables_name_the_group_behind_each_column(monkeypatch, grundskola):
    rep = grundskola
    out = run(rep, monkeypatch, ("goal_tables",))
    table = "\n".join(out.texts["goal_tables"])
    assert "Kvartil bland alla 290 kommuner" in table and "Trend, 5 år (test)" in table
    assert "Jämförelse " not in table and "Bland de 25 %" not in table
    # a peers_quantile target names the peers it is computed over
    assert "gränsen för de 25 % bästa bland 7 liknande kommuner" in table
    # one label per indicator: the params file's own label, in tables and charts alike
    assert "Meritvärde åk 9, pojkar" in table and "pojkar (män)" not in table
    out = run(rep, monkeypatch, ("trends",))
    assert "Meritvärde åk 9, pojkar" in out.figures["trends"][0]


# ---------------------------------------------------------------------------------- the year


def test_the_report_year_governs_every_section(monkeypatch):
    rep = Report.from_area("grundskola", "1880", year=2022)
    out = run(rep, monkeypatch)
    text = out.all_text().replace(rep.group.title, "").replace("2025*", "")
    later = re.findall(r".{40}\b202[3-9]\b.{10}", text)
    assert not later, later
    assert "# Grundskola – Örebro 2022" in text
    gender = "\n".join(out.texts["gender"])
    assert gender.count(" 2022:") >= 3
    trend_x = [x for xs in out.lines["trends"][0] for x in xs if isinstance(x, (int, float))]
    assert max(trend_x) <= 2022
    gap_x = [x for xs in out.lines["gender"][0] for x in xs if isinstance(x, (int, float))]
    assert max(gap_x) <= 2022
    # the trend marker of every row uses the years up to 2022
    assert set(rep.evaluation.indicators["year"].dropna()) == {2022}


def test_a_value_missing_in_the_report_year_is_said_so(monkeypatch, tmp_path):
    area = load_area("grundskola")
    values = data.load_values(area.kpis, None, None, source="demo", genders=None)
    drop = (values["kpi"] == "N15507") & (values["municipality"] == "1880")
    drop &= values["year"] == 2022
    cache = tmp_path / "values.parquet"
    values[~drop].to_parquet(cache)
    rep = Report({**area.params, "year": 2022}, data_cache=str(cache))
    out = run(rep, monkeypatch, ("trends", "gender"))
    trends = "\n".join(out.texts["trends"])
    assert "Meritvärde åk 9: data saknas 2022 (senaste värde 2021)." in trends
    gender = "\n".join(out.texts["gender"])
    assert "**Meritvärde åk 9**: data saknas 2022 (senaste värde 2021)." in gender


def test_the_preliminary_year_is_starred_with_a_note(monkeypatch, grundskola):
    rep = grundskola
    assert rep.preliminary == 2025 and rep.year == 2025
    out = run(rep, monkeypatch, ("goal_tables", "comparison", "trends"))
    tables = "\n".join(out.texts["goal_tables"])
    assert "2025*" in tables and "2025* är preliminärt" in tables
    notes = [t for t in out.texts.get("trends", []) if "är preliminärt" in t]
    assert notes and all("\\" not in t for t in notes)  # no stray backslash shown
    assert any("Meritvärde åk 9, 2025*" in w for w in out.figures["comparison"][0])
    drawn = [w for f in out.figures["comparison"] for w in f]
    assert "Resultat och kostnad 2025*" in drawn and "Resultat och kostnad 2025" not in drawn
    assert "**Resultat och kostnad 2025*** (fyrfältsdiagram)" in "\n".join(out.texts["comparison"])
    assert any(w.endswith("(2025*)") for w in drawn)  # the spine chart's value notes
    assert "2025*" in out.figures["trends"][0]


def test_every_sentence_stars_the_preliminary_year(monkeypatch, grundskola):
    """The title, the opening line, the trend sentences ("ökade från 2024 till 2025*") and
    the regression's year all write the preliminary year starred, and the title's star is
    explained right under it; no "2025" without its star is left anywhere in the text."""
    sections = ("header", "summary", "goal_tables", "comparison", "trends", "expected", "gender")
    out = run(grundskola, monkeypatch, sections)
    assert out.texts["header"][0].strip() == "# Grundskola – Örebro 2025*"
    assert "2025* är preliminärt" in "\n".join(out.texts["header"])
    assert "Grundskola i Örebro 2025*: av" in out.texts["summary"][0]
    assert re.search(r"(från 2024 till 2025\*|\(20\d\d–2025\*\))", "\n".join(out.texts["trends"]))
    assert "kommuner 2025* förklarar" in "\n".join(out.texts["expected"])
    assert "2025* är preliminärt" in "\n".join(out.texts["expected"])
    text = "\n".join(t for texts in out.texts.values() for t in texts)
    assert not re.search(r"\b2025\b(?!\*)", text)


# ---------------------------------------------------------------------------------- wording


def test_one_source_credit_and_one_off_target_rule(monkeypatch, grundskola):
    rep = grundskola
    out = run(rep, monkeypatch, ("focus", "about"))
    about = "\n".join(out.texts["about"])
    assert "Källa: Källa" not in about and "**Källa:** Källa" not in about
    focus = "\n".join(out.texts["focus"])
    partly = rep.evaluation.indicators.query("status == 'partly'")
    assert len(partly), "the demo report should have a partly met indicator"
    assert "Når inte målet (ej eller delvis uppfyllt)" in focus
    for label in partly["label"]:
        assert label in focus

    view = overview.Overview("1880", ["grundskola"])
    captured = Captured()
    monkeypatch.setattr(overview, "display", captured.display)
    view.focus()
    view.about()
    text = "\n".join(captured.texts[""])
    assert "Når inte målet (ej eller delvis uppfyllt)" in text
    for label in partly["label"]:
        assert label in text
    assert "Källa: Källa" not in text


# ---------------------------------------------------------------------------------- store


def test_a_liknande_report_renders_from_a_store_with_real_group_titles(kolada_server, monkeypatch):
    if not REAL_GROUPS.exists():
        pytest.skip("../shared/data/kolada-samples saknas")
    items = json.loads(REAL_GROUPS.read_text(encoding="utf-8"))
    kolada_server.tables["municipality_groups"] = items
    assert main(["fetch", "ekonomi", "--years", "2019-2025"]) == 0
    params = {**load_area("ekonomi").params, "source": "store", "peers": "liknande"}
    rep = Report(params)
    assert rep.group.title == "Liknande kommuner, övergripande, Örebro, 2025"
    assert rep.group.group_id == "G37606"
    out = run(rep, monkeypatch, ("header", "comparison", "trends", "about"))
    text = out.all_text()
    assert "Koladas grupp ”Liknande kommuner, övergripande, Örebro, 2025” (G37606)" in text
    assert "Linköping, Norrköping, Jönköping, Växjö, Helsingborg, Halmstad och Västerås" in text
    assert "(Örebro och 7 liknande kommuner)" in text
    assert "Källa: Kolada" in text and "Demodata" not in text
    assert rep.source == "store" and set(rep.values["kpi"]) <= set(rep.area.kpis)


# ------------------------------------------------------------------ missing from the charts


def test_a_region_reports_expected_section_speaks_of_regions(monkeypatch):
    rep = Report.from_area("halso_sjukvard", "0018")
    text = run(rep, monkeypatch, sections=("expected",)).all_text()
    assert "Region" in text and "alla regioner" in text
    assert not re.search(r"[Kk]ommun", text), re.findall(r".{60}[Kk]ommun.{20}", text)


def test_a_municipality_without_a_value_is_said_to_be_missing_from_the_charts(
    monkeypatch, tmp_path
):
    """Örebro without its main KPI's latest value: the cost chart and the expected chart
    cannot show it, and the report says so instead of leaving it silently out."""
    import pandas as pd

    from analys import demo
    from analys.render.plan import load_area_spec

    spec = load_area_spec("grundskola")
    values = demo.load_values(spec.kpis())
    area = spec.area
    kpi, year = area.main_kpi, int(values["year"].max())
    assert area.drivers.outcome == kpi and area.cost
    gone = (values["municipality"] == "1880") & (values["kpi"] == kpi) & (values["year"] == year)
    cache = tmp_path / "values.parquet"
    values[~gone].reset_index(drop=True).to_parquet(cache, index=False)
    rep = Report({**spec.params, "municipality": "1880"}, data_cache=str(cache))
    text = run(rep, monkeypatch, sections=("comparison", "expected")).all_text()
    from analys import registry

    assert f"Örebro saknar värde {year}* för {registry.label(kpi)} och syns därför inte" in text
    assert f"Örebro saknar fullständiga data {year}*" in text
    # with its value, neither is said
    whole = tmp_path / "whole.parquet"
    values.to_parquet(whole, index=False)
    rep = Report({**spec.params, "municipality": "1880"}, data_cache=str(whole))
    text = run(rep, monkeypatch, sections=("comparison", "expected")).all_text()
    assert "saknar värde" not in text and "saknar fullständiga data" not in text
    assert pd.notna(rep.year)


def test_own_indicators_of_another_municipality_are_said_to_be_missing_here(monkeypatch):
    """folkhalsa.yaml holds Örebro's own survey indicators; Stockholm's report of the same
    params has no values for them and says so, without a target that reads as a group."""
    rep = Report.from_area("folkhalsa", "0180")
    text = run(rep, monkeypatch, sections=("goal_tables",)).all_text()
    assert "målet är 25 kommuner" not in text and "(–)" not in text
    assert "medianen bland 25 kommuner i Stockholms län (inga värden)" in text
    assert "bättre än 2020 (inget värde)" in text
    assert "bara finns för Örebro: den kan inte bedömas för Stockholm" in text
    assert "ingen jämförelse med andra kommuner" not in text  # that is Örebro's note
    own = run(Report.from_area("folkhalsa", "1880"), monkeypatch, sections=("goal_tables",))
    assert "bara finns för Örebro: målet och trenden bedöms" in own.all_text()


def test_the_method_note_names_target_kinds_in_swedish(monkeypatch):
    from analys.report.about import lower_first

    rep = Report.from_area("funktionsnedsattning", "1880")
    text = run(rep, monkeypatch, sections=("header", "about")).all_text()
    assert "Slags målvärden i området:" in text
    assert not re.search(r"\b(peers_median|peers_quantile|national|value, )", text)
    assert lower_first("Funktionsnedsättning (LSS)") == "funktionsnedsättning (LSS)"
    assert lower_first("LSS-boenden") == "LSS-boenden" and lower_first("") == ""
    assert "målen för funktionsnedsättning (LSS) med" in text


def test_the_expected_table_adds_up_and_lists_only_those_better_than_expected(monkeypatch):
    """21 regions: the in-sample prediction once stood beside the leave-one-out residual
    (41,0 against 45,8 listed as 8,3 better), and a region worse than expected was listed
    among the best."""
    import pandas as pd

    tables = []
    monkeypatch.setattr(output, "display", lambda obj, *a, **k: tables.append(obj))
    monkeypatch.setattr(output, "show_figure", _discard)
    Report.from_area("halso_sjukvard", "0001").expected()
    (styler,) = [t for t in tables if hasattr(t, "data") and isinstance(t.data, pd.DataFrame)]
    frame = styler.data

    def value(text: str) -> float:
        return float(text.split(" ")[0].replace("−", "-").replace(",", "."))

    assert list(frame.columns)[0] == "Region"
    for actual, expected, better in frame[
        ["Faktiskt", "Förväntat", "Bättre än förväntat"]
    ].itertuples(index=False):
        assert value(better) > 0
        # lower is better for åtgärdbar dödlighet: better = expected − actual, to rounding
        assert abs(abs(value(expected) - value(actual)) - value(better)) <= 0.11


def test_the_unit_section_speaks_of_pupils_only_for_schools(monkeypatch):
    care = run(Report.from_area("aldreomsorg", "1880"), monkeypatch, sections=("units",))
    text = care.all_text()
    assert "färre än 15 personer" in text and "elever" not in text
    school = run(Report.from_area("grundskola", "1880"), monkeypatch, sections=("units",))
    assert "färre än 15 elever" in school.all_text()
    # the registered units and the ones with values (what the tables show) both counted
    assert re.search(
        r"har \d+ grundskolor \(varav \d+ med värden för områdets nyckeltal\)", school.all_text()
    )


def test_a_region_compared_with_every_region_says_it_once(monkeypatch):
    rep = Report.from_area("halso_sjukvard", "0001")  # peers: alla
    assert rep.group.everyone
    text = run(rep, monkeypatch, sections=("header", "comparison")).all_text()
    assert "med alla 21 regioner och med alla 21 regioner" not in text
    assert "jämför Region Stockholm med alla 21 regioner." in text
    assert "i stället" not in text


def test_a_region_overview_has_no_municipal_section(monkeypatch):
    from analys.report import overview as overview_mod

    shown = []
    monkeypatch.setattr(overview_mod, "display", lambda obj, *a, **k: shown.append(obj))
    monkeypatch.setattr(overview_mod, "show_figure", _discard)
    view = overview_mod.Overview("0001", None)
    view.header()
    view.rug()
    text = "\n".join(str(getattr(o, "data", "")) for o in shown)
    assert "Alla 1 områden" not in text and "Hälso- och sjukvård i Region Stockholm" in text
    assert "jämförelsekommun" not in text


def test_result_against_cost_sets_a_result_against_the_cost(monkeypatch):
    """LSS's main KPI is a cost (its driver model explains cost): the quadrant chart takes
    the first indicator with a direction instead of plotting cost against cost."""
    from analys import registry

    rep = Report.from_area("funktionsnedsattning", "1880")
    assert registry.polarity(rep.main_kpi) == "neutral"
    out = run(rep, monkeypatch, sections=("comparison",))
    text = "\n".join(out.texts["comparison"])
    first = registry.label("N28717")
    assert f"(fyrfältsdiagram): {first} mot {registry.label(rep.area.cost)}" in text


def test_a_model_that_explains_little_says_so_and_names_nobody_to_learn_from(monkeypatch):
    from analys.report import expected as expected_mod

    rep = Report.from_area("grundskola", "1880")
    strong = run(rep, monkeypatch, sections=("expected",)).all_text()
    assert "förklarar bara" not in strong and "Lär av" in strong
    monkeypatch.setattr(expected_mod, "WEAK_FIT", 1.01)  # every model is weak now
    weak = run(rep, monkeypatch, sections=("expected",)).all_text()
    assert "Modellen förklarar bara" in weak and "stor försiktighet" in weak
    assert "Lär av" not in weak


def test_pupils_are_girls_and_boys_and_adults_women_and_men(monkeypatch, grundskola):
    school = run(grundskola, monkeypatch, sections=("gender",)).all_text()
    assert re.search(r"flickor [\d,]+ (procentenheter|poäng) (högre|lägre) än pojkar", school)
    assert "flickor − pojkar" in school and "kvinnor" not in school.lower()
    care = run(Report.from_area("ifo", "1880"), monkeypatch, sections=("gender",)).all_text()
    assert "kvinnor − män" in care and "flickor" not in care


def test_another_municipalitys_own_indicators_take_no_chart_or_rug_row(monkeypatch):
    """folkhalsa.yaml's survey indicators are Örebro's own: Stockholm's trend grid draws no
    empty panels for them and its overview's tartan rug has no grey rows; both say why."""
    from analys.report import overview as overview_mod

    captured = run(Report.from_area("folkhalsa", "0180"), monkeypatch, sections=("trends",))
    text = captured.all_text()
    assert re.search(
        r"Inget diagram för Trygga i bostadsområdet och Elever i åk 8 [^:]*: varken", text
    )
    assert "Inga värden" not in text and "finns inga värden" not in text
    (figure_words,) = captured.figures["trends"]
    assert "Trygga i bostadsområdet" not in figure_words
    orebro = run(Report.from_area("folkhalsa", "1880"), monkeypatch, sections=("trends",))
    assert "Inget diagram" not in orebro.all_text()

    shown = []
    monkeypatch.setattr(overview_mod, "display", lambda obj, *a, **k: shown.append(obj))
    monkeypatch.setattr(overview_mod, "show_figure", _discard)
    overview_mod.Overview("0180", ["folkhalsa"]).rug()
    note = "\n".join(str(getattr(o, "data", "")) for o in shown)
    assert "Utan rad, eftersom ingen av kommunerna har värden: Trygga i bostadsområdet och" in note


def test_goal_table_reasons_and_unit_spreads_star_the_preliminary_year(monkeypatch, tmp_path):
    """The judgement's reason ("Värde saknas 2025; målet är …") is worded without the
    report, which stars 2025 in it as everywhere else; so do the unit section's spreads."""
    from analys import demo
    from analys.render.plan import load_area_spec

    spec = load_area_spec("grundskola")
    values = demo.load_values(spec.kpis())
    kpi = spec.area.main_kpi
    gone = (values["municipality"] == "1880") & (values["kpi"] == kpi) & (values["year"] == 2025)
    cache = tmp_path / "values.parquet"
    values[~gone].reset_index(drop=True).to_parquet(cache, index=False)
    rep = Report({**spec.params, "municipality": "1880"}, data_cache=str(cache))
    text = run(rep, monkeypatch, sections=("goal_tables", "units")).all_text()
    assert "Värde saknas 2025*;" in text
    assert re.search(r"skillnaden mellan bästa och sämsta enhet är [^()]+\(2025\*\)", text)
    assert not re.search(r"\b2025\b(?!\*)", text)


def test_the_summary_states_the_goal_rule_with_the_areas_cutoffs(monkeypatch, grundskola):
    text = run(grundskola, monkeypatch, sections=("summary",)).all_text()
    assert "Ett mål är uppfyllt när indikatorerna med data når minst 75 % av poängen" in text
    assert "delvis uppfyllt från 40 %" in text and "mindre än 50 % av dem data" in text


def test_the_spine_chart_text_says_grey_rows_are_not_judged(monkeypatch, grundskola):
    """Grundskola's cost deviation has no direction: its row is grey and unjudged, and the
    chart's introduction says so instead of "färg = målstatus" for every row."""
    text = run(grundskola, monkeypatch, sections=("comparison",)).all_text()
    assert "grå rader har ingen riktning" in text


def test_a_group_target_says_whom_it_rests_on(monkeypatch):
    """Region Gotland's "medianen bland alla 21 regioner" was the median of the 20 others;
    Gotland's own-survey target "medianen bland 26 kommuner i kommungruppen C6 76,8 %" was
    one municipality's value."""
    region = run(Report.from_area("halso_sjukvard", "0018"), monkeypatch, ("goal_tables",))
    text = region.all_text()
    assert "bland övriga 20 regioner" in text and "bästa bland alla 21 regioner" not in text
    gotland = run(Report.from_area("folkhalsa", "0980"), monkeypatch, ("goal_tables",))
    assert re.search(
        r"medianen bland 26 kommuner i [^\n]*76,8 % \(1 av 26 med värde\)", gotland.all_text()
    )


def test_a_missing_headline_value_compares_on_another_indicator_and_says_so(monkeypatch):
    """Haparanda has no Meritvärde 2025*: its ranking and maps once showed three charts
    without Haparanda in them."""
    out = run(Report.from_area("grundskola", "2583"), monkeypatch, ("comparison",))
    text = out.all_text()
    assert (
        "Haparanda saknar värde 2025* för Meritvärde åk 9, områdets huvudnyckeltal. "
        "Rangordningen och kartorna visar i stället Godkända i alla ämnen, åk 9 (2025*)."
    ) in text
    assert "**Godkända i alla ämnen, åk 9** 2025*: Haparanda har" in text
    ranking = out.figures["comparison"][0]
    assert any(w.startswith("Haparanda ") and "plats" in w for w in ranking)
    assert "Godkända i alla ämnen, åk 9, 2025*" in ranking


def test_gotland_alone_in_its_county_gets_one_map_of_sweden(monkeypatch):
    out = run(Report.from_area("grundskola", "0980"), monkeypatch, ("comparison",))
    maps_figure = out.figures["comparison"][1]
    assert "Sverige, 2025*" in maps_figure and "Gotlands län, 2025*" not in maps_figure


def test_the_overview_names_its_year_and_publishes_a_summary(monkeypatch):
    """The overview had no year in its title or opening line, and the batch index showed
    '–' for its year and goal counts."""
    from analys.report import overview as overview_mod
    from analys.summary import SUMMARY_MIMETYPE

    shown = []
    monkeypatch.setattr(overview_mod, "display", lambda obj, *a, **k: shown.append(obj))
    view = overview_mod.Overview("0980", ["grundskola", "ekonomi"])
    view.header()
    texts = [str(getattr(o, "data", "")) for o in shown if not isinstance(o, dict)]
    assert texts[0] == "# Översikt – Gotland 2025*"
    assert any("2025* är preliminärt" in t for t in texts)
    assert any(t.startswith("Alla 2 områden på Gotland 2025*: av ") for t in texts)
    (summary,) = [o[SUMMARY_MIMETYPE] for o in shown if isinstance(o, dict)]
    assert summary["year"] == 2025 and summary["preliminary"] == 2025
    assert sum(summary["goals"].values()) == sum(
        sum(r.evaluation.counts.values()) for r in view.reports
    )


def test_units_sharing_a_title_are_told_apart_by_their_id(monkeypatch):
    """Kolada has two "Pjäsen 3" among Gotland's care homes, with different values: the
    unit table once listed two identical rows."""
    from analys.report.unit_section import distinct_titles

    text = run(Report.from_area("aldreomsorg", "0980"), monkeypatch, ("units",)).all_text()
    assert re.search(r"Pjäsen 3 \(V\w+\)", text) and "Särskilt boende, äldre på Gotland" in text
    names = distinct_titles(["a", "b", "c"], pd.Series({"a": "Ek", "b": "Ek", "c": "Lind"}))
    assert names == {"a": "Ek (a)", "b": "Ek (b)", "c": "Lind"}


def test_a_trend_that_ends_before_the_report_year_says_so(monkeypatch):
    """Haparanda has no Meritvärde 2025*: its trend test ends in 2024, and the table's trend
    cell once read as if it ran to 2025*."""
    rep = Report.from_area("grundskola", "2583")
    rows = rep.evaluation.indicators
    row = rows[(rows["kpi"] == "N15507") & (rows["gender"] == "T")].iloc[0]
    assert row["year"] == 2025 and pd.isna(row["value"]) and row["trend_last"] == 2024
    text = run(rep, monkeypatch, ("goal_tables",)).all_text()
    assert "(t.o.m. 2024)" in text
    whole = run(Report.from_area("grundskola", "1880"), monkeypatch, ("goal_tables",))
    assert "t.o.m." not in whole.all_text()


def test_goal_reasons_name_only_the_counts_there_are():
    """ "2 av 2 indikatorer uppfyllda, 0 delvis" stood in Gotland's folkhälsa report."""
    goals = Report.from_area("folkhalsa", "0980").evaluation.goals.set_index("title")
    reasons = goals["reason"].tolist()
    assert not any(", 0 delvis" in r or ", 0 utan data" in r for r in reasons)
    assert goals.at["Fler invånare ska ha arbete och utbildning", "reason"].startswith(
        "2 av 2 indikatorer uppfyllda; poäng"
    )
    assert "2 utan data" in goals.at["Invånarna ska känna sig trygga och unga ska må bra", "reason"]
