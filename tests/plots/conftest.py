"""Shared by the chart tests: every figure is closed after each test (drawn extents are
measured with :func:`analys.testing.drawn`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(scope="session")
def goal_titles() -> list[str]:
    """Goal titles of one to three lines in a goal chart, as municipalities write them."""
    return [
        "Kommunen ska ha en god ekonomisk hushållning",
        "Kommunen ska vara en attraktiv och hälsofrämjande arbetsgivare",
        "Alla barn och unga ska ha goda förutsättningar att nå sina mål i skolan och i livet",
        "Trygg skola",
        "Äldre ska kunna leva ett självständigt liv med god omsorg och vård nära hemmet",
    ]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
