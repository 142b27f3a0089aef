"""The engine boundary of county-scale planning: jobs run on a Dask distributed cluster.

Dask distributed was chosen over Ray by measurement on the project's 2-core machine
(``benchmarks/cluster_engines.py``, numbers in docs/county.md): a 2-worker local cluster starts in
~3.5 s against ~14 s, takes ~144 MiB of memory against ~750 MiB and installs 32 MiB against
233 MiB; Ray's lower per-task overhead (~1 ms against ~8 ms) does not matter for jobs that run
for seconds to minutes.

A ``Job`` is a picklable call ``fn(*args)`` with a key and the township it belongs to. ``run`` on
a ``Cluster`` submits them all, reports each end to a progress callback, retries a failed job
once (an exception, or its worker dying under it) and reports a job that failed twice with its
error instead of raising: one township's failure never loses the others' week. ``run_here`` runs
the same jobs one after another in this process (the sequential reference).
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from planner.errors import PlannerError

CLUSTER_ENV = "PLANNER_CLUSTER"
RETRIES = 1
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class Job:
    """One task: ``fn(*args)``, named ``key`` (unique in a run), for ``township``.

    ``size`` is a rough measure of the work (e.g. businesses): larger jobs start first, which
    shortens the longest worker's queue.
    """

    key: str
    township: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    size: int = 0


@dataclass(frozen=True, slots=True)
class JobResult:
    """What became of a job: its ``value``, or the ``error`` of its last attempt; ``seconds``
    from its first submission to its end (waiting in the queue included)."""

    key: str
    township: str
    value: Any = None
    error: str = ""
    attempts: int = 1
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the job returned a value."""
        return not self.error


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A job ended (``done`` or ``failed``) or is tried again (``retry``); ``finished`` of
    ``total`` jobs have ended so far."""

    key: str
    township: str
    state: str
    finished: int
    total: int
    elapsed_s: float
    error: str = ""


JobProgress = Callable[[JobEvent], None]


@dataclass(frozen=True, slots=True)
class Measured:
    """A job's value, the seconds it ran (wall and CPU), and the process that ran it (pid, peak
    memory in MiB). On a loaded machine CPU seconds stay what the job needs; wall seconds grow."""

    value: Any
    seconds: float
    peak_rss_mib: float
    pid: int
    cpu_seconds: float = 0.0


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(fn: Callable[..., Any], *args: Any) -> Measured:
    """Run ``fn(*args)`` and note how long it ran and the peak memory of the process."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return Measured(value, seconds, peak_rss_mib(), os.getpid(), cpu)


def warm_up() -> int:
    """Import the planning modules (OR-Tools, pandas …) in a worker before its first job."""
    import planner.county  # noqa: F401

    return os.getpid()


def _error_text(exc: BaseException) -> str:
    """One line for a report: the exception's type and message (the worker's, when remote)."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if type(exc).__name__ == "KilledWorker":
        return f"the worker running it died twice ({text})"
    return text


@dataclass(slots=True)
class _Tally:
    total: int
    progress: JobProgress | None
    started: float = field(default_factory=time.perf_counter)
    finished: int = 0

    def tell(self, job: Job, state: str, error: str = "") -> None:
        if state != "retry":
            self.finished += 1
        if self.progress is not None:
            elapsed = time.perf_counter() - self.started
            event = JobEvent(
                job.key, job.township, state, self.finished, self.total, elapsed, error
            )
            self.progress(event)


def run_here(jobs: Sequence[Job], progress: JobProgress | None = None) -> tuple[JobResult, ...]:
    """Run ``jobs`` one after another in this process, with the same retry and reporting."""
    tally = _Tally(len(jobs), progress)
    results = []
    for job in jobs:
        started = time.perf_counter()
        for attempt in range(1, RETRIES + 2):
            try:
                value = job.fn(*job.args)
            except Exception as exc:  # a job's failure is reported, never raised
                error = _error_text(exc)
                if attempt <= RETRIES:
                    tally.tell(job, "retry", error)
                    continue
                tally.tell(job, "failed", error)
                seconds = time.perf_counter() - started
                results.append(JobResult(job.key, job.township, None, error, attempt, seconds))
            else:
                tally.tell(job, "done")
                seconds = time.perf_counter() - started
                results.append(JobResult(job.key, job.township, value, "", attempt, seconds))
            break
    return tuple(results)


class Cluster:
    """A connection to a Dask cluster (local or remote) that runs jobs.

    Use ``open_cluster``; ``workers`` is the number of workers connected now.
    """

    def __init__(self, client: Any, local: Any = None) -> None:
        self.client = client
        self.local = local

    @property
    def address(self) -> str:
        """The scheduler's address."""
        return str(self.client.scheduler.address)

    @property
    def workers(self) -> int:
        """Workers connected to the scheduler."""
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def run(
        self, jobs: Sequence[Job], progress: JobProgress | None = None
    ) -> tuple[JobResult, ...]:
        """Run ``jobs`` on the cluster; one ``JobResult`` per job, in the order given.

        Larger jobs (``Job.size``) get a higher priority. A job that raises, or whose worker dies
        under it, is submitted once more (``retry`` event); after a second failure its error is
        returned in its ``JobResult`` (``failed`` event) and the other jobs go on.
        """
        from distributed import as_completed

        tally = _Tally(len(jobs), progress)
        attempts = dict.fromkeys(range(len(jobs)), 0)
        started = dict.fromkeys(range(len(jobs)), time.perf_counter())
        results: dict[int, JobResult] = {}
        index_of: dict[str, int] = {}

        def submit(n: int) -> Any:
            job = jobs[n]
            attempts[n] += 1
            key = f"{job.key}#{attempts[n]}-{os.getpid()}-{id(jobs)}"
            index_of[key] = n
            return self.client.submit(
                job.fn, *job.args, key=key, pure=False, retries=0, priority=job.size
            )

        pending = as_completed([submit(n) for n in range(len(jobs))])
        for future in pending:
            n = index_of[future.key]
            job = jobs[n]
            seconds = time.perf_counter() - started[n]
            if future.status == "finished":
                results[n] = JobResult(job.key, job.township, future.result(), "", attempts[n], seconds)  # fmt: skip
                tally.tell(job, "done")
            else:
                error = _error_text(future.exception())
                if attempts[n] <= RETRIES:
                    tally.tell(job, "retry", error)
                    pending.add(submit(n))
                else:
                    results[n] = JobResult(job.key, job.township, None, error, attempts[n], seconds)
                    tally.tell(job, "failed", error)
            future.release()
        return tuple(results[n] for n in range(len(jobs)))

    def close(self) -> None:
        """Disconnect; shut the local cluster down when this process started it."""
        self.client.close()
        if self.local is not None:
            self.local.close()


