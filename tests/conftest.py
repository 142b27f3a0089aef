"""Shared fixtures: paths to the tiny and broken scenarios, the demo, and ../shared/data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.access import use_installation_secret

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


@pytest.fixture(autouse=True)
def _no_installation_secret_between_tests() -> Iterator[None]:
    """An app test hands its database's access-code secret to ``planner.access``; forget it after."""
    yield
    use_installation_secret(None)
