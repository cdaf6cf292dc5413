"""Batch rendering: ``analys render`` and ``analys demo`` (issue 5).

One call renders areas × municipalities into ``OUT/<municipality>/<area>.ipynb`` and
``.html``, one overview per municipality (``OUT/<municipality>/oversikt.*``) and
``OUT/index.html``. The steps:

1. **Check** every argument (areas, municipality codes, source, jobs) before anything runs;
   bad input raises :class:`~analys.errors.ParamsError` (exit 2) and nothing is written.
2. **Load the data once**: the values of every KPI the areas use, for all municipalities
   (peers, groups, Riket) and years, into one parquet file in a temporary folder; each
   notebook gets its path as the ``data_cache`` parameter. With ``source="kolada"`` this
   fetches from Kolada into the local store first. ``year`` is checked against the data.
3. **Execute** in a pool of worker processes, each reusing one warm kernel
   (:mod:`analys.engine`), or a new kernel per notebook with ``fresh_kernels``.
4. **Write** the index (:mod:`analys.index`) and print a Swedish summary.

Failed reports: one failing report never stops the others. Its partly executed notebook,
with the error shown, is written to ``<area>.failed.ipynb`` and ``<area>.failed.html``;
a good ``<area>.ipynb``/``.html`` from an earlier render is never overwritten by a failure
(it stays, and the index links to it as the latest good version). A later successful render
replaces the good files atomically and removes the ``.failed.*`` files.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analys import reference
from analys.errors import ParamsError
from analys.format import number
from analys.goals import Area, list_areas, load_area, params_dir
from analys.index import update_manifest, write_index
from analys.jobs import Job, JobResult, WorkbookJob

AREA_TEMPLATE = "omrade.ipynb"
OVERVIEW_TEMPLATE = "oversikt.ipynb"
OVERVIEW = "oversikt"
WORKBOOK = "nyckeltal"  # OUT/<municipality>/nyckeltal.xlsx (--xlsx)
DEFAULT_DEMO_MUNICIPALITY = "1880"


# where things are ---------------------------------------------------------------------------


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


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
    def unit_type(self) -> str:
        return self.area.kind

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
    if reference.unit_type(code) is None:
        hits = reference.find(code)[:5]
        hint = (
            (" – menade du " + ", ".join(f"{h} {reference.title(h)}" for h in hits) + "?")
            if hits
            else " – ange en fyrsiffrig kommunkod (t.ex. 1880) eller regionkod (0018)"
        )
        raise ParamsError(f"-m: '{code}' är ingen känd kommun eller region{hint}")
    return code


def _pairs(
    specs: list[AreaSpec], municipalities: list[str], explicit_areas: bool, all_municipalities: bool
) -> list[tuple[AreaSpec, str]]:
    """Which area is rendered for which municipality (types must agree: K or L)."""
    problems: list[str] = []
    pairs: list[tuple[AreaSpec, str]] = []
    for spec in specs:
        if all_municipalities:
            codes = reference.kommun_codes() if spec.unit_type == "K" else reference.region_codes()
        elif municipalities:
            codes = [m for m in municipalities if reference.unit_type(m) == spec.unit_type]
            if not codes and explicit_areas:
                kind = "kommuner" if spec.unit_type == "K" else "regioner"
                problems.append(
                    f"område '{spec.name}' gäller {kind}, men inga {kind} angavs "
                    f"med -m (t.ex. {spec.default_municipality})"
                )
        else:
            codes = [spec.default_municipality]
        pairs.extend((spec, code) for code in codes)
    for code in municipalities:
        if not any(m == code for _, m in pairs):
            kind = "kommunen" if reference.unit_type(code) == "K" else "regionen"
            problems.append(
                f"-m {code}: inget av de valda områdena gäller {kind} {reference.title(code)}"
            )
    if problems:
        raise ParamsError(problems)
    return pairs


def _check_year(year: int | None, source: str, years: set[int]) -> None:
    if year is None:
        return
    if not years:
        raise ParamsError(f"--year: källan {source} har inga värden för områdenas nyckeltal")
    if int(year) not in years:
        raise ParamsError(
            f"--year: {year} finns inte i källan {source} – välj ett år mellan "
            f"{min(years)} och {max(years)}"
        )


def _load_cache(specs: list[AreaSpec], source: str, folder: Path) -> tuple[Path, set[int]]:
    """Load every KPI of ``specs`` for all units and years once; write a parquet file."""
    from analys.data import load_values

    kpis = sorted({k for spec in specs for k in spec.kpis()})
    frame = load_values(kpis, None, None, source=source, genders=None)
    path = folder / f"values-{source}.parquet"
    frame.to_parquet(path, index=False)
    return path, {int(y) for y in frame["year"].unique()}


# results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    """One rendered (or failed) report."""

    key: str
    kind: str
    area: str
    title: str
    municipality: str
    municipality_name: str
    status: str  # ok | failed
    ipynb: Path  # the file written (``.failed.ipynb`` on failure)
    html: Path
    seconds: float
    error: str = ""
    summary: dict[str, Any] | None = None
    attempts: int = 1
    problems: tuple[str, ...] = ()  # side products (the PDF) that failed; Swedish

    @property
    def pdf(self) -> Path:
        """The report's PDF (written with ``--pdf`` when the report rendered)."""
        return self.html.with_suffix(".pdf")


