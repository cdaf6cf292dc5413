"""Batch rendering: ``analys render`` and ``analys demo``.

One call renders areas × municipalities into ``OUT/<municipality>/<area>.ipynb`` and
``.html``, one overview per municipality (``OUT/<municipality>/oversikt.*``) and
``OUT/index.html``. The steps:

1. **Check** every argument (areas, municipality codes, source, jobs) before anything runs;
   bad input raises :class:`~analys.errors.ParamsError` (exit 2) and nothing is written.
2. **Load the data once**: the values of every KPI the areas use, for all municipalities
   (peers, groups, Riket) and years, into one parquet file in a temporary folder; each
   notebook gets its path as the ``data_cache`` parameter. With ``source="kolada"`` this
   fetches from Kolada into the local store first. ``year`` is checked against the data.
3. **Skip what did not change**: each report's fingerprint (params, the data
   of its KPIs, template, program: :mod:`analys.render.fingerprint`) is compared with the
   one recorded when its good files were made; equal means ``unchanged``, not rendered
   (``force`` renders anyway). No worker starts when nothing is left to render.
4. **Compute once**: the tables every report of an area shares – colours and
   ranks of all units, expected values – are pickled once per source
   (:mod:`analys.fulfilment.country`); each notebook gets the path as ``precomputed``.
5. **Execute** in a pool of worker processes, each reusing one warm kernel
   (:mod:`analys.render.engine`), or a new kernel per notebook with ``fresh_kernels``.
6. **Write** the index (:mod:`analys.render.index`) and print a Swedish summary.

Failed reports: one failing report never stops the others. Its partly executed notebook,
with the error shown, is written to ``<area>.failed.ipynb`` and ``<area>.failed.html``;
a good ``<area>.ipynb``/``.html`` from an earlier render is never overwritten by a failure
(it stays, and the index links to it as the latest good version). A later successful render
replaces the good files atomically and removes the ``.failed.*`` files.

Faults: the index lists every report a batch planned, with its status – ``ok``
(klar), ``failed`` (misslyckad), ``interrupted`` (avbruten) or ``not_run`` (ej körd) – also
when no file of its own could be written, and links the last good version. A report whose
worker process dies is retried once on a new worker. An area whose data the source lacks
fails alone. Ctrl-C, SIGTERM and SIGHUP stop the workers and their kernels, remove the
scratch folder (data cache, kernel connection files), index what finished and exit with
``128 + signal`` (:class:`BatchInterrupted`); workers and kernels whose parent dies exit by
themselves (:mod:`analys.render.stop`). An output folder that cannot be written is refused before
any work starts.

The package: :mod:`~analys.render.plan` (checking the arguments, the jobs),
:mod:`~analys.render.cache` (the data loaded once), :mod:`~analys.render.pool` (the local
executor and stop signals), :mod:`~analys.render.results` (statuses, summary, exit codes),
:mod:`~analys.render.worker` (a worker process: warm kernel, job loop),
:mod:`~analys.render.engine` (executing one notebook), :mod:`~analys.render.jobs` (what
passes between them). The command itself is :mod:`analys.cli.render`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from analys.errors import AnalysError, ParamsError  # noqa: F401 (re-exported)
from analys.render.cache import (  # noqa: F401 (re-exported)
    LoadedData,
    load_cache,
    write_shared_tables,
)
from analys.render.fingerprint import is_unchanged, stamp
from analys.render.index import read_manifest
from analys.render.jobs import Job, JobResult, WorkbookJob
from analys.render.plan import (  # noqa: F401 (re-exported)
    AREA_TEMPLATE,
    OVERVIEW,
    OVERVIEW_TEMPLATE,
    WORKBOOK,
    AreaSpec,
    area_jobs,
    check_out,
    check_year,
    demo_municipalities,
    load_area_spec,
    notebooks_dir,
    plan,
    workbook_jobs,
)
from analys.render.pool import ABORT_GRACE, WORKER_ATTEMPTS, Pool, stop_signals  # noqa: F401
from analys.render.results import (  # noqa: F401 (re-exported)
    REPORT_STATUSES,
    SIGNAL_TEXTS,
    BatchInterrupted,
    RenderSummary,
    ReportStatus,
    WorkbookStatus,
    no_data_result,
    report_status,
    signal_text,
    stopped_result,
    unchanged_result,
    write_report_index,
)


def shared_tables(
    todo: list[Job],
    by_source: dict[str, dict[str, AreaSpec]],
    loaded: dict[str, LoadedData],
    scratch: Path,
    year: int | None,
) -> dict[str, str]:
    """The shared tables of each source, by source, for the areas that at least two reports
    to render read (an area report, an overview); one reader gains nothing from sharing."""
    readers: dict[tuple[str, str], int] = {}
    for job in todo:
        src = str(job.parameters.get("source"))
        refs = job.parameters.get("areas", []) if job.kind == "overview" else [job.area]
        for spec in by_source.get(src, {}).values():
            if job.kind in ("area", "overview") and (spec.name in refs or spec.ref in refs):
                readers[(src, spec.name)] = readers.get((src, spec.name), 0) + 1
    shared = {}
    for src, named in by_source.items():
        specs = [spec for spec in named.values() if readers.get((src, spec.name), 0) >= 2]
        path = scratch / f"tables-{src}.pkl"
        if (
            specs
            and src in loaded
            and write_shared_tables(specs, src, loaded[src], path, year=year)
        ):
            shared[src] = str(path)
    return shared


def with_tables(jobs: list[Job], shared: dict[str, str]) -> list[Job]:
    """Area reports and overviews get the path of their source's shared tables."""
    found = []
    for job in jobs:
        path = shared.get(str(job.parameters.get("source")))
        if path and job.kind in ("area", "overview"):
            job = replace(job, parameters={**job.parameters, "precomputed": path})
        found.append(job)
    return found


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
    units: bool = False,
    pdf: bool = False,
    xlsx: bool = False,
    force: bool = False,
    precompute: bool = True,
    cluster: str | None = None,
    county: str | None = None,
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
    county
        A county's code ("18") or name ("Örebro län"): its municipalities and its region
        (:func:`analys.render.plan.county_codes`), besides any ``municipalities``.
    overview
        Also render ``oversikt`` per municipality (when the template exists).
    notebooks
        Folder holding ``omrade.ipynb`` and ``oversikt.ipynb`` (default :func:`notebooks_dir`).
    units
        Also one report per unit (school, care home …) of each area with unit KPIs, from
        ``enhet.ipynb``: ``OUT/<municipality>/<area>/<ou-id>.html`` (:mod:`analys.render.units`);
        units without data are skipped with a note in the summary.
    pdf
        Also print ``<area>.pdf`` beside each report's HTML (:mod:`analys.render.pdf`; needs Chromium).
    xlsx
        Also write one workbook per municipality, ``OUT/<municipality>/nyckeltal.xlsx``
        (:mod:`analys.render.workbook`).
    cluster
        Run on a Dask cluster instead of the local pool: ``tcp://HOST:PORT`` of a running
        scheduler, or ``local:N`` for a LocalCluster of N workers (:mod:`analys.render.cluster`).
    force
        Render every report, also those whose inputs are unchanged since the last batch
        into ``out`` (by default they are skipped: :mod:`analys.render.fingerprint`).
    precompute
        Compute the tables every report of an area shares once, before the batch
        (:mod:`analys.fulfilment.country`); ``False`` lets each report compute for itself
        (the benchmark's baseline; the content is the same).

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
        cluster=cluster,
        county=county,
    )
    templates = Path(notebooks) if notebooks else notebooks_dir()
    if not (templates / AREA_TEMPLATE).is_file():
        raise ParamsError(f"rapportmallen {templates / AREA_TEMPLATE} saknas")
    out = Path(out).resolve()
    check_out(out)
    options = {"fresh_kernels": fresh_kernels, "show_code": show_code, "pdf": pdf}
    overviews = len({code for _, code in pairs}) if overview else 0
    workers = min(jobs or os.cpu_count() or 1, len(pairs) + overviews)
    with stop_signals():
        by_source: dict[str, dict[str, AreaSpec]] = {}
        for spec, _ in pairs:
            by_source.setdefault(source or spec.source, {})[spec.name] = spec
        jobs_list: list[Job] = []
        results: dict[str, JobResult] = {}
        notes: list[str] = []
        books: list[WorkbookJob] = []
        data_seconds = 0.0
        pool: Pool | None = None
        scratch: Path | None = None
        try:
            try:
                scratch = Path(tempfile.mkdtemp(prefix="analys-render-"))
                caches = {src: str(scratch / f"values-{src}.parquet") for src in by_source}
                jobs_list = area_jobs(
                    pairs,
                    templates,
                    out,
                    caches,
                    year=year,
                    source=source,
                    show_code=show_code,
                    overview=overview,
                )
                if units:
                    from analys.render.units import unit_jobs

                    for spec, code in pairs:
                        extra, skipped = unit_jobs(
                            spec,
                            code,
                            templates,
                            out,
                            source=source or spec.source,
                            year=year,
                            show_code=show_code,
                        )
                        jobs_list += extra
                        notes += skipped

                def executor(size: int) -> Any:
                    """Where the jobs run: ``size`` local worker processes, or the Dask
                    cluster of ``cluster`` (:class:`analys.render.cluster.ClusterPool`)."""
                    if cluster is not None:
                        from analys.render.cluster import ClusterPool
                        from analys.render.plan import parse_cluster

                        return ClusterPool(parse_cluster(cluster), options, scratch)
                    return Pool(size, options, scratch)

                with contextlib.ExitStack() as stack:
                    before = {} if force else read_manifest(out)
                    if not any(job.key in before for job in jobs_list):
                        # nothing to skip: the workers launch their kernels while the data
                        # is loaded (otherwise only once there is something to render)
                        pool = stack.enter_context(executor(workers))
                    problems: dict[str, str] = {}
                    loaded: dict[str, LoadedData] = {}
                    for src, named in by_source.items():
                        specs = list(named.values())
                        loaded[src] = load_cache(specs, src, Path(caches[src]))
                        if len(loaded[src].problems) < len(specs):
                            check_year(year, src, loaded[src].years)
                        problems.update(loaded[src].problems)
                    data_seconds = time.perf_counter() - started
                    results = {
                        job.key: no_data_result(job, problems[job.area])
                        for job in jobs_list
                        if job.kind == "area" and job.area in problems
                    }
                    out.mkdir(parents=True, exist_ok=True)
                    named_specs = {
                        key: spec
                        for named in by_source.values()
                        for spec in named.values()
                        for key in (spec.name, spec.ref)
                    }
                    jobs_list = stamp(jobs_list, named_specs, loaded, show_code=show_code, pdf=pdf)
                    todo = []
                    for job in jobs_list:
                        if job.key in results:
                            continue
                        entry = before.get(job.key)
                        if is_unchanged(entry, job.fingerprint, out, pdf=pdf):
                            results[job.key] = unchanged_result(job, entry)
                        else:
                            todo.append(job)
                    if precompute:  # compute once, render many
                        todo = with_tables(
                            todo, shared_tables(todo, by_source, loaded, scratch, year)
                        )
                    if xlsx:
                        books = workbook_jobs(pairs, out, caches, year=year, source=source)
                    if todo or books:
                        if pool is None:
                            size = min(workers, len(todo) + len(books))
                            pool = stack.enter_context(executor(size))
                        results.update(pool.run([*todo, *books], progress=progress))
            finally:
                if scratch is not None:
                    shutil.rmtree(scratch, ignore_errors=True)
        except BatchInterrupted as stop:
            results.update(stop.done)
            began = pool is not None and pool.started_jobs > 0
            reports = tuple(
                report_status(job, results.get(job.key) or stopped_result(job, stop, stop.inflight))
                for job in jobs_list
            )
            index_path = write_report_index(out, reports, jobs_list) if began else None
            stop.summary = RenderSummary(
                out=out,
                index=index_path,
                reports=reports,
                seconds=time.perf_counter() - started,
                data_seconds=data_seconds,
                interrupted=stop.signum,
            )
            raise
        reports = tuple(report_status(job, results[job.key]) for job in jobs_list)
        index_path = write_report_index(out, reports, jobs_list)
    return RenderSummary(
        out=out,
        index=index_path,
        reports=reports,
        seconds=time.perf_counter() - started,
        data_seconds=data_seconds,
        notes=tuple(notes),
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
