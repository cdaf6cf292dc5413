"""The embedded demo data: schema, determinism, realism and the recorded true model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analys import captions, demo, reference, registry
from analys.demo import generate, model, world
from analys.frame import VALUES_COLUMNS
from analys.stats.peers import SIMILAR_AREA
from analys.vocabulary import DEMO_MUNICIPALITY

KOMMUNER = reference.municipality_codes()
REGIONS = reference.region_codes()


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return demo.values()


@pytest.fixture(scope="module")
def kommun_values(values: pd.DataFrame) -> pd.DataFrame:
    return values[values["municipality"].isin(KOMMUNER)]


@pytest.fixture(scope="module")
def population(values: pd.DataFrame) -> pd.DataFrame:
    """N01951 totals: one row per municipality, one column per year."""
    sub = values[(values["kpi"] == "N01951") & (values["gender"] == "T")]
    sub = sub[sub["municipality"].isin(KOMMUNER)]
    return sub.pivot(index="municipality", columns="year", values="value")


def test_schema_and_dtypes(values: pd.DataFrame) -> None:
    assert list(values.columns) == VALUES_COLUMNS
    assert values["year"].dtype == np.int64
    assert values["value"].dtype == np.float64
    assert values["count"].dtype == np.int64
    for column in ("kpi", "municipality", "gender", "status"):
        assert pd.api.types.is_string_dtype(values[column]), column
    assert set(values["gender"]) == {"T", "K", "M"}
    assert (values["status"] == "").all()
    assert values["year"].min() == demo.FIRST_YEAR == 2012
    assert values["year"].max() == demo.LATEST_YEAR == demo.PRELIMINARY_YEAR == 2025
    assert not values.duplicated(["kpi", "municipality", "year", "gender"]).any()
    # missing is NaN with count 0, never 0 as a stand-in
    missing = values["value"].isna()
    assert (values.loc[missing, "count"] == 0).all()
    assert (values.loc[~missing, "count"] >= 1).all()


def test_every_registry_kpi_and_unit_is_there(values: pd.DataFrame) -> None:
    assert set(values["kpi"]) == set(registry.entries())
    units = set(values["municipality"])
    assert set(KOMMUNER) <= units and set(REGIONS) <= units and reference.RIKET in units
    assert set(reference.fixed_groups()["group"]) <= units
    assert len(KOMMUNER) == 290 and len(REGIONS) == 21
    types = registry.frame()["municipality_type"]
    for kpi, kind in types.items():
        have = set(values.loc[values["kpi"] == kpi, "municipality"])
        assert reference.RIKET in have, kpi
        assert bool(set(REGIONS) & have) == (kind in ("A", "L")), kpi
        assert bool(set(KOMMUNER) & have) == (kind in ("A", "K")), kpi


def test_gender_splits_only_for_divided_kpis(values: pd.DataFrame) -> None:
    divided = registry.frame()["divided_by_gender"]
    genders = values.groupby("kpi")["gender"].agg(lambda g: set(g))
    for kpi, flag in divided.items():
        assert genders[kpi] == ({"T", "K", "M"} if flag else {"T"}), kpi


def test_gender_total_is_mean_of_women_and_men(kommun_values: pd.DataFrame) -> None:
    specs = world.all_specs()
    sub = kommun_values[
        kommun_values["kpi"].isin(
            [k for k, f in registry.frame()["divided_by_gender"].items() if f]
        )
    ]
    table = sub.pivot_table(index=["kpi", "municipality", "year"], columns="gender", values="value")
    table = table.dropna()
    assert len(table) > 10_000
    for kpi, part in table.groupby(level="kpi"):
        spec = specs[kpi]
        if spec.aggregate == "sum":
            assert np.allclose(part["K"] + part["M"], part["T"]), kpi
            continue
        # K and M are rounded separately (and clipped at the range ends)
        deviation = (part["T"] - (part["K"] + part["M"]) / 2).abs()
        inside = (
            (part["K"] > spec.lo)
            & (part["K"] < spec.hi)
            & (part["M"] > spec.lo)
            & (part["M"] < spec.hi)
        )
        assert (deviation[inside] <= 10.0**-spec.decimals + 1e-9).all(), kpi
        if spec.gender_gap:
            gap = (part["K"] - part["M"]).mean()
            assert np.sign(gap) == np.sign(spec.gender_gap), kpi


def test_values_stay_in_the_plausible_range_of_their_spec(values: pd.DataFrame) -> None:
    specs = world.all_specs()
    for kpi, sub in values[values["gender"] == "T"].groupby("kpi"):
        spec = specs[kpi]
        found = sub["value"].dropna()
        assert not found.empty, kpi
        if spec.aggregate != "sum":
            assert found.min() >= spec.lo - 1e-9 and found.max() <= spec.hi + 1e-9, kpi


@pytest.mark.parametrize(
    ("kpi", "low", "high", "national"),
    [
        ("N15507", 185, 270, (215, 235)),
        ("N15428", 65, 100, (80, 90)),
        ("N11102", 4.0, 7.0, (4.8, 5.6)),
        ("U21468", 70, 100, (84, 91)),
        ("U23471", 55, 99, (77, 84)),
        ("N31807", 0.5, 10, (3.0, 4.8)),
        ("N02926", 4, 45, (17, 25)),
        ("N01982", 20, 75, (42, 52)),
        ("N00097", -15, 15, (-3, 3)),
        ("N11024", -25, 25, (-3, 3)),
    ],
)
def test_typical_levels_match_kolada_facts(
    values: pd.DataFrame, kpi: str, low: float, high: float, national: tuple[float, float]
) -> None:
    sub = values[(values["kpi"] == kpi) & (values["gender"] == "T") & (values["year"] == 2024)]
    kommuner = sub[sub["municipality"].isin(KOMMUNER)]["value"].dropna()
    assert kommuner.quantile(0.01) >= low and kommuner.quantile(0.99) <= high
    riket = sub.loc[sub["municipality"] == reference.RIKET, "value"].iloc[0]
    assert national[0] <= riket <= national[1]


def test_costs_rise_every_year_on_average(kommun_values: pd.DataFrame) -> None:
    for kpi in ("N15027", "N11008", "N20048"):
        sub = kommun_values[(kommun_values["kpi"] == kpi) & (kommun_values["gender"] == "T")]
        means = sub.groupby("year")["value"].mean()
        assert (means.diff().dropna() > 0).all(), kpi
        assert 100_000 < means[2024] < 300_000


def test_structure_follows_the_skr_groups(kommun_values: pd.DataFrame) -> None:
    units = reference.municipalities().set_index("municipality")["skr_group"].str[:2]
    sub = kommun_values[(kommun_values["year"] == 2024) & (kommun_values["gender"] == "T")]
    wide = sub.pivot(index="municipality", columns="kpi", values="value")
    by_group = wide.groupby(units.reindex(wide.index)).mean()
    assert by_group.loc["A1", "N02937"] > by_group.loc["C8", "N02937"] * 20
    for kpi in ("N01982", "N00906", "N02926"):
        assert by_group.loc[["A1", "A2"], kpi].min() > by_group.loc[["C8", "C9"], kpi].max()
    assert by_group.loc[["C8", "C9"], "N01960"].min() > by_group.loc[["A1", "A2"], "N01960"].max()


def test_population_inside_the_real_size_class(population: pd.DataFrame) -> None:
    units = reference.municipalities().set_index("municipality")
    titles = reference.fixed_groups().set_index("group")["title"]
    for code, size in population[2024].items():
        low, high = world.band(titles[units.loc[code, "size_class_id"]])
        assert low <= size <= max(high, world.LARGEST.get(code, 0)), code


def test_missingness_is_higher_in_small_municipalities(
    kommun_values: pd.DataFrame, population: pd.DataFrame
) -> None:
    sub = kommun_values[
        kommun_values["kpi"].isin(["N15507", "N15428", "U21468", "U23401", "N17448", "N28717"])
        & (kommun_values["gender"] == "T")
    ]
    sub = sub[~sub["year"].isin(model.SURVEY_GAPS) & (sub["year"] >= 2016)]
    size = population[2024].reindex(sub["municipality"]).to_numpy()
    missing = sub["value"].isna().to_numpy()
    small, large = missing[size < 10_000].mean(), missing[size >= 30_000].mean()
    assert small > 2 * large and small > 0.05


def test_survey_gaps_and_late_starts(kommun_values: pd.DataFrame) -> None:
    def years_with_data(kpi: str) -> set[int]:
        sub = kommun_values[(kommun_values["kpi"] == kpi) & kommun_values["value"].notna()]
        return set(sub["year"])

    assert 2020 not in years_with_data("U21468") and 2019 in years_with_data("U21468")
    assert min(years_with_data("N11808")) == 2015
    assert years_with_data("N05401") == {2014, 2018, 2022}
    assert max(years_with_data("N15507")) == 2025


def test_riket_is_the_population_weighted_mean(
    values: pd.DataFrame, population: pd.DataFrame
) -> None:
    for kpi in ("N15507", "N31807", "N11800", "N15027"):
        sub = values[(values["kpi"] == kpi) & (values["gender"] == "T")]
        for year in (2015, 2024):
            rows = sub[(sub["year"] == year) & sub["municipality"].isin(KOMMUNER)].dropna()
            weights = population[year].reindex(rows["municipality"]).to_numpy()
            expected = np.average(rows["value"], weights=weights)
            riket = sub.loc[(sub["municipality"] == "0000") & (sub["year"] == year), "value"]
            assert riket.iloc[0] == pytest.approx(
                expected, abs=0.051 * max(1, expected / 100) if expected > 1000 else 0.051
            )
            assert abs(riket.iloc[0] - rows["value"].mean()) > 1e-6  # not the plain mean


def test_population_of_riket_and_regions_are_sums(
    values: pd.DataFrame, population: pd.DataFrame
) -> None:
    sub = values[
        (values["kpi"] == "N01951") & (values["gender"] == "T") & (values["year"] == 2024)
    ].set_index("municipality")["value"]
    assert sub["0000"] == population[2024].sum()
    assert 10_000_000 < sub["0000"] < 11_500_000
    orebro_lan = [c for c in KOMMUNER if c.startswith("18")]
    assert sub["0018"] == population.loc[orebro_lan, 2024].sum()


def test_fixed_group_values_are_unweighted_means_with_count(values: pd.DataFrame) -> None:
    fixed = reference.fixed_groups().set_index("group")
    sub = values[
        (values["kpi"] == "N15507") & (values["year"] == 2024) & (values["gender"] == "K")
    ].set_index("municipality")
    for group in ("G92787", "G33625", "G30823"):
        members = sub.loc[list(fixed.loc[group, "members"]), "value"].dropna()
        assert sub.loc[group, "value"] == pytest.approx(members.mean())
        assert sub.loc[group, "count"] == len(members)


def test_regions_of_type_a_kpis_are_weighted_county_means(
    values: pd.DataFrame, population: pd.DataFrame
) -> None:
    sub = values[
        (values["kpi"] == "N11800") & (values["gender"] == "T") & (values["year"] == 2024)
    ].set_index("municipality")["value"]
    members = [c for c in KOMMUNER if c.startswith("14") and not np.isnan(sub[c])]
    expected = np.average(sub[members], weights=population.loc[members, 2024])
    assert sub["0014"] == pytest.approx(expected, abs=0.051)
    assert sub["0009"] == sub["0980"] or np.isnan(sub["0980"])


def test_region_kpis_have_21_regions_and_riket(values: pd.DataFrame) -> None:
    sub = values[(values["kpi"] == "N70061") & (values["year"] == 2024)]
    assert set(sub["municipality"]) == set(REGIONS) | {"0000"}
    assert 25_000 < sub["value"].mean() < 45_000


def test_groups_fixed_and_liknande() -> None:
    from analys.stats.peers import parse_similar_title

    groups = demo.groups()
    assert list(groups.columns) == ["group", "title", "members"]
    assert groups["group"].is_unique and groups["group"].str.startswith("G").all()
    assert set(reference.fixed_groups()["group"]) <= set(groups["group"])
    liknande = groups[groups["title"].str.startswith("Liknande kommuner")]
    assert not liknande["group"].str[1:].str.isdigit().any()  # cannot collide with Kolada
    words = set(SIMILAR_AREA.values())
    assert len(liknande) == 290 * len(words)
    parsed = pd.DataFrame([parse_similar_title(t) for t in liknande["title"]])
    assert set(parsed["word"]) == words and set(parsed["municipality_type"]) == {"K"}
    # Kolada's own forms: a comma after the noun for the overall group, dated 2025
    overall = liknande["title"].str.startswith("Liknande kommuner, övergripande, ")
    assert overall.sum() == 290
    assert (parsed.loc[overall.to_numpy(), "year"] == "2025").all()
    assert (parsed.loc[~overall.to_numpy(), "year"] == "2024").all()
    names = {reference.title(c): c for c in KOMMUNER}
    focus = parsed["name"].map(names)
    assert focus.notna().all()
    assert not pd.DataFrame({"w": parsed["word"], "f": focus}).duplicated().any()
    for code, members in zip(focus, liknande["members"], strict=True):
        assert len(members) == 7 and len(set(members)) == 7
        assert code not in members and set(members) <= set(KOMMUNER)


def test_liknande_region_groups_use_kolada_title_forms() -> None:
    from analys.stats.peers import parse_similar_title

    groups = demo.groups()
    regions = groups[groups["title"].str.startswith("Liknande regioner")]
    assert len(regions) == 2 * 21
    parsed = pd.DataFrame([parse_similar_title(t) for t in regions["title"]])
    assert set(parsed["municipality_type"]) == {"L"}
    assert set(parsed["word"]) == {"socioekonomi", "hälso- och sjukvård (inkl läkemedel)"}
    assert set(parsed["name"]) == {reference.title(r) for r in REGIONS}
    assert regions["title"].str.startswith("Liknande regioner, hälso- och sjukvård").sum() == 21
    for name, members in zip(parsed["name"], regions["members"], strict=True):
        assert len(set(members)) == 7 and set(members) <= set(REGIONS)
        assert name not in {reference.title(m) for m in members}


def test_liknande_groups_are_similar_on_their_drivers(values: pd.DataFrame) -> None:
    groups = demo.groups()
    sub = values[
        (values["kpi"] == "N15816") & (values["gender"] == "T") & (values["year"] == 2024)
    ].set_index("municipality")["value"]
    spreads = []
    for title, members in zip(groups["title"], groups["members"], strict=True):
        if title.startswith("Liknande kommuner grundskola, "):
            spreads.append(sub[list(members)].std())
    assert np.mean(spreads) < 0.6 * sub[KOMMUNER].std()


def test_peer_set_finds_the_demo_liknande_group() -> None:
    from analys.stats.peers import peer_set

    peers = peer_set(DEMO_MUNICIPALITY, "liknande", groups=demo.groups(), area="grundskola")
    assert len(peers) == 7 and DEMO_MUNICIPALITY not in peers


def test_catalogue_and_snapshot() -> None:
    catalogue = demo.kpis()
    assert list(catalogue.columns) == [
        "id",
        "title",
        "description",
        "is_divided_by_gender",
        "municipality_type",
        "auspice",
        "operating_area",
        "perspective",
        "prel_publication_date",
        "publication_date",
        "publ_period",
        "has_ou_data",
    ]
    assert set(catalogue["id"]) == set(registry.entries())
    meta = registry.frame()
    assert (catalogue.set_index("id")["title"] == meta["title"].reindex(catalogue["id"])).all()
    assert (
        catalogue["description"].str.endswith("Demodata: beskrivningen är en sammanfattning.").all()
    )
    # a KPI with no current publication in Kolada has none in the demo catalogue either
    published = meta["publ_period"].notna().reindex(catalogue["id"]).to_numpy()
    assert (catalogue["publ_period"][published] == "2025").all()
    assert catalogue["publ_period"][~published].isna().all()
    assert set(catalogue["id"][~published]) == {"N17461", "U23401", "U31402"}
    snap = demo.snapshot()
    assert snap["label"] == captions.DEMO and snap["demo"] is True
    assert snap["source"] == "demo" and snap["preliminary_year"] == 2025
    assert snap["snapshot"].startswith("demo-")


def test_ols_recovers_the_true_coefficients(values: pd.DataFrame) -> None:
    truth = demo.truth()
    assert {"N15507", "N15428", "N17445", "U21468", "N31807", "N00097"} <= set(truth)
    for kpi, true in truth.items():
        drivers = list(true["coefficients"])
        sub = values[
            values["kpi"].isin([kpi, *drivers])
            & (values["gender"] == "T")
            & (values["year"] == true["year"])
            & values["municipality"].isin(KOMMUNER)
        ]
        wide = sub.pivot(index="municipality", columns="kpi", values="value").dropna()
        assert len(wide) > 240, kpi
        fit = sm.OLS(wide[kpi], sm.add_constant(wide[drivers])).fit()
        ci = fit.conf_int(0.05)
        for driver, b in true["coefficients"].items():
            assert ci.loc[driver, 0] <= b <= ci.loc[driver, 1], (kpi, driver, b, ci)
        low, high = ci.loc["const"]
        assert low <= true["intercept"] <= high, kpi
        assert np.sqrt(fit.scale) == pytest.approx(true["noise_sd"], rel=0.2), kpi


def test_regenerating_gives_identical_data(tmp_path) -> None:
    paths = generate.generate(tmp_path)
    shipped = demo.DATA_DIR
    pd.testing.assert_frame_equal(
        pd.read_parquet(paths["values.parquet"]), pd.read_parquet(shipped / "values.parquet")
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(paths["kpis.parquet"]), pd.read_parquet(shipped / "kpis.parquet")
    )
    for name in ("groups.json", "truth.json", "meta.json"):
        assert json.loads(paths[name].read_text(encoding="utf-8")) == json.loads(
            (shipped / name).read_text(encoding="utf-8")
        ), name


def test_shipped_files_are_small() -> None:
    total = sum(p.stat().st_size for p in demo.DATA_DIR.iterdir())
    assert total <= 15_000_000


def test_load_values_filters() -> None:  # its speed: benchmarks/demo.py
    demo.values()
    years = list(range(2012, 2026))
    frame = demo.load_values(["N15507"], KOMMUNER, years)
    assert set(frame["municipality"]) == set(KOMMUNER) and set(frame["gender"]) == {"T", "K", "M"}
    assert len(frame) == 290 * 14 * 3
    both = demo.load_values(["N15507", "N15816", "XYZ"], ["1880", "0000"], [2024])
    assert set(both["kpi"]) == {"N15507", "N15816"} and set(both["year"]) == {2024}
    assert demo.load_values(["XYZ"], None, None).empty


def test_analys_load_values_uses_the_demo() -> None:
    import analys

    frame = analys.load_values("N15507", ["1880"], [2024])
    assert len(frame) == 1 and frame["gender"].iloc[0] == "T"
    assert analys.snapshot("demo")["label"] == captions.DEMO
