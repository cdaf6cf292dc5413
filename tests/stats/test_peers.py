"""Peer sets: the rule of every peer option, Kolada's real "Liknande" title forms and named
reference groups.

The real group catalogue is read from ``../shared`` (skipped cleanly without it); the demo
groups must use the same title forms, so demo and real data exercise the same code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analys import demo, reference
from analys.errors import ParamsError
from analys.goals import area_from_params, list_areas, load_area
from analys.stats.peers import (
    MIN_QUARTILE_PEERS,
    SIMILAR_AREA,
    parse_similar_title,
    peer_label,
    peer_set,
    reference_group,
    similar_group,
)

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "kolada-samples"
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
    parsed = [parse_similar_title(t) for t in titles]
    assert all(parsed), [t for t, p in zip(titles, parsed, strict=True) if not p][:5]
    words = {(p["municipality_type"], p["word"]) for p in parsed}
    assert ("K", "övergripande") in words and ("K", "grundskola") in words
    assert ("L", "socioekonomi") in words
    assert ("L", "hälso- och sjukvård (inkl läkemedel)") in words
    names = set(reference.municipalities()["title"])
    assert {p["name"] for p in parsed} <= names


@pytest.mark.parametrize("municipality", ["1880", "0180", "2584", "0765"])
def test_liknande_resolves_for_every_municipal_area_on_real_groups(real_groups, municipality):
    name = reference.title(municipality)
    for area in list_areas():
        if load_area(area).municipality_type != "K":
            continue
        row = similar_group(municipality, real_groups, area)
        assert row is not None, area
        parts = parse_similar_title(row["title"])
        assert parts["municipality_type"] == "K" and parts["name"] == name
        word = SIMILAR_AREA.get(area, "övergripande")
        assert parts["word"] == word, (area, row["title"])
        peers = peer_set(municipality, "liknande", groups=real_groups, area=area)
        assert len(peers) == 7 and municipality not in peers
    # ekonomi, folkhälsa, kultur and miljö: the overall group with its comma
    row = similar_group(municipality, real_groups, "kultur")
    assert row["title"].startswith(f"Liknande kommuner, övergripande, {name}, ")


def test_the_newest_group_is_chosen(real_groups):
    older = real_groups[real_groups["title"] == "Liknande kommuner, övergripande, Örebro, 2025"]
    fake = older.assign(group="G1", title="Liknande kommuner, övergripande, Örebro, 2019")
    row = similar_group("1880", pd.concat([fake, real_groups]), "ekonomi")
    assert row["title"].endswith(", 2025")


def test_regions_use_liknande_regioner_on_real_groups(real_groups):
    row = similar_group("0018", real_groups, "halso_sjukvard")
    assert row["title"] == (
        "Liknande regioner, hälso- och sjukvård (inkl läkemedel), Region Örebro län, 2024"
    )
    other = similar_group("0018", real_groups, "kollektivtrafik")
    assert other["title"].startswith("Liknande regioner socioekonomi, Region Örebro län, ")
    group = reference_group("0018", "liknande", groups=real_groups, area="halso_sjukvard")
    assert not group.everyone and group.unit_word == "regioner"
    assert group.among() == "bland 7 liknande regioner"
    assert set(group.codes) <= set(reference.region_codes())


def test_demo_groups_have_the_real_forms_and_regions():
    groups = demo.groups()
    assert similar_group("1880", groups, "kultur")["title"].startswith(
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
    assert similar_group("0018", wrong, "halso_sjukvard") is None


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


# ------------------------------------------------------------- the rule of every peer option


@pytest.fixture(scope="module")
def kommuner() -> pd.DataFrame:
    units = reference.municipalities()
    return units[units["type"] == "K"].set_index("municipality")


@pytest.mark.parametrize("municipality", ["1880", "0180", "2584", "0980", "0114"])
def test_skr_is_the_municipalitys_skr_group_without_itself(kommuner, municipality):
    group = kommuner.at[municipality, "skr_group"]
    expected = sorted(kommuner.index[kommuner["skr_group"] == group].drop(municipality))
    peers = peer_set(municipality, "skr", groups=demo.groups())
    assert peers == expected  # in code order, the focus never included
    assert set(kommuner.loc[peers, "type"]) == {"K"}


def test_skr_groups_have_their_real_sizes(kommuner):
    groups = demo.groups()
    assert peer_set("0180", "skr", groups=groups) == ["1280", "1480"]  # Storstäder: 3
    sizes = kommuner["skr_group"].value_counts()
    assert sizes.sum() == 290 and len(sizes) == 9
    for code in ("1880", "2584", "2403"):
        size = sizes[kommuner.at[code, "skr_group"]]
        assert len(peer_set(code, "skr", groups=groups)) == size - 1


def test_lan_is_the_countys_municipalities_without_itself_nor_the_region(kommuner):
    peers = peer_set("1880", "lan", groups=demo.groups())
    assert len(peers) == 11 and "1880" not in peers and "0018" not in peers
    assert set(kommuner.loc[peers, "county"]) == {"18"}
    stockholm = peer_set("0180", "lan", groups=demo.groups())
    assert len(stockholm) == 25 and all(code.startswith("01") for code in stockholm)


def test_alla_is_every_unit_of_the_same_type_never_riket():
    groups = demo.groups()
    municipalities = peer_set("1880", "alla", groups=groups)
    assert len(municipalities) == 289 and "1880" not in municipalities
    assert set(municipalities) == set(reference.municipality_codes()) - {"1880"}
    regions = peer_set("0018", "alla", groups=groups)
    assert regions == [code for code in reference.region_codes() if code != "0018"]
    assert reference.RIKET not in municipalities + regions


@pytest.mark.parametrize("option", ["skr", "lan"])
def test_a_region_compares_with_all_regions_for_skr_and_lan(option):
    groups = demo.groups()
    assert peer_set("0001", option, groups=groups) == peer_set("0001", "alla", groups=groups)
    group = reference_group("0001", option, groups=groups)
    assert group.everyone and "regioner har ingen kommungrupp" in group.source


def test_a_kolada_group_id_gives_its_members_without_the_focus():
    groups = demo.groups()
    row = groups[groups["title"].str.startswith("Kommuner med 100 000 - 199 999")].iloc[0]
    assert "1880" in row["members"]
    peers = peer_set("1880", row["group"], groups=groups)
    assert peers == [code for code in row["members"] if code != "1880"]
    group = reference_group("1880", row["group"], groups=groups)
    assert group.group_id == row["group"] and row["title"] in group.name
    assert peer_label(row["group"], groups) == row["title"]
    with pytest.raises(ParamsError, match="'G999999' är ingen känd kommungrupp"):
        peer_set("1880", "G999999", groups=groups)


def test_a_list_keeps_its_order_without_duplicates_or_the_focus():
    groups = demo.groups()
    peers = peer_set("1880", ["0180", "1880", "1480", "0180", "1280"], groups=groups)
    assert peers == ["0180", "1480", "1280"]
    assert peer_label(["0180", "1480"]) == "2 valda kommuner"
    assert reference_group("1880", ("0180",), groups=groups).source == "lista i params-filen"


def test_unknown_codes_and_options_are_refused_in_swedish():
    groups = demo.groups()
    with pytest.raises(ParamsError, match="municipality: '9999' är ingen känd kommun eller region"):
        peer_set("9999", "skr", groups=groups)
    with pytest.raises(ParamsError, match="'grannar' är inte tillåtet – välj skr, lan, liknande"):
        peer_set("1880", "grannar", groups=groups)
    # a list in a params file is checked code by code before any peer set is built
    params = {
        "area": "test",
        "title": "Test",
        "municipality": "1880",
        "peers": ["0180", "9999"],
        "goals": [{"id": "m", "title": "Mål", "indicators": [{"kpi": "N15507"}]}],
    }
    with pytest.raises(ParamsError, match=r"peers\[1\].*9999.*ingen kommun- eller regionkod"):
        area_from_params(params)


def test_liknande_without_a_group_for_the_municipality_names_it_and_the_options():
    groups = demo.groups()
    without = groups[~groups["title"].str.contains(", Örebro, ", regex=False)]
    with pytest.raises(ParamsError, match='Liknande kommuner" för Örebro; välj skr, lan, alla'):
        peer_set("1880", "liknande", groups=without, area="grundskola")
    # another municipality's groups are untouched by the missing ones
    assert len(peer_set("0180", "liknande", groups=without, area="grundskola")) == 7


def test_group_sizes_in_words():
    groups = demo.groups()
    alla = reference_group("1880", "alla", groups=groups)
    assert alla.counted() == "alla 290 kommuner" and alla.counted(99) == "100 av alla 290 kommuner"
    lan = reference_group("1880", "lan", groups=groups)
    assert (
        lan.counted() == "11 kommuner i Örebro län"
        and lan.among(4) == "bland 4 av 11 kommuner i Örebro län"  # 4 with a value
    )
    assert lan.members_text().count(", ") == 9 and " och " in lan.members_text()
    assert "Örebro" not in re.split(", | och ", lan.members_text())
    many = reference_group("1480", "lan", groups=groups)  # Västra Götaland: 49 municipalities
    assert len(many.codes) == 48
    text = many.members_text()
    assert text.count(", ") == 24 and text.endswith(f" och {len(many.codes) - 25} till")
    assert MIN_QUARTILE_PEERS == 8  # below this, sentences rank instead of naming quartiles


# ------------------------------------------------------------- the rules on the real groups


def test_skr_and_lan_match_koladas_real_group_memberships(real_groups, kommuner):
    members = dict(zip(real_groups["group"], real_groups["members"], strict=True))
    for code, row in kommuner.iterrows():
        for option, column in (("skr", "skr_group_id"), ("lan", "county_group")):
            real = set(members[row[column]]) - {code}
            if code == "0980" and option == "lan":  # alone in its county: its SKR group instead
                assert not real
                real = set(members[row["skr_group_id"]]) - {code}
            assert set(peer_set(code, option, groups=real_groups)) == real, (code, option)
    # the same group asked for by its Kolada id gives the same peers
    for column in ("skr_group_id", "county_group"):
        for group, part in kommuner.groupby(column):
            code = part.index[0]
            assert set(peer_set(code, group, groups=real_groups)) == set(members[group]) - {code}


def test_gotland_alone_in_its_county_compares_with_its_skr_group_and_says_so():
    groups = demo.groups()
    assert peer_set("0980", "lan", groups=groups) == peer_set("0980", "skr", groups=groups)
    assert peer_set("0980", "lan", groups=groups)  # never an empty comparison
    group = reference_group("0980", "lan", groups=groups)
    assert group.name.startswith("kommuner i kommungruppen")
    assert "Gotland är ensam kommun i" in group.source and "i stället för länet" in group.source
    # every other municipality keeps its county
    assert reference_group("1880", "lan", groups=groups).name == "kommuner i Örebro län"
