"""Planning a batch: which area renders for which municipality, and the jobs that do it.

Every argument is checked here before anything runs (:func:`plan`); bad input raises
:class:`~analys.errors.ParamsError` (exit 2) and nothing is written. :func:`area_jobs` and
:func:`workbook_jobs` turn the checked pairs into the jobs the pool executes.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analys import reference
from analys.errors import ParamsError
from analys.goals import Area, list_areas, load_area, params_dir
from analys.render.jobs import Job, WorkbookJob
from analys.vocabulary import DEMO_MUNICIPALITY, MUNICIPALITY_TYPE_WORDS

AREA_TEMPLATE = "omrade.ipynb"
OVERVIEW_TEMPLATE = "oversikt.ipynb"
OVERVIEW = "oversikt"
WORKBOOK = "nyckeltal"  # OUT/<municipality>/nyckeltal.xlsx (--xlsx)


# where things are ---------------------------------------------------------------------------


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def notebooks_dir() -> Path:
    """The report templates: ``./notebooks`` when it has them, else the repository's."""
    local = Path.cwd() / "notebooks"
    if (local / AREA_TEMPLATE).is_file():
        return local
    return _repo_root() / "notebooks"


# areas --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    """One validated params file as the renderer needs it."""

    area: Area
    ref: str  # what to pass on: the name, or the absolute path of a params file

    @property
    def name(self) -> str:
        return self.area.area

    @property
    def title(self) -> str:
        return self.area.title

    @property
    def params(self) -> dict[str, Any]:
        return self.area.params

    @property
    def municipality_type(self) -> str:
        return self.area.municipality_type

    @property
    def default_municipality(self) -> str:
        return self.area.municipality

    @property
    def source(self) -> str:
        return self.area.source

    def kpis(self) -> list[str]:
        """Every KPI id the area uses: indicators, drivers and cost."""
        return self.area.kpis


def load_area_spec(name_or_path: str) -> AreaSpec:
    """Validate one area with :func:`analys.goals.load_area`; ``ParamsError`` when bad."""
    text = str(name_or_path)
    area = load_area(text)
    looks_like_path = text.endswith((".yaml", ".yml")) or os.sep in text or "/" in text
    return AreaSpec(area=area, ref=str(Path(area.path).resolve()) if looks_like_path else text)


# planning -----------------------------------------------------------------------------------


def _check_municipality(code: str) -> str:
    code = str(code).strip()
    if code == reference.RIKET:
        raise ParamsError(
            "-m: '0000' är Riket – ange en kommun (t.ex. 1880) eller en region (t.ex. 0018)"
        )
    if reference.municipality_type(code) is None:
        hits = reference.find(code)[:5]
        hint = (
            (" – menade du " + ", ".join(f"{h} {reference.title(h)}" for h in hits) + "?")
            if hits
            else " – ange en fyrsiffrig kommunkod (t.ex. 1880) eller regionkod (0018)"
        )
        raise ParamsError(f"-m: '{code}' är ingen känd kommun eller region{hint}")
    return code


def county_codes(text: str) -> list[str]:
    """The municipalities of a county and its region, for ``--county``: the county's code
    ("18") or name ("Örebro län", "örebro", "Stockholm"), as SCB numbers and names them.

    Raises :class:`ParamsError` naming the value and the counties when none matches.
    """
    wanted = " ".join(str(text).split()).casefold()
    by_name: dict[str, str] = {}
    for number, name in reference.COUNTIES.items():
        short = name.casefold().removesuffix(" län")  # "örebro", "stockholms"
        by_name |= {name.casefold(): number, short: number, short.removesuffix("s"): number}
    code = wanted.zfill(2) if wanted.isdigit() else by_name.get(wanted)
    if code not in reference.COUNTIES:
        known = ", ".join(f"{c} {n}" for c, n in reference.COUNTIES.items())
        raise ParamsError(f"--county: '{text}' är inget län – ange länskod eller namn: {known}")
    units = reference.municipalities()
    members = units.loc[(units["county"] == code) & (units["type"] == "K"), "municipality"]
    regions = units.loc[(units["municipality"] == f"00{code}") & (units["type"] == "L")]
    return [*members, *regions["municipality"]]


