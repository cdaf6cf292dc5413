"""A params file being edited: the goal builder's model.

:class:`Draft` holds the YAML document round-trip (ruamel.yaml), so saving an edited file
keeps its comments, key order and flow style; only what was changed is rewritten. Every
change can be checked with :meth:`Draft.check`, which runs exactly what ``analys check``
runs on the text that would be saved (:func:`analys.goals.read_params`, then
:func:`analys.goals.area_from_params`). A draft with problems cannot be saved.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from analys.errors import ParamsError
from analys.goals import Area, area_from_params, area_path, params_dir, read_params
from analys.vocabulary import DEMO_MUNICIPALITY, TARGET_KIND_WORDS

TARGET_CHOICES = tuple(
    (word[0].upper() + word[1:], kind) for kind, word in TARGET_KIND_WORDS.items()
)


def _yaml() -> YAML:
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 100
    handler.representer.add_representer(type(None), _null)
    return handler


def _null(representer: Any, data: None) -> Any:
    """``null`` written out (ruamel leaves the value empty), as the params files have it."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def slug(text: str) -> str:
    """A goal id from a title: ``Fler ska nå målen`` → ``fler_ska_na_malen``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "mal"


def _number(value: float) -> int | float:
    value = float(value)
    return int(value) if value.is_integer() else value


def target_spec(kind: str, **fields: Any) -> CommentedMap:
    """A target mapping in the file's flow style, e.g. ``{value: 80, by: 2028}``.

    ``fields``: ``value`` (level, or change amount), ``by``, ``quantile``, ``since``,
    ``improve`` (bool), ``low``, ``high``.
    """
    spec = CommentedMap()
    if kind == "value":
        spec["value"] = _number(fields.get("value", 0))
        if fields.get("by"):
            spec["by"] = int(fields["by"])
    elif kind in ("national", "peers_median"):
        spec[kind] = True
    elif kind == "peers_quantile":
        spec["peers_quantile"] = _number(fields.get("quantile", 0.75))
    elif kind == "change":
        spec["change"] = "improve" if fields.get("improve", True) else _number(fields["value"])
        spec["since"] = int(fields.get("since") or 2020)
    elif kind == "range":
        pair = CommentedSeq([_number(fields.get("low", 0)), _number(fields.get("high", 0))])
        pair.fa.set_flow_style()
        spec["range"] = pair
    else:
        raise ParamsError(f"target: '{kind}' är ingen målvärdestyp")
    spec.fa.set_flow_style()
    return spec


class Draft:
    """A params document under edit.

    Parameters
    ----------
    area
        An area name in ``params/`` or a path to a params file; ``None`` starts blank.
    municipality
        The default municipality of a blank area.
    """

    def __init__(
        self, area: str | os.PathLike | None = None, municipality: str = DEMO_MUNICIPALITY
    ) -> None:
        if area is None:
            self.path: Path | None = None
            self.doc = CommentedMap(
                [
                    ("area", "nytt_omrade"),
                    ("title", "Nytt område"),
                    ("municipality", municipality),
                    ("year", None),
                    ("source", "demo"),
                    ("peers", "skr"),
                    ("goals", CommentedSeq()),
                ]
            )
        else:
            self.path = area_path(area)
            self.doc = _yaml().load(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.doc, CommentedMap):
                raise ParamsError(f"{self.path}: filen är ingen YAML-mappning")
            self.doc.setdefault("goals", CommentedSeq())

    # -- the tree -------------------------------------------------------------------------

    @property
    def goals(self) -> CommentedSeq:
        goals = self.doc.get("goals")
        if not isinstance(goals, list):
            goals = self.doc["goals"] = CommentedSeq()
        return goals

    def indicators(self, goal: int) -> CommentedSeq:
        item = self.goals[goal]
        if not isinstance(item.get("indicators"), list):
            item["indicators"] = CommentedSeq()
        return item["indicators"]

    def add_goal(self, title: str) -> int:
        """Append a goal (id from the title, made unique); return its position."""
        taken = {str(g.get("id")) for g in self.goals if isinstance(g, dict)}
        base = goal_id = slug(title)
        n = 2
        while goal_id in taken:
            goal_id, n = f"{base}_{n}", n + 1
        self.goals.append(
            CommentedMap([("id", goal_id), ("title", title), ("indicators", CommentedSeq())])
        )
        return len(self.goals) - 1

    def remove_goal(self, goal: int) -> None:
        del self.goals[goal]

    @staticmethod
    def _move(items: CommentedSeq, position: int, step: int) -> int:
        new = position + step
        if not 0 <= new < len(items):
            return position
        item = items.pop(position)
        items.insert(new, item)
        return new

    def move_goal(self, goal: int, step: int) -> int:
        """Move a goal up (``-1``) or down (``+1``); return its new position."""
        return self._move(self.goals, goal, step)

    def add_indicator(self, goal: int, kpi: str, target: CommentedMap) -> int:
        items = self.indicators(goal)
        items.append(CommentedMap([("kpi", kpi), ("target", target)]))
        return len(items) - 1

    def remove_indicator(self, goal: int, indicator: int) -> None:
        del self.indicators(goal)[indicator]

    def move_indicator(self, goal: int, indicator: int, step: int) -> int:
        return self._move(self.indicators(goal), indicator, step)

    def set_field(self, mapping: CommentedMap, key: str, value: Any, default: Any = None) -> None:
        """Set ``key`` (keeping its place), or remove it when ``value`` is the default."""
        if value is None or value == default:
            if key in mapping and value is None:
                del mapping[key]
            elif key in mapping and value == default and key not in ("kpi", "target"):
                del mapping[key]
            return
        mapping[key] = value

    # -- text, checking, saving -------------------------------------------------------------

    def text(self) -> str:
        """The YAML that would be saved."""
        buffer = io.StringIO()
        _yaml().dump(self.doc, buffer)
        return buffer.getvalue()

    @property
    def name(self) -> str:
        """The area's file stem: the file's, else the ``area`` key."""
        return self.path.stem if self.path else str(self.doc.get("area") or "")

    def target_path(self) -> Path:
        """Where Save writes: the file opened, else ``params/<area>.yaml``."""
        return self.path or params_dir() / f"{self.doc.get('area')}.yaml"

    def check(self) -> tuple[Area | None, list[str]]:
        """What ``analys check`` would say of the saved file: (area, []) or (None, problems)."""
        label = str(self.target_path().name)
        with tempfile.TemporaryDirectory() as folder:  # read exactly as `analys check` reads
            scratch = Path(folder) / label
            scratch.write_text(self.text(), encoding="utf-8")
            try:
                raw = read_params(scratch)
            except ParamsError as error:
                shown = str(scratch.resolve())
                return None, [p.replace(shown, label) for p in error.problems]
        try:
            area = area_from_params(
                raw, file=label, expected_area=self.target_path().stem, path=str(self.target_path())
            )
        except ParamsError as error:
            return None, error.problems
        return area, []

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the file (atomically) when it validates; ``ParamsError`` with the problems
        otherwise, and nothing is written."""
        if path is not None:
            self.path = Path(path)
        target = self.target_path()
        if target.suffix not in (".yaml", ".yml"):
            raise ParamsError(f"{target}: en params-fil ska sluta på .yaml")
        _, problems = self.check()
        if problems:
            raise ParamsError(problems)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(self.text(), encoding="utf-8")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        self.path = target
        return target
