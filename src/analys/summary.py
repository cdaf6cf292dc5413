"""The machine-readable summary a report publishes for the batch renderer's index.

A report displays one output with the mimetype ``SUMMARY_MIMETYPE`` holding its goal-status
counts; the renderer reads it back from the executed notebook. This module is tiny on purpose:
the report kernel imports it without pulling in the renderer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SUMMARY_MIMETYPE = "application/vnd.analys.summary+json"


def read_summary(nb: Mapping) -> dict[str, Any] | None:
    """The last summary published in an executed notebook, or ``None``."""
    found = None
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            value = (output.get("data") or {}).get(SUMMARY_MIMETYPE)
            if value is not None:
                found = dict(value) if isinstance(value, Mapping) else None
    return found
