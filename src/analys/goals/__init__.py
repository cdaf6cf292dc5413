"""The goal tree of one policy area, read from ``params/<area>.yaml`` and validated.

A params file (docs/data-contract.md#params-files) is also a Papermill parameters file, so the
same dict can come from YAML on disk (``load_area``) or from a notebook's parameters
(``area_from_params``). Validation collects every problem in the file, one Swedish line each
(file, field path, value, what is allowed), and raises them together as a ``ParamsError``. YAML
is read with the safe loader; nothing in a params file is ever executed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analys import reference, registry, safe
from analys.errors import ParamsError
from analys.goals.check import (
    TARGET_KINDS,
    Checker,
    cap,
    kpi_catalogue,
    kpi_warnings,
    long_texts,
    warning_catalogue,
)

DEFAULT_MUNICIPALITY = "1880"  # Örebro, the demo municipality


@dataclass(frozen=True)
class Cutoffs:
    """Goal status cut-offs: score ≥ met → met, ≥ partly → partly; coverage.

    The rule is docs/methods.md#goal-status.
    """

    met: float = 0.75
    partly: float = 0.4
    coverage: float = 0.5


@dataclass(frozen=True)
class Target:
    """One resolved target specification of an indicator.

    ``kind`` is one of TARGET_KINDS. ``value`` holds the level for ``value`` targets and the
    required change for numeric ``change`` targets; ``by`` the target year; ``quantile`` the
    q of ``peers_quantile``; ``since`` the base year of ``change``; ``low``/``high`` a range.
    """

    kind: str
    value: float | None = None
    by: int | None = None
    quantile: float | None = None
    since: int | None = None
    improve: bool = False
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        """The target in Swedish words, for tables and reasons."""
        from analys.format import number

        if self.kind == "value":
            text = f"minst/högst {number(self.value, 1)}"
            return f"{text} senast {self.by}" if self.by else text
        if self.kind == "national":
            return "minst lika bra som riket"
        if self.kind == "peers_median":
            return "minst lika bra som jämförelsegruppens median"
        if self.kind == "peers_quantile":
            best = round((1 - (self.quantile or 0)) * 100)
            return f"bland de {best} % bästa i jämförelsegruppen"
        if self.kind == "change":
            if self.improve:
                return f"bättre än {self.since}"
            return f"förändring med {number(self.value, 1)} sedan {self.since}"
        return f"mellan {number(self.low, 1)} och {number(self.high, 1)}"


@dataclass(frozen=True)
class Indicator:
    """A KPI with its target, polarity (registry unless overridden) and tolerance."""

    kpi: str
    target: Target
    polarity: str
    tolerance: float
    gender: str = "T"
    weight: float = 1.0
    label: str | None = None

    @property
    def name(self) -> str:
        """The indicator's Swedish label (own label, else the registry's)."""
        return self.label or registry.label(self.kpi)


@dataclass(frozen=True)
class Goal:
    """A political goal and the indicators that follow it up."""

    id: str
    title: str
    indicators: tuple[Indicator, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Drivers:
    """The expected-value block: an outcome KPI and its structural explanatory KPIs."""

    outcome: str
    explanatory: tuple[str, ...]


@dataclass(frozen=True)
class Area:
    """A validated policy area: its goals, defaults and the params it came from."""

    area: str
    title: str
    goals: tuple[Goal, ...]
    municipality: str
    year: int | None = None
    source: str = "demo"
    peers: str | tuple[str, ...] = "skr"
    description: str = ""
    drivers: Drivers | None = None
    cost: str | None = None
    cutoffs: Cutoffs = field(default_factory=Cutoffs)
    tolerance: float = 0.05
    path: str | None = field(default=None, compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def indicators(self) -> list[tuple[Goal, Indicator]]:
        """Every (goal, indicator) pair in file order."""
        return [(goal, indicator) for goal in self.goals for indicator in goal.indicators]

    @property
    def kpis(self) -> list[str]:
        """Every KPI id the area uses: indicators, drivers and cost, without repeats."""
        ids = [indicator.kpi for _, indicator in self.indicators]
        if self.drivers:
            ids += [self.drivers.outcome, *self.drivers.explanatory]
        if self.cost:
            ids.append(self.cost)
        return list(dict.fromkeys(ids))

    @property
    def kind(self) -> str:
        """``K`` for a municipal area, ``L`` for a regional one (from the default unit)."""
        return reference.unit_type(self.municipality) or "K"

    @property
    def main_kpi(self) -> str:
        """The area's main outcome: the drivers outcome, else the first indicator."""
        if self.drivers:
            return self.drivers.outcome
        return self.goals[0].indicators[0].kpi

    def _repr_html_(self) -> str:
        esc = safe.html_text
        rows = "".join(
            f"<tr><td>{esc(goal.title)}</td><td>{esc(indicator.kpi)}</td>"
            f"<td>{esc(indicator.name)}</td><td>{esc(indicator.target.describe())}</td></tr>"
            for goal, indicator in self.indicators
        )
        return (
            f"<b>{esc(self.title)}</b> ({esc(self.area)})<table><tr><th>Mål</th><th>Nyckeltal</th>"
            f"<th></th><th>Målvärde</th></tr>{rows}</table>"
        )


