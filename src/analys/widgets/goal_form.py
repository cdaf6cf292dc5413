"""The goal builder's form: its controls, their layout, and the target editor.

:func:`form_controls` makes every control of :class:`~analys.widgets.GoalBuilder` from the
draft, :func:`form_layout` arranges them; :func:`show_target` fills the target editor from an
indicator of the draft, :func:`show_target_fields` shows only the fields its kind of target
uses, and :func:`target_from` reads the editor back into a params target.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as w

from analys.goals.draft import TARGET_CHOICES, Draft, target_spec
from analys.widgets.common import GENDER_CHOICES
from analys.widgets.session import area_titles, municipality_options

PEER_CHOICES = [
    ("Kommungrupp (SKR)", "skr"),
    ("Länet", "lan"),
    ("Liknande kommuner", "liknande"),
    ("Alla", "alla"),
]
POLARITY_CHOICES = [
    ("Enligt registret", ""),
    ("Högre är bättre", "higher"),
    ("Lägre är bättre", "lower"),
    ("Neutral", "neutral"),
]
TARGET_CONTROLS = (
    "target_kind",
    "target_value",
    "target_by",
    "quantile",
    "change",
    "since",
    "range_low",
    "range_high",
)
INDICATOR_CONTROLS = ("weight", "tolerance", "polarity", "gender")
#: the tree's buttons and their labels
BUTTONS = (
    ("add_goal", "Nytt mål"),
    ("remove_goal", "Ta bort mål"),
    ("goal_up", "↑"),
    ("goal_down", "↓"),
    ("add_indicator", "Lägg till nyckeltalet"),
    ("remove_indicator", "Ta bort indikator"),
    ("indicator_up", "↑"),
    ("indicator_down", "↓"),
    ("save", "Spara"),
    ("render", "Rendera rapport"),
)


def form_controls(
    draft: Draft,
    code: str,
    source: str,
    peer_options: list[tuple[str, Any]],
    finder_controls: dict[str, w.Widget],
) -> dict[str, w.Widget]:
    """Every control of the builder, filled from ``draft`` (for municipality ``code``)."""
    this_year = dt.date.today().year
    doc = draft.doc
    c: dict[str, w.Widget] = {
        "start": w.Dropdown(
            options=[("Tomt område", "")] + [(t, a) for a, t in area_titles().items()],
            value=draft.name if draft.path else "",
            description="Utgå från",
        ),
        "area": w.Text(
            description="Område (id)",
            value=str(doc.get("area") or ""),
            continuous_update=False,
        ),
        "title": w.Text(
            description="Rubrik", value=str(doc.get("title") or ""), continuous_update=False
        ),
        "municipality": w.Dropdown(
            options=municipality_options(), value=code, description="Kommun"
        ),
        "source": w.Dropdown(
            options=[("Demodata", "demo"), ("Lokalt lager", "store"), ("Kolada", "kolada")],
            value=source,
            description="Källa",
        ),
        "peers": w.Dropdown(options=peer_options, description="Jämför med"),
        "goal": w.Select(description="Mål", rows=6, layout=w.Layout(width="460px")),
        "goal_title": w.Text(
            description="Målets namn",
            layout=w.Layout(width="460px"),
            continuous_update=False,
        ),
        "goal_weight": w.BoundedFloatText(value=1, min=0.1, max=100, description="Vikt"),
        "indicator": w.Select(description="Indikatorer", rows=6, layout=w.Layout(width="460px")),
        **finder_controls,
        "target_kind": w.Dropdown(options=list(TARGET_CHOICES), description="Målvärde"),
        "target_value": w.FloatText(description="Värde"),
        "target_by": w.Dropdown(
            options=[("Inget målår", 0)] + [(str(y), y) for y in range(this_year, 2061)],
            value=0,
            description="Målår",
        ),
        "quantile": w.BoundedFloatText(value=0.75, min=0, max=1, step=0.05, description="Kvantil"),
        "change": w.Dropdown(
            options=[("Förbättring", "improve"), ("Förändring med värdet", "number")],
            description="Förändring",
        ),
        "since": w.Dropdown(
            options=[(str(y), y) for y in range(this_year - 1, 1997, -1)],
            value=min(2020, this_year - 1),
            description="Basår",
        ),
        "range_low": w.FloatText(description="Lägst"),
        "range_high": w.FloatText(description="Högst"),
        "weight": w.BoundedFloatText(value=1, min=0.1, max=100, description="Vikt"),
        "tolerance": w.BoundedFloatText(
            value=float(doc.get("tolerance", 0.05)),
            min=0,
            max=0.99,
            step=0.01,
            description="Tolerans",
        ),
        "polarity": w.Dropdown(options=POLARITY_CHOICES, description="Riktning"),
        "gender": w.Dropdown(options=GENDER_CHOICES, description="Kön"),
    }
    for name, text in BUTTONS:
        c[name] = w.Button(description=text)
    return c


def form_layout(
    c: dict[str, w.Widget],
    finder_ui: w.Widget,
    message: w.Widget,
    link: w.Widget,
    preview: w.Widget,
) -> w.Widget:
    """The builder's UI: the area, the goal tree, the target editor, search, preview."""
    header = w.VBox(
        [
            w.HBox([c["start"], c["source"]]),
            w.HBox([c["area"], c["title"]]),
            w.HBox([c["municipality"], c["peers"]]),
        ]
    )
    goals = w.VBox(
        [
            w.HTML("<b>Mål</b>"),
            c["goal"],
            w.HBox([c["add_goal"], c["remove_goal"], c["goal_up"], c["goal_down"]]),
            c["goal_title"],
            c["goal_weight"],
            w.HTML("<b>Indikatorer för målet</b>"),
            c["indicator"],
            w.HBox([c["remove_indicator"], c["indicator_up"], c["indicator_down"]]),
        ]
    )
    target = w.VBox(
        [
            w.HTML("<b>Målvärde för indikatorn</b>"),
            c["target_kind"],
            c["target_value"],
            c["target_by"],
            c["quantile"],
            c["change"],
            c["since"],
            c["range_low"],
            c["range_high"],
            c["weight"],
            c["tolerance"],
            c["polarity"],
            c["gender"],
        ]
    )
    search = w.VBox([w.HTML("<b>Sök nyckeltal</b>"), finder_ui, c["add_indicator"]])
    actions = w.HBox([c["save"], c["render"], link])
    return w.VBox(
        [
            header,
            w.HBox([goals, target]),
            search,
            message,
            actions,
            w.HTML("<b>Förhandsvisning</b>"),
            preview,
        ]
    )