def _pairs(
    specs: list[AreaSpec],
    municipalities: list[str],
    explicit_areas: bool,
    all_municipalities: bool,
    county: list[str] | None = None,
) -> list[tuple[AreaSpec, str]]:
    """Which area is rendered for which municipality (types must agree: K or L).

    ``county`` (the codes of ``--county``) adds its municipalities to the areas for
    municipalities and its region to the areas for regions, without asking every area to
    apply to both, as each code given with ``-m`` must.
    """
    problems: list[str] = []
    pairs: list[tuple[AreaSpec, str]] = []
    chosen = list(dict.fromkeys([*municipalities, *(county or [])]))
    for spec in specs:
        if all_municipalities:
            codes = reference.codes_of_type(spec.municipality_type)
        elif chosen:
            codes = reference.of_type(chosen, spec.municipality_type)
            if not codes and explicit_areas:
                kind = MUNICIPALITY_TYPE_WORDS[spec.municipality_type]
                problems.append(
                    f"område '{spec.name}' gäller {kind}, men inga {kind} angavs "
                    f"med -m (t.ex. {spec.default_municipality})"
                )
        else:
            codes = [spec.default_municipality]
        pairs.extend((spec, code) for code in codes)
    for code in municipalities:
        if not any(m == code for _, m in pairs):
            kind = "kommunen" if reference.municipality_type(code) == "K" else "regionen"
            problems.append(
                f"-m {code}: inget av de valda områdena gäller {kind} {reference.title(code)}"
            )
    if problems:
        raise ParamsError(problems)
    return pairs


def check_year(year: int | None, source: str, years: set[int]) -> None:
    if year is None:
        return
    if not years:
        raise ParamsError(f"--year: källan {source} har inga värden för områdenas nyckeltal")
    if int(year) not in years:
        raise ParamsError(
            f"--year: {year} finns inte i källan {source} – välj ett år mellan "
            f"{min(years)} och {max(years)}"
        )


def _os_reason(error: OSError) -> str:
    """Why a file operation failed, in Swedish."""
    import errno

    reasons = {
        errno.EACCES: "saknar skrivbehörighet",
        errno.EPERM: "saknar skrivbehörighet",
        errno.EROFS: "skrivskyddat filsystem",
        errno.ENOSPC: "disken är full",
        errno.ENOTDIR: "en del av sökvägen är en fil",
    }
    return reasons.get(error.errno or 0, f"fel {errno.errorcode.get(error.errno or 0, error)}")


def check_out(out: Path) -> None:
    """Refuse an output folder that cannot be written, before any work starts.

    An existing folder is tried with a small probe file; a missing one must be creatable
    in its nearest existing parent (nothing is created here).
    """
    target = out
    while not target.exists():
        if target.parent == target:
            break
        target = target.parent
    reason = ""
    if target.exists() and not target.is_dir():
        reason = f"{target} är en fil, ingen mapp"
    else:
        try:
            fd, probe = tempfile.mkstemp(prefix=".analys-write-test-", dir=target)
            os.close(fd)
            os.unlink(probe)
        except OSError as error:
            reason = f"{target} går inte att skriva i ({_os_reason(error)})"
    if reason:
        raise ParamsError(
            f"--out: utmappen {out} kan inte användas – {reason}; välj en annan mapp med "
            "--out eller ge skrivbehörighet"
        )


def plan(
    areas: Sequence[str] | None,
    municipalities: Sequence[str] | None = None,
    *,
    all_municipalities: bool = False,
    source: str | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    cluster: str | None = None,
    county: str | None = None,
) -> list[tuple[AreaSpec, str]]:
    """Check the arguments and return the (area, municipality) pairs to render.

    ``county`` (a county's code or name) renders every municipality of the county and its
    region (:func:`county_codes`), besides any ``municipalities``.

    Raises :class:`ParamsError` listing every problem (unknown area or code, bad source,
    types that do not match, ``jobs`` < 1). Nothing is written.
    """
    from analys.data import check_source

    problems: list[str] = []
    if source is not None:
        try:
            check_source(source)
        except ParamsError as error:
            problems.extend(error.problems)
    if jobs is not None and int(jobs) < 1:
        problems.append(f"--jobs: {jobs} – ange minst 1 arbetsprocess")
    if cluster is not None:
        try:
            parse_cluster(cluster)
            if jobs is not None:
                problems.append(
                    "--jobs gäller den lokala poolen – med --cluster bestämmer klustrets "
                    "arbetare (local:N för N arbetare här)"
                )
        except ParamsError as error:
            problems.extend(error.problems)
    if pdf:
        from analys.render.pdf import check_pdf_support

        try:
            check_pdf_support()
        except ParamsError as error:
            problems.extend(error.problems)
    if all_municipalities and municipalities:
        problems.append("ange antingen -m KOD eller --all-municipalities, inte båda")
    in_county: list[str] = []
    if county is not None:
        if all_municipalities:
            problems.append("ange antingen --county LÄN eller --all-municipalities, inte båda")
        try:
            in_county = county_codes(county)
        except ParamsError as error:
            problems.extend(error.problems)
    explicit = bool(areas)
    specs: list[AreaSpec] = []
    for name in list(areas) if areas else list_areas():
        try:
            specs.append(load_area_spec(name))
        except ParamsError as error:
            problems.extend(error.problems)
    if not specs and not problems:
        problems.append(f"inga områden att rendera – lägg params-filer i {params_dir()}")
    codes: list[str] = []
    for code in municipalities or []:
        try:
            codes.append(_check_municipality(code))
        except ParamsError as error:
            problems.extend(error.problems)
    if problems:
        raise ParamsError(problems)
    return _pairs(specs, list(dict.fromkeys(codes)), explicit, all_municipalities, in_county)