@contextmanager
def _plain_main() -> Iterator[None]:
    """Workers spawned meanwhile do not re-run this process's ``__main__`` script.

    Dask starts worker processes with ``spawn``, which runs the parent's ``__main__`` file again
    in each child unless it was started with ``-m``. Under Streamlit, ``__main__`` is the app
    script (it would open the database and draw pages in every worker); under pytest after an
    AppTest it is that script too. A blank ``__main__`` while the workers start avoids both.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None or not hasattr(main, "__file__"):
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def cluster_address(address: str | None = None) -> str | None:
    """The cluster to use: ``address``, else ``$PLANNER_CLUSTER``, else ``None`` (start one)."""
    return address or os.environ.get(CLUSTER_ENV) or None


def cluster_name(address: str | None) -> str:
    """How to name the cluster in a message."""
    return f"the cluster at {address}" if address else "the local cluster"


@contextmanager
def open_cluster(workers: int | None = None, address: str | None = None) -> Iterator[Cluster]:
    """Connect to the cluster at ``address`` or start a local one of ``workers`` processes.

    Parameters
    ----------
    workers
        Worker processes of a local cluster (one thread each: routing is single-threaded);
        default ``os.cpu_count()``. Ignored when connecting to ``address``.
    address
        A running scheduler, e.g. ``tcp://10.0.0.5:8786`` (``dask scheduler`` and
        ``dask worker ADDRESS`` on the machines). Its workers must be able to import ``planner``
        and read the files the jobs name (``--roads``).

    A local cluster's scheduler is told that one death of a job's worker fails the job
    (``distributed.scheduler.allowed-failures`` = 0), so ``Cluster.run`` sees it and retries
    the job once itself, like a job that raised.
    """
    with ExitStack() as stack:
        cluster = _connect_or_start(workers, address, stack)
        try:
            cluster.client.run(warm_up)
        except Exception as exc:
            cluster.close()
            raise PlannerError(
                f"the workers of {cluster_name(address)} cannot load planner: {_error_text(exc)}"
            ) from None
        try:
            yield cluster
        finally:
            cluster.close()


def _connect_or_start(workers: int | None, address: str | None, stack: ExitStack) -> Cluster:
    """A ``Cluster`` connected to ``address``, or to a local cluster started now (with a blank
    ``__main__`` for its lifetime: the nanny spawns a new worker when one dies)."""
    import dask
    from distributed import Client, LocalCluster

    if address is not None:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise PlannerError(f"cannot reach the cluster at {address}: {exc}") from None
        cluster = Cluster(client)
    else:
        stack.enter_context(_plain_main())
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            local = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: 8787 may be another cluster's
                scheduler_kwargs={"dashboard": False},
                silence_logs=logging.CRITICAL,
            )
        cluster = Cluster(Client(local), local)
    return cluster
