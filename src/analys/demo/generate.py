"""Generate the embedded demo data set (synthetic values, real codes and KPI ids).

Run ``python -m analys.demo.generate`` to rewrite the shipped files in
``src/analys/demo/data/``; ``python -m analys.demo.generate DIR`` writes them to DIR.
The output depends only on this code, :mod:`analys.demo.model`, the reference facts and
the registry, so running it twice gives identical files. README.md describes the model.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.demo import model
from analys.demo.model import REFERENCE_YEAR, Spec

GENERATOR_VERSION = "demo-1 (generator 2026-11-28)"
SEED = 20240603  # README: chosen so every recorded coefficient lies in its 95 % CI
FIRST_YEAR, LAST_YEAR = 2012, 2025
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
REF = int(np.flatnonzero(YEARS == REFERENCE_YEAR)[0])
DATA_DIR = Path(__file__).resolve().parent / "data"
# approximate real populations where the size class has no upper bound (demo assumption)
LARGEST = {"0180": 990_000, "1480": 600_000, "1280": 365_000}


def rng_for(name: str) -> np.random.Generator:
    """A random generator of its own for every KPI, so specs can change independently."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode("utf-8"))])


def _band(title: str) -> tuple[float, float]:
    """Population bounds from a size-class title such as 'Kommuner med 10 000 - 14 999'."""
    numbers = [int(n.replace(" ", "")) for n in re.findall(r"\d[\d ]*\d|\d", title)]
    if "fler än" in title:
        return float(numbers[0]), 2.0 * numbers[0]
    return max(float(numbers[0]), 2_400.0), float(numbers[1])  # smallest: Bjurholm ≈ 2 400


class World:
    """The 290 municipalities and their published values, filled KPI by KPI."""

    def __init__(self) -> None:
        units = reference.municipalities()
        self.kommuner = units[units["type"] == "K"].reset_index(drop=True)
        self.codes = self.kommuner["municipality"].to_numpy()
        self.counties = self.kommuner["county"].to_numpy()
        self.skr = self.kommuner["skr_group"].str[:2].to_numpy()
        self.values: dict[str, np.ndarray] = {}  # kpi -> (290, years) total, NaN missing
        self.genders: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.area = np.zeros(len(self.codes))
        self.centres: dict[str, float] = {}

    @property
    def n(self) -> int:
        return len(self.codes)

    def group_means(self, column: int) -> np.ndarray:
        return np.array([model.BY_SKR[g][column] for g in self.skr])

    def offsets(self) -> np.ndarray:
        return (YEARS - REFERENCE_YEAR)[None, :].astype(float)


def _round(x: np.ndarray, spec: Spec) -> np.ndarray:
    return np.round(np.clip(x, spec.lo, spec.hi), spec.decimals)


def structure(world: World) -> None:
    """Population, density, education, income, migration and age structure."""
    n, t = world.n, world.offsets()
    spec = model.STRUCTURAL
    # population: log-uniform inside the municipality's real size class band
    rng = rng_for("N01951")
    groups = reference.fixed_groups().set_index("group")["title"]
    bands = np.array([_band(groups[g]) for g in world.kommuner["size_class_id"]])
    draw = np.exp(rng.uniform(np.log(bands[:, 0]), np.log(bands[:, 1] + 1)))
    for i, code in enumerate(world.codes):
        draw[i] = LARGEST.get(code, draw[i])
    growth = world.group_means(4) + rng.normal(0, 0.003, n)
    population = np.round(draw[:, None] * (1 + growth[:, None]) ** t)
    world.values["N01951"] = population
    # density: log10 normal around the SKR group mean; area fixed
    rng = rng_for("N02937")
    density_ref = 10 ** (world.group_means(3) + rng.normal(0, 0.35, n))
    world.area = population[:, REF] / density_ref
    world.values["N02937"] = _round(population / world.area[:, None], spec["N02937"])

    def evolve(name: str, base: np.ndarray, trend: float, sd: float) -> np.ndarray:
        noise = rng_for(name + "/years").normal(0, sd, (n, len(YEARS)))
        return _round(base[:, None] + trend * t + noise, spec[name])

    rng = rng_for("N01982")
    educ = world.group_means(0) + rng.normal(0, 5.0, n)
    world.values["N01982"] = evolve("N01982", educ, 0.5, 0.3)
    rng = rng_for("N15816")
    world.values["N15816"] = evolve("N15816", 8 + 0.95 * educ + rng.normal(0, 4.0, n), 0.3, 0.6)
    rng = rng_for("N17828")
    world.values["N17828"] = evolve("N17828", 10 + 0.9 * educ + rng.normal(0, 4.0, n), 0.3, 0.6)
    rng = rng_for("N00906")
    income = 195_000 + 3_000 * educ + rng.normal(0, 18_000, n)
    noise = rng_for("N00906/years").normal(0, 2_000, (n, len(YEARS)))
    world.values["N00906"] = _round(income[:, None] * 1.025**t + noise, spec["N00906"])
    rng = rng_for("N02926")
    foreign = world.group_means(1) * np.exp(rng.normal(0, 0.3, n))
    adults = 1.25 * foreign + rng_for("N01950").normal(0, 2.0, n)
    for name, base in (("N02926", foreign), ("N01950", adults)):
        # the share grows by 2.2 % of its 2024 level per year (Sweden: ~15 % → ~20 %)
        noise = rng_for(name + "/years").normal(0, 0.2, (n, len(YEARS)))
        world.values[name] = _round(base[:, None] * (1 + 0.022 * t) + noise, spec[name])
    rng = rng_for("N01960")
    old = world.group_means(2) + rng.normal(0, 2.5, n)
    world.values["N01960"] = evolve("N01960", old, 0.15, 0.1)
    rng = rng_for("N01813")
    world.values["N01813"] = evolve("N01813", 0.24 * old + rng.normal(0, 0.5, n), 0.08, 0.05)
    rng = rng_for("N01994")
    world.values["N01994"] = evolve("N01994", 32 - 0.45 * old + rng.normal(0, 1.2, n), -0.05, 0.1)


