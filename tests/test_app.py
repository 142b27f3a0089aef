"""The Streamlit app, page by page, with Streamlit's AppTest (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def _app(monkeypatch: pytest.MonkeyPatch, scenario: Path) -> AppTest:
    monkeypatch.setenv("PLANNER_SCENARIO", str(scenario))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    return app


def test_data_page_shows_the_scenario(monkeypatch: pytest.MonkeyPatch, tiny_dir: Path) -> None:
    """The data page opens the scenario: counts, a map and the business table, no exception."""
    app = _app(monkeypatch, tiny_dir)
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Businesses · 检查对象"] == "3"
    assert metrics["Officers · 执法人员"] == "3"
    assert len(app.get("deck_gl_json_chart")) == 1
    assert list(app.dataframe[0].value["id"]) == ["b1", "b2", "b3"]


def test_data_page_lists_problems_of_a_broken_scenario(
    monkeypatch: pytest.MonkeyPatch, broken_dir: Path
) -> None:
    """A broken scenario shows its problems in a table with file, row and column, and no map."""
    app = _app(monkeypatch, broken_dir)
    assert not app.exception
    assert "error(s)" in app.error[0].value
    problems = app.dataframe[0].value
    assert {"file", "row", "column", "problem"} <= set(problems.columns)
    assert (problems["severity"] == "error").sum() == 26
    assert len(app.get("deck_gl_json_chart")) == 0


def test_colour_by_risk(monkeypatch: pytest.MonkeyPatch, tiny_dir: Path) -> None:
    """Switching the map colouring to risk re-renders without error."""
    app = _app(monkeypatch, tiny_dir)
    app.get("segmented_control")[0].set_value("risk").run()
    assert not app.exception
