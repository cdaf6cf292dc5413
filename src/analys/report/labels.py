"""The words of the area report's tables: one label per indicator, quartile and trend words.

The same indicator label is used in tables, sentences and charts (:func:`indicator_label`);
quartile words stand under a header that names the group ("Kvartil bland alla 290
kommuner"), the sentences about the peer group use other words (:mod:`analys.report.sentences`).
"""

from __future__ import annotations

from analys import registry
from analys.goals import Indicator
from analys.stats.trend import NO_TEST_LABEL

#: quartile words in tables, under a header that names the group ("Kvartil bland alla 290
#: kommuner"); the sentences about the peer group use other words (see sentences.py)
COLOUR_WORDS = {
    "green": "Bästa 25 %",
    "yellow": "Mittenhälften",
    "red": "Sämsta 25 %",
    "grey": "Värde saknas",
    "none": "–",
    # a neutral KPI: higher or lower than the others, never better or worse
    "high": "Högre (högsta fjärdedelen)",
    "middle": "I mitten",
    "low": "Lägre (lägsta fjärdedelen)",
}
#: the table header of the trend marker: a test over five years, not last year's change
TREND_HEADER = "Trend, 5 år (test)"
TREND_WORDS = {
    "improving": "↑ Förbättras",
    "worsening": "↓ Försämras",
    "no_change": "→ Ingen säker förändring",
    "cannot_calculate": "… Kan inte beräknas",
    "neutral": "↕ Förändras (neutralt)",
}
#: cell tints of the goal tables: goal status (by its Swedish label) and quartile word
STATUS_TINTS = {
    "Uppfyllt": "#d9f0d3",
    "Delvis uppfyllt": "#fff3bf",
    "Ej uppfyllt": "#f8d0d0",
    "Data saknas": "#eeeeee",
}
QUARTILE_TINTS = {
    COLOUR_WORDS["green"]: "#d9f0d3",
    COLOUR_WORDS["yellow"]: "#fff3bf",
    COLOUR_WORDS["red"]: "#f8d0d0",
    COLOUR_WORDS["high"]: "#cfe3f1",
    COLOUR_WORDS["low"]: "#fee4c8",
}


def trend_word(assessment: str, label: str) -> str:
    """The trend column's word; a KPI with no trend test (a multi-year mean) says so."""
    if label == NO_TEST_LABEL:
        return f"… {label}"
    return TREND_WORDS.get(assessment, label)


def indicator_label(ind: Indicator) -> str:
    """One label per indicator, the same in tables, sentences and charts.

    The params file's own label when given ("Meritvärde åk 9, pojkar"), else the registry's
    label with the gender when not the total ("Meritvärde åk 9, män").
    """
    if ind.label:
        return ind.label
    word = registry.gender_words(ind.kpi).get(ind.gender) if ind.gender != "T" else None
    return f"{registry.label(ind.kpi)}, {word}" if word else registry.label(ind.kpi)
