"""Peer groups: Kolada's real "Liknande" title forms and named reference groups (issue 11).

The real group catalogue is read from ``../shared`` (skipped cleanly without it); the demo
groups must use the same title forms, so demo and real data exercise the same code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analys import demo, reference
from analys.errors import ParamsError
from analys.goals import list_areas, load_area
from analys.stats.peers import (
    LIKNANDE_AREA,
    liknande_group,
    parse_liknande_title,
    peer_set,
    reference_group,
)

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "kolada-samples"
REAL_GROUPS = SAMPLES / "v3_municipality_groups_all_2026-03-23.values.json"


@pytest.fixture(scope="module")
def real_groups() -> pd.DataFrame:
    if not REAL_GROUPS.exists():
        pytest.skip("../shared/data/kolada-samples saknas")
    items = json.loads(REAL_GROUPS.read_text(encoding="utf-8"))
    return pd.DataFrame(
        {
            "group": [g["id"] for g in items],
            "title": [g["title"] for g in items],
            "members": [tuple(m["member_id"] for m in g["members"]) for g in items],
        }
    )


def test_every_real_liknande_title_form_is_read(real_groups):
    titles = real_groups.loc[real_groups["title"].str.startswith("Liknande"), "title"]
    assert len(titles) > 3000
    parsed = [parse_liknande_title(t) for t in titles]
    assert all(parsed), [t for t, p in zip(titles, parsed, strict=True) if not p][:5]
    words = {(p["kind"], p["word"]) for p in parsed}
    assert ("K", "övergripande") in words and ("K", "grundskola") in words
    assert ("L", "socioekonomi") in words
    assert ("L", "hälso- och sjukvård (inkl läkemedel)") in words
    names = set(reference.municipalities()["title"])
    assert {p["name"] for p in parsed} <= names


@pytest.mark.parametrize("municipality", ["1880", "0180", "2584", "0765"])
def test_liknande_resolves_for_every_municipal_area_on_real_groups(real_groups, municipality):
    name = reference.title(municipality)
    for area in list_areas():
        if load_area(area).kind != "K":
            continue
        row = liknande_group(municipality, real_groups, area)
        assert row is not None, area
        parts = parse_liknande_title(row["title"])
        assert parts["kind"] == "K" and parts["name"] == name
        word = LIKNANDE_AREA.get(area, "övergripande")
        assert parts["word"] == word, (area, row["title"])
        peers = peer_set(municipality, "liknande", groups=real_groups, area=area)
        assert len(peers) == 7 and municipality not in peers
    # ekonomi, folkhälsa, kultur and miljö: the overall group with its comma
    row = liknande_group(municipality, real_groups, "kultur")
    assert row["title"].startswith(f"Liknande kommuner, övergripande, {name}, ")


def test_the_newest_group_is_chosen(real_groups):
    older = real_groups[real_groups["title"] == "Liknande kommuner, övergripande, Örebro, 2025"]
    fake = older.assign(group="G1", title="Liknande kommuner, övergripande, Örebro, 2019")
    row = liknande_group("1880", pd.concat([fake, real_groups]), "ekonomi")
    assert row["title"].endswith(", 2025")


def test_regions_use_liknande_regioner_on_real_groups(real_groups):
    row = liknande_group("0018", real_groups, "halso_sjukvard")
    assert row["title"] == (
        "Liknande regioner, hälso- och sjukvård (inkl läkemedel), Region Örebro län, 2024"
    )
    other = liknande_group("0018", real_groups, "kollektivtrafik")
    assert other["title"].startswith("Liknande regioner socioekonomi, Region Örebro län, ")
    group = reference_group("0018", "liknande", groups=real_groups, area="halso_sjukvard")
    assert not group.everyone and group.unit_word == "regioner"
    assert group.among() == "bland 7 liknande regioner"
    assert set(group.codes) <= set(reference.region_codes())


def test_demo_groups_have_the_real_forms_and_regions():
    groups = demo.groups()
    assert liknande_group("1880", groups, "kultur")["title"].startswith(
        "Liknande kommuner, övergripande, Örebro, "
    )
    group = reference_group("0018", "liknande", groups=groups, area="halso_sjukvard")
    assert group.title.startswith("Liknande regioner, hälso- och sjukvård")
    assert len(group.codes) == 7 and set(group.codes) <= set(reference.region_codes())


def test_a_region_never_gets_all_regions_under_a_liknande_label():
    empty = pd.DataFrame({"group": [], "title": [], "members": []})
    with pytest.raises(ParamsError, match="Liknande regioner"):
        peer_set("0018", "liknande", groups=empty, area="halso_sjukvard")
    # a municipality group titled for the region's name is not a region group
    wrong = pd.DataFrame(
        {
            "group": ["G1"],
            "title": ["Liknande kommuner räddningstjänst, Region Örebro län, 2024"],
            "members": [("1880", "1881")],
        }
    )
    assert liknande_group("0018", wrong, "halso_sjukvard") is None


def test_reference_groups_are_named_with_their_source():
    groups = demo.groups()
    alla = reference_group("1880", "alla", groups=groups)
    assert alla.everyone and alla.among() == "bland alla 290 kommuner"
    skr = reference_group("1880", "skr", groups=groups)
    assert skr.name.startswith("kommuner i kommungruppen ") and "SKR" in skr.source
    lan = reference_group("1880", "lan", groups=groups)
    assert lan.name == "kommuner i Örebro län" and len(lan.codes) == 11
    liknande = reference_group("1880", "liknande", groups=groups, area="grundskola")
    assert liknande.among() == "bland 7 liknande kommuner"
    assert liknande.title.startswith("Liknande kommuner grundskola, Örebro, ")
    assert liknande.group_id in liknande.source and liknande.title in liknande.source
    listed = reference_group("1880", ["0180", "1480"], groups=groups)
    assert listed.among() == "bland 2 valda kommuner"
    region = reference_group("0018", "skr", groups=groups)
    assert region.everyone and region.among() == "bland alla 21 regioner"
    assert "regioner" in region.source
