"""The demo's synthetic municipalities: structure first, then every outcome from its drivers.

:class:`World` holds the 290 municipalities and their values, filled KPI by KPI:
:func:`structure` draws the structural KPIs (population, area, shares …),
:func:`municipality_values` every outcome of :mod:`analys.demo.model` once its drivers exist,
with missing values and gender splits. Every KPI draws from a random generator of its own
(:func:`rng_for`), so changing one spec leaves the others' values as they were.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from analys import reference
from analys.demo import model
from analys.demo.model import REFERENCE_YEAR, Spec

SEED = 20240603  # README: chosen so every recorded coefficient lies in its 95 % CI
FIRST_YEAR, LAST_YEAR = 2012, 2025
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
REF = int(np.flatnonzero(YEARS == REFERENCE_YEAR)[0])
# approximate real populations where the size class has no upper bound (demo assumption)
LARGEST = {"0180": 990_000, "1480": 600_000, "1280": 365_000}


def rng_for(name: str) -> np.random.Generator:
    """A random generator of its own for every KPI, so specs can change independently."""
    return np.random.default_rng([SEED, zlib.crc32(name.encode("utf-8"))])


def band(title: str) -> tuple[float, float]:
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


def round_to_spec(x: np.ndarray, spec: Spec) -> np.ndarray:
    """Values clipped to the spec's bounds and rounded to its decimals, as published."""
    return np.round(np.clip(x, spec.lo, spec.hi), spec.decimals)


def structure(world: World) -> None:
    """Population, density, education, income, migration and age structure."""
    n, t = world.n, world.offsets()
    spec = model.STRUCTURAL
    # population: log-uniform inside the municipality's real size class band
    rng = rng_for("N01951")
    groups = reference.fixed_groups().set_index("group")["title"]
    bands = np.array([band(groups[g]) for g in world.kommuner["size_class_id"]])
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
    world.values["N02937"] = round_to_spec(population / world.area[:, None], spec["N02937"])

    def evolve(name: str, base: np.ndarray, trend: float, sd: float) -> np.ndarray:
        noise = rng_for(name + "/years").normal(0, sd, (n, len(YEARS)))
        return round_to_spec(base[:, None] + trend * t + noise, spec[name])

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
    world.values["N00906"] = round_to_spec(income[:, None] * 1.025**t + noise, spec["N00906"])
    rng = rng_for("N02926")
    foreign = world.group_means(1) * np.exp(rng.normal(0, 0.3, n))
    adults = 1.25 * foreign + rng_for("N01950").normal(0, 2.0, n)
    for name, base in (("N02926", foreign), ("N01950", adults)):
        # the share grows by 2.2 % of its 2024 level per year (Sweden: ~15 % → ~20 %)
        noise = rng_for(name + "/years").normal(0, 0.2, (n, len(YEARS)))
        world.values[name] = round_to_spec(base[:, None] * (1 + 0.022 * t) + noise, spec[name])
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
    return round_to_spec(raw, spec)


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


def all_specs() -> dict[str, Spec]:
    """Every KPI's spec: structural, outcomes, regional, and the total tax rate."""
    specs = {**model.STRUCTURAL, **model.OUTCOMES, **model.REGIONAL}
    specs["N00900"] = Spec(0, 0, 0, decimals=2, miss=0, miss_small=0)
    return specs