def _ready(spec: Spec, world: World) -> bool:
    return all(k in world.values for k in spec.drivers)


def outcome(world: World, kpi: str, spec: Spec) -> np.ndarray:
    """Draw one KPI for every municipality and year from its spec (model.py formula)."""
    n, t = world.n, world.offsets()
    rng = rng_for(kpi)
    effect = rng.normal(0, spec.sd_u, n)
    noise = rng.normal(0, spec.sd_e, (n, len(YEARS)))
    linear = spec.level + spec.trend * t + effect[:, None] + noise
    for driver, b in spec.drivers.items():
        x = world.values[driver]
        centre = float(np.nanmean(x[:, REF]))
        world.centres[driver] = centre
        linear = linear + b * (x - centre)
    raw = linear * spec.growth**t
    if kpi == "N07713":  # a count: the rate per 1 000 inhabitants times the population
        return np.round(np.clip(raw, spec.lo, spec.hi) * world.values["N01951"] / 1000)
    return _round(raw, spec)


def missing_mask(
    world: World,
    kpi: str,
    spec: Spec,
    units: int | None = None,
    population: np.ndarray | None = None,
) -> np.ndarray:
    """True where a value is missing: before ``start``, survey gaps, small municipalities."""
    rows = world.n if units is None else units
    pop = world.values["N01951"][:, REF] if population is None else population
    small = np.clip((15_000 - pop) / 15_000, 0, 1)
    p = spec.miss + spec.miss_small * small
    mask = rng_for(kpi + "/missing").uniform(size=(rows, len(YEARS))) < p[:, None]
    out_of_series = (YEARS < spec.start) | np.isin(YEARS, spec.gaps)
    if spec.only:
        out_of_series |= ~np.isin(YEARS, spec.only)
    return mask | out_of_series[None, :]


