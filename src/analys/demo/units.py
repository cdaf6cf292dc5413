"""Demo units (organisational units, OU): real ids, titles and municipalities, synthetic values.

The catalogue comes from Kolada's own unit list (the full v2 ``/ou`` dump of January 2024 in
``../shared/data/kolada-samples/ou/``): every unit of the activities the shipped areas use –
förskola (V11), grundskola (V15), gymnasieskola (V17), hemtjänst (V21), särskilt boende (V23)
and LSS daglig verksamhet (V26) – in all 290 municipalities, so that a unit's rank "among all
units of its kind in Sweden" means what it says.

The **values are synthetic** (every output says :data:`analys.captions.DEMO`). Per unit and
KPI::

    value = municipal demo value + unit effect + yearly noise · sqrt(REFERENCE / size)

* the unit effects are centred within the municipality (size-weighted), so the units
  aggregate plausibly to the municipal value;
* ``size`` (pupils, children or survey answers behind the value) is drawn per unit and is the
  row's ``count``: small units are noisier, and survey values from fewer than
  :data:`SUPPRESS_BELOW` answers are withheld (NaN, as Kolada does);
* grundskolor: only schools with year 9 (not "F-6" etc.) have merit values; the SALSA model
  value ``U15415`` is the municipal model value plus a background effect, the deviation
  ``U15416`` is the municipal deviation plus a school effect and noise, and the actual merit
  value ``N15504`` is their sum – exactly Skolverket's identity *actual = modelled +
  deviation*;
* units open and close over the years, and about 4 % of the remaining values are missing.

``python -m analys.demo.units [--catalogue FILE] [DIR]`` writes ``units.parquet`` and
``unit_values.parquet`` (default: the package's ``data/``); without the shared catalogue it
says so and stops (the shipped files are already generated).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analys import demo, reference
from analys.frame import OU_COLUMNS

DATA_DIR = Path(__file__).resolve().parent / "data"
REPO_ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = (
    REPO_ROOT.parent
    / "shared"
    / "data"
    / "kolada-samples"
    / "ou"
    / "v2_ou_catalogue_values__FULL_DUMP_35368_OUs_2024-01__rubenselander_pykolada__data_ou.json"
)
UNITS_FILE = "units.parquet"
VALUES_FILE = "unit_values.parquet"
SEED = 20240115
FIRST_YEAR = 2018
LATEST_YEAR = 2025
REFERENCE = 40  # the size at which the yearly noise has its base standard deviation
SUPPRESS_BELOW = 5  # survey answers below which Kolada withholds a unit's value
UNIT_COLUMNS = ["id", "title", "municipality", "activity"]

# activity (V-code) -> (median size, spread of log size)
ACTIVITY_SIZES = {
    "V11": (45, 0.55),
    "V15": (55, 0.6),
    "V17": (120, 0.7),
    "V21": (45, 0.7),
    "V23": (22, 0.5),
    "V26": (18, 0.6),
}

# kpi -> activity, sd of the persistent unit effect, sd of the yearly noise, (low, high), survey
SPECS: dict[str, tuple[str, float, float, tuple[float, float], bool]] = {
    "N11102": ("V11", 0.6, 0.25, (2.0, 9.0), False),
    "N11041": ("V11", 12.0, 3.0, (0.0, 100.0), False),
    "N11808": ("V11", 12.0, 3.0, (0.0, 100.0), False),
    "N11811": ("V11", 3.0, 0.8, (3.0, 40.0), False),
    "N15033": ("V15", 1.5, 0.5, (5.0, 25.0), False),
    "N15813": ("V15", 9.0, 3.0, (0.0, 100.0), False),
    "N17448": ("V17", 9.0, 4.0, (0.0, 100.0), False),
    "N17816": ("V17", 2.0, 0.6, (4.0, 25.0), False),
    "U21468": ("V21", 5.0, 3.0, (0.0, 100.0), True),
    "U21466": ("V21", 3.0, 2.0, (0.0, 100.0), True),
    "U23471": ("V23", 7.0, 4.0, (0.0, 100.0), True),
    "U23464": ("V23", 9.0, 5.0, (0.0, 100.0), True),
    "N28685": ("V26", 8.0, 5.0, (0.0, 100.0), True),
}
SALSA_KPIS = ("U15415", "U15416", "N15504")  # modelled, deviation, actual (grundskola V15)
SALSA_BACKGROUND_SD = 14.0  # between-school spread of the modelled merit value
SALSA_SCHOOL_SD = 7.0  # persistent school deviation
SALSA_NOISE_SD = 6.0  # yearly noise of the deviation at REFERENCE pupils
NO_YEAR_9 = ("F-2", "F-3", "F-4", "F-5", "F-6", "1-3", "1-6", "4-6", "F-1", "0-6")


def unit_kpis() -> list[str]:
    """The KPIs the demo has unit values for."""
    return [*SPECS, *SALSA_KPIS]


# ---------------------------------------------------------------------------------- reading


@lru_cache(maxsize=1)
def _units() -> pd.DataFrame:
    frame = pd.read_parquet(DATA_DIR / UNITS_FILE)
    frame = frame.loc[:, UNIT_COLUMNS]
    for column in UNIT_COLUMNS:
        frame[column] = frame[column].astype("str")
    return frame


def units(municipalities: list[str] | None = None) -> pd.DataFrame:
    """The demo unit catalogue: id, title, municipality, activity (V-code)."""
    frame = _units()
    if municipalities is not None:
        frame = frame[frame["municipality"].isin([str(m) for m in municipalities])]
    return frame.reset_index(drop=True)


@lru_cache(maxsize=1)
def _values() -> pd.DataFrame:
    frame = pd.read_parquet(DATA_DIR / VALUES_FILE).loc[:, OU_COLUMNS]
    for column in ("kpi", "ou", "municipality", "gender", "status"):
        frame[column] = frame[column].astype("str")
    frame["year"] = frame["year"].astype("int64")
    frame["count"] = frame["count"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def load_unit_values(
    kpis: list[str],
    ous: list[str] | None = None,
    municipalities: list[str] | None = None,
    years: list[int] | None = None,
) -> pd.DataFrame:
    """A filtered copy of the demo unit values (all genders; the demo has ``T`` only)."""
    frame = _values()
    mask = frame["kpi"].isin([str(k) for k in kpis]).to_numpy().copy()
    if ous is not None:
        mask &= frame["ou"].isin([str(o) for o in ous]).to_numpy()
    if municipalities is not None:
        mask &= frame["municipality"].isin([str(m) for m in municipalities]).to_numpy()
    if years is not None:
        mask &= frame["year"].isin([int(y) for y in years]).to_numpy()
    return frame[mask].reset_index(drop=True)


# ---------------------------------------------------------------------------------- generating


def read_catalogue(path: Path = CATALOGUE) -> pd.DataFrame:
    """The real OU catalogue (id, title, municipality) of the activities in ACTIVITY_SIZES."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    frame = pd.DataFrame(
        {
            "id": [str(r["id"]) for r in records],
            "title": [str(r["title"]).strip() for r in records],
            "municipality": [str(r["municipality"]) for r in records],
        }
    )
    frame["activity"] = frame["id"].str[:3]
    keep = frame["activity"].isin(list(ACTIVITY_SIZES)) & frame["municipality"].isin(
        reference.municipality_codes()
    )
    frame = frame[keep].drop_duplicates("id")
    return frame.sort_values(["activity", "municipality", "id"]).reset_index(drop=True)


