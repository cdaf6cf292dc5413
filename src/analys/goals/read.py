"""Reading a params file: UTF-8 YAML with the safe loader, stricter still.

No duplicate keys, no deep nesting, no aliases that expand beyond the limits ("billion
laughs"), no file larger than a few MB: a hostile file can neither run code nor hang. Every
problem is one Swedish line (``ParamsError``) naming the file and, where known, the line.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from analys.errors import ParamsError
from analys.goals.quote import cap


def shown_path(path: Path) -> str:
    """``path`` as shown in messages: relative to the working folder when inside it."""
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


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Any:
    """The YAML of a params file's text, parsed once per process and text: a batch's overviews
    read every area's file, and a file's parse took longer than checking it."""
    return yaml.load(text, Loader=_ParamsLoader)  # a SafeLoader: builds no Python objects


def read_params(path: Path) -> dict[str, Any]:
    """The raw dict of a params file; ``ParamsError`` (one Swedish line) when it cannot be.

    The file is read with :class:`_ParamsLoader` (the safe loader without anchors, aliases,
    duplicate keys or deep nesting), so a hostile file can neither run code nor hang.
    """
    label = shown_path(path)
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
        raw = copy.deepcopy(_parsed(text))  # the caller may change its dict
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
