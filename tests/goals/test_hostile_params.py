"""Hostile params files: nothing hangs, nothing is a traceback, nothing lies.

The broken files themselves live in ``tests/params_broken/params_*.yaml`` and are checked line
by line by ``test_goals.py``; this module checks what a corpus file cannot express: time and
memory, unreadable files, and that non-finite numbers never reach a judgement.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from analys import cli
from analys.errors import ParamsError
from analys.goals import area_from_params, load_area

BROKEN = Path(__file__).parents[1] / "params_broken"
VALID = """\
area: {name}
title: Test
municipality: "1880"
goals:
  - id: kunskap
    title: Mål
    indicators:
      - kpi: N15508
        target: {{value: 80}}
"""


def check(path: Path, capsys) -> tuple[int, list[str]]:
    code = cli.main(["check", str(path)])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err.splitlines()


def test_billion_laughs_is_refused_at_once_in_little_memory():
    """The classic 9×9 nested aliases (10⁹ leaves) in a subprocess with a 512 MB cap."""
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (512 * 2**20, 512 * 2**20))\n"
        "from analys.cli import main\n"
        "sys.exit(main(['check', sys.argv[1]]))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script, str(BROKEN / "params_billion_laughs.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 30
    lines = result.stderr.splitlines()
    assert (
        "aliasen (*) gör filen till mer än 20 000 värden" in lines[0]
        and "Traceback" not in result.stderr
    )
    assert len(result.stderr) < 1000


def test_an_alias_for_a_repeated_target_is_fine_and_so_is_safe_dump_output(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text(
        VALID.format(name="alias").replace("target: {value: 80}", "target: &mal {value: 80}")
        + "      - kpi: N15507\n        target: *mal\n"
    )
    area = load_area(path)
    assert [i.target.value for _, i in area.indicators] == [80.0, 80.0]
    shared = {"national": True}  # one object twice: safe_dump writes &id001 / *id001
    params = yaml.safe_load(VALID.format(name="dump"))
    params["goals"][0]["indicators"] = [{"kpi": k, "target": shared} for k in ("N15507", "N15508")]
    dumped = tmp_path / "dump.yaml"
    dumped.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert "*id001" in dumped.read_text(encoding="utf-8")
    assert len(load_area(dumped).indicators) == 2


def test_aliases_cannot_multiply_a_long_text(tmp_path, capsys):
    """Few values but much text: 500 aliases of a 10,000-character description."""
    path = tmp_path / "lang.yaml"
    path.write_text(
        VALID.format(name="lang")
        + f"description: &t '{'x' * 10_000}'\n"
        + "drivers: {outcome: N15507, explanatory: ["
        + ", ".join(["*t"] * 500)
        + "]}\n"
    )
    code, lines = check(path, capsys)
    assert code == 2 and "aliasen (*) gör filen till mer än 1 000 000 tecken" in lines[0]


def test_aliases_cannot_nest_deeper_than_the_limit(tmp_path, capsys):
    path = tmp_path / "djupalias.yaml"
    levels = "[" * 20 + "1" + "]" * 20
    path.write_text(
        VALID.format(name="djupalias")
        + f"drivers: {{a: &a {levels}, b: [[[[[[[[[[[[[[*a]]]]]]]]]]]]]]}}\n"
    )
    code, lines = check(path, capsys)
    assert code == 2 and "för djup nästling (mer än 32 nivåer)" in lines[0]


def test_deep_nesting_in_notebook_parameters_is_one_line(tmp_path, capsys):
    """Nesting deeper than Python's recursion limit, in flow and in block style."""
    deep = tmp_path / "djup.yaml"
    deep.write_text(VALID.format(name="djup") + "description: " + "{a: " * 3000 + "1" + "}" * 3000)
    code, lines = check(deep, capsys)
    assert code == 2 and len(lines) == 2 and "för djup nästling" in lines[0]
    block = tmp_path / "block.yaml"
    block.write_text(
        VALID.format(name="block")
        + "drivers:\n"
        + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200))
    )
    code, lines = check(block, capsys)
    assert code == 2 and "för djup nästling" in lines[0]


def test_duplicate_keys_are_an_error_at_every_level(tmp_path, capsys):
    path = tmp_path / "dubbel.yaml"
    path.write_text(
        VALID.format(name="dubbel").replace("target: {value: 80}", "target: {value: 80, value: 90}")
    )
    code, lines = check(path, capsys)
    assert code == 2
    assert lines[0].endswith(
        "rad 9, kolumn 29: nyckeln value finns två gånger i samma mappning (första gången "
        "på rad 9) – ta bort den ena"
    )


