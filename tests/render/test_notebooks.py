"""Notebooks in git carry no outputs and no execution counts; report templates are tagged."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_the_templates_and_explorers_exist():
    names = {path.name for path in NOTEBOOKS}
    assert {"omrade.ipynb", "oversikt.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: utdata i en kodcell"
            assert cell.execution_count is None, f"{path.name}: körnummer i en kodcell"


@pytest.mark.parametrize("name", ["omrade.ipynb", "oversikt.ipynb"])
def test_report_templates_have_a_parameters_cell_and_section_headings(name):
    nb = nbformat.read(Path(NOTEBOOKS[0]).parent / name, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "data_cache = None" in tagged[0].source
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert all(h.startswith("## ") for h in headings) and len(headings) >= 4
    code = [c for c in nb.cells if c.cell_type == "code" and c not in tagged]
    assert all(len(c.source.splitlines()) <= 12 for c in code), "notebooks stay thin"


def test_area_template_parameters_hold_every_params_key():
    nb = nbformat.read(Path(NOTEBOOKS[0]).parent / "omrade.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    from analys.goals.check import TOP_KEYS

    for key in TOP_KEYS:
        assert f"\n{key} = " in f"\n{source}", key
