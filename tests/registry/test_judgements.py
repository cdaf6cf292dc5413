"""Honest judgements: the polarity rule, neutral KPIs, catalogue facts, trend input.

Fast unit tests on the demo catalogue and the registry; the same rules against Kolada's real
catalogue are in tests/registry/test_real_catalogue.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analys import cli, demo, registry
from analys.catalogue import averaged_years
from analys.fulfilment import evaluate
from analys.goals import (
    area_from_params,
    area_path,
    list_areas,
    load_area,
    read_params,
    warning_catalogue,
)
from analys.goals.warnings import kpi_warnings
from analys.registry import facts
from analys.report import sentences
from analys.stats.trend import NO_TEST_LABEL, trend_marker

# -- the written polarity rule -------------------------------------------------------------


def test_every_registry_polarity_follows_its_note_and_the_rule() -> None:
    catalogue = demo.kpis().set_index("id")
    problems = [
        line
        for kpi, entry in registry.entries().items()
        for line in facts.rule_problems(kpi, entry, catalogue.loc[kpi].to_dict())
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("entry", "row", "words"),
    [
        # the old N11008: a cost whose own note said "lägre kostnad ≠ bättre" but was lower
        (
            {"polarity": "lower", "judgement": "↓ (resurs; lägre kostnad ≠ bättre)"},
            {"title": "Kostnad förskola, kr/inskrivet barn", "perspective": "Resurser"},
            ["anteckningen talar emot", "regeln kräver neutral", "saknar motivering"],
        ),
        # an absolute count marked higher (the old N07713)
        (
            {"polarity": "higher", "judgement": "↑ – fler laddpunkter"},
            {"title": "Elbilsladdpunkter, totalt antal", "perspective": "Volymer"},
            ["regeln kräver neutral"],
        ),
        # polarity and note disagree
        (
            {"polarity": "higher", "judgement": "↓ – väntetid"},
            {"title": "Väntetid i antal dagar", "perspective": "Kvalitet och resultat"},
            ["anteckningen säger lower"],
        ),
        # a context KPI with a direction
        (
            {"polarity": "higher", "judgement": "↑ – kontext (täckningsgrad)"},
            {"title": "Invånare 80+ i särskilt boende, andel (%)", "perspective": "Volymer"},
            ["anteckningen talar emot"],
        ),
    ],
)
def test_rule_problems_catch_contradictions(entry, row, words) -> None:
    found = " | ".join(facts.rule_problems("X", entry, row))
    for word in words:
        assert word in found


def test_costs_counts_and_net_cost_deviations_are_neutral() -> None:
    catalogue = demo.kpis()
    for row in catalogue.to_dict(orient="records"):
        if facts.rule_polarity(row):
            assert registry.polarity(row["id"]) == "neutral", row["id"]
    for kpi in ("N11008", "N15027", "N25022", "N09004", "N07713", "N00097", "N01951"):
        assert registry.polarity(kpi) == "neutral", kpi


def test_rule_recognises_cost_and_count_titles() -> None:
    assert facts.is_cost({"title": "Kostnad fritidsgårdar, kr/inv", "perspective": "Resurser"})
    assert not facts.is_cost({"title": "Soliditet kommun, (%)", "perspective": "Resurser"})
    assert facts.is_absolute_count({"title": "Invånare totalt, antal"})
    assert not facts.is_absolute_count({"title": "Läkarbesök primärvård, antal/1000 inv"})
    assert not facts.is_absolute_count(
        {"title": "Inskrivna barn per årsarbetare i förskolan, lägeskommun, antal"}
    )


# -- catalogue facts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "description", "years"),
    [
        ("Sjukvårdsrelaterad åtgärdbar dödlighet (treårsmedelvärde) enligt EUROSTAT", "", 3),
        ("Medellivslängd män, år", "Medellivslängd under ett fem-årsintervall (dvs. …)", 5),
        ("Självmord, 5-årsmedelvärde, antal/100 000 inv, 25 år+", "", 5),
        ("Fallskador bland personer 80+, 3-årsm, antal slutenvårdstillfällen", "", 3),
        ("Invånare med fetma, andel (%)", "… avser år T-3 till T. Källa: …", 4),
        ("Skadade vårdade i slutenvård", "… perioden år T till år T-2. Beräknat …", 3),
        ("Förekomst av diabetes typ 2, andel (%)", "Mätperioden är 2 år.", 2),
        ("Bra självskattat hälsotillstånd", "ett glidande flerårsmedelvärde", 2),
        # not moving averages: a yearly mean of months, a school year, an index's parts
        ("Arbetslöshet 16-24 år, årsmedelvärde, andel (%)", "Avser årsmedelvärde år T.", None),
        ("Gymnasieelever med indraget studiestöd", "Mäts per läsår T-1 till T.", None),
        ("Social hållbarhet - Kommunindex", "… Skadade vårdade i slutenvård, 3-årsm, …", None),
    ],
)
def test_moving_averages_are_recognised(title, description, years) -> None:
    assert facts.moving_average_years(title, description) == years


def test_registry_moving_averages_and_demo_catalogue_agree() -> None:
    catalogue = demo.kpis()
    for row in catalogue.to_dict(orient="records"):
        found = facts.moving_average_years(row["title"], row["description"])
        assert registry.moving_average(row["id"]) == found, row["id"]
        assert averaged_years(row["id"]) == found
    assert registry.moving_average("N79190") == 3
    assert registry.moving_average("N00923") == registry.moving_average("N00925") == 5


def test_unit_level_only_kpis_are_known_and_never_municipal_indicators() -> None:
    catalogue = demo.kpis().set_index("id")
    for kpi in ("U15415", "U15416"):
        assert registry.unit_level_only(kpi)
        assert facts.unit_level_only(catalogue.at[kpi, "description"])
    for name in list_areas():
        area = load_area(name)
        used = {i.kpi for _, i in area.indicators} | {area.cost} - {None}
        if area.drivers:
            used.add(area.drivers.outcome)
        assert not [k for k in used if registry.unit_level_only(k)], name
    # the title's own unit ("…, poäng") wins over the description's "% av det
    # modellberäknade värdet": SALSA's deviation is in merit points (docs/judgements.md)
    assert registry.unit("U15416") == "poäng"


def test_stale_kpis_have_no_publication_in_the_demo_catalogue() -> None:
    catalogue = demo.kpis().set_index("id")
    assert facts.is_stale(catalogue.loc["N17461"].to_dict())
    assert not facts.is_stale(catalogue.loc["N17457"].to_dict())
    assert facts.is_stale(
        {"title": "Elever i åk. 9 … (modellberäknat värde) (-2024)", "publ_period": "2024"}
    )
    assert "N17461" not in {i.kpi for _, i in load_area("gymnasieskola").indicators}


# -- analys check warnings -----------------------------------------------------------------

BAD = {
    "area": "bad",
    "title": "Bad",
    "municipality": "1880",
    "goals": [
        {
            "id": "a",
            "title": "A",
            "indicators": [
                {"kpi": "U15416", "target": {"value": 0}},
                {"kpi": "N17461", "target": {"value": 80}},
                {"kpi": "N15508", "target": {"value": 80}},
            ],
        }
    ],
    "drivers": {"outcome": "U15415", "explanatory": ["N15816"]},
}


def test_check_warns_about_unit_level_only_and_stale_kpis() -> None:
    lines = kpi_warnings(BAD, "bad.yaml", warning_catalogue())
    assert len(lines) == 3
    assert lines[0].startswith("bad.yaml: goals[0].indicators[0].kpi: varning – 'U15416' redovisas")
    assert "endast på skolnivå" in lines[0]
    assert lines[1].startswith("bad.yaml: goals[0].indicators[1].kpi: varning – 'N17461' har ingen")
    assert lines[2].startswith("bad.yaml: drivers.outcome: varning – 'U15415'")
    area_from_params(BAD)  # warnings, not errors: the file is still valid


def test_check_cli_prints_warnings_and_exits_0(tmp_path, capsys) -> None:
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(BAD, allow_unicode=True), encoding="utf-8")
    assert cli.main(["check", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.count(": varning – ") == 3
    assert "'U15416'" in err and "'N17461'" in err


def test_shipped_params_use_no_unit_level_only_kpi() -> None:
    catalogue = warning_catalogue()
    for name in list_areas():
        lines = kpi_warnings(read_params(area_path(name)), name, catalogue)
        assert not [line for line in lines if "skolnivå" in line], lines


def test_check_reads_the_store_catalogue_when_fetched(monkeypatch) -> None:
    # the same catalogue as `analys kpi show`: the store's when there is one
    from analys import catalogue as catalogue_mod

    table = demo.kpis()
    table.loc[table["id"] == "N15508", "publ_period"] = None
    monkeypatch.setattr(catalogue_mod, "catalogue", lambda source=None: (table, "store"))
    lines = kpi_warnings(BAD, "bad.yaml", warning_catalogue())
    assert any("'N15508' har ingen aktuell publicering" in line for line in lines)


# -- the trend marker's input --------------------------------------------------------------


def test_duplicate_years_cannot_be_calculated() -> None:
    series = pd.Series([1, 2, 3, 4, 5.0], index=[2019, 2019, 2019, 2019, 2023])
    result = trend_marker(series)
    assert result.direction == "cannot_calculate"
    assert "2019" in result.reason and "mer än en gång" in result.reason


def test_zero_slope_when_leaving_one_out_counts_as_a_sign_change() -> None:
    # leaving out 2024 gives exactly 0 (0, 1, 1, 0); with small standard errors the full
    # slope is clearly significant, so only the leave-one-out rule can stop it
    series = pd.Series([0.0, 1.0, 1.0, 0.0, 10.0], index=range(2020, 2025))
    result = trend_marker(series, se=[0.1] * 5)
    assert result.statistic > 9.5495 and result.slope > 0
    assert result.direction == "no_change"
    assert "extremvärde" in result.reason


def test_multi_year_means_get_no_trend_test() -> None:
    series = pd.Series(np.arange(10.0), index=range(2015, 2025))
    assert trend_marker(series).direction == "increasing"
    result = trend_marker(series, averaged_years=3)
    assert result.direction == "cannot_calculate"
    assert result.label == NO_TEST_LABEL
    assert "treårsmedelvärde" in result.reason and "inget trendtest" in result.reason


# -- neutral KPIs in evaluation and sentences ----------------------------------------------


def test_goal_direction_is_its_own_stance_and_colours_stay_neutral() -> None:
    values = demo.load_values(["N15027"], None, None)
    params = {
        "area": "kostnad",
        "title": "Kostnad",
        "municipality": "1880",
        "peers": "skr",
        "goals": [
            {
                "id": "k",
                "title": "Kostnaden ska vara lägre än riket",
                "indicators": [
                    {"kpi": "N15027", "polarity": "lower", "target": {"national": True}}
                ],
            }
        ],
    }
    row = evaluate(area_from_params(params), values, "1880").indicators.iloc[0]
    assert row["status"] in ("met", "partly", "not_met")
    assert "enligt målets egen riktning – lägre är bättre" in row["reason"]
    assert row["colour"] in ("high", "middle", "low")  # never green or red
    assert row["trend"] in ("neutral", "cannot_calculate")  # never improving/worsening


def test_expected_sentence_for_a_neutral_kpi_uses_neutral_words() -> None:
    args = ("Örebro", "Nettokostnadsavvikelse", 4.0, 1.0, 3.2, "neutral", "%", 12, 290)
    text = sentences.expected_sentence(*args)
    assert "högre än förväntat" in text
    assert "bättre" not in text.replace("varken bra", "") and "sämre" not in text
    assert "plats" not in text
    lower = sentences.expected_sentence("Örebro", "X", 1.0, 4.0, -3.2, "neutral", "%", 1, 290)
    assert "lägre än förväntat" in lower
    judged = sentences.expected_sentence("Örebro", "X", 4.0, 1.0, 3.2, "lower", "%", 280, 290)
    assert "sämre än förväntat (plats 280 av 290" in judged


# -- the neutral palette in charts -----------------------------------------------------------


def test_ranking_chart_of_a_cost_is_higher_or_lower_not_better_or_worse() -> None:
    import matplotlib.pyplot as plt

    from analys import plots, reference
    from analys.chartstyle import COLOURS
    from analys.stats import compare
    from analys.testing import drawn_bars

    values = demo.load_values(["N15027"], None, [2024])
    ax = plots.ranking_chart(values, kpi="N15027", year=2024, municipality="1880")
    drawn = drawn_bars(ax)
    series = values.set_index("municipality")["value"].reindex(reference.municipality_codes())
    expected = compare.quartile_colours(series, "neutral")["colour"].map(COLOURS)
    assert (drawn["colour"] == expected.reindex(drawn.index)).all()
    assert not set(drawn["colour"]) & {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]}
    assert drawn["value"].is_monotonic_decreasing  # highest first, not "best" first
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Högsta fjärdedelen (ingen värdering)" in legend
    assert not any("Bästa" in t or "Sämsta" in t for t in legend)
    assert "högst till lägst" in ax.get_xlabel()
    plt.close(ax.figure)


def test_spine_legend_names_the_neutral_categories() -> None:
    import matplotlib.pyplot as plt

    from analys import plots

    values = demo.load_values(["N15507", "N15027"], None, [2024])
    ax = plots.spine_chart(values, kpis=["N15507", "N15027"], municipality="1880")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Bästa fjärdedelen" in legend  # N15507 has a direction
    assert "Högsta fjärdedelen (ingen värdering)" in legend  # N15027 is a cost
    plt.close(ax.figure)


def test_driver_text_for_a_neutral_outcome_ranks_deviations() -> None:
    from analys.widgets.driver_text import residual_text

    residuals = pd.DataFrame(
        {
            "Kommun": ["A", "B"],
            "Faktiskt": [1.0, 2.0],
            "Förväntat": [0.0, 2.5],
            "Skillnad": [1.0, -0.5],
            "Placering": [1, 2],
        },
        index=["1880", "1814"],
    )
    text = residual_text(residuals, "N00097", "1880", 1)
    assert "Störst avvikelse från det förväntade" in text
    assert "Bättre än förväntat" not in text


def test_moving_average_kpi_gets_no_trend_marker_in_the_evaluation() -> None:
    area = load_area("halso_sjukvard")
    values = demo.load_values(area.kpis, None, None)
    rows = evaluate(area, values, "0018").indicators.set_index("kpi")
    assert rows.at["N79190", "trend"] == "cannot_calculate"
    assert rows.at["N79190", "trend_label"] == NO_TEST_LABEL
    assert rows.at["N79240", "trend_label"] != NO_TEST_LABEL  # an ordinary KPI is tested
    from analys.stats.redred import judgement_table

    table = judgement_table(values, "0018", {"N79190": "lower"}).set_index("kpi")
    assert table.at["N79190", "trend_label"] == NO_TEST_LABEL


@pytest.mark.parametrize(
    ("kpi", "note"),
    [
        ("N79190", "medelvärde över 3 år – inget trendtest"),
        ("U15416", "bara per skola eller enhet"),
        ("N17461", "ingen aktuell publicering"),
        ("N15027", "neutral (varken högre eller lägre är bättre)"),
    ],
)
def test_kpi_show_names_the_catalogue_facts(capsys, kpi, note) -> None:
    assert cli.main(["kpi", "show", kpi]) == 0
    assert note in capsys.readouterr().out


# -- who the genders are ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kpi", "women", "men"),
    [
        ("N15508", "flickor", "pojkar"),  # elever i åk 9
        ("N15543", "flickor", "pojkar"),  # elever i åk 6
        ("N17461", "kvinnor", "män"),  # gymnasieelever: as Kolada and Skolverket say
        ("N00090", "kvinnor", "män"),  # anställda
        ("EGEN-OKÄND", "kvinnor", "män"),  # a KPI the registry does not know
    ],
)
def test_pupils_are_girls_and_boys(kpi, women, men) -> None:
    assert registry.gender_gap_words(kpi) == (women, men)
    assert registry.gender_words(kpi)["T"] == "totalt"


def test_every_child_operating_area_in_the_registry_is_a_school_or_preschool() -> None:
    child = [k for k in registry.entries() if registry.gender_words(k)["K"] == "flickor"]
    assert child and all(registry.entry(k)["area"] in ("grundskola", "forskola") for k in child)
