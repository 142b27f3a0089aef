"""Slow work in the background with progress: the app starts it and keeps answering.

The app's "Everything (.zip)" export writes a PDF notice per business and language and a route
sheet per team-day (466 PDFs for the demo week, minutes of work). A ``Job`` runs such work on a
worker thread; the page shows its progress and offers the download once it is done, instead of
blocking the click for the whole time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Work = Callable[[Callable[[int, int], None]], bytes]  # gets a progress(done, total) callback


@dataclass
class Job:
    """One piece of background work: its progress, its result or its error."""

    done: int = 0
    total: int = 0
    result: bytes | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def running(self) -> bool:
        """Whether the work has neither finished nor failed."""
        return self.result is None and self.error is None

    @property
    def share(self) -> float:
        """How much is done, 0–1."""
        return self.done / self.total if self.total else 0.0

    def report(self, done: int, total: int) -> None:
        """The work's progress callback."""
        self.done, self.total = done, total


class Jobs:
    """Background jobs by key (e.g. plan id and version), kept until ``keep`` newer ones exist."""

    def __init__(self, keep: int = 4) -> None:
        self._jobs: dict[Any, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, key: Any) -> Job | None:
        """The job of ``key``, if one was started."""
        with self._lock:
            return self._jobs.get(key)

    def start(self, key: Any, work: Work) -> Job:
        """Start ``work`` for ``key`` on a worker thread (or return the job already there)."""
        with self._lock:
            if key in self._jobs and self._jobs[key].error is None:
                return self._jobs[key]
            job = Job()
            self._jobs[key] = job
            while len(self._jobs) > self._keep:
                self._jobs.pop(next(iter(self._jobs)))

        def run() -> None:
            try:
                job.result = work(job.report)
            except Exception as exc:  # reported on the page; the app keeps running
                job.error = f"{type(exc).__name__}: {exc}"
            job.finished = time.monotonic()

        threading.Thread(target=run, name=f"job-{key}", daemon=True).start()
        return job
