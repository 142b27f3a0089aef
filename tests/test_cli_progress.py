"""The county plan's job progress in the CLI: a bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from planner.cli import _show_jobs
from planner.cluster import JobEvent

EVENTS = (
    JobEvent("t1/joint", "t1", "done", 1, 3, 1.5),
    JobEvent("t2/joint", "t2", "retry", 1, 3, 2.0, "worker died"),
    JobEvent("t2/joint", "t2", "done", 2, 3, 4.0),
    JobEvent("t3/joint", "t3", "failed", 3, 3, 6.0, "no officers"),
)


def test_jobs_in_a_log_are_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a terminal every event is one line naming the count, the job and its state."""
    from rich.console import Console

    with _show_jobs(Console(file=io.StringIO(), force_terminal=False)) as show:
        for event in EVENTS:
            show(event)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert "[  1/3]" in lines[0] and "t1/joint" in lines[0] and "done" in lines[0]
    assert lines[1].endswith("retry: worker died")
    assert lines[3].endswith("failed: no officers")


def test_jobs_on_a_terminal_show_a_bar_with_retries_and_failures_above() -> None:
    """On a terminal the bar ends at 3/3 and the retry and the failure are printed with errors."""
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with _show_jobs(console) as show:
        for event in EVENTS:
            show(event)
    text = out.getvalue()
    assert "3/3" in text
    assert "retry: worker died" in text and "failed: no officers" in text


def test_plan_shows_each_days_teams_before_the_first_route(
    tiny_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plan` prints a line per working day as its teams are formed, in day order, before the
    first routing line: a user sees progress while formation runs (seconds on the demo)."""
    from planner.cli import main

    code = main(["plan", str(tiny_dir), "--time-limit", "1", "--out", str(tmp_path)])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    teams = [n for n, line in enumerate(lines) if re.match(r"^\s+[\d.]+ s\s+teams ", line)]
    routes = [n for n, line in enumerate(lines) if re.match(r"^\s+[\d.]+ s\s+.* visits ", line)]
    days = [lines[n].split("teams ", 1)[1].split()[:2] for n in teams]
    assert days == [["Mon", "2026-11-23"], ["Tue", "2026-11-24"], ["Wed", "2026-11-25"],
                    ["Thu", "2026-11-26"], ["Fri", "2026-11-27"]]  # fmt: skip
    assert routes and max(teams) < min(routes)
