"""What a render pool passes around, and the entry point of a pool process.

Light on purpose: the parent process of ``analys render`` imports this module, not
:mod:`analys.engine` (papermill, nbconvert), and each spawned worker starts its warm kernel
here before it imports the engine, so the kernel boots while the worker imports.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    """One notebook to render: template + parameters → ``ipynb`` and ``html``.

    ``kind`` is ``area`` or ``overview``; ``key`` is ``<municipality>/<area>``.
    """

    key: str
    kind: str
    area: str
    title: str
    municipality: str
    municipality_name: str
    template: str
    parameters: dict[str, Any]
    ipynb: str
    html: str
    show_code: bool = False

    @property
    def failed_ipynb(self) -> str:
        """Where the notebook of a failed render goes (the good one is never overwritten)."""
        return str(Path(self.ipynb).with_suffix(".failed.ipynb"))

    @property
    def failed_html(self) -> str:
        """Where the HTML of a failed render goes."""
        return str(Path(self.html).with_suffix(".failed.html"))

    @property
    def label(self) -> str:
        """Short Swedish label for progress output."""
        return f"{self.municipality_name} – {self.title}"

    @property
    def pdf(self) -> str:
        """Where the PDF of the report goes (``--pdf``)."""
        return str(Path(self.html).with_suffix(".pdf"))


@dataclass(frozen=True)
class WorkbookJob:
    """One Excel workbook (``--xlsx``): every area of one municipality, from the data cache.

    ``areas`` are params references (names or paths) as the area jobs got them; ``key`` is
    ``<municipality>/<workbook name>``. Run by :func:`analys.workbook.run_job` in a worker.
    """

    key: str
    municipality: str
    municipality_name: str
    areas: tuple[str, ...]
    source: str
    data_cache: str
    year: int | None
    path: str

    @property
    def label(self) -> str:
        """Short Swedish label for progress output."""
        return f"{self.municipality_name} – Excel"


@dataclass
class JobResult:
    """What became of one :class:`Job`."""

    key: str
    status: str  # "ok" or "failed"
    seconds: float
    error: str = ""
    summary: dict[str, Any] | None = None
    attempts: int = 1
    written: list[str] = field(default_factory=list)
    #: side products that failed although the report itself is good (e.g. the PDF), Swedish
    problems: list[str] = field(default_factory=list)


def skip_slow_optional_imports() -> None:
    """Make an optional, slow import fail fast in this process.

    ``rfc3987_syntax`` compiles a Lark grammar when imported (about 1.2 s). jsonschema imports
    it only to offer the optional ``iri`` format check, which nbformat's schemas never use;
    a ``None`` entry in ``sys.modules`` makes that import fail as if the package were absent.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def worker_entry(
    worker_id: int, tasks: Any, results: Any, options: dict[str, Any], log_path: str | None = None
) -> None:
    """Target of a spawned render process: launch the warm kernel, then run the job loop.

    Kernel output (start-up warnings) and the worker's own go to ``log_path`` instead of the
    terminal. The kernel process boots while this process imports :mod:`analys.engine`;
    see :func:`analys.engine.worker_main` for the loop itself.
    """
    if log_path:
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    skip_slow_optional_imports()
    kernel = None
    if not options.get("fresh_kernels"):
        from analys.kernel import WarmKernel

        try:
            kernel = WarmKernel(wait=False)
        except Exception:  # noqa: BLE001 – the engine starts one per report and reports why
            kernel = None
    from analys.engine import worker_main

    worker_main(worker_id, tasks, results, options, kernel=kernel)
