"""What a batch did: the status of every planned report, the summary and its exit code.

A report is ``ok`` (klar), ``failed`` (misslyckad), ``interrupted`` (avbruten) or ``not_run``
(ej körd); :class:`RenderSummary` says so in Swedish and gives the exit code (0, 1 or
``128 + signal``). The index's manifest entries are made here too (:func:`write_report_index`).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analys.format import number
from analys.render.fingerprint import FIELD
from analys.render.index import read_manifest, update_manifest, write_index
from analys.render.jobs import Job, JobResult

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
    status: str  # ok | unchanged | failed | interrupted | not_run (see REPORT_STATUSES)
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


#: what became of a planned report, in Swedish (the index shows the same words)
REPORT_STATUSES = {
    "ok": "klar",
    "unchanged": "oförändrad",  # inputs as last time: not rendered again
    "failed": "misslyckad",
    "interrupted": "avbruten",
    "not_run": "ej körd",
}
SIGNAL_TEXTS = {
    signal.SIGINT: "Ctrl-C (SIGINT)",
    signal.SIGTERM: "SIGTERM",
    **({signal.SIGHUP: "SIGHUP (terminalen stängdes)"} if hasattr(signal, "SIGHUP") else {}),
}


def signal_text(signum: int) -> str:
    return SIGNAL_TEXTS.get(signum, f"signal {signum}")


@dataclass(frozen=True)
class RenderSummary:
    """What a batch did: the reports, the index and the time taken.

    ``interrupted`` is the signal that stopped the batch (``None`` when it ran to the end).
    """

    out: Path
    index: Path | None
    reports: tuple[ReportStatus, ...]
    seconds: float
    data_seconds: float = 0.0
    notes: tuple[str, ...] = ()  # e.g. units skipped by --units for lack of data
    interrupted: int | None = None
    workbooks: tuple[WorkbookStatus, ...] = ()

    @property
    def rendered(self) -> list[ReportStatus]:
        return [r for r in self.reports if r.status == "ok"]

    @property
    def unchanged(self) -> list[ReportStatus]:
        """Reports whose inputs had not changed: the good files from before stand."""
        return self.with_status("unchanged")

    @property
    def failed(self) -> list[ReportStatus]:
        """Reports that did not render (failed, interrupted or not run)."""
        return [r for r in self.reports if r.status not in ("ok", "unchanged")]

    def with_status(self, status: str) -> list[ReportStatus]:
        return [r for r in self.reports if r.status == status]

    @property
    def exit_code(self) -> int:
        """0 when every report (and PDF and workbook asked for) was made, 1 when some failed;
        ``128 + signal`` when stopped by a signal (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)."""
        if self.interrupted is not None:
            return 128 + int(self.interrupted)
        side = any(r.problems for r in self.reports) or any(
            w.status != "ok" for w in self.workbooks
        )
        return 1 if self.failed or side else 0

    def text(self) -> str:
        """A short Swedish summary for the terminal."""
        n = len(self.reports) - len(self.unchanged)  # the reports this batch worked on
        per = f", {number(self.seconds / n, 2)} s per rapport" if n else ""
        same = f", {len(self.unchanged)} oförändrade" if self.unchanged else ""
        failed = self.with_status("failed")
        if self.interrupted is not None:
            lines = [
                f"Avbrutet av {signal_text(self.interrupted)}: {len(self.rendered)} rapporter "
                f"klara{same}, {len(failed)} misslyckades, "
                f"{len(self.with_status('interrupted'))} avbröts, "
                f"{len(self.with_status('not_run'))} kördes inte – tid "
                f"{number(self.seconds, 1)} s."
            ]
        else:
            lines = [
                f"Klart: {len(self.rendered)} rapporter skapade{same}, {len(self.failed)} "
                f"misslyckades – tid {number(self.seconds, 1)} s{per}."
            ]
        for report in failed:
            where = f" (se {report.html})" if report.html.is_file() else ""
            lines.append(
                f"  Misslyckades: {report.municipality} {report.title}: {report.error}{where}"
            )
        for note in self.notes[:10]:
            lines.append(f"  {note}")
        if len(self.notes) > 10:
            lines.append(f"  … och {len(self.notes) - 10} anteckningar till.")
        for report in self.reports:
            for problem in report.problems:
                lines.append(f"  {report.municipality} {report.title}: {problem}")
        for book in self.workbooks:
            if book.status == "ok":
                lines.append(f"Excel: {book.path}")
            else:
                lines.append(f"  Excel för {book.municipality} misslyckades: {book.error}")
        lines.append(f"Index: {self.index}" if self.index else "Index: inte uppdaterat")
        return "\n".join(lines)


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by SIGINT (Ctrl-C), SIGTERM or SIGHUP.

    A ``KeyboardInterrupt``, so code that handles Ctrl-C handles the others alike.
    :func:`render` stops the workers and their kernels, indexes what finished and re-raises
    with ``summary`` set (``None`` when no report had started).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = int(signum)
        self.done: dict[str, JobResult] = {}
        self.inflight: list[str] = []
        self.summary: RenderSummary | None = None

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def write_report_index(out: Path, reports: tuple[ReportStatus, ...], jobs: list[Job]) -> Path:
    """Merge every planned report (whatever its status) into the manifest; write the index.

    An unchanged report keeps its entry from before (its summary, the time it was rendered,
    its fingerprint). The index says how many reports this batch rendered, found unchanged
    and failed.
    """
    out.mkdir(parents=True, exist_ok=True)
    before = read_manifest(out)
    entries = {
        r.key: manifest_entry(r, job, out, before.get(r.key))
        for r, job in zip(reports, jobs, strict=True)
    }
    run = {
        "rendered": sum(r.status == "ok" for r in reports),
        "unchanged": sum(r.status == "unchanged" for r in reports),
        "failed": sum(r.status not in ("ok", "unchanged") for r in reports),
    }
    return write_index(out, update_manifest(out, entries, run=run), run=run)


def no_data_result(job: Job, problem: str) -> JobResult:
    return JobResult(
        key=job.key,
        status="failed",
        seconds=0.0,
        error=f"data saknas för området: {problem}",
        attempts=0,
    )


def unchanged_result(job: Job, entry: dict[str, Any]) -> JobResult:
    """A report whose inputs are those of its good files from before: not rendered again."""
    return JobResult(
        key=job.key, status="unchanged", seconds=0.0, summary=entry.get("summary"), attempts=0
    )


def stopped_result(job: Job, stop: BatchInterrupted, inflight: list[str]) -> JobResult:
    why = signal_text(stop.signum)
    if job.key in inflight:
        return JobResult(
            key=job.key,
            status="interrupted",
            seconds=0.0,
            error=f"avbröts av {why} medan rapporten skapades",
        )
    return JobResult(
        key=job.key,
        status="not_run",
        seconds=0.0,
        error=f"kördes inte – körningen avbröts av {why}",
        attempts=0,
    )


def report_status(job: Job, result: JobResult) -> ReportStatus:
    ok = result.status in ("ok", "unchanged")
    failed = result.status == "failed"
    return ReportStatus(
        key=job.key,
        kind=job.kind,
        area=job.area,
        title=job.title,
        municipality=job.municipality,
        municipality_name=job.municipality_name,
        status=result.status,
        ipynb=Path(job.failed_ipynb if failed else job.ipynb),
        html=Path(job.failed_html if failed else job.html),
        seconds=result.seconds,
        error=result.error,
        summary=result.summary if ok else None,
        attempts=result.attempts,
        problems=tuple(result.problems),
    )


def manifest_entry(
    report: ReportStatus, job: Job, out: Path, before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The manifest entry of one planned report; links only to files that exist.

    A report that rendered links its files and records its fingerprint; a failed one its
    ``.failed.*`` files when they could be written; an interrupted or skipped one nothing of
    its own. The index links the last good version (``good_html``) beside every report that
    is not ``ok``. An unchanged report keeps its entry from before (``before``), as ``ok``.
    """
    if report.status == "unchanged" and before:
        return {**before, "status": "ok", "error": ""}

    def rel(path: Path) -> str:
        return path.relative_to(out).as_posix() if path.is_file() else ""

    own = report.status in ("ok", "failed")
    return {
        "municipality": report.municipality,
        "municipality_name": report.municipality_name,
        "area": report.area,
        "title": report.title,
        "kind": report.kind,
        "status": report.status,
        "error": report.error,
        "summary": report.summary,
        "html": rel(report.html) if own else "",
        "ipynb": rel(report.ipynb) if own else "",
        "good_html": Path(job.html).relative_to(out).as_posix(),
        "source": job.parameters.get("source"),
        "year": job.parameters.get("year"),
        "rendered": datetime.now(UTC).isoformat(timespec="seconds"),
        FIELD: job.fingerprint if report.status == "ok" else "",
    }
