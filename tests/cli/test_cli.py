"""The command line's one mapping from errors to exit codes and messages, and ``--years``."""

from __future__ import annotations

import pytest

from analys import cli
from analys.cli import errors
from analys.cli.fetch import parse_years
from analys.errors import AnalysError, KoladaError, ParamsError, StoreError
from analys.own import ImportProblems


class Stopped(KeyboardInterrupt):
    """A batch stopped by a signal, as the render batch raises it."""

    def __init__(self, signum: int, summary: object = None) -> None:
        super().__init__(signum)
        self.signum = signum
        self.summary = summary

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class Summary:
    def text(self) -> str:
        return "3 rapporter klara, 1 avbruten"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ParamsError("fel"), 2),
        (ImportProblems(["a", "b"]), 2),
        (KoladaError("HTTP 503"), 1),
        (StoreError("skadad"), 1),
        (AnalysError("något"), 1),
        (KeyboardInterrupt(), 130),
        (Stopped(15), 143),
        (Stopped(1), 129),
    ],
)
def test_exit_codes(error, code):
    assert errors.exit_code(error) == code


def test_a_bug_has_no_exit_code():
    with pytest.raises(TypeError):
        errors.exit_code(ValueError("ett fel i koden"))


@pytest.mark.parametrize(
    ("command", "error", "text"),
    [
        (None, ParamsError(["rad 1", "rad 2"]), "rad 1\nrad 2"),
        ("check", ParamsError("params/x.yaml: goals: saknas"), "params/x.yaml: goals: saknas"),
        ("render", ParamsError("AREA: finns inte"), "analys render: AREA: finns inte"),
        ("demo", ParamsError("AREA: finns inte"), "analys demo: AREA: finns inte"),
        ("app", ParamsError("--port: upptagen"), "analys app: --port: upptagen"),
        ("kpi", KoladaError("HTTP 503"), "Kolada: HTTP 503"),
        ("fetch", KoladaError("HTTP 503"), "Hämtningen misslyckades: HTTP 503"),
        ("store", StoreError("manifest.json är skadad"), "manifest.json är skadad"),
        ("kpi", ParamsError("N1\x1b[31m finns inte"), "N1 finns inte"),
        (
            "import",
            ImportProblems(["f.csv: rad 2: 'x' – ska vara ett tal", "f.csv: rad 3: tom"]),
            "f.csv: rad 2: 'x' – ska vara ett tal\nf.csv: rad 3: tom\n"
            "2 problem – inget lästes in. Rätta filen och försök igen.",
        ),
        ("fetch", KeyboardInterrupt(), "Avbrutet."),
        ("render", Stopped(15, Summary()), "3 rapporter klara, 1 avbruten"),
    ],
)
def test_messages(command, error, text):
    assert errors.message(command, error) == text


def test_run_maps_what_the_handler_raises(capsys):
    def bad_input() -> int:
        raise ParamsError("-m: 180 är inga kommunkoder")

    def fine() -> int:
        print("Klart.")
        return 0

    assert errors.run("fetch", bad_input) == 2
    assert capsys.readouterr().err == "-m: 180 är inga kommunkoder\n"
    assert errors.run("fetch", fine) == 0
    assert capsys.readouterr().out == "Klart.\n"


def test_a_stopped_batch_prints_its_summary_on_stdout(capsys):
    def stopped() -> int:
        raise Stopped(15, Summary())

    assert errors.run("render", stopped) == 143
    out = capsys.readouterr()
    assert out.out == "3 rapporter klara, 1 avbruten\n" and out.err == ""


def test_a_bug_keeps_its_traceback():
    def broken() -> int:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        errors.run("check", broken)


def test_every_command_goes_through_the_mapping(monkeypatch, capsys):
    """main() hands each command's handler to errors.run: one place maps what it raises."""
    seen = []

    def raising(args):
        seen.append(args.command)
        raise KoladaError("HTTP 503")

    for name in cli.HANDLERS:
        monkeypatch.setitem(cli.HANDLERS, name, raising)
    argv = {
        "demo": ["demo"],
        "render": ["render"],
        "check": ["check"],
        "fetch": ["fetch", "--kpi", "N15507"],
        "kpi": ["kpi", "show", "N15507"],
        "areas": ["areas"],
        "app": ["app"],
        "import": ["import"],
        "store": ["store", "check"],
    }
    assert set(argv) == set(cli.HANDLERS)
    for command, args in argv.items():
        assert cli.main(args) == 1
        expected = "Hämtningen misslyckades" if command == "fetch" else "Kolada: HTTP 503"
        assert expected in capsys.readouterr().err
    assert seen == list(argv)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("2015-2024", list(range(2015, 2025))),
        ("2024", [2024]),
        (" 2020 - 2022 ", [2020, 2021, 2022]),
        ("2018,2020", [2018, 2020]),
        ("2022, 2018 ,2020", [2018, 2020, 2022]),
        (None, None),
        ([2024, 2023], [2023, 2024]),
    ],
)
def test_years_both_old_spellings(text, years):
    """``--years`` takes a range (store.fetch's grammar) and a list (the old cli's)."""
    assert parse_years(text) == years


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024-2015", "första året är större än det sista"),
        ("förra året", "inget årsintervall"),
        ("2020-", "inget årsintervall"),
        ("2018,,2020", "inget årsintervall"),
        ("20", "inget årsintervall"),
    ],
)
def test_bad_years(text, message):
    with pytest.raises(ParamsError, match=message):
        parse_years(text)


def test_bad_years_on_the_command_line_ask_nobody(capsys, monkeypatch):
    monkeypatch.setenv("ANALYS_KOLADA_URL", "http://127.0.0.1:9")  # nothing listens there
    assert cli.main(["fetch", "--kpi", "N15507", "--years", "2024-2015"]) == 2
    assert "--years: '2024-2015' – första året är större än det sista" in capsys.readouterr().err