@dataclass(frozen=True)
class WorkbookStatus:
    """One municipality's Excel workbook (``--xlsx``)."""

    municipality: str
    path: Path
    status: str  # ok | failed
    error: str = ""


@dataclass(frozen=True)
class RenderSummary:
    """What a batch did: the reports, the index and the time taken."""

    out: Path
    index: Path
    reports: tuple[ReportStatus, ...]
    seconds: float
    data_seconds: float = 0.0
    workbooks: tuple[WorkbookStatus, ...] = ()

    @property
    def rendered(self) -> list[ReportStatus]:
        return [r for r in self.reports if r.status == "ok"]

    @property
    def failed(self) -> list[ReportStatus]:
        return [r for r in self.reports if r.status != "ok"]

    @property
    def exit_code(self) -> int:
        """0 when every report (and PDF and workbook asked for) was made, 1 when some failed."""
        side = any(r.problems for r in self.reports) or any(
            w.status != "ok" for w in self.workbooks
        )
        return 1 if self.failed or side else 0

    def text(self) -> str:
        """A short Swedish summary for the terminal."""
        n = len(self.reports)
        per = f", {number(self.seconds / n, 2)} s per rapport" if n else ""
        lines = [
            f"Klart: {len(self.rendered)} rapporter skapade, {len(self.failed)} "
            f"misslyckades – tid {number(self.seconds, 1)} s{per}."
        ]
        for report in self.failed:
            lines.append(
                f"  Misslyckades: {report.municipality} {report.title}: {report.error}"
                f" (se {report.html})"
            )
        for report in self.reports:
            for problem in report.problems:
                lines.append(f"  {report.municipality} {report.title}: {problem}")
        for book in self.workbooks:
            if book.status == "ok":
                lines.append(f"Excel: {book.path}")
            else:
                lines.append(f"  Excel för {book.municipality} misslyckades: {book.error}")
        lines.append(f"Index: {self.index}")
        return "\n".join(lines)


# the pool ---------------------------------------------------------------------------------


