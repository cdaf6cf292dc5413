"""Swedish sentences generated from numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analys import sentences


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
        "Meritvärdet har ökat tre år i rad och ligger nu bland de 25 % bästa i kommungruppen."
    )


def test_area_and_goal_sentences():
    counts = {"met": 2, "partly": 1, "not_met": 0, "no_data": 0}
    assert (
        sentences.area_sentence("Grundskola", counts, "Örebro", 2024)
        == "Grundskola i Örebro 2024: av 3 mål är 2 uppfyllda och 1 delvis uppfyllda."
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
