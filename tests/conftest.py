"""Shared fixtures: paths to the tiny and broken scenarios, the demo, and ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO = ROOT / "data" / "demo"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def tiny_dir() -> Path:
    """A three-business, two-department scenario as a CSV folder."""
    return FIXTURES / "tiny"


@pytest.fixture
def broken_dir() -> Path:
    """A scenario with one deliberate problem per line marked in its files."""
    return FIXTURES / "broken"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, skipping the test with a clear message when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (clone with ../shared beside the repo)")
    return path
