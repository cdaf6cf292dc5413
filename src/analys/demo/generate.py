"""Generate the embedded demo data set (synthetic values, real codes and KPI ids).

Run ``python -m analys.demo.generate`` to rewrite the shipped files in
``src/analys/demo/data/``; ``python -m analys.demo.generate DIR`` writes them to DIR.
The output depends only on this code, :mod:`analys.demo.model`, the reference facts and
the registry, so running it twice gives identical files. README.md describes the model.

The parts: :mod:`analys.demo.world` (the synthetic municipalities and their values),
:mod:`analys.demo.peer_groups` (comparison groups), :mod:`analys.demo.catalogue` (the KPI
catalogue); this module assembles the values frame with regions, Riket and groups, the
recorded true models, and writes the files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from analys import reference, registry
from analys.demo import model
from analys.demo.catalogue import build_kpis
from analys.demo.model import REFERENCE_YEAR, Spec
from analys.demo.peer_groups import build_groups
from analys.demo.world import (
    FIRST_YEAR,
    LAST_YEAR,
    REF,
    SEED,
    YEARS,
    World,
    all_specs,
    missing_mask,
    municipality_values,
    rng_for,
    round_to_spec,
    split_gender,
    structure,
)

GENERATOR_VERSION = "demo-1 (generator 2026-11-28)"
DATA_DIR = Path(__file__).resolve().parent / "data"


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
    specs = all_specs()
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
    values = round_to_spec(linear * spec.growth**t, spec)
    pop = np.array([world.values["N01951"][world.counties == r[2:], REF].sum() for r in regions])
    missing = missing_mask(world, kpi, spec, units=n, population=pop)
    return np.where(missing, np.nan, values)


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
    missing = set(registry.entries()) - set(all_specs())
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
