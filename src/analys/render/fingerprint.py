"""Render only what changed: the fingerprint of a report's inputs.

A report's fingerprint is a SHA-256 over everything that decides its content:

* its **parameters** (the params file's keys, municipality, year, source – not the path of
  the batch's temporary data cache) and the **content of its params files** (an overview's
  are those of all its areas);
* the **data of its KPIs**: one digest per KPI over every unit, year and gender in the
  batch's data (:func:`kpi_digests`), plus the comparison groups of the source. A store
  update of one KPI changes only the reports that use it;
* the **template** notebook's content;
* the **program**: the package version and a digest of its source files, so an upgrade (or
  a changed module in a development checkout) renders everything again;
* what the page is made with: ``show_code`` (and ``pdf``: a report asked for as PDF is
  rendered when its PDF is missing).

Unit reports (``--units``) read their unit values themselves; their fingerprint uses the
source's snapshot (``data.snapshot``) instead of per-KPI digests, so any store update
renders them again.

The batch records each ``ok`` report's fingerprint in the manifest (``OUT/index.json``) and
in the notebook's metadata (``metadata.analys.fingerprint``). A later batch skips a report
whose fingerprint is the same and whose files are all still there (:func:`is_unchanged`);
``--force`` renders anyway.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analys.render.jobs import Job

if TYPE_CHECKING:
    from analys.render.plan import AreaSpec

#: the manifest field (and notebook metadata key under ``analys``) holding the fingerprint
FIELD = "fingerprint"
#: parameters that are where things are, not what the report shows
_NOT_INPUTS = ("data_cache", "precomputed")


def _digest(payload: Any) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def file_digest(path: str) -> str:
    """SHA-256 of a file's bytes (``"missing"`` when it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


@functools.cache
def program_digest() -> str:
    """The package version and a digest of every source file of the package."""
    from analys import __version__

    root = Path(__file__).resolve().parents[1]
    sha = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".json", ".ipynb", ".j2"):
            sha.update(path.relative_to(root).as_posix().encode())
            sha.update(path.read_bytes())
    return f"{__version__}:{sha.hexdigest()}"


def kpi_digests(values: pd.DataFrame) -> dict[str, str]:
    """One digest per KPI over its rows (every unit, year and gender), order-independent."""
    if values.empty:
        return {}
    columns = [
        c for c in ("kpi", "municipality", "year", "gender", "value", "status") if c in values
    ]
    frame = values[columns].sort_values(["kpi", "municipality", "year", "gender"], kind="stable")
    hashes = pd.util.hash_pandas_object(frame.drop(columns="kpi"), index=False)
    found = {}
    for kpi, part in hashes.groupby(frame["kpi"].to_numpy(), sort=True):
        found[str(kpi)] = hashlib.sha256(part.to_numpy().tobytes()).hexdigest()
    return found


def frame_digest(frame: pd.DataFrame | None) -> str:
    """A digest of a small frame (the comparison groups)."""
    if frame is None or frame.empty:
        return "none"
    ordered = frame.sort_values(list(frame.columns), kind="stable").astype(str)
    return hashlib.sha256(
        pd.util.hash_pandas_object(ordered, index=False).to_numpy().tobytes()
    ).hexdigest()


def fingerprint(
    parameters: Mapping[str, Any],
    *,
    template: str,
    params_files: Iterable[str],
    data: Mapping[str, Any],
    options: Mapping[str, Any],
) -> str:
    """The fingerprint of one report (see the module docstring for what goes in).

    ``data`` says what the report's values are: KPI digests, the groups' digest, or a
    snapshot for unit reports.
    """
    return _digest(
        {
            "parameters": {k: v for k, v in parameters.items() if k not in _NOT_INPUTS},
            "template": file_digest(str(template)),
            "params_files": sorted(file_digest(str(p)) for p in params_files),
            "data": dict(data),
            "program": program_digest(),
            "options": dict(options),
        }
    )


def is_unchanged(entry: Mapping[str, Any] | None, print_: str, out: Path, *, pdf: bool) -> bool:
    """Whether the report of manifest ``entry`` is good, has fingerprint ``print_`` and
    all of its files (HTML, notebook, the PDF when asked for) on disk."""
    if not entry or entry.get("status") != "ok" or entry.get(FIELD) != print_:
        return False
    files = [entry.get("html"), entry.get("ipynb")]
    if not all(files) or not all((out / f).is_file() for f in files):
        return False
    return not pdf or (out / entry["html"]).with_suffix(".pdf").is_file()


def stamp(
    jobs: list[Job],
    specs: Mapping[str, AreaSpec],
    loaded: Mapping[str, Any],
    *,
    show_code: bool,
    pdf: bool,
) -> list[Job]:
    """``jobs`` with their fingerprints set.

    ``specs`` are the batch's areas by name and by reference (what an overview's ``areas``
    parameter holds); ``loaded`` is the :class:`~analys.render.cache.LoadedData` of each
    source.
    """
    stamped = []
    for job in jobs:
        source = str(job.parameters.get("source"))
        data = loaded.get(source)
        if data is None:
            stamped.append(job)
            continue
        if job.kind == "overview":
            areas = [specs[ref] for ref in job.parameters.get("areas", []) if ref in specs]
        else:
            areas = [specs[job.area]] if job.area in specs else []
        kpis = sorted({k for spec in areas for k in spec.kpis()})
        inputs: dict[str, Any] = {
            "kpis": {k: data.kpi_digests.get(k, "none") for k in kpis},
            "groups": data.groups,
        }
        if job.kind == "unit":
            inputs["snapshot"] = data.snapshot
        print_ = fingerprint(
            job.parameters,
            template=job.template,
            params_files=[str(spec.area.path) for spec in areas if spec.area.path],
            data=inputs,
            options={"show_code": show_code, "pdf": pdf},
        )
        stamped.append(replace(job, fingerprint=print_))
    return stamped
