"""Shared fixtures. Area-specific fixtures live in the test module that uses them."""

from __future__ import annotations

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
