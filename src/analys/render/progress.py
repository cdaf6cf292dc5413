"""The batch's progress bar, one for every executor (the local pool and a Dask cluster).

It counts finished reports, names the report in hand, and says in its description how many
have failed so far.
"""

from __future__ import annotations

import sys

from tqdm import tqdm

from analys.render.jobs import JobResult


class BatchProgress:
    """A tqdm bar on stderr over ``total`` reports; silent when ``enabled`` is false."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._failed: set[str] = set()  # keys: a report finished twice counts once
        self.bar = tqdm(
            total=total,
            desc="Renderar",
            unit="rapport",
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
        )

    def started(self, label: str) -> None:
        """``label``'s report was handed out."""
        self.bar.set_postfix_str(label, refresh=True)

    def finished(self, result: JobResult, label: str | None = None) -> None:
        """One more report done (``label``: name it, when it was not named at its start)."""
        if result.status == "ok":
            self._failed.discard(result.key)
        else:
            self._failed.add(result.key)
            self.bar.set_description(f"Renderar ({len(self._failed)} misslyckade)")
        if label is not None:
            self.bar.set_postfix_str(label, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()