def _clip_round(x: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return np.round(np.clip(x, *bounds), 1)


def generate(catalogue: pd.DataFrame, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo unit catalogue and its synthetic values frame (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    years = np.arange(FIRST_YEAR, LATEST_YEAR + 1)
    cat = catalogue.reset_index(drop=True)
    n = len(cat)
    median = cat["activity"].map({a: s[0] for a, s in ACTIVITY_SIZES.items()}).to_numpy(float)
    spread = cat["activity"].map({a: s[1] for a, s in ACTIVITY_SIZES.items()}).to_numpy(float)
    size = np.maximum(3, np.round(median * np.exp(rng.normal(0, spread)))).astype(int)
    # open from a year (most always), closed after a year (a few)
    opened = np.where(rng.random(n) < 0.12, rng.integers(FIRST_YEAR + 1, LATEST_YEAR, n), 0)
    closed = np.where(rng.random(n) < 0.06, rng.integers(FIRST_YEAR + 2, LATEST_YEAR, n), 9999)
    municipal = demo.load_values(unit_kpis(), None, years.tolist())
    municipal = municipal[municipal["gender"] == "T"].set_index(["kpi", "municipality", "year"])[
        "value"
    ]
    parts = []

    def rows(kpi: str, index: np.ndarray, values: np.ndarray) -> None:
        sub = cat.iloc[index]
        k = len(index)
        frame = pd.DataFrame(
            {
                "kpi": kpi,
                "ou": np.repeat(sub["id"].to_numpy(), len(years)),
                "municipality": np.repeat(sub["municipality"].to_numpy(), len(years)),
                "year": np.tile(years, k),
                "gender": "T",
                "value": values.reshape(-1),
                "count": np.repeat(size[index], len(years)),
                "status": "",
            }
        )
        year = frame["year"].to_numpy()
        alive = (year >= np.repeat(opened[index], len(years))) & (
            year <= np.repeat(closed[index], len(years))
        )
        alive &= rng.random(len(frame)) > 0.04
        frame = frame[alive & frame["value"].notna().to_numpy()]
        parts.append(frame)

    def base(kpi: str, index: np.ndarray) -> np.ndarray:
        keys = pd.MultiIndex.from_arrays(
            [
                np.full(len(index) * len(years), kpi),
                np.repeat(cat["municipality"].to_numpy()[index], len(years)),
                np.tile(years, len(index)),
            ]
        )
        return municipal.reindex(keys).to_numpy(float).reshape(len(index), len(years))

    def centred(effect: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Unit effects minus their size-weighted municipal mean."""
        frame = pd.DataFrame(
            {"m": cat["municipality"].to_numpy()[index], "e": effect, "w": size[index]}
        )
        frame["we"] = frame["e"] * frame["w"]
        sums = frame.groupby("m")[["we", "w"]].transform("sum")
        return effect - (sums["we"] / sums["w"]).to_numpy()

    for kpi, (activity, unit_sd, noise_sd, bounds, survey) in SPECS.items():
        index = np.flatnonzero(cat["activity"].to_numpy() == activity)
        effect = centred(rng.normal(0, unit_sd, len(index)), index)
        scale = np.sqrt(REFERENCE / size[index])[:, None]
        noise = rng.normal(0, noise_sd, (len(index), len(years))) * scale
        values = _clip_round(base(kpi, index) + effect[:, None] + noise, bounds)
        if survey:
            answers = size[index][:, None] * rng.uniform(0.5, 0.8, (len(index), len(years)))
            values = np.where(answers < SUPPRESS_BELOW, np.nan, values)
        rows(kpi, index, values)

    # SALSA: schools with year 9 only; actual = modelled + deviation
    grund = np.flatnonzero(cat["activity"].to_numpy() == "V15")
    titles = cat["title"].to_numpy()[grund]
    lower = [t.upper() for t in titles]
    year9 = np.array([not any(p in t for p in NO_YEAR_9) for t in lower]) & (
        rng.random(len(grund)) < 0.7
    )
    index = grund[year9]
    background = centred(rng.normal(0, SALSA_BACKGROUND_SD, len(index)), index)
    school = centred(rng.normal(0, SALSA_SCHOOL_SD, len(index)), index)
    scale = np.sqrt(REFERENCE / size[index])[:, None]
    modelled = np.round(base("U15415", index) + background[:, None], 0)
    deviation = np.round(
        base("U15416", index)
        + school[:, None]
        + rng.normal(0, SALSA_NOISE_SD, (len(index), len(years))) * scale,
        0,
    )
    deviation = np.where(np.isnan(base("U15416", index)), np.nan, deviation)
    modelled = np.clip(modelled, 120, 320)
    rows("U15415", index, modelled)
    rows("U15416", index, deviation)
    rows("N15504", index, np.round(np.clip(modelled + deviation, 0, 340), 1))

    values = pd.concat(parts, ignore_index=True)
    # one unit can only have values where it has all three SALSA figures (same rows)
    salsa = values["kpi"].isin(SALSA_KPIS)
    if salsa.any():
        keys = values.loc[salsa, ["ou", "year"]].value_counts()
        complete = set(keys[keys == 3].index)
        pairs = list(zip(values["ou"], values["year"], strict=True))
        values = values[~salsa | np.array([p in complete for p in pairs])]
    values = values.sort_values(["kpi", "ou", "year"]).reset_index(drop=True)
    used = cat[cat["id"].isin(set(values["ou"]))].reset_index(drop=True)
    return used.loc[:, UNIT_COLUMNS], values.loc[:, OU_COLUMNS]


def write(units_frame: pd.DataFrame, values: pd.DataFrame, directory: Path) -> None:
    """Write the two parquet files (zstd) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    units_frame.to_parquet(directory / UNITS_FILE, index=False, compression="zstd")
    out = values.astype({"year": "int16", "count": "int32"})
    out.to_parquet(directory / VALUES_FILE, index=False, compression="zstd")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analys.demo.units",
        description="Skriver demodatans enheter (riktiga id och namn, syntetiska värden).",
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DATA_DIR)
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    args = parser.parse_args(argv)
    if not args.catalogue.is_file():
        print(
            f"Enhetskatalogen saknas: {args.catalogue} – den behövs för att skapa demoenheterna "
            "(de levererade filerna i analys/demo/data är redan skapade).",
            file=sys.stderr,
        )
        return 2
    units_frame, values = generate(read_catalogue(args.catalogue))
    write(units_frame, values, args.directory)
    print(
        f"{len(units_frame)} enheter och {len(values)} värden skrivna till {args.directory} "
        "(demodata – syntetiska värden, inte verklig statistik)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