def test_invalid_utf8_a_directory_and_a_huge_file_are_one_line_each(tmp_path, capsys):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(VALID.format(name="latin").replace("Mål", "M\xe5l").encode("latin-1"))
    code, lines = check(latin, capsys)
    assert code == 2 and "filen är inte UTF-8" in lines[0] and "rad 6: invalid" in lines[0]
    folder = tmp_path / "mapp.yaml"
    folder.mkdir()
    code, lines = check(folder, capsys)
    assert code == 2 and lines == [f"{folder}: är en mapp, inte en params-fil"]
    huge = tmp_path / "stor.yaml"
    huge.write_text(VALID.format(name="stor") + "description: '" + "x" * 1_100_000 + "'\n")
    code, lines = check(huge, capsys)
    assert code == 2 and "större än 1 MB" in lines[0] and len(lines[0]) < 300


@pytest.mark.parametrize("value", ["2020-13-45", "9" * 5000])
def test_a_value_yaml_cannot_build_is_one_swedish_line(tmp_path, capsys, value):
    path = tmp_path / "konstig.yaml"
    path.write_text(VALID.format(name="konstig") + f"description: {value}\n")
    code, lines = check(path, capsys)
    assert code == 2 and len(lines) == 2
    assert lines[0] == (
        f"{path}: ett värde går inte att tolka (t.ex. ett datum som inte finns eller ett tal "
        "med tusentals siffror) – skriv vanliga tal, och text inom citattecken"
    )


def test_a_directory_among_the_params_files_is_named_and_the_rest_checked(
    tmp_path, capsys, monkeypatch
):
    (tmp_path / "bra.yaml").write_text(VALID.format(name="bra"), encoding="utf-8")
    (tmp_path / "konstig.yaml").mkdir()
    monkeypatch.setenv("ANALYS_PARAMS_DIR", str(tmp_path))
    code = cli.main(["check"])
    err = capsys.readouterr().err
    assert code == 2 and "konstig.yaml: är en mapp" in err and "1 problem i 2 fil(er)" in err


def test_an_unreadable_params_file_is_one_line(tmp_path, unprivileged):
    path = tmp_path / "hemlig.yaml"
    path.write_text(VALID.format(name="hemlig"), encoding="utf-8")
    path.chmod(0)
    result = subprocess.run(
        unprivileged([sys.executable, "-m", "analys.cli", "check", str(path)]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}: filen går inte att läsa (behörighet saknas) – kontrollera filens rättigheter",
        "1 problem i 1 fil(er).",
    ]


# ---------------------------------------------------------------------------- non-finite


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("value", float("nan")),
        ("value", float("inf")),
        ("range", [float("nan"), 1.0]),
        ("change", float("-inf")),
        ("peers_quantile", float("nan")),
        ("value", True),
    ],
)
def test_non_finite_targets_from_a_notebook_are_refused(where, value):
    """The same checks hold for notebook parameters (Python floats, not YAML text)."""
    target = {where: value, **({"since": 2020} if where == "change" else {})}
    params = {
        "area": "x",
        "title": "X",
        "municipality": "1880",
        "goals": [{"id": "a", "title": "A", "indicators": [{"kpi": "N15507", "target": target}]}],
    }
    with pytest.raises(ParamsError, match=f"target.{where}"):
        area_from_params(params)


def test_huge_integers_are_not_numbers_and_never_overflow():
    params = {
        "area": "x",
        "title": "X",
        "municipality": "1880",
        "tolerance": 10**400,
        "goals": [
            {
                "id": "a",
                "title": "A",
                "weight": 10**5000,
                "indicators": [{"kpi": "N15507", "target": {"value": 10**400}}],
            }
        ],
    }
    with pytest.raises(ParamsError) as caught:
        area_from_params(params)
    assert len(caught.value.problems) == 3
    assert all(len(line) < 250 for line in caught.value.problems)


def test_the_shipped_areas_still_load():
    """The stricter loader accepts every params file the project ships."""
    for path in sorted((Path(__file__).parents[2] / "params").glob("*.yaml")):
        assert load_area(path).goals, path


def test_a_params_file_parsed_once_is_read_afresh_and_apart(tmp_path):
    """The parse is kept per text (a batch's overviews read every file): a changed file is
    parsed again, and a caller's change to its dict never reaches the next reader."""
    from analys.goals.read import read_params

    path = tmp_path / "omrade.yaml"
    path.write_text("area: omrade\ngoals:\n  - title: Mål\n", encoding="utf-8")
    first = read_params(path)
    first["goals"][0]["title"] = "ändrad"
    assert read_params(path)["goals"][0]["title"] == "Mål"
    path.write_text("area: omrade\ngoals:\n  - title: Nytt mål\n", encoding="utf-8")
    assert read_params(path)["goals"][0]["title"] == "Nytt mål"
    path.write_text("area: omrade\narea: annat\n", encoding="utf-8")  # a key twice
    with pytest.raises(ParamsError):
        read_params(path)
    with pytest.raises(ParamsError):  # a refusal is not kept as a result
        read_params(path)
