"""The one place that writes source captions and the demo watermark (Kolada's terms)."""

from __future__ import annotations

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
