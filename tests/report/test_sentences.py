"""Swedish sentences generated from numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys import demo
from analys.report import sentences
from analys.stats.peers import reference_group


def test_streak_counts_consecutive_rises_and_stops_at_gaps():
    rising = pd.Series([1.0, 2.0, 3.0, 4.0], index=[2020, 2021, 2022, 2023])
    assert sentences.streak(rising) == (1, 3)
    gap = pd.Series([1.0, 2.0, 3.0], index=[2019, 2021, 2022])
    assert sentences.streak(gap) == (1, 1)
    falling_after_rise = pd.Series([1.0, 3.0, 2.0, 1.0], index=[2020, 2021, 2022, 2023])
    assert sentences.streak(falling_after_rise) == (-1, 2)
    assert sentences.streak(pd.Series([5.0, 5.0], index=[2022, 2023])) == (0, 0)


def test_peer_position_uses_score_quartiles():
    peers = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert sentences.peer_position(45.0, peers, "higher") == "bland de 25 % bästa"
    assert sentences.peer_position(45.0, peers, "lower") == "bland de 25 % sämsta"
    assert sentences.peer_position(30.0, peers, "higher") == "i mitten"
    assert sentences.peer_position(30.0, peers, "neutral") is None
    assert sentences.peer_position(np.nan, peers, "higher") is None
    assert sentences.peer_position(30.0, peers[:3], "higher") is None


def test_indicator_sentence_reads_like_the_issue_example():
    series = pd.Series([220.0, 224.0, 229.0, 233.0], index=[2021, 2022, 2023, 2024])
    text = sentences.indicator_sentence(
        "Meritvärdet", series, "higher", position="bland de 25 % bästa", peers_label="kommungruppen"
    )
    assert text == (
        "Meritvärdet har ökat tre år i rad (2021–2024) och ligger 2024 bland de 25 % bästa i "
        "kommungruppen."
    )


def _group(peers: str | list[str]):
    return reference_group("1880", peers, groups=demo.groups(), area="grundskola")


def test_every_position_names_its_group():
    lan = _group("lan")  # 11 other municipalities in Örebro län
    values = [float(v) for v in range(1, 12)]
    assert (
        sentences.peer_position(20.0, values, "higher", lan, "Örebro")
        == "tillhör de 25 % bästa bland 11 kommuner i Örebro län"
    )
    assert (
        sentences.peer_position(0.0, values, "higher", lan)
        == "tillhör de 25 % sämsta bland 11 kommuner i Örebro län"
    )
    assert (
        sentences.peer_position(6.0, values, "higher", lan)
        == "ligger i mitten bland 11 kommuner i Örebro län"
    )
    alla = _group("alla")
    everyone = [float(v) for v in range(289)]
    assert (
        sentences.peer_position(300.0, everyone, "higher", alla)
        == "tillhör de 25 % bästa bland alla 290 kommuner"
    )
    assert sentences.peer_position(3.0, values, "neutral", lan) is None


def test_small_groups_get_a_rank_not_quartile_words():
    liknande = _group("liknande")
    seven = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0]
    text = sentences.peer_position(70.0, seven, "higher", liknande, "Örebro")
    assert text == "är näst bäst av 8 (Örebro och 7 liknande kommuner)"
    assert "25 %" not in text
    assert sentences.peer_position(90.0, seven, "higher", liknande).startswith("är bäst av 8")
    assert sentences.peer_position(5.0, seven, "higher", liknande).startswith("är sämst av 8")
    assert sentences.peer_position(5.0, seven, "lower", liknande).startswith("är bäst av 8")
    assert sentences.peer_position(35.0, seven, "higher", liknande).startswith("är på plats 5")
    # only the peers with a value count
    text = sentences.peer_position(70.0, [*seven[:3], np.nan], "higher", liknande, "Örebro")
    assert text == "är bäst av 4 (Örebro och 3 av 7 liknande kommuner)"  # 3 with a value
    series = pd.Series([1.0, 2.0], index=[2021, 2022])
    sentence = sentences.indicator_sentence(
        "Meritvärde åk 9", series, "higher", position=text, year=2022
    )
    assert sentence == (
        "Meritvärde åk 9 ökade från 2021 till 2022 och är 2022 bäst av 4 (Örebro och 3 av 7 "
        "liknande kommuner)."
    )


def test_a_missing_report_year_is_said_as_such():
    assert (
        sentences.missing_sentence("Meritvärde åk 9", 2022, 2021)
        == "Meritvärde åk 9: data saknas 2022 (senaste värde 2021)."
    )
    assert sentences.missing_sentence("X", 2022) == "X: data saknas 2022."


def test_area_and_goal_sentences():
    counts = {"met": 2, "partly": 1, "not_met": 0, "no_data": 0}
    assert (
        sentences.area_sentence("Grundskola", counts, "Örebro", 2024)
        == "Grundskola i Örebro 2024: av 3 mål är 2 uppfyllda och 1 delvis uppfyllt."
    )
    assert (
        sentences.goal_sentence("Alla ska nå målen", "partly", 1, 4)
        == "Målet ”Alla ska nå målen” är delvis uppfyllt (1 av 4 indikatorer uppfyllda)."
    )


def test_change_and_expected_sentences_format_swedish_numbers():
    assert (
        sentences.change_sentence("Andelen", 70.0, 73.25, 2020, 2024, "%")
        == "Andelen har ökat med 3,2 procentenheter sedan 2020 (2024)."
    )
    text = sentences.expected_sentence(
        "Örebro", "Meritvärde", 230.0, 225.5, 4.0, "higher", "poäng", 12, 290
    )
    assert text.endswith("4,5 poäng bättre än förväntat (plats 12 av 290 kommuner).")


def test_a_change_across_a_gap_in_the_years_is_not_called_unchanged():
    """98,5 in 2023 and 94,8 in 2025 (no 2024) once read "är oförändrat 2023–2025"."""
    gap = pd.Series([97.0, 98.5, 94.8], index=[2022, 2023, 2025])
    text = sentences.indicator_sentence("Får önskad hjälp", gap, "higher", position=None)
    assert text == "Får önskad hjälp minskade från 2023 till 2025."
    up = pd.Series([10.7, 11.3], index=[2021, 2025])
    assert "ökade från 2021 till 2025" in sentences.indicator_sentence(
        "X", up, "higher", position=None
    )
    same = pd.Series([5.0, 5.0], index=[2023, 2025])
    assert "har inte förändrats från 2023 till 2025" in sentences.indicator_sentence(
        "X", same, "higher", position=None
    )


def test_one_goal_one_indicator_and_one_peer_are_singular():
    text = sentences.area_sentence("Ekonomi", {"met": 1, "not_met": 1}, "Malå", 2025)
    assert text == "Ekonomi i Malå 2025: av 2 mål är 1 uppfyllt och 1 inte uppfyllt."
    text = sentences.area_sentence("Skola", {"met": 2, "partly": 1}, "Malå", 2025)
    assert text.endswith("av 3 mål är 2 uppfyllda och 1 delvis uppfyllt.")
    assert sentences.goal_sentence("Trygg skola", "met", 1, 1).endswith(
        "(1 av 1 indikator uppfylld)."
    )
    assert sentences.goal_sentence("Trygg skola", "met", 2, 3).endswith(
        "(2 av 3 indikatorer uppfyllda)."
    )
    # Danderyd once read "är uppfyllt (1 av 3 indikatorer uppfyllda)" with no why
    assert sentences.goal_sentence("Delaktighet", "met", 1, 3, partly=1, no_data=1).endswith(
        "är uppfyllt (1 av 3 indikatorer uppfyllda, 1 delvis och 1 utan data)."
    )
    one = _group(["1814"])  # a group of one
    assert one.counted() == "1 vald kommun" and one.among() == "bland 1 vald kommun"
    group = _group("liknande")  # 7 members, fewer with a value: "of" the group
    assert group.counted(1) == "1 av 7 liknande kommuner" and group.counted(7) == (
        "7 liknande kommuner"
    )


def test_a_difference_that_rounds_to_nothing_is_as_expected():
    """'3,5 % mot förväntat 3,5 % – 0,0 procentenheter bättre än förväntat' once."""
    text = sentences.expected_sentence("Malå", "X", 3.52, 3.49, 0.04, "higher", "%", 140, 290)
    assert text.endswith("– som förväntat (plats 140 av 290 kommuner).")
    text = sentences.expected_sentence("Malå", "X", 3.52, 3.49, 0.04, "neutral", "%", 140, 290)
    assert text.endswith("– som förväntat.")
    assert "bättre" in sentences.expected_sentence("M", "X", 3.6, 3.4, 0.2, "higher", "%", 1, 9)


def test_numbers_take_the_swedish_minus_and_no_negative_zero():
    from analys.format import MINUS, number

    assert number(-3.5) == f"{MINUS}3,5" and number(-1234.5, 0) == f"{MINUS}1 234"
    assert number(-0.04) == "0,0" and number(-0.0) == "0,0" and number(0.04) == "0,0"
    assert number(12345.6) == "12 345,6" and number(-2, 0) == f"{MINUS}2"


def test_counts_and_indexes_take_no_unit_word_and_rates_read_per():
    """ "3,3 antal", "5,4 antal mot målet 5,0 antal" and "2,7 antal/100 vårdplatser" once
    stood in reports."""
    from analys.format import join_and, with_unit

    assert with_unit(3.25, "antal") == "3,2" and with_unit(0.8, "index") == "0,8"
    assert with_unit(2.7, "antal/100 vårdplatser") == "2,7 per 100 vårdplatser"
    assert with_unit(62.3, "%") == "62,3 %" and with_unit(118300, "kr/elev", 0) == "118 300 kr/elev"
    assert join_and(["Trosa", "Kumla", "Mark"]) == "Trosa, Kumla och Mark"
    assert join_and(["Trosa"]) == "Trosa" and join_and([]) == ""
    same = pd.Series([5.0, 5.0], index=[2024, 2025])
    text = sentences.indicator_sentence("Åtgärdbar dödlighet", same, "lower", position=None)
    assert text == "Åtgärdbar dödlighet har inte förändrats från 2024 till 2025."  # any gender


def test_one_more_unit_is_en_till():
    from analys.stats import units as U

    table = pd.DataFrame(
        {
            "title": ["Ek", "Björk", "Lind"],
            "trend": ["improving"] * 3,
            "colour": ["yellow"] * 3,
            "rank_sweden": [1, 2, 3],
        }
    )
    (text,) = U.standouts(table, "Nöjda")
    assert text == "Nöjda förbättras signifikant vid Ek, Björk och en till."


def test_sentences_star_the_preliminary_year() -> None:
    rising = pd.Series([1.0, 2.0, 3.0], index=[2023, 2024, 2025])
    text = sentences.indicator_sentence("X", rising, "higher", position=None, preliminary=2025)
    assert text == "X har ökat två år i rad (2023–2025*)."
    once = pd.Series([2.0, 1.0], index=[2024, 2025])
    assert "minskade från 2024 till 2025*" in sentences.indicator_sentence(
        "X", once, "higher", position="är bäst av 8 (X och 7 liknande kommuner)", preliminary=2025
    )
    assert "är 2025* bäst av 8" in sentences.indicator_sentence(
        "X", once, "higher", position="är bäst av 8 (X och 7 liknande kommuner)", preliminary=2025
    )
    assert sentences.indicator_sentence("X", once, "higher", position=None) == (
        "X minskade från 2024 till 2025."
    )
    assert (
        sentences.missing_sentence("X", 2025, 2023, preliminary=2025)
        == "X: data saknas 2025* (senaste värde 2023)."
    )
    assert sentences.area_sentence("Skola", {"met": 1}, "Malå", 2025, preliminary=2025) == (
        "Skola i Malå 2025*: av 1 mål är 1 uppfyllt."
    )


def test_islands_take_pa_and_the_demo_banner_says_demodata_once(monkeypatch):
    from analys.report import Report, output
    from analys.vocabulary import in_place

    assert in_place("Gotland") == "på Gotland" and in_place("Örebro") == "i Örebro"
    assert sentences.area_sentence("Grundskola", {"met": 1}, "Gotland", 2024).startswith(
        "Grundskola på Gotland 2024:"
    )
    shown = []
    monkeypatch.setattr(output, "display", lambda obj, *a, **k: shown.append(obj))
    Report.from_area("ekonomi", "0980")._demo_banner()
    banner = shown[0].data
    assert banner.count("emodata") == 1 and "DEMODATA" not in banner


def test_the_goal_sentence_and_the_goal_reason_name_the_indicators_alike():
    """The report's goal sentence and the evaluation's reason (the goals table, the Excel
    workbook) list the partly met and those without data the same way (once "1 delvis och 1
    utan data" against "1 delvis, 1 utan data")."""
    from analys.fulfilment import _goal_reason
    from analys.goals import load_area

    counts = {"met": 1, "partly": 1, "not_met": 0, "no_data": 1}
    reason = _goal_reason(counts, 3, 0.75, 0.67, "met", load_area("grundskola"))
    sentence = sentences.goal_sentence("Delaktighet", "met", 1, 3, partly=1, no_data=1)
    basis = "1 av 3 indikatorer uppfyllda, 1 delvis och 1 utan data"
    assert reason.startswith(f"{basis}; poäng") and f"({basis})." in sentence
    only = _goal_reason({**counts, "no_data": 0}, 2, 0.75, 1.0, "met", load_area("grundskola"))
    assert only.startswith("1 av 2 indikatorer uppfyllda, 1 delvis; poäng")
