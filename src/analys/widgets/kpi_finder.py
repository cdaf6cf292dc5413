"""KPI search for the goal builder: text and filters over Kolada's and own KPIs, with each
KPI's definition, unit and polarity (from the catalogue and the registry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w
import pandas as pd

from analys import catalogue, registry, safe
from analys.own import store as own_store
from analys.vocabulary import POLARITY_WORDS

TYPE_WORDS = {"K": "kommuner", "L": "regioner", "A": "kommuner och regioner"}
RECENT_YEARS = 3


class KpiFinder:
    """Search controls (``kpi_search``, ``policy_area``, ``kind``, ``gender_split``,
    ``recent``, ``kpi``) and ``kpi_info``; ``results`` is the filtered catalogue."""

    def __init__(self, source: str = "demo") -> None:
        self.controls = {
            "kpi_search": w.Text(
                placeholder="ord i namn, id eller beskrivning …",
                description="Sök",
                continuous_update=False,
            ),
            "policy_area": w.Dropdown(description="Område"),
            "kind": w.Dropdown(
                options=[("Kommuner", "K"), ("Regioner", "L"), ("Alla typer", "")],
                value="K",
                description="Gäller",
            ),
            "gender_split": w.Checkbox(description="Bara könsuppdelade"),
            "recent": w.Checkbox(description=f"Data de senaste {RECENT_YEARS} åren"),
            "kpi": w.Select(description="Nyckeltal", rows=8, layout=w.Layout(width="620px")),
        }
        self.info = w.HTML()
        self.results: pd.DataFrame = pd.DataFrame()
        self._callbacks: list[Callable[[], None]] = []
        for name in ("kpi_search", "policy_area", "kind", "gender_split", "recent"):
            self.controls[name].observe(lambda _c: self.search(), names="value")
        self.controls["kpi"].observe(lambda _c: self.describe(), names="value")
        self.set_source(source)
        self.ui = w.VBox(
            [
                w.HBox([self.controls["kpi_search"], self.controls["policy_area"]]),
                w.HBox(
                    [self.controls["kind"], self.controls["gender_split"], self.controls["recent"]]
                ),
                self.controls["kpi"],
                self.info,
            ]
        )

    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def set_source(self, source: str) -> None:
        """Read the catalogue of ``source`` (Kolada's KPIs and the own ones)."""
        self.source = source
        # the store's catalogue when fetched, else the demo's (analys.catalogue's one policy)
        self.table, _ = catalogue.catalogue("demo" if source == "demo" else None)
        self.latest = catalogue.latest_years(source if source != "kolada" else "store")
        areas = catalogue.operating_areas(self.table)
        control = self.controls["policy_area"]
        control.options = [("Alla områden", "")] + [(a, a) for a in areas]
        control.value = ""
        self.search()

    def search(self) -> pd.DataFrame:
        """Apply the text and filters; the hits (own KPIs first) become the ``kpi`` options."""
        c = self.controls
        newest = max(self.latest.values(), default=dt.date.today().year)
        self.results = catalogue.find(
            self.table,
            c["kpi_search"].value,
            operating_area=c["policy_area"].value,
            kind=c["kind"].value,
            divided=c["gender_split"].value,
            since=newest - RECENT_YEARS + 1 if c["recent"].value else None,
            latest=self.latest,
        )
        own = self.results["source"].eq("egen") if "source" in self.results else False
        ordered = pd.concat([self.results[own], self.results[~own]]) if len(self.results) else []
        options = (
            [
                (f"{'[egen] ' if s == 'egen' else ''}{t} ({k})", k)
                for k, t, s in zip(ordered["id"], ordered["title"], ordered["source"], strict=True)
            ]
            if len(ordered)
            else []
        )
        current = c["kpi"].value
        c["kpi"].options = options
        values = [v for _, v in options]
        c["kpi"].value = current if current in values else (values[0] if values else None)
        self.describe()
        return self.results

    def describe(self) -> None:
        """Show the chosen KPI's definition, unit, polarity and where it comes from."""
        kpi = self.controls["kpi"].value
        if not kpi:
            self.info.value = "<i>Inga nyckeltal matchar sökningen.</i>"
            return
        row = self.table[self.table["id"] == kpi].iloc[0]
        entry = registry.entry(kpi) or {}
        polarity = entry.get("polarity")
        origin = "Kolada"
        if row.get("source") == "egen":
            lines = own_store.credit([kpi], self.source)
            origin = lines[0] if lines else "egen uppgift"
        latest = self.latest.get(kpi)
        parts = [
            f"<b>{safe.html_text(str(row['title']))}</b> ({safe.html_text(kpi)})",
            safe.html_text(str(row.get("description") or "Ingen beskrivning.")),
            f"Enhet: {safe.html_text(str(entry.get('unit') or '–'))} · Riktning: "
            f"{POLARITY_WORDS.get(polarity, 'ej bedömd (neutral)')} · Finns för: "
            f"{TYPE_WORDS.get(row.get('municipality_type'), '–')} · Könsuppdelat: "
            f"{'ja' if bool(row.get('is_divided_by_gender')) else 'nej'} · Senaste år: "
            f"{latest or '–'}",
            f"Källa: {safe.html_text(origin.removeprefix('Källa: '))}",
        ]
        self.info.value = "<div style='font-size:12px'>" + "<br>".join(parts) + "</div>"
        for callback in self._callbacks:
            callback()
