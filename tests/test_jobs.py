"""Background work with progress (planner.jobs) and the export's progress reports."""

from __future__ import annotations

import time

from planner import load_scenario, plan_week
from planner.export import export_zip_bytes
from planner.jobs import Jobs
from planner.params import SolveParams


def _wait(job) -> None:  # type: ignore[no-untyped-def]
    for _ in range(1200):
        if not job.running:
            return
        time.sleep(0.1)


def test_a_job_reports_progress_and_its_result() -> None:
    """A job runs on a worker thread, keeps its last progress and its result; the same key
    gives the same job."""
    jobs = Jobs()

    def work(report):  # type: ignore[no-untyped-def]
        for n in range(1, 4):
            report(n, 3)
        return b"done"

    job = jobs.start("k", work)
    assert jobs.start("k", work) is job
    _wait(job)
    assert (job.result, job.done, job.total, job.share) == (b"done", 3, 3, 1.0)


def test_a_failing_job_says_why() -> None:
    """An exception in the work is kept as the job's error (the app shows it), not raised."""

    def work(report):  # type: ignore[no-untyped-def]
        raise ValueError("no font")

    job = Jobs().start("k", work)
    _wait(job)
    assert job.error == "ValueError: no font" and job.result is None


def test_export_zip_reports_every_pdf(tiny_dir) -> None:  # type: ignore[no-untyped-def]
    """The zip export counts its PDFs (notices and route sheets, both languages) as it goes."""
    scenario = load_scenario(tiny_dir)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1))
    seen: list[tuple[int, int]] = []
    export_zip_bytes(plan, scenario, progress=lambda d, t: seen.append((d, t)))
    total = seen[-1][1]
    assert [d for d, _ in seen] == list(range(1, total + 1)) and total >= 2
