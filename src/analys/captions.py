"""The one place that writes source captions and the demo watermark (Kolada's terms)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

KOLADA_CREDIT = "Källa: Kolada"
DERIVED_CREDIT = "Egen bearbetning av data från Kolada"
DEMO = "Demodata – syntetiska värden, inte verklig statistik"


def source_caption(source: str, *, derived: bool = False) -> str:
    """The caption for a figure or table built from ``source`` data.

    Raw values are credited "Källa: Kolada"; anything we computed "Egen bearbetning av data
    från Kolada". Demo data always carries the watermark instead of a Kolada credit.
    """
    if source == "demo":
        return DEMO + (" · Egen bearbetning" if derived else "")
    return DERIVED_CREDIT if derived else KOLADA_CREDIT


#: credits of outputs whose KPIs start with a prefix: the municipality's own indicators
#: (``EGEN-…``) add theirs when :mod:`analys.own` is imported (the credit names their file)
CREDITS: dict[str, Callable[..., str]] = {}


def add_credit(prefix: str, credit: Callable[..., str]) -> None:
    """Let ``credit(kpis, source, derived=…)`` word the credit of outputs showing KPIs whose
    ids start with ``prefix``."""
    CREDITS[prefix] = credit


def credit(kpis: Sequence[str] = (), source: str | None = None, *, derived: bool = False) -> str:
    """Kolada's credit (:data:`KOLADA_CREDIT`, or :data:`DERIVED_CREDIT` for our own computations), or the
    credit :data:`CREDITS` gives for the own indicators among ``kpis``."""
    for prefix, own_credit in CREDITS.items():
        if any(str(k).startswith(prefix) for k in kpis):
            return own_credit(kpis, source or "demo", derived=derived)
    return DERIVED_CREDIT if derived else KOLADA_CREDIT
