"""The demo's own-indicator file: a synthetic local survey (``python -m analys.demo.own_survey``).

Writes ``data/egen_medborgarenkat.csv`` and its sidecar ``data/egen_medborgarenkat.yaml``
deterministically. The values are invented – like all demo values – and the metadata says
so. Two own KPIs show both cases:

* ``EGEN-TRYGG`` – a joint citizen survey of the twelve municipalities of Örebro county,
  divided by gender: comparisons use those twelve;
* ``EGEN-UNGMAR`` – Örebro's own pupil survey, only Örebro: trend and target judgements but
  no quartiles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analys.vocabulary import DEMO_MUNICIPALITY

DATA_DIR = Path(__file__).resolve().parent / "data"
NAME = "egen_medborgarenkat"
COUNTY = [
    "1814",
    "1860",
    "1861",
    "1862",
    "1863",
    "1864",
    DEMO_MUNICIPALITY,
    "1881",
    "1882",
    "1883",
    "1884",
    "1885",
]
META = {
    "EGEN-TRYGG": {
        "title": "Invånare som känner sig trygga i sitt bostadsområde, andel (%)",
        "label": "Trygga i bostadsområdet",
        "description": (
            "Andel av de svarande som känner sig ganska eller mycket trygga när de går ut ensamma "
            "en sen kväll i sitt bostadsområde. Gemensam medborgarenkät i länets kommuner. "
            "DEMODATA – syntetiska värden, inte verklig statistik."
        ),
        "unit": "%",
        "polarity": "higher",
        "operating_area": "Folkhälsa och trygghet",
        "divided_by_gender": True,
    },
    "EGEN-UNGMAR": {
        "title": "Elever i åk 8 som mår bra, andel (%)",
        "label": "Elever i åk 8 som mår bra",
        "description": (
            "Andel elever i årskurs 8 som svarar att de mår ganska eller mycket bra. Kommunens "
            "egen elevenkät. DEMODATA – syntetiska värden, inte verklig statistik."
        ),
        "unit": "%",
        "polarity": "higher",
        "operating_area": "Folkhälsa och trygghet",
        "divided_by_gender": False,
    },
}


def frame(seed: int = 16) -> pd.DataFrame:
    """The synthetic survey values in the import file's columns."""
    rng = np.random.default_rng(seed)
    rows = []
    years = range(2016, 2026)
    for code in COUNTY:
        level = rng.normal(72, 5)
        slope = rng.normal(0.3, 0.5)
        gap = rng.normal(9, 2)  # women feel less safe than men in every real survey
        for i, year in enumerate(years):
            total = level + slope * i + rng.normal(0, 1.2)
            for gender, value in (("T", total), ("K", total - gap / 2), ("M", total + gap / 2)):
                rows.append(("EGEN-TRYGG", code, year, gender, round(float(value), 1)))
    for i, year in enumerate(range(2017, 2026)):
        rows.append(
            ("EGEN-UNGMAR", DEMO_MUNICIPALITY, year, "T", round(74 - 0.6 * i + rng.normal(0, 1), 1))
        )
    return pd.DataFrame(rows, columns=["kpi", "municipality", "year", "gender", "value"])


def write(folder: Path = DATA_DIR) -> Path:
    """Write the CSV and its sidecar YAML; return the CSV's path."""
    path = folder / f"{NAME}.csv"
    frame().to_csv(path, index=False, lineterminator="\n")
    header = "# Metadata för egna nyckeltal (analys import). DEMODATA – syntetiska värden.\n"
    text = yaml.safe_dump(META, allow_unicode=True, sort_keys=False, width=90)
    path.with_suffix(".yaml").write_text(header + text, encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write())
