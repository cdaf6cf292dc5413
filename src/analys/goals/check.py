"""Validation of params files (docs/data-contract.md#params-files): one Swedish line a problem.

A line names the file, the field path (``goals[1].indicators[0].target``), the bad value and
what is allowed, e.g.::

    params/grundskola.yaml: goals[0].indicators[2].kpi: 'N1550' finns inte i Kolada –
    menade du N15507 (Meritvärde åk 9)?

``Checker.area`` walks the whole tree and collects problems instead of stopping at the first.
The checking is pure: the KPI catalogue and the municipality groups the file is checked
against are arguments (:func:`analys.goals.area_from_params` loads them from the params'
source), so a check reads no file and asks no server.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analys import reference, registry
from analys.goals.quote import cap
from analys.goals.quote import is_number as _is_number
from analys.goals.quote import is_year as _is_year
from analys.goals.quote import show as _show
from analys.goals.quote import type_name as _type
from analys.safe import unsafe_characters
from analys.vocabulary import DEMO_MUNICIPALITY, GENDERS, PEER_OPTIONS, POLARITIES, SOURCES

TARGET_KINDS = ("value", "national", "peers_median", "peers_quantile", "change", "range")
FIRST_YEAR = 1998
LAST_TARGET_YEAR = 2060

TOP_KEYS = (
    "area",
    "title",
    "description",
    "municipality",
    "year",
    "source",
    "peers",
    "goals",
    "drivers",
    "cost",
    "cutoffs",
    "tolerance",
)
GOAL_KEYS = ("id", "title", "description", "weight", "indicators")
INDICATOR_KEYS = ("kpi", "target", "polarity", "tolerance", "gender", "weight", "label")
TARGET_KEYS = (*TARGET_KINDS, "by", "since")
DRIVER_KEYS = ("outcome", "explanatory")
CUTOFF_KEYS = ("met", "partly", "coverage")
TYPE_NAMES = {"K": "kommuner", "L": "regioner"}


class Checker:
    """Collects the problems of one params tree; ``problems`` holds the Swedish lines.

    Parameters
    ----------
    file
        The file's name as shown at the start of each line.
    catalogue
        The KPI catalogue ids are checked against, indexed by id (columns ``title``,
        ``municipality_type``, optionally ``is_divided_by_gender``).
    groups
        The municipality groups a ``peers: G…`` is checked against (column ``group``);
        ``None`` when the file names none (:func:`analys.goals.names_group`) – a group is
        then unknown.
    """

    def __init__(
        self, file: str, *, catalogue: pd.DataFrame, groups: pd.DataFrame | None = None
    ) -> None:
        self.file = file
        self.catalogue = catalogue
        self.groups = groups
        self.problems: list[str] = []
        self.source: Any = "demo"
        self.municipality_type = "K"
        self.this_year = dt.date.today().year

    # -- reporting --------------------------------------------------------------------------

    def bad(self, path: str, value: Any, text: str) -> None:
        """A bad value at ``path``."""
        if isinstance(value, float) and not math.isfinite(value):
            text += " (.nan och .inf är inte tillåtna)"
        self.problems.append(f"{self.file}: {path}: {_show(value)} {text}")

    def note(self, path: str, text: str) -> None:
        """A problem at ``path`` that has no single bad value (missing key, duplicate…)."""
        self.problems.append(f"{self.file}: {path}: {text}")

    def keys(
        self, mapping: Mapping, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> None:
        """Unknown keys (with a "menade du" suggestion) and missing required keys."""
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"menade du '{close[0]}'?" if close else "tillåtna är " + ", ".join(allowed)
                shown = cap(str(key))
                where = f"{path}.{shown}" if path else shown
                self.note(where, f"okänd nyckel – {hint}")
        for key in required:
            if key not in mapping:
                where = f"{path}.{key}" if path else key
                self.note(where, "saknas – nyckeln krävs")

    def mapping(self, value: Any, path: str, what: str) -> bool:
        if isinstance(value, Mapping):
            return True
        self.bad(path, value, f"ska vara {what} (nyckel: värde), inte {_type(value)}")
        return False

    def text(self, value: Any, path: str) -> bool:
        if isinstance(value, str) and value.strip():
            return self.printable(value, path)
        self.bad(path, value, "ska vara en text som inte är tom")
        return False

    def printable(self, value: str, path: str) -> bool:
        """No NUL, control characters, bidi overrides or lone surrogates in a shown text."""
        kinds = unsafe_characters(value.replace("\r", ""))
        if kinds:
            self.note(path, f"texten innehåller {' och '.join(kinds)} – ta bort dem")
        return not kinds

    def weight(self, value: Any, path: str) -> None:
        if not _is_number(value):
            self.bad(path, value, "ska vara ett tal större än 0")
        elif value <= 0:
            self.bad(path, value, "vikten ska vara större än 0")

    def fraction(self, value: Any, path: str, *, upper_open: bool = False) -> bool:
        if not _is_number(value) or value < 0 or value > 1 or (upper_open and value >= 1):
            allowed = "från 0 upp till (men inte) 1" if upper_open else "från 0 till 1"
            self.bad(path, value, f"ska vara ett tal {allowed}")
            return False
        return True

    # -- KPI ids ----------------------------------------------------------------------------

    def kpi(self, value: Any, path: str, *, check_type: bool = True) -> bool:
        """A known KPI id that exists for the area's municipality type."""
        if not isinstance(value, str) or not value.strip():
            self.bad(path, value, "ska vara ett Kolada-id för ett nyckeltal, t.ex. 'N15507'")
            return False
        if value not in self.catalogue.index:
            if value.startswith("EGEN-"):
                where = "demodatans egna nyckeltal" if self.source == "demo" else "lagret"
                self.bad(
                    path,
                    value,
                    f"är inget eget nyckeltal i {where} – läs in det med `analys import FIL` "
                    "(och använd source: store)",
                )
                return False
            self.bad(path, value, f"finns inte i Kolada{self._suggest(value)}")
            return False
        kind = str(self.catalogue.at[value, "municipality_type"])
        if check_type and kind in TYPE_NAMES and kind != self.municipality_type:
            self.bad(
                path,
                value,
                f"finns bara för {TYPE_NAMES[kind]}, men området gäller "
                f"{TYPE_NAMES[self.municipality_type]} – välj ett nyckeltal av typ "
                f"{self.municipality_type} eller A",
            )
            return False
        return True

    def _suggest(self, value: str) -> str:
        ids = self.catalogue.index.tolist()
        close = difflib.get_close_matches(value.upper(), ids, n=2, cutoff=0.6)
        if not close:
            titles = dict(zip(self.catalogue["title"].astype(str), ids, strict=False))
            hits = difflib.get_close_matches(value, list(titles), n=2, cutoff=0.5)
            close = [titles[h] for h in hits]
        if not close:
            return " – sök med 'analys kpi search TEXT'"
        named = " eller ".join(
            f"{c} ({registry.label(c) if registry.entry(c) else self.catalogue.at[c, 'title']})"
            for c in close
        )
        return f" – menade du {named}?"

    # -- the tree ---------------------------------------------------------------------------

    def area(self, raw: dict[str, Any], expected_area: str | None) -> dict[str, Any]:
        """Check the whole tree; return ``raw`` (problems are in ``self.problems``)."""
        self.keys(raw, "", TOP_KEYS, ("area", "title", "goals"))
        self._header(raw, expected_area)
        goals = raw.get("goals")
        if "goals" in raw:
            if not isinstance(goals, list):
                self.bad("goals", goals, f"ska vara en lista med mål, inte {_type(goals)}")
            elif not goals:
                self.note("goals", "filen har inga mål – ange minst ett mål med indikatorer")
            else:
                self._goals(goals, raw.get("tolerance"))
        if "drivers" in raw:
            self._drivers(raw["drivers"])
        if raw.get("cost") is not None:
            self.kpi(raw["cost"], "cost")
        if "cutoffs" in raw:
            self._cutoffs(raw["cutoffs"])
        return raw

    def _header(self, raw: dict[str, Any], expected_area: str | None) -> None:
        if "area" in raw and self.text(raw["area"], "area"):
            if expected_area and raw["area"] != expected_area:
                self.bad("area", raw["area"], f"ska vara samma som filnamnet: '{expected_area}'")
            elif not re.fullmatch(r"[a-z0-9_]+", raw["area"]):
                self.bad("area", raw["area"], "får bara innehålla a–z, 0–9 och _")
        if "title" in raw:
            self.text(raw["title"], "title")
        if raw.get("description") is not None and not isinstance(raw["description"], str):
            self.bad("description", raw["description"], "ska vara en text")
        elif isinstance(raw.get("description"), str):
            self.printable(raw["description"], "description")
        source = raw.get("source", "demo")
        if source not in SOURCES:
            self.bad("source", source, "är inte tillåtet – välj demo, kolada eller store")
        else:
            self.source = source
        municipality = raw.get("municipality")
        if municipality is not None:
            code = str(municipality) if _is_year(municipality) else municipality
            if not isinstance(code, str) or reference.municipality_type(code) not in ("K", "L"):
                hint = (
                    f'en kommunkod med fyra siffror inom citattecken, t.ex. "{DEMO_MUNICIPALITY}"'
                )
                if _is_year(municipality):
                    hint += " (inledande nolla försvinner utan citattecken)"
                self.bad(
                    "municipality", municipality, f"är ingen kommun eller region – ange {hint}"
                )
            else:
                self.municipality_type = reference.municipality_type(code)
        year = raw.get("year")
        if year is not None and (not _is_year(year) or not FIRST_YEAR <= year <= self.this_year):
            self.bad(
                "year",
                year,
                f"ska vara null (senaste år med data) eller ett år {FIRST_YEAR}–{self.this_year}",
            )
        if "tolerance" in raw:
            self.fraction(raw["tolerance"], "tolerance", upper_open=True)
        if "peers" in raw:
            self._peers(raw["peers"])

    def _peers(self, peers: Any) -> None:
        if isinstance(peers, list):
            if not peers:
                self.note("peers", "listan är tom – ange minst en kommunkod")
            for i, code in enumerate(peers):
                if not isinstance(code, str) or reference.municipality_type(code) not in ("K", "L"):
                    self.bad(
                        f"peers[{i}]",
                        code,
                        "är ingen kommun- eller regionkod – skriv "
                        "koden med fyra siffror inom citattecken",
                    )
            return
        if not isinstance(peers, str):
            self.bad(
                "peers",
                peers,
                "ska vara skr, lan, liknande, alla, ett grupp-id (G…) "
                "eller en lista med kommunkoder",
            )
            return
        if peers in PEER_OPTIONS:
            return
        if re.fullmatch(r"G\w+", peers):
            known = set() if self.groups is None else set(self.groups["group"])
            if peers not in known:
                self.bad(
                    "peers",
                    peers,
                    "är ingen känd kommungrupp i Kolada – sök grupper med analys.load_groups()",
                )
            return
        close = difflib.get_close_matches(peers, PEER_OPTIONS, n=1, cutoff=0.5)
        hint = f" – menade du '{close[0]}'?" if close else ""
        self.bad(
            "peers",
            peers,
            "är inte tillåtet – välj skr, lan, liknande, alla, ett "
            f"grupp-id (G…) eller en lista med kommunkoder{hint}",
        )

    def _goals(self, goals: list, tolerance: Any) -> None:
        seen: dict[str, int] = {}
        for i, goal in enumerate(goals):
            path = f"goals[{i}]"
            if not self.mapping(goal, path, "ett mål"):
                continue
            self.keys(goal, path, GOAL_KEYS, ("id", "title", "indicators"))
            goal_id = goal.get("id")
            if "id" in goal:
                if not isinstance(goal_id, str) or not re.fullmatch(r"[a-z0-9_]+", goal_id):
                    self.bad(f"{path}.id", goal_id, "ska vara ett kort id med a–z, 0–9 och _")
                elif goal_id in seen:
                    self.bad(
                        f"{path}.id",
                        goal_id,
                        f"finns redan i goals[{seen[goal_id]}] – varje mål behöver ett eget id",
                    )
                else:
                    seen[goal_id] = i
            if "title" in goal:
                self.text(goal["title"], f"{path}.title")
            if "weight" in goal:
                self.weight(goal["weight"], f"{path}.weight")
            indicators = goal.get("indicators")
            if "indicators" not in goal:
                continue
            if not isinstance(indicators, list) or not indicators:
                self.bad(
                    f"{path}.indicators", indicators, "ska vara en lista med minst en indikator"
                )
                continue
            for j, indicator in enumerate(indicators):
                self._indicator(indicator, f"{path}.indicators[{j}]")

    def _indicator(self, item: Any, path: str) -> None:
        if not self.mapping(item, path, "en indikator"):
            return
        self.keys(item, path, INDICATOR_KEYS, ("kpi", "target"))
        known = "kpi" in item and self.kpi(item["kpi"], f"{path}.kpi")
        kpi = item.get("kpi") if known else None
        polarity = item.get("polarity")
        if polarity is not None and polarity not in POLARITIES:
            self.bad(
                f"{path}.polarity", polarity, "är inte tillåtet – välj higher, lower eller neutral"
            )
            polarity = "invalid"
        if "tolerance" in item:
            self.fraction(item["tolerance"], f"{path}.tolerance", upper_open=True)
        if "weight" in item:
            self.weight(item["weight"], f"{path}.weight")
        if "label" in item:
            self.text(item["label"], f"{path}.label")
        gender = item.get("gender", "T")
        if gender not in GENDERS:
            self.bad(f"{path}.gender", gender, "är inte tillåtet – välj T, K eller M")
        elif gender != "T" and kpi and not _divided(self.catalogue, kpi):
            self.bad(
                f"{path}.gender",
                gender,
                f"går inte: {kpi} redovisas inte uppdelat på kön – använd T",
            )
        if "target" in item:
            self._target(item["target"], f"{path}.target", kpi, polarity)

    def _target(self, target: Any, path: str, kpi: str | None, polarity: str | None) -> None:
        if not self.mapping(target, path, "ett målvärde, t.ex. {value: 80}"):
            return
        self.keys(target, path, TARGET_KEYS)
        kinds = [k for k in TARGET_KINDS if k in target]
        if not kinds:
            if not any(k not in TARGET_KEYS for k in target):
                self.note(path, "anger ingen målvärdestyp – välj en av " + ", ".join(TARGET_KINDS))
            return
        if len(kinds) > 1:
            self.note(path, f"anger två målvärdestyper samtidigt ({', '.join(kinds)}) – välj en")
            return
        kind = kinds[0]
        value = target[kind]
        where = f"{path}.{kind}"
        if "by" in target and kind != "value":
            self.note(f"{path}.by", "hör bara till value (målvärde ett visst år)")
        if "since" in target and kind != "change":
            self.note(f"{path}.since", "hör bara till change (förändring sedan ett år)")
        if kind == "value":
            if not _is_number(value):
                self.bad(where, value, "ska vara ett tal")
            if "by" in target:
                self._year(target["by"], f"{path}.by", 2000, LAST_TARGET_YEAR)
        elif kind in ("national", "peers_median"):
            if value is not True:
                self.bad(where, value, "ska vara true")
        elif kind == "peers_quantile":
            self.fraction(value, where)
        elif kind == "change":
            if value != "improve" and not _is_number(value):
                self.bad(where, value, "ska vara improve eller ett tal (önskad förändring)")
            if "since" not in target:
                self.note(f"{path}.since", "saknas – change kräver ett basår, t.ex. since: 2020")
            else:
                self._year(target["since"], f"{path}.since", FIRST_YEAR, self.this_year - 1)
        elif kind == "range":
            if (
                not isinstance(value, list)
                or len(value) != 2
                or not all(_is_number(v) for v in value)
            ):
                self.bad(where, value, "ska vara en lista med två tal: [lägst, högst]")
            elif value[0] > value[1]:
                self.bad(where, value, f"nedre gränsen {value[0]} är större än den övre {value[1]}")
        if kind != "range" and kpi and polarity is None and registry.polarity(kpi) == "neutral":
            self.note(
                where,
                f"{kpi} saknar riktning (neutralt nyckeltal) – ange polarity: "
                "higher eller lower på indikatorn, eller använd range",
            )

    def _year(self, value: Any, path: str, low: int, high: int) -> None:
        if not _is_year(value) or not low <= value <= high:
            self.bad(path, value, f"ska vara ett år {low}–{high}")

    def _drivers(self, drivers: Any) -> None:
        if not self.mapping(drivers, "drivers", "en mappning med outcome och explanatory"):
            return
        self.keys(drivers, "drivers", DRIVER_KEYS, DRIVER_KEYS)
        outcome = drivers.get("outcome")
        if "outcome" in drivers:
            self.kpi(outcome, "drivers.outcome")
        explanatory = drivers.get("explanatory")
        if "explanatory" in drivers:
            if not isinstance(explanatory, list) or not explanatory:
                self.bad(
                    "drivers.explanatory",
                    explanatory,
                    "ska vara en lista med minst ett förklarande nyckeltal",
                )
                return
            for i, kpi in enumerate(explanatory):
                path = f"drivers.explanatory[{i}]"
                if kpi == outcome:
                    self.bad(
                        path, kpi, "är också utfallet – ett nyckeltal kan inte förklara sig självt"
                    )
                else:
                    self.kpi(kpi, path)

    def _cutoffs(self, cutoffs: Any) -> None:
        if not self.mapping(cutoffs, "cutoffs", "en mappning med met, partly och coverage"):
            return
        self.keys(cutoffs, "cutoffs", CUTOFF_KEYS)
        ok = all([self.fraction(cutoffs[k], f"cutoffs.{k}") for k in CUTOFF_KEYS if k in cutoffs])
        met, partly = cutoffs.get("met", 0.75), cutoffs.get("partly", 0.4)
        if ok and partly > met:
            self.bad("cutoffs.partly", partly, f"får inte vara större än met ({met})")


def _divided(catalogue: pd.DataFrame, kpi: str) -> bool:
    if "is_divided_by_gender" in catalogue.columns:
        return bool(catalogue.at[kpi, "is_divided_by_gender"])
    found = registry.entry(kpi)
    return bool(found and found.get("divided_by_gender"))
