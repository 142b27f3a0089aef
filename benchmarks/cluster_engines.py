"""Ray against Dask distributed on this machine: startup, task overhead, memory, install size.

Run each engine in an environment that has it (they need not both be installed at once)::

    python benchmarks/cluster_engines.py dask --workers 2 --tasks 500
    python benchmarks/cluster_engines.py ray --workers 2 --tasks 500

Prints one CSV line: engine, version, workers, startup seconds (local cluster of ``--workers``
single-threaded worker processes, ready to run a task), seconds per no-op task (``--tasks``
submitted at once, round trip), a round trip of one small task, resident memory of the worker
processes and of everything the engine started (MiB), and the installed size of the engine's
packages (MiB, ``importlib.metadata`` file sizes).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata as md
import os
import time
from pathlib import Path

import psutil

PACKAGES = {
    "dask": ("dask", "distributed", "cloudpickle", "toolz", "partd", "locket", "zict", "tblib",
             "msgpack", "fsspec", "psutil", "sortedcontainers", "tornado"),
    "ray": ("ray", "msgpack", "filelock", "protobuf", "jsonschema", "grpcio", "click"),
}  # fmt: skip


def noop(x: int) -> int:
    return x


def installed_mib(names: tuple[str, ...]) -> float:
    total = 0
    for name in names:
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        for f in dist.files or ():
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                total += path.stat().st_size
    return total / 2**20


def _is_worker(process: psutil.Process) -> bool:
    """Ray's task workers run ``default_worker.py``; Dask's nannies spawn theirs by multiprocessing."""
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return False
    return "default_worker.py" in line or "spawn_main" in line


def children_rss(workers_only: bool) -> tuple[float, int]:
    """Resident MiB and count of the processes the engine started (the leaves: task workers)."""
    me = psutil.Process(os.getpid())
    procs = me.children(recursive=True)
    if workers_only:
        procs = [p for p in procs if _is_worker(p)]
    rss = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            rss += p.memory_info().rss
    return rss / 2**20, len(procs)


def run_dask(workers: int, tasks: int) -> dict[str, float]:
    from dask.distributed import Client, LocalCluster

    t0 = time.perf_counter()
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    client.submit(noop, 0, pure=False).result()
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.submit(noop, 1, pure=False).result()
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.gather(client.map(noop, range(tasks), pure=False))
    per_task = (time.perf_counter() - t0) / tasks
    worker_rss, _ = children_rss(True)
    all_rss, procs = children_rss(False)
    client.close()
    cluster.close()
    return {"startup_s": startup, "one_task_s": one, "per_task_s": per_task,
            "worker_rss_mib": worker_rss, "all_rss_mib": all_rss, "processes": procs}  # fmt: skip


def run_ray(workers: int, tasks: int) -> dict[str, float]:
    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=1)(noop)
    ray.get(remote.remote(0))
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    ray.get(remote.remote(1))
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    ray.get([remote.remote(i) for i in range(tasks)])
    per_task = (time.perf_counter() - t0) / tasks
    worker_rss, _ = children_rss(True)
    all_rss, procs = children_rss(False)
    ray.shutdown()
    return {"startup_s": startup, "one_task_s": one, "per_task_s": per_task,
            "worker_rss_mib": worker_rss, "all_rss_mib": all_rss, "processes": procs}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=("dask", "ray"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tasks", type=int, default=500)
    args = parser.parse_args()
    run = run_dask if args.engine == "dask" else run_ray
    result = run(args.workers, args.tasks)
    version = md.version("distributed" if args.engine == "dask" else "ray")
    size = installed_mib(PACKAGES[args.engine])
    print("engine,version,workers,startup_s,one_task_ms,per_task_ms,worker_rss_mib,all_rss_mib,"
          "processes,install_mib")  # fmt: skip
    print(
        f"{args.engine},{version},{args.workers},{result['startup_s']:.2f},"
        f"{result['one_task_s'] * 1000:.2f},{result['per_task_s'] * 1000:.2f},"
        f"{result['worker_rss_mib']:.0f},{result['all_rss_mib']:.0f},{result['processes']:.0f},"
        f"{size:.0f}"
    )


if __name__ == "__main__":
    main()