def show_target(c: dict[str, w.Widget], item: Any, default_tolerance: float) -> None:
    """Fill the target editor from one indicator of the draft."""
    target = item.get("target") or {}
    kind = next((k for _, k in TARGET_CHOICES if k in target), "value")
    c["target_kind"].value = kind
    if kind == "value":
        c["target_value"].value = float(target.get("value") or 0)
        c["target_by"].value = int(target.get("by") or 0)
    elif kind == "peers_quantile":
        c["quantile"].value = float(target["peers_quantile"])
    elif kind == "change":
        improve = target.get("change") == "improve"
        c["change"].value = "improve" if improve else "number"
        if not improve:
            c["target_value"].value = float(target.get("change") or 0)
        if target.get("since") in [v for _, v in c["since"].options]:
            c["since"].value = target["since"]
    elif kind == "range":
        low, high = (list(target.get("range") or [0, 0]) + [0, 0])[:2]
        c["range_low"].value, c["range_high"].value = float(low), float(high)
    c["weight"].value = float(item.get("weight", 1))
    c["tolerance"].value = float(item.get("tolerance", default_tolerance))
    c["polarity"].value = item.get("polarity") or ""
    c["gender"].value = item.get("gender", "T")
    show_target_fields(c)


def show_target_fields(c: dict[str, w.Widget]) -> None:
    """Show only the fields the chosen kind of target uses."""
    kind = c["target_kind"].value
    visible = {
        "target_value": kind == "value" or (kind == "change" and c["change"].value != "improve"),
        "target_by": kind == "value",
        "quantile": kind == "peers_quantile",
        "change": kind == "change",
        "since": kind == "change",
        "range_low": kind == "range",
        "range_high": kind == "range",
    }
    for name, shown in visible.items():
        c[name].layout.display = None if shown else "none"


def target_from(c: dict[str, w.Widget]) -> dict[str, Any]:
    """The params target the editor describes (:func:`analys.goals.draft.target_spec`)."""
    return target_spec(
        c["target_kind"].value,
        value=c["target_value"].value,
        by=c["target_by"].value or None,
        quantile=c["quantile"].value,
        improve=c["change"].value == "improve",
        since=c["since"].value,
        low=c["range_low"].value,
        high=c["range_high"].value,
    )


def plain(value: float) -> int | float:
    """A number as the params file writes it: an int when whole, else at most 4 decimals."""
    return int(value) if float(value).is_integer() else round(float(value), 4)
