"""Params files: loading, the goal tree, and the corpus of broken files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

import analys
from analys import cli, registry
from analys.errors import ParamsError
from analys.goals import Area, area_from_params, list_areas, load_area, params_dir

BROKEN = Path(__file__).parents[1] / "params_broken"
BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def expected_problems(path: Path) -> list[str]:
    """The exact lines a broken file must produce, from its ``# fel:`` comment lines."""
    year = dt.date.today().year
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        line.removeprefix("# fel: ")
        .replace("{i_år}", str(year))
        .replace("{förra_året}", str(year - 1))
        for line in lines
        if line.startswith("# fel: ")
    ]


def snapshot_tree(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*")}


def test_the_corpus_is_large_enough():
    assert len(BROKEN_FILES) >= 30
    assert all(expected_problems(path) for path in BROKEN_FILES)


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.stem)
def test_broken_file_gives_its_exact_messages_and_exit_2(path, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(path.parents[2])  # the repository: messages name tests/params_broken/…
    label = str(path.relative_to(path.parents[2]))
    before = snapshot_tree(path.parent) | snapshot_tree(tmp_path)
    code = cli.main(["check", label])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    problems = [line for line in err.splitlines() if line.startswith(label + ": ")]
    assert problems == [f"{label}: {line}" for line in expected_problems(path)]
    assert snapshot_tree(path.parent) | snapshot_tree(tmp_path) == before  # nothing written
    assert not any(Path(os.environ["ANALYS_DATA_DIR"]).glob("*"))


def test_load_area_raises_every_problem_of_a_file():
    with pytest.raises(ParamsError) as caught:
        load_area(BROKEN / "unknown_indicator_key.yaml")
    assert len(caught.value.problems) == 2


def test_shipped_params_pass_check(capsys):
    assert cli.main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and len(out.splitlines()) == 1


def test_check_of_an_unknown_area_is_a_clear_error(capsys):
    assert cli.main(["check", "finnsinte"]) == 2
    assert "finnsinte: området eller filen finns inte" in capsys.readouterr().err


def test_areas_lists_every_area(capsys):
    assert cli.main(["areas"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(list_areas()) >= 11
    assert "halso_sjukvard" in out and "region" in out


def test_every_area_has_two_to_four_goals_and_mixed_targets():
    kinds = set()
    for name in list_areas():
        area = load_area(name)
        assert 2 <= len(area.goals) <= 4, name
        assert 3 <= len(area.indicators) <= 8, name
        assert area.drivers is not None, name
        kinds |= {indicator.target.kind for _, indicator in area.indicators}
        for kpi in area.kpis:
            assert registry.entry(kpi), f"{name}: {kpi} saknas i registret"
    assert kinds == {"value", "national", "peers_median", "peers_quantile", "change", "range"}


def test_load_area_by_name_and_by_path_agree():
    by_name = load_area("grundskola")
    by_path = load_area(params_dir() / "grundskola.yaml")
    assert isinstance(by_name, Area)
    assert by_name == by_path
    assert analys.load_area("grundskola").kpis == by_name.kpis


def test_area_kpis_cover_indicators_drivers_and_cost():
    area = load_area("grundskola")
    ids = {indicator.kpi for _, indicator in area.indicators}
    assert ids <= set(area.kpis)
    assert area.drivers.outcome in area.kpis
    assert set(area.drivers.explanatory) <= set(area.kpis)
    assert area.cost in area.kpis
    assert len(area.kpis) == len(set(area.kpis))


def test_region_area_is_of_type_l():
    area = load_area("halso_sjukvard")
    assert area.municipality_type == "L" and area.municipality == "0018"


def test_polarity_comes_from_the_registry_unless_overridden():
    params = {
        "area": "t",
        "title": "T",
        "municipality": "1880",
        "goals": [
            {
                "id": "a",
                "title": "A",
                "indicators": [
                    {"kpi": "N15033", "target": {"value": 1}},
                    {"kpi": "N15033", "polarity": "higher", "target": {"value": 1}},
                ],
            }
        ],
    }
    area = area_from_params(params)
    assert [i.polarity for _, i in area.indicators] == ["lower", "higher"]


def test_params_are_read_with_the_safe_loader(tmp_path):
    path = tmp_path / "farlig.yaml"
    path.write_text(
        "area: farlig\ntitle: !!python/object/apply:os.system ['touch x']\ngoals: []\n",
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match="YAML"):
        load_area(path)
    assert not (tmp_path / "x").exists()


def test_params_files_are_papermill_parameters():
    raw = yaml.safe_load((params_dir() / "grundskola.yaml").read_text(encoding="utf-8"))
    area = area_from_params(raw, expected_area="grundskola")
    assert area == load_area("grundskola")


# ---------------------------------------------------------------------------------- pure check


def _no_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every loader of catalogues and groups fail: a pure check must not call one."""

    def refuse(*args, **kwargs):
        raise AssertionError("the check read a catalogue or groups from a source")

    import analys.catalogue
    import analys.data
    import analys.demo
    import analys.goals
    from analys.store import Store

    for target in (
        (analys.catalogue, "catalogue"),
        (analys.catalogue, "for_source"),
        (analys.goals, "check_groups"),
        (analys.data, "load_groups"),
        (analys.demo, "kpis"),
        (analys.demo, "groups"),
        (Store, "kpis"),
        (Store, "groups"),
    ):
        monkeypatch.setattr(*target, refuse)


def _given_sources() -> tuple:
    from analys import catalogue, data

    return catalogue.for_source("demo"), data.load_groups("demo")


def test_the_check_validates_without_touching_a_source(monkeypatch):
    """Validation takes the catalogue and the groups as arguments and reads nothing."""
    from analys.goals import read_params

    kpis, groups = _given_sources()
    raw = read_params(params_dir() / "grundskola.yaml")
    raw["peers"] = str(groups["group"].iloc[0])  # a Kolada group id: checked against groups
    _no_disk(monkeypatch)
    area = area_from_params(raw, catalogue=kpis, groups=groups)
    assert area.area == "grundskola" and area.peers == raw["peers"]
    broken = {**raw, "peers": "G999999", "cost": "N1550"}
    with pytest.raises(ParamsError) as caught:
        area_from_params(broken, catalogue=kpis, groups=groups)
    assert any("G999999" in p and "ingen känd kommungrupp" in p for p in caught.value.problems)
    assert any("N1550" in p and "finns inte i Kolada" in p for p in caught.value.problems)


def test_the_checker_itself_is_pure(monkeypatch):
    from analys.goals.check import Checker

    kpis, groups = _given_sources()
    _no_disk(monkeypatch)
    checker = Checker("x.yaml", catalogue=kpis.head(0), groups=None)
    checker.area({"area": "x", "title": "X", "goals": [], "peers": "G1"}, "x")
    assert "x.yaml: goals: filen har inga mål – ange minst ett mål med indikatorer" in (
        checker.problems
    )
    assert any("peers: 'G1' är ingen känd kommungrupp" in p for p in checker.problems)


def test_load_area_reads_groups_only_for_a_group_id(monkeypatch):
    """The loading helper reads the catalogue once and the groups only when peers name one."""
    import analys.catalogue
    import analys.goals

    kpis, groups = _given_sources()
    calls: list[str] = []
    monkeypatch.setattr(analys.catalogue, "for_source", lambda s: calls.append(f"kpis:{s}") or kpis)
    monkeypatch.setattr(
        analys.goals, "check_groups", lambda s: calls.append(f"groups:{s}") or groups
    )
    load_area("grundskola")
    assert calls == ["kpis:demo"]
    from analys.goals import read_params

    raw = read_params(params_dir() / "grundskola.yaml")
    area_from_params({**raw, "peers": str(groups["group"].iloc[0])})
    assert calls == ["kpis:demo", "kpis:demo", "groups:demo"]