# ---------------------------------------------------------------------------------- locations


def params_dir() -> Path:
    """The folder of params files: ``$ANALYS_PARAMS_DIR``, ``./params`` or the repository's."""
    if os.environ.get("ANALYS_PARAMS_DIR"):
        return Path(os.environ["ANALYS_PARAMS_DIR"])
    here = Path.cwd() / "params"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "params"


def list_areas() -> list[str]:
    """Names of the params files in ``params_dir()``, sorted."""
    folder = params_dir()
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def area_path(name_or_path: str | os.PathLike) -> Path:
    """The file behind an area name (``grundskola``) or a path; ``ParamsError`` when absent."""
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text:
        path = Path(text)
    else:
        path = params_dir() / f"{text}.yaml"
    if path.is_dir():
        raise ParamsError(f"{text}: är en mapp, inte en params-fil")
    if not path.is_file():
        known = ", ".join(list_areas()) or "(inga)"
        raise ParamsError(f"{cap(text)}: området eller filen finns inte – välj bland {known}")
    return path


# ---------------------------------------------------------------------------------- loading


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


#: the largest params file read (bytes); a real one is a few kB
MAX_PARAMS_BYTES = 1_000_000
#: the deepest nesting of lists and mappings accepted in a params file, aliases expanded
MAX_PARAMS_DEPTH = 32
#: the most values (scalars, lists, mappings) a params file may hold with aliases expanded
MAX_PARAMS_NODES = 20_000


