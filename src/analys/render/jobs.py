"""What a batch passes around: the jobs a worker executes and the results it sends back.

Plain data, light on purpose: the parent process of ``analys render`` imports this module,
never :mod:`analys.render.engine` (papermill, nbconvert). Any executor – the local pool
(:mod:`analys.render.pool`) or a cluster – ships these objects to its workers.
"""

from __future__ import annotations

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
    #: the fingerprint of the report's inputs (:mod:`analys.render.fingerprint`); "" = none
    fingerprint: str = ""

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
    ``<municipality>/<workbook name>``. Run by :func:`analys.render.workbook.run_job` in a worker.
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
