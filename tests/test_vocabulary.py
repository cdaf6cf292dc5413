"""Tests of analys.vocabulary and the rules written once: each constant and rule has one home."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analys import reference
from analys.data import check_source
from analys.errors import ParamsError
from analys.frame import wide
from analys.stats.redred import exceptions, is_off_target, is_red_red
from analys.vocabulary import (
    CHILD_GENDER_WORDS,
    DEMO_MUNICIPALITY,
    GENDER_WORDS,
    GENDERS,
    MUNICIPALITY_TYPE_WORDS,
    MUNICIPALITY_TYPES,
    OFF_TARGET,
    POLARITIES,
    POLARITY_WORDS,
    SOURCE_LABELS,
    SOURCES,
    STATUS_LABELS,
    STATUSES,
    sign,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "analys"
SHARED = (
    "SOURCES",
    "SOURCE_LABELS",
    "GENDERS",
    "GENDER_WORDS",
    "CHILD_GENDER_WORDS",
    "POLARITIES",
    "POLARITY_WORDS",
    "STATUSES",
    "STATUS_LABELS",
    "OFF_TARGET",
    "OFF_TARGET_LABEL",
    "SMALL_N",
    "PEER_OPTIONS",
    "MUNICIPALITY_TYPES",
    "MUNICIPALITY_TYPE_WORDS",
    "DEMO_MUNICIPALITY",
)


def modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(SRC)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
    ]


# -- the constants ----------------------------------------------------------------------------


def test_sign_of_each_polarity() -> None:
    assert [sign(p) for p in POLARITIES] == [1, -1, 0]


@pytest.mark.parametrize("bad", ["up", "", None, "Higher"])
def test_sign_raises_a_swedish_error_naming_the_value(bad) -> None:
    with pytest.raises(ParamsError, match=r"polarity: '.*' är inte tillåten – välj higher"):
        sign(bad)


def test_every_code_has_its_swedish_words() -> None:
    assert set(SOURCE_LABELS) == set(SOURCES) == {"demo", "kolada", "store"}
    assert set(GENDER_WORDS) == set(GENDERS) == set(CHILD_GENDER_WORDS) == {"T", "K", "M"}
    assert set(POLARITY_WORDS) == set(POLARITIES)
    assert list(STATUS_LABELS) == list(STATUSES)
    assert set(MUNICIPALITY_TYPE_WORDS) == set(MUNICIPALITY_TYPES) == {"K", "L"}
    assert len(set(SOURCE_LABELS.values())) == len(SOURCES)
    assert len(set(STATUS_LABELS.values())) == len(STATUSES)


def test_off_target_is_not_met_and_partly() -> None:
    assert set(OFF_TARGET) == {"not_met", "partly"} and set(OFF_TARGET) < set(STATUSES)


def test_the_demo_municipality_is_orebro() -> None:
    assert reference.title(DEMO_MUNICIPALITY) == "Örebro"
    assert reference.municipality_type(DEMO_MUNICIPALITY) == "K"


def test_the_data_sources_are_the_vocabulary_s() -> None:
    assert [check_source(s) for s in SOURCES] == list(SOURCES)
    with pytest.raises(ParamsError, match="välj demo, kolada eller store"):
        check_source("csv")


def test_the_vocabulary_imports_only_the_errors_from_analys() -> None:
    tree = ast.parse((SRC / "vocabulary.py").read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analys")
    }
    imported |= {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("analys")
    }
    assert imported == {"analys.errors"}


def test_no_module_defines_a_shared_constant_again() -> None:
    """Each constant has one home: only the vocabulary assigns these names at module level."""
    found = []
    for name, tree in modules():
        if name == "vocabulary.py":
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            found += [
                f"{name}: {t.id}" for t in targets if isinstance(t, ast.Name) and t.id in SHARED
            ]
    assert found == []


def test_the_demo_municipality_code_is_written_once() -> None:
    written = [
        f"{name}:{node.lineno}"
        for name, tree in modules()
        if name != "vocabulary.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value == DEMO_MUNICIPALITY
    ]
    assert written == []


def test_no_module_imports_another_module_s_private_names() -> None:
    private = [
        f"{name}: {node.module}.{alias.name}"
        for name, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analys")
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert private == []


# -- the rules written once -------------------------------------------------------------------


def test_codes_of_type_are_all_municipalities_or_all_regions() -> None:
    kommuner, regioner = reference.codes_of_type("K"), reference.codes_of_type("L")
    assert len(kommuner) == 290 and len(regioner) == 21
    assert reference.RIKET not in kommuner + regioner
    assert {reference.municipality_type(c) for c in kommuner} == {"K"}
    with pytest.raises(ParamsError, match="municipality_type: 'X' är inte tillåten"):
        reference.codes_of_type("X")


def test_of_type_keeps_order_and_never_riket_or_groups() -> None:
    codes = ["1880", reference.RIKET, "0018", "G12345", "0180", 1861]
    assert reference.of_type(codes, "K") == ["1880", "0180", "1861"]
    assert reference.of_type(codes, "L") == ["0018"]
    assert reference.of_type(codes, None) == ["1880", "0018", "0180", "1861"]


def test_wide_pivots_one_gender_and_year_and_keeps_the_first_of_a_repeated_cell() -> None:
    data = pd.DataFrame(
        {
            "kpi": ["A", "A", "B", "A", "A"],
            "municipality": ["1880", "0180", "1880", "1880", "1880"],
            "year": [2024, 2024, 2024, 2024, 2023],
            "gender": ["T", "T", "T", "K", "T"],
            "value": [1.0, 2.0, 3.0, 9.0, 4.0],
        }
    )
    table = wide(data, year=2024)
    assert table.loc["1880", "A"] == 1.0 and table.loc["1880", "B"] == 3.0
    assert np.isnan(table.loc["0180", "B"]) and table.columns.name is None
    assert wide(data, gender="K", year=2024).loc["1880", "A"] == 9.0
    by_year = wide(data[data["kpi"] == "A"], columns="year")
    assert list(by_year.columns) == [2023, 2024] and by_year.loc["1880", 2023] == 4.0
    repeated = pd.concat([data, data.assign(value=99.0)])
    assert wide(repeated, year=2024).loc["1880", "A"] == 1.0
    genders = wide(data[data["kpi"] == "A"], columns="gender", gender=None, year=2024)
    assert genders.loc["1880", "K"] == 9.0 and genders.loc["1880", "T"] == 1.0


def test_red_red_and_off_target_rules() -> None:
    table = pd.DataFrame(
        {
            "kpi": ["A", "B", "C", "D", "E"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
            "colour": ["red", "red", "yellow", "red", "green"],
            "trend": ["worsening", "no_change", "worsening", "worsening", "worsening"],
            "status": ["not_met", "not_met", "partly", "met", "no_data"],
        }
    )
    assert is_red_red(table).tolist() == [True, False, False, True, False]
    assert is_off_target(table).tolist() == [True, True, True, False, False]
    listed = exceptions(table.drop(columns="status"), table.set_index("kpi")["status"])
    assert listed["kpi"].tolist() == ["A"]