class _ParamsLoader(yaml.SafeLoader):
    """The safe loader, stricter: no duplicate keys (YAML would keep the last silently), at
    most :data:`MAX_PARAMS_DEPTH` levels of nesting and :data:`MAX_PARAMS_NODES` values with
    aliases expanded. Anchors and aliases (``&mål`` … ``*mål``) are allowed for repeating a
    target, but a few hundred bytes of nested aliases ("billion laughs") that would expand to
    gigabytes are refused before anything is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_PARAMS_DEPTH:
                raise _Refused(self.peek_event().start_mark, _TOO_DEEP)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_document(self, node: Any) -> Any:
        _check_expansion(node)
        return super().construct_document(node)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the safe loader explains it below
                continue
            if first is not None:
                raise _Refused(
                    key_node.start_mark,
                    f"nyckeln {cap(repr(key) if not isinstance(key, str) else key)} finns "
                    f"två gånger i samma mappning (första gången på rad {first.line + 1}) "
                    "– ta bort den ena",
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_TOO_DEEP = (
    f"för djup nästling (mer än {MAX_PARAMS_DEPTH} nivåer) – en params-fil har område, mål, "
    "indikatorer och målvärden, inte fler nivåer"
)


def _check_expansion(root: Any) -> None:
    """Refuse a composed document whose aliases expand it beyond the limits: more than
    :data:`MAX_PARAMS_NODES` values, :data:`MAX_PARAMS_BYTES` characters of text or
    :data:`MAX_PARAMS_DEPTH` levels.

    Each node is measured once (aliases share nodes), so this costs as little as the file
    is long however far its aliases would expand.
    """
    measured: dict[int, tuple[int, int, int]] = {}  # id(node) -> values, characters, levels

    def measure(node: Any, depth: int) -> tuple[int, int, int]:
        known = measured.get(id(node))
        if known is None:
            if depth > MAX_PARAMS_DEPTH:
                raise _Refused(node.start_mark, _TOO_DEEP)
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else []
            parts = [measure(child, depth + 1) for child in children]
            known = (
                1 + sum(p[0] for p in parts),
                (len(node.value) if isinstance(node, yaml.ScalarNode) else 0)
                + sum(p[1] for p in parts),
                1 + max((p[2] for p in parts), default=0),
            )
            measured[id(node)] = known
        if depth + known[2] - 1 > MAX_PARAMS_DEPTH:
            raise _Refused(node.start_mark, _TOO_DEEP)
        if known[0] > MAX_PARAMS_NODES or known[1] > MAX_PARAMS_BYTES:
            limit = (
                f"{MAX_PARAMS_NODES:,} värden"
                if known[0] > MAX_PARAMS_NODES
                else f"{MAX_PARAMS_BYTES:,} tecken"
            ).replace(",", " ")
            raise _Refused(
                node.start_mark,
                f"aliasen (*) gör filen till mer än {limit} – en params-fil har några hundra "
                "värden; skriv ut det som ska upprepas",
            )
        return known

    measure(root, 1)


class _Refused(yaml.YAMLError):
    """A construct params files may not use; ``mark`` is where it starts."""

    def __init__(self, mark: Any, text: str) -> None:
        super().__init__(text)
        self.mark = mark
        self.text = text


def read_params(path: Path) -> dict[str, Any]:
    """The raw dict of a params file; ``ParamsError`` (one Swedish line) when it cannot be.

    The file is read with :class:`_ParamsLoader` (the safe loader without anchors, aliases,
    duplicate keys or deep nesting), so a hostile file can neither run code nor hang.
    """
    label = _display(path)
    try:
        if path.stat().st_size > MAX_PARAMS_BYTES:
            raise ParamsError(
                f"{label}: filen är större än {MAX_PARAMS_BYTES // 1_000_000} MB – en params-fil "
                "är normalt några kB; kontrollera att det är rätt fil"
            )
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = error.object[: error.start].count(b"\n") + 1
        raise ParamsError(
            f"{label}: filen är inte UTF-8 (rad {line}: {error.reason}) – spara den som UTF-8"
        ) from None
    except IsADirectoryError:
        raise ParamsError(f"{label}: är en mapp, inte en params-fil") from None
    except PermissionError:
        raise ParamsError(
            f"{label}: filen går inte att läsa (behörighet saknas) – kontrollera filens rättigheter"
        ) from None
    except OSError as error:
        raise ParamsError(
            f"{label}: filen går inte att läsa ({error.strerror or type(error).__name__})"
        ) from None
    try:
        raw = yaml.load(text, Loader=_ParamsLoader)  # a SafeLoader: builds no Python objects
    except _Refused as error:
        where = f"rad {error.mark.line + 1}, kolumn {error.mark.column + 1}"
        raise ParamsError(f"{label}: {where}: {error.text}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"rad {mark.line + 1}, kolumn {mark.column + 1}" if mark else "okänd rad"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ParamsError(
            f"{label}: YAML-syntaxfel på {where} – kontrollera indrag (mellanslag, inte tabb), "
            f"kolon och parenteser (tolkarens besked: {cap(problem)})"
        ) from None
    except (ValueError, RecursionError):  # a date like 2020-13-45, an int of 5,000 digits
        raise ParamsError(
            f"{label}: ett värde går inte att tolka (t.ex. ett datum som inte finns eller ett "
            "tal med tusentals siffror) – skriv vanliga tal, och text inom citattecken"
        ) from None
    if raw is None:
        raise ParamsError(f"{label}: filen är tom – den ska ha area, title och goals")
    if not isinstance(raw, dict):
        raise ParamsError(
            f"{label}: filen ska vara en YAML-mappning (nyckel: värde), inte {type(raw).__name__}"
        )
    return raw


def load_area(name_or_path: str | os.PathLike) -> Area:
    """Read and validate a policy area.

    Parameters
    ----------
    name_or_path
        An area name in ``params/`` (``"grundskola"``) or a path to a params file.

    Raises
    ------
    ParamsError
        Listing every problem in the file, one Swedish line each.
    """
    path = area_path(name_or_path)
    raw = read_params(path)
    return area_from_params(raw, file=_display(path), expected_area=path.stem, path=str(path))


def area_from_params(
    params: Mapping[str, Any],
    *,
    file: str = "parametrar",
    expected_area: str | None = None,
    path: str | None = None,
) -> Area:
    """Validate a params dict (from YAML or a notebook's parameters) into an ``Area``."""
    checker = Checker(file, catalogue=kpi_catalogue(params.get("source", "demo")))
    area = checker.area(dict(params), expected_area)
    if checker.problems:
        raise ParamsError(checker.problems)
    return _build(area, params, path)


def _target(spec: Mapping[str, Any]) -> Target:
    kind = next(k for k in TARGET_KINDS if k in spec)
    if kind == "value":
        return Target("value", value=float(spec["value"]), by=spec.get("by"))
    if kind == "national":
        return Target("national")
    if kind == "peers_median":
        return Target("peers_median")
    if kind == "peers_quantile":
        return Target("peers_quantile", quantile=float(spec["peers_quantile"]))
    if kind == "change":
        improve = spec["change"] == "improve"
        return Target(
            "change",
            value=None if improve else float(spec["change"]),
            since=int(spec["since"]),
            improve=improve,
        )
    low, high = spec["range"]
    return Target("range", low=float(low), high=float(high))


def _build(raw: dict[str, Any], params: Mapping[str, Any], path: str | None) -> Area:
    tolerance = float(raw.get("tolerance", 0.05))
    goals = []
    for goal in raw["goals"]:
        indicators = tuple(
            Indicator(
                kpi=item["kpi"],
                target=_target(item["target"]),
                polarity=item.get("polarity") or registry.polarity(item["kpi"]),
                tolerance=float(item.get("tolerance", tolerance)),
                gender=item.get("gender", "T"),
                weight=float(item.get("weight", 1)),
                label=safe.one_line(item["label"]) if item.get("label") else None,
            )
            for item in goal["indicators"]
        )
        goals.append(
            Goal(
                id=str(goal["id"]),
                title=safe.one_line(goal["title"]),
                indicators=indicators,
                weight=float(goal.get("weight", 1)),
            )
        )
    drivers = raw.get("drivers")
    peers = raw.get("peers", "skr")
    return Area(
        area=raw["area"],
        title=safe.one_line(raw["title"]),
        goals=tuple(goals),
        municipality=str(raw.get("municipality") or DEFAULT_MUNICIPALITY),
        year=raw.get("year"),
        source=raw.get("source", "demo"),
        peers=peers if isinstance(peers, str) else tuple(str(p) for p in peers),
        description=safe.clean(raw.get("description") or "", safe.DESCRIPTION_LIMIT),
        drivers=Drivers(drivers["outcome"], tuple(drivers["explanatory"])) if drivers else None,
        cost=raw.get("cost"),
        cutoffs=Cutoffs(**{k: float(v) for k, v in (raw.get("cutoffs") or {}).items()}),
        tolerance=tolerance,
        path=path,
        params=dict(params),
    )


# ---------------------------------------------------------------------------------- CLI


def check_files(
    files: Sequence[str] | None = None, warnings: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """Validate params files; return (checked labels, problems).

    Texts a report will cut (too long) are added to ``warnings`` when it is given.
    """
    paths = [area_path(f) for f in files] if files else sorted(params_dir().glob("*.yaml"))
    problems: list[str] = []
    for path in paths:
        try:
            area = load_area(path)
        except ParamsError as error:
            problems += error.problems
            continue
        if warnings is not None:
            warnings += long_texts(area.params, _display(path))
    return [_display(p) for p in paths], problems


def check_warnings(files: Sequence[str] | None = None) -> list[str]:
    """Warnings from the catalogue's facts on valid params files (see ``kpi_warnings``)."""
    paths = [area_path(f) for f in files] if files else sorted(params_dir().glob("*.yaml"))
    catalogue = warning_catalogue()
    lines: list[str] = []
    for path in paths:
        try:
            raw = read_params(path)
        except ParamsError:
            continue
        lines += kpi_warnings(raw, _display(path), catalogue)
    return lines


def check_cli(files: Sequence[str] | None = None) -> int:
    """``analys check``: one OK line (and any warnings), or every problem and exit code 2."""
    warnings: list[str] = []
    try:
        checked, problems = check_files(files, warnings)
    except ParamsError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 2
    if checked and not problems:
        warnings += check_warnings(files)
    if not checked:
        print(f"Inga params-filer hittades i {params_dir()}.", file=sys.stderr)
        return 2
    if warnings:
        print("\n".join(warnings), file=sys.stderr)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        noun = "problem" if len(problems) != 1 else "problem"
        print(f"{len(problems)} {noun} i {len(checked)} fil(er).", file=sys.stderr)
        return 2
    print(f"OK: {len(checked)} params-fil(er) är giltiga.")
    return 0


def areas_cli() -> int:
    """``analys areas``: every policy area with its title, type and size."""
    names = list_areas()
    if not names:
        print(f"Inga områden hittades i {params_dir()}.", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        try:
            area = load_area(name)
        except ParamsError as error:
            print(f"{name:<22} FEL: {error.problems[0]}")
            status = 2
            continue
        kind = "region" if area.kind == "L" else "kommun"
        n_ind = len(area.indicators)
        print(f"{name:<22} {area.title:<32} {kind:<7} {len(area.goals)} mål, {n_ind} indikatorer")
    return status