class _Pool:
    """Worker processes (spawned) that render jobs; a dead worker is replaced.

    The processes start at once and launch their warm kernels, while the caller loads the
    data; :meth:`run` then hands them the jobs. Always :meth:`close` it (it is a context
    manager): workers that got no jobs are told to stop and their kernels shut down.
    """

    def __init__(self, workers: int, options: dict[str, Any], log_dir: Path) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self.tasks, self.results = self._ctx.Queue(), self._ctx.Queue()
        self.options, self.log_dir = options, log_dir
        self.procs: dict[int, Any] = {}
        self.next_id = 0
        self._stopped = False
        for _ in range(max(1, workers)):
            self._start()

    def _start(self) -> None:
        from analys.jobs import worker_entry

        worker_id, self.next_id = self.next_id, self.next_id + 1
        proc = self._ctx.Process(
            target=worker_entry,
            name=f"analys-render-{worker_id}",
            args=(
                worker_id,
                self.tasks,
                self.results,
                self.options,
                str(self.log_dir / f"worker-{worker_id}.log"),
            ),
        )
        proc.start()
        self.procs[worker_id] = proc

    def _stop_workers(self) -> None:
        if not self._stopped:
            self._stopped = True
            for _ in range(len(self.procs)):
                self.tasks.put(None)

    def __enter__(self) -> _Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let every worker finish (or stop it after a minute) and free the queues."""
        self._stop_workers()
        for proc in self.procs.values():
            proc.join(timeout=60)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        self.tasks.cancel_join_thread()
        self.results.cancel_join_thread()

    def run(self, jobs: list[Job], *, progress: bool) -> dict[str, JobResult]:
        """Render ``jobs`` with a progress bar; return each job's result by key."""
        from tqdm import tqdm

        for job in jobs:
            self.tasks.put(job)
        self._stop_workers()
        labels = {job.key: job.label for job in jobs}
        inflight: dict[int, str] = {}
        done: dict[str, JobResult] = {}
        bar = tqdm(
            total=len(jobs),
            desc="Renderar",
            unit="rapport",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )
        try:
            while len(done) < len(jobs):
                try:
                    kind, worker_id, payload = self.results.get(timeout=0.5)
                except queue.Empty:
                    self._reap(jobs, inflight, done, bar)
                    continue
                if kind == "start":
                    inflight[worker_id] = payload
                    bar.set_postfix_str(labels.get(payload, payload), refresh=True)
                elif kind == "done":
                    inflight.pop(worker_id, None)
                    done[payload.key] = payload
                    if payload.status != "ok":
                        failed = sum(r.status != "ok" for r in done.values())
                        bar.set_description(f"Renderar ({failed} misslyckade)")
                    bar.update(1)
        finally:
            bar.close()
        return done

    def _reap(
        self, jobs: list[Job], inflight: dict[int, str], done: dict[str, JobResult], bar: Any
    ) -> None:
        """Notice dead workers: fail the report each was on, start a replacement if needed."""
        for worker_id, proc in list(self.procs.items()):
            if proc.is_alive():
                continue
            proc.join()
            del self.procs[worker_id]
            key = inflight.pop(worker_id, None)
            if key is not None and key not in done:
                done[key] = JobResult(
                    key=key,
                    status="failed",
                    seconds=0.0,
                    error=f"arbetsprocessen avslutades oväntat (kod {proc.exitcode})",
                )
                bar.update(1)
            if proc.exitcode != 0 and len(done) + len(inflight) < len(jobs):
                self._start()  # it stops at the dead worker's sentinel, still queued
        if not self.procs:
            for job in jobs:
                done.setdefault(
                    job.key,
                    JobResult(
                        key=job.key,
                        status="failed",
                        seconds=0.0,
                        error="ingen arbetsprocess kunde köra rapporten",
                    ),
                )


# the public entry points ---------------------------------------------------------------------


