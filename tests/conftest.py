"""Shared fixtures. Area-specific fixtures live in the test module that uses them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "data" / "kolada-samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The real Kolada payloads in ../shared; tests using them skip cleanly when absent."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/data/kolada-samples saknas")
    return SAMPLES


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never let a test write to the developer's ./data store."""
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path_factory.mktemp("store")))
    monkeypatch.delenv("ANALYS_KOLADA_URL", raising=False)


@pytest.fixture(scope="session")
def unprivileged() -> Callable[[list[str]], list[str]]:
    """Prefix a command so file permissions bind it even when the tests run as root.

    Root reads and writes everything; without the capabilities DAC_OVERRIDE and
    DAC_READ_SEARCH (``setpriv``) a root process obeys the mode bits like any owner, so a
    test of a read-only folder or an unreadable file means what it says.
    """
    if os.geteuid() != 0:
        return lambda command: command
    if not shutil.which("setpriv"):
        pytest.skip("tests run as root and setpriv (util-linux) is missing")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return lambda command: [*prefix, *command]