def split_gender(
    kpi: str, spec: Spec, total: np.ndarray, growth_t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """K and M around T: ``K = T + gap/2 + d``, ``M = T − gap/2 − d`` (T is their mean).

    Counts (``aggregate == "sum"``) split into shares instead, with ``T = K + M``.
    """
    rng = rng_for(kpi + "/gender")
    if spec.aggregate == "sum":
        share = 0.497 + rng.normal(0, 0.004, total.shape[0])[:, None]
        women = np.round(total * share)
        return total, women, total - women
    scale = spec.sd_e if spec.sd_e > 0 else 0.1 * abs(spec.gender_gap)
    d = rng.normal(0, 0.25 * scale, total.shape)
    half = 0.5 * spec.gender_gap * growth_t
    women = np.round(np.clip(total + half + d, spec.lo, spec.hi), spec.decimals)
    men = np.round(np.clip(total - half - d, spec.lo, spec.hi), spec.decimals)
    return total, women, men


def municipality_values(world: World) -> None:
    """All K and A KPIs for the 290 municipalities (totals and gender splits)."""
    pending = dict(model.OUTCOMES)
    while pending:
        progressed = False
        for kpi, spec in list(pending.items()):
            if _ready(spec, world):
                world.values[kpi] = outcome(world, kpi, spec)
                del pending[kpi]
                progressed = True
        if not progressed:
            raise RuntimeError(f"drivers missing for {sorted(pending)}")
    tax = np.array([model.REGION_TAX[c] for c in world.counties])
    world.values["N00900"] = np.round(world.values["N00901"] + tax[:, None], 2)


def _specs() -> dict[str, Spec]:
    specs = {**model.STRUCTURAL, **model.OUTCOMES, **model.REGIONAL}
    specs["N00900"] = Spec(0, 0, 0, decimals=2, miss=0, miss_small=0)
    return specs


def _long(
    kpi: str, codes: np.ndarray, gender: str, values: np.ndarray, counts: np.ndarray | None = None
) -> pd.DataFrame:
    rows, cols = values.shape
    if counts is None:
        counts = np.where(np.isnan(values), 0, 1)
    return pd.DataFrame(
        {
            "kpi": kpi,
            "municipality": np.repeat(codes, cols),
            "year": np.tile(YEARS, rows),
            "gender": gender,
            "value": values.ravel(),
            "count": counts.ravel().astype("int64"),
            "status": "",
        }
    )


def _weighted(
    values: np.ndarray,
    weights: np.ndarray,
    members: np.ndarray,
    how: str,
    area: np.ndarray,
    decimals: int,
) -> np.ndarray:
    """Population-weighted mean (or sum, or density) over ``members`` rows, per year."""
    v, w = values[members], weights[members]
    have = ~np.isnan(v)
    if how == "sum":
        out = np.where(have, v, 0).sum(axis=0)
    elif how == "density":
        out = np.where(have, w, 0).sum(axis=0) / area[members].sum()
    else:
        total = np.where(have, w, 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(have, v * w, 0).sum(axis=0) / total
    out = np.where(have.any(axis=0), out, np.nan)
    return np.round(out, decimals)


def build_values(world: World) -> pd.DataFrame:
    """The whole values frame: municipalities, regions, Riket and fixed groups."""
    meta = registry.frame()
    specs = _specs()
    population = world.values["N01951"]
    county_rows = {c: np.flatnonzero(world.counties == c) for c in reference.COUNTIES}
    all_rows = np.arange(world.n)
    regions = np.array(reference.region_codes())
    fixed = reference.fixed_groups()
    code_index = {c: i for i, c in enumerate(world.codes)}
    group_rows = [
        np.array([code_index[m] for m in members], dtype=int) for members in fixed["members"]
    ]
    frames = []
    for kpi, row in meta.iterrows():
        spec = specs[kpi]
        kind = row["municipality_type"]
        genders = ("T", "K", "M") if row["divided_by_gender"] else ("T",)
        growth_t = spec.growth ** world.offsets()
        if kind == "L":
            regional = _regional(kpi, spec, world)
            splits = split_gender(kpi, spec, regional, growth_t)
            region_pop = np.array([population[county_rows[r[2:]]].sum(axis=0) for r in regions])
            for gender, vals in zip(("T", "K", "M"), splits, strict=True):
                if gender not in genders:
                    continue
                frames.append(_long(kpi, regions, gender, vals))
                riket = _weighted(
                    vals,
                    region_pop,
                    np.arange(len(regions)),
                    "mean",
                    np.ones(len(regions)),
                    spec.decimals,
                )
                frames.append(_long(kpi, np.array([reference.RIKET]), gender, riket[None, :]))
            continue
        missing = missing_mask(world, kpi, spec)
        total = np.where(missing, np.nan, world.values[kpi])
        splits = split_gender(kpi, spec, total, growth_t)
        for gender, vals in zip(("T", "K", "M"), splits, strict=True):
            if gender not in genders:
                continue
            weight = population
            frames.append(_long(kpi, world.codes, gender, vals))
            riket = _weighted(vals, weight, all_rows, spec.aggregate, world.area, spec.decimals)
            frames.append(_long(kpi, np.array([reference.RIKET]), gender, riket[None, :]))
            if kind == "A":
                regional = np.vstack(
                    [
                        _weighted(
                            vals,
                            weight,
                            county_rows[r[2:]],
                            spec.aggregate,
                            world.area,
                            spec.decimals,
                        )
                        for r in regions
                    ]
                )
                frames.append(_long(kpi, regions, gender, regional))
            means, counts = [], []
            for rows in group_rows:
                v = vals[rows]
                have = (~np.isnan(v)).sum(axis=0)
                with np.errstate(invalid="ignore"):
                    mean = np.where(have > 0, np.nansum(v, axis=0) / np.maximum(have, 1), np.nan)
                means.append(mean)
                counts.append(have)
            frames.append(
                _long(kpi, fixed["group"].to_numpy(), gender, np.vstack(means), np.vstack(counts))
            )
    values = pd.concat(frames, ignore_index=True)
    values["value"] = values["value"].astype("float64")
    values = values.sort_values(["kpi", "municipality", "year", "gender"], kind="stable")
    return values.reset_index(drop=True)


def _regional(kpi: str, spec: Spec, world: World) -> np.ndarray:
    """A regional council KPI for the 21 regions: level, region effect, trend and noise."""
    regions = reference.region_codes()
    n, t = len(regions), world.offsets()
    rng = rng_for(kpi)
    linear = (
        spec.level
        + spec.trend * t
        + rng.normal(0, spec.sd_u, n)[:, None]
        + rng.normal(0, spec.sd_e, (n, len(YEARS)))
    )
    values = _round(linear * spec.growth**t, spec)
    pop = np.array([world.values["N01951"][world.counties == r[2:], REF].sum() for r in regions])
    missing = missing_mask(world, kpi, spec, units=n, population=pop)
    return np.where(missing, np.nan, values)


def liknande_title(word: str, name: str, year: int, *, regions: bool = False) -> str:
    """A comparison-group title in Kolada's own forms (see the real group catalogue).

    "Liknande kommuner grundskola, Örebro, 2024"; the overall group and the regions' health
    care group put a comma after the noun: "Liknande kommuner, övergripande, Örebro, 2025",
    "Liknande regioner, hälso- och sjukvård (inkl läkemedel), Region Örebro län, 2024".
    """
    noun = "regioner" if regions else "kommuner"
    comma = "," if word in ("övergripande", "hälso- och sjukvård (inkl läkemedel)") else ""
    return f"Liknande {noun}{comma} {word}, {name}, {year}"


def _nearest(columns: list[np.ndarray], k: int = 7) -> np.ndarray:
    """Row indices of the ``k`` nearest units (Euclidean over z-scores), self excluded."""
    z = np.column_stack(columns)
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    distance = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    return np.argsort(distance, axis=1, kind="stable")[:, :k]


def liknande_groups(world: World) -> pd.DataFrame:
    """ "Liknande kommuner <område>, <kommun>, <år>": the 7 nearest on standardised drivers.

    Distance is Euclidean over z-scores (2024, 290 municipalities) of the area's
    structural KPIs (``logX`` means log10 of X). Ids: ``GL`` + area code + municipality
    code, e.g. ``GLGR1880``; real Kolada group ids are ``G`` + digits only. Titles follow
    Kolada's forms (:func:`liknande_title`); the overall group is dated a year later, as in
    Kolada. Then the regions' groups (:func:`liknande_region_groups`).
    """
    rows = []
    for word, (code, drivers) in model.LIKNANDE.items():
        columns = []
        for d in drivers:
            x = world.values[d.removeprefix("log")][:, REF]
            columns.append(np.log10(x) if d.startswith("log") else x)
        nearest = _nearest(columns)
        year = LAST_YEAR if word == "övergripande" else REFERENCE_YEAR
        for i, focus in enumerate(world.codes):
            rows.append(
                {
                    "group": f"GL{code}{focus}",
                    "title": liknande_title(word, reference.title(focus), year),
                    "members": [str(world.codes[j]) for j in nearest[i]],
                }
            )
    return pd.concat([pd.DataFrame(rows), liknande_region_groups(world)], ignore_index=True)


def liknande_region_groups(world: World) -> pd.DataFrame:
    """ "Liknande regioner …, Region X, 2024": each region's 7 nearest regions.

    A region's drivers are the population-weighted means of its municipalities' values
    (population itself summed) in 2024. Ids: ``GLR`` + area code + region code.
    """
    regions = reference.region_codes()
    population = world.values["N01951"][:, REF]
    rows = []
    for word, (code, drivers) in model.LIKNANDE_REGIONER.items():
        columns = []
        for d in drivers:
            kpi = d.removeprefix("log")
            x = world.values[kpi][:, REF]
            per_region = []
            for region in regions:
                inside = world.counties == region[2:]
                if kpi == "N01951":
                    per_region.append(population[inside].sum())
                else:
                    per_region.append(np.average(x[inside], weights=population[inside]))
            value = np.asarray(per_region, dtype=float)
            columns.append(np.log10(value) if d.startswith("log") else value)
        nearest = _nearest(columns)
        for i, focus in enumerate(regions):
            rows.append(
                {
                    "group": f"GLR{code}{focus}",
                    "title": liknande_title(
                        word, reference.title(focus), REFERENCE_YEAR, regions=True
                    ),
                    "members": [str(regions[j]) for j in nearest[i]],
                }
            )
    return pd.DataFrame(rows)


def build_groups(world: World) -> pd.DataFrame:
    """Fixed groups (SKR, county, size class) followed by the Liknande groups."""
    fixed = reference.fixed_groups()
    table = pd.DataFrame(
        {
            "group": fixed["group"],
            "title": fixed["title"],
            "members": [list(m) for m in fixed["members"]],
        }
    )
    return pd.concat([table, liknande_groups(world)], ignore_index=True)


PERSPECTIVE = {"Resurser": "X", "Volymer": "X", "Kvalitet och resultat": "T", "Övrigt": "X"}


def _perspective(row: pd.Series) -> str:
    unit = str(row["unit"])
    if unit.startswith("kr") or "Nettokostnadsavvikelse" in row["title"]:
        return "Resurser"
    if row["area"] == "folkhalsa":
        return "Övrigt"
    if unit == "antal" and "per" not in row["title"]:
        return "Volymer"
    return "Kvalitet och resultat"


def build_kpis() -> pd.DataFrame:
    """The demo KPI catalogue: registry titles and types plus Kolada-like metadata."""
    meta = registry.frame()
    rows = []
    for kpi, row in meta.iterrows():
        perspective = _perspective(row)
        rows.append(
            {
                "id": kpi,
                "title": row["title"],
                "description": (
                    f"{row['label']} ({row['unit']}) inom {row['operating_area']}. "
                    "Demodata: beskrivningen är en sammanfattning."
                ),
                "is_divided_by_gender": bool(row["divided_by_gender"]),
                "municipality_type": row["municipality_type"],
                "auspice": PERSPECTIVE[perspective],
                "operating_area": row["operating_area"],
                "perspective": perspective,
                "prel_publication_date": "2026-05-04",
                "publication_date": "2026-09-30",
                "publ_period": str(LAST_YEAR),
                "has_ou_data": bool(row["has_ou_data"]),
            }
        )
    return pd.DataFrame(rows)


def build_truth(world: World) -> dict:
    """The 2024 cross-sectional models of the main outcomes (see model.py)."""
    truth = {}
    for kpi in model.TRUTH:
        spec = model.OUTCOMES[kpi]
        centres = {d: float(np.nanmean(world.values[d][:, REF])) for d in spec.drivers}
        intercept = spec.level - sum(b * centres[d] for d, b in spec.drivers.items())
        truth[kpi] = {
            "intercept": round(intercept, 6),
            "coefficients": dict(spec.drivers),
            "year": REFERENCE_YEAR,
            "noise_sd": round(float(np.hypot(spec.sd_u, spec.sd_e)), 6),
            "municipality_sd": spec.sd_u,
            "year_sd": spec.sd_e,
            "trend": spec.trend,
            "growth": spec.growth,
        }
    return truth


def generate(out: Path | str = DATA_DIR) -> dict[str, Path]:
    """Write values.parquet, groups.json, kpis.parquet, truth.json and meta.json to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    missing = set(registry.entries()) - set(_specs())
    if missing:
        raise RuntimeError(f"no demo spec for {sorted(missing)}")
    world = World()
    structure(world)
    municipality_values(world)
    paths = {
        name: out / name
        for name in ("values.parquet", "groups.json", "kpis.parquet", "truth.json", "meta.json")
    }
    build_values(world).to_parquet(
        paths["values.parquet"], index=False, compression="zstd", row_group_size=1_000_000
    )
    groups = build_groups(world)
    paths["groups.json"].write_text(
        json.dumps(groups.to_dict(orient="records"), ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8",
    )
    build_kpis().to_parquet(paths["kpis.parquet"], index=False)
    paths["truth.json"].write_text(
        json.dumps(build_truth(world), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    paths["meta.json"].write_text(
        json.dumps(
            {
                "snapshot": GENERATOR_VERSION,
                "seed": SEED,
                "first_year": FIRST_YEAR,
                "latest_year": LAST_YEAR,
                "preliminary_year": LAST_YEAR,
                "reference_year": REFERENCE_YEAR,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m analys.demo.generate [DIR]``."""
    args = sys.argv[1:] if argv is None else argv
    paths = generate(args[0] if args else DATA_DIR)
    for path in paths.values():
        print(f"skrev {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