def workbook_jobs(
    pairs: list[tuple[AreaSpec, str]],
    out: Path,
    caches: dict[str, str],
    *,
    year: int | None,
    source: str | None,
) -> list[WorkbookJob]:
    """One workbook job per municipality, over the areas rendered for it."""
    per_municipality: dict[str, list[AreaSpec]] = {}
    for spec, code in pairs:
        per_municipality.setdefault(code, []).append(spec)
    books = []
    for code, specs in per_municipality.items():
        src = source or specs[0].source
        books.append(
            WorkbookJob(
                key=f"{code}/{WORKBOOK}.xlsx",
                municipality=code,
                municipality_name=reference.title(code),
                areas=tuple(s.ref for s in specs),
                source=src,
                data_cache=caches[src],
                year=year,
                path=str(out / code / f"{WORKBOOK}.xlsx"),
            )
        )
    return books


def area_jobs(
    pairs: list[tuple[AreaSpec, str]],
    templates: Path,
    out: Path,
    caches: dict[str, str],
    *,
    year: int | None,
    source: str | None,
    show_code: bool,
    overview: bool,
) -> list[Job]:
    jobs: list[Job] = []
    per_municipality: dict[str, list[AreaSpec]] = {}
    for spec, code in pairs:
        src = source or spec.source
        params = dict(spec.params, municipality=code, source=src, data_cache=caches[src])
        if year is not None:
            params["year"] = int(year)
        folder = out / code
        jobs.append(
            Job(
                key=f"{code}/{spec.name}",
                kind="area",
                area=spec.name,
                title=spec.title,
                municipality=code,
                municipality_name=reference.title(code),
                template=str(templates / AREA_TEMPLATE),
                parameters=params,
                ipynb=str(folder / f"{spec.name}.ipynb"),
                html=str(folder / f"{spec.name}.html"),
                show_code=show_code,
            )
        )
        per_municipality.setdefault(code, []).append(spec)
    if overview and (templates / OVERVIEW_TEMPLATE).is_file():
        for code, specs in per_municipality.items():
            src = source or specs[0].source
            params = {
                "municipality": code,
                "year": year,
                "source": src,
                "areas": [s.ref for s in specs],
                "data_cache": caches[src],
            }
            folder = out / code
            jobs.append(
                Job(
                    key=f"{code}/{OVERVIEW}",
                    kind="overview",
                    area=OVERVIEW,
                    title="Översikt – alla områden",
                    municipality=code,
                    municipality_name=reference.title(code),
                    template=str(templates / OVERVIEW_TEMPLATE),
                    parameters=params,
                    ipynb=str(folder / f"{OVERVIEW}.ipynb"),
                    html=str(folder / f"{OVERVIEW}.html"),
                    show_code=show_code,
                )
            )
    return jobs


def demo_municipalities() -> list[str]:
    """The demo municipality (Örebro, 1880) and its region (0018)."""
    code = DEMO_MUNICIPALITY
    units = reference.municipalities()
    region = units.loc[units["municipality"] == code, "region"]
    return [code, *(r for r in region if r)]


_ADDRESS = re.compile(
    r"(?P<scheme>tcp|tls|ws|wss)://(?P<host>\[[0-9A-Fa-f:.]+\]|[^:/\s\[\]]+):(?P<port>\d{1,5})"
)


# the --cluster value ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterSpec:
    """Where a batch runs: a scheduler's address, or the size of a LocalCluster to start."""

    address: str | None = None
    local_workers: int = 0

    @property
    def label(self) -> str:
        """The ``--cluster`` value, for messages."""
        return self.address or f"local:{self.local_workers}"


def parse_cluster(text: str) -> ClusterSpec:
    """``tcp://HOST:PORT`` or ``local:N`` (N ≥ 1) → :class:`ClusterSpec`; ``ParamsError`` else."""
    value = str(text).strip()
    if value.startswith("local:"):
        count = value.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ParamsError(
                f"--cluster: '{text}' – ange local:N med minst 1 arbetare (t.ex. local:2)"
            )
        return ClusterSpec(local_workers=int(count))
    match = _ADDRESS.fullmatch(value)
    if match is None or not 0 < int(match["port"]) < 65536:
        raise ParamsError(
            f"--cluster: '{text}' är ingen klusteradress – ange tcp://VÄRD:PORT till en "
            "Dask-schemaläggare (t.ex. tcp://10.0.0.5:8786) eller local:N (N arbetare här)"
        )
    return ClusterSpec(address=value)