def plan(
    areas: Sequence[str] | None,
    municipalities: Sequence[str] | None = None,
    *,
    all_municipalities: bool = False,
    source: str | None = None,
    jobs: int | None = None,
    pdf: bool = False,
) -> list[tuple[AreaSpec, str]]:
    """Check the arguments and return the (area, municipality) pairs to render.

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
    if pdf:
        from analys.pdf import check_pdf_support

        try:
            check_pdf_support()
        except ParamsError as error:
            problems.extend(error.problems)
    if all_municipalities and municipalities:
        problems.append("ange antingen -m KOD eller --all-municipalities, inte båda")
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
    return _pairs(specs, list(dict.fromkeys(codes)), explicit, all_municipalities)


def render(
    areas: Sequence[str] | None,
    municipalities: Sequence[str] | None = None,
    *,
    year: int | None = None,
    source: str | None = None,
    out: str | Path = "reports",
    jobs: int | None = None,
    fresh_kernels: bool = False,
    show_code: bool = False,
    progress: bool = True,
    all_municipalities: bool = False,
    overview: bool = True,
    notebooks: str | Path | None = None,
    pdf: bool = False,
    xlsx: bool = False,
) -> RenderSummary:
    """Render area reports for municipalities, one overview per municipality, and the index.

    Parameters
    ----------
    areas
        Area names in ``params/`` or paths to params files; empty/``None`` for all areas.
    municipalities
        Municipality or region codes; each area is rendered for those of its type (K or L).
        Empty/``None``: each area's own default municipality.
    year
        The report year; ``None`` for each report's latest year with data.
    source
        ``demo``, ``kolada`` or ``store``; ``None`` keeps each params file's source.
    out
        Output folder (``OUT/<municipality>/<area>.ipynb|.html``, ``OUT/index.html``).
    jobs
        Worker processes; default ``os.cpu_count()``.
    fresh_kernels
        A new kernel per notebook instead of one warm kernel per worker.
    show_code
        Keep code cells in the HTML (the ``.ipynb`` always keeps them).
    progress
        Show a tqdm progress bar on stderr.
    all_municipalities
        Every municipality (290) or region (21) of each area's type.
    overview
        Also render ``oversikt`` per municipality (when the template exists).
    notebooks
        Folder holding ``omrade.ipynb`` and ``oversikt.ipynb`` (default :func:`notebooks_dir`).
    pdf
        Also print ``<area>.pdf`` beside each report's HTML (:mod:`analys.pdf`; needs Chromium).
    xlsx
        Also write one workbook per municipality, ``OUT/<municipality>/nyckeltal.xlsx``
        (:mod:`analys.workbook`).

    Returns
    -------
    RenderSummary
        The reports with status; ``exit_code`` is 1 when any failed.

    Raises
    ------
    ParamsError
        Bad arguments, before anything is executed or written.
    """
    started = time.perf_counter()
    pairs = plan(
        areas,
        municipalities,
        all_municipalities=all_municipalities,
        source=source,
        jobs=jobs,
        pdf=pdf,
    )
    templates = Path(notebooks) if notebooks else notebooks_dir()
    if not (templates / AREA_TEMPLATE).is_file():
        raise ParamsError(f"rapportmallen {templates / AREA_TEMPLATE} saknas")
    out = Path(out).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="analys-render-"))
    options = {"fresh_kernels": fresh_kernels, "show_code": show_code, "pdf": pdf}
    overviews = len({code for _, code in pairs}) if overview else 0
    workers = min(jobs or os.cpu_count() or 1, len(pairs) + overviews)
    try:
        # the workers launch their kernels while the data is loaded
        with _Pool(workers, options, scratch) as pool:
            by_source: dict[str, list[AreaSpec]] = {}
            for spec, _ in pairs:
                by_source.setdefault(source or spec.source, []).append(spec)
            caches: dict[str, str] = {}
            for src, specs in by_source.items():
                path, years = _load_cache(specs, src, scratch)
                _check_year(year, src, years)
                caches[src] = str(path)
            data_seconds = time.perf_counter() - started
            jobs_list = _jobs(
                pairs,
                templates,
                out,
                caches,
                year=year,
                source=source,
                show_code=show_code,
                overview=overview,
            )
            books = _workbook_jobs(pairs, out, caches, year=year, source=source) if xlsx else []
            out.mkdir(parents=True, exist_ok=True)
            results = pool.run([*jobs_list, *books], progress=progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    reports = tuple(_status(job, results[job.key]) for job in jobs_list)
    entries = {r.key: _entry(r, job, out) for r, job in zip(reports, jobs_list, strict=True)}
    index_path = write_index(out, update_manifest(out, entries))
    return RenderSummary(
        out=out,
        index=index_path,
        reports=reports,
        seconds=time.perf_counter() - started,
        data_seconds=data_seconds,
        workbooks=tuple(
            WorkbookStatus(
                municipality=book.municipality,
                path=Path(book.path),
                status=results[book.key].status,
                error=results[book.key].error,
            )
            for book in books
        ),
    )


def _workbook_jobs(
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


def _jobs(
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


def _status(job: Job, result: JobResult) -> ReportStatus:
    ok = result.status == "ok"
    return ReportStatus(
        key=job.key,
        kind=job.kind,
        area=job.area,
        title=job.title,
        municipality=job.municipality,
        municipality_name=job.municipality_name,
        status=result.status,
        ipynb=Path(job.ipynb if ok else job.failed_ipynb),
        html=Path(job.html if ok else job.failed_html),
        seconds=result.seconds,
        error=result.error,
        summary=result.summary,
        attempts=result.attempts,
        problems=tuple(result.problems),
    )


def _entry(report: ReportStatus, job: Job, out: Path) -> dict[str, Any]:
    return {
        "municipality": report.municipality,
        "municipality_name": report.municipality_name,
        "area": report.area,
        "title": report.title,
        "kind": report.kind,
        "status": report.status,
        "error": report.error,
        "summary": report.summary,
        "html": report.html.relative_to(out).as_posix(),
        "ipynb": report.ipynb.relative_to(out).as_posix(),
        "good_html": Path(job.html).relative_to(out).as_posix(),
        "source": job.parameters.get("source"),
        "year": job.parameters.get("year"),
        "rendered": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run_cli(
    areas: Sequence[str],
    municipalities: Sequence[str],
    all_municipalities: bool,
    year: int | None,
    source: str | None,
    out: str,
    jobs: int | None,
    fresh_kernels: bool,
    show_code: bool,
    pdf: bool = False,
    xlsx: bool = False,
) -> int:
    """``analys render``: 0 when all reports rendered, 1 when some failed, 2 for bad input."""
    try:
        summary = render(
            areas,
            municipalities,
            year=year,
            source=source,
            out=out,
            jobs=jobs,
            fresh_kernels=fresh_kernels,
            show_code=show_code,
            all_municipalities=all_municipalities,
            pdf=pdf,
            xlsx=xlsx,
        )
    except ParamsError as error:
        print(f"analys render: {error}", file=sys.stderr)
        return 2
    print(summary.text())
    return summary.exit_code


def demo_municipalities() -> list[str]:
    """The demo municipality (Örebro, 1880) and its region (0018)."""
    try:
        from analys.demo import DEMO_MUNICIPALITY as code
    except ImportError:
        code = DEFAULT_DEMO_MUNICIPALITY
    units = reference.municipalities()
    region = units.loc[units["municipality"] == code, "region"]
    return [code, *(r for r in region if r)]


def run_demo(out: str = "reports") -> int:
    """``analys demo``: every area plus the overview for the demo municipality, demo data.

    Municipal areas render for 1880 Örebro, the region area(s) for its region 0018, each also
    as PDF when Chromium is installed, plus one Excel workbook per municipality; prints the
    path to ``index.html``. Returns 0, or 1 when a report failed.
    """
    from analys.pdf import chromium_path

    pdf = chromium_path() is not None
    if not pdf:
        print("analys demo: Chromium saknas – inga PDF:er skapas.", file=sys.stderr)
    try:
        summary = render(None, demo_municipalities(), source="demo", out=out, pdf=pdf, xlsx=True)
    except ParamsError as error:
        print(f"analys demo: {error}", file=sys.stderr)
        return 2
    print(summary.text())
    print(f"Öppna {summary.index}")
    return summary.exit_code
