"""Rendered reports judge honestly: a neutral or cost outcome is never better/worse.

Executes the real ``notebooks/omrade.ipynb`` for two areas whose expected-value outcome has no
direction: ``ekonomi`` (N00097, nettokostnadsavvikelse) and ``funktionsnedsattning`` (N25022,
cost per inhabitant). One module fixture renders both (two kernels, ``jobs=2``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analys import registry, render

pytestmark = pytest.mark.slow


def _texts(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            texts.append(cell.source)
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                texts.append(output.text)
            data = output.get("data", {})
            texts += [data[k] for k in ("text/markdown", "text/html") if k in data]
    return texts


def _section(nb, heading: str) -> str:
    texts, inside = [], False
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            inside = cell.source == f"## {heading}"
            continue
        if inside:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                texts += [data[k] for k in ("text/markdown", "text/html") if k in data]
                if output.output_type == "stream":
                    texts.append(output.text)
    return "\n".join(texts)


@pytest.fixture(scope="module")
def neutral_reports(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    summary = render.render(
        ["ekonomi", "funktionsnedsattning"], ["1880"], out=out, jobs=2, progress=False
    )
    assert summary.exit_code == 0, summary.text()
    return out


def test_outcomes_of_these_areas_are_neutral() -> None:
    # the premise of the tests below: both outcomes have no direction in the registry
    assert registry.polarity("N00097") == "neutral"  # nettokostnadsavvikelse
    assert registry.polarity("N25022") == "neutral"  # kostnad, kr/inv (Resurser)


@pytest.mark.parametrize("area", ["ekonomi", "funktionsnedsattning"])
def test_neutral_outcome_is_higher_or_lower_never_better_or_worse(neutral_reports, area):
    nb = nbformat.read(neutral_reports / "1880" / f"{area}.ipynb", as_version=4)
    expected = _section(nb, "6. Förväntat värde och samband")
    assert "givet sina förutsättningar" in expected  # the section ran
    assert re.search(r"(högre|lägre|precis som) (än )?förväntat", expected)
    assert not re.search(r"(bättre|sämre) än förväntat", expected, re.IGNORECASE)
    assert "Bäst i förhållande till förutsättningarna" not in expected
    assert "Störst avvikelse från det förväntade" in expected
    assert "Lär av" not in expected
    assert not re.search(r"plats \d+ av \d+", expected)  # no ranking of deviations as "best"


def test_cost_outcome_has_no_learn_from_list_of_low_spenders(neutral_reports):
    nb = nbformat.read(neutral_reports / "1880" / "funktionsnedsattning.ipynb", as_version=4)
    joined = "\n".join(_texts(nb))
    assert "Lär av" not in joined
    assert "Kostnaden värderas inte" in joined  # the result-against-cost chart says so
    assert not re.search(r"(bättre|sämre) än förväntat", joined, re.IGNORECASE)
