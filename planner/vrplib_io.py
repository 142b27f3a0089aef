"""VRPLIB Solomon / Gehring–Homberger VRPTW instances → ``RoutingProblem`` (DIMACS convention).

The DIMACS convention of the best-known solutions in ``../shared/data/vrptw/bks.csv``
(``dimacs_mindist``): Euclidean distances truncated to one decimal, travel time = distance,
objective = total distance, fleet size free (up to the instance's ``VEHICLES``). Inside the
``RoutingProblem`` every quantity is scaled by ``SCALE`` = 10 to integers, so a truncated distance
is exactly ``floor(10 · d)`` (computed with integer square roots, no float rounding) and a cost of
16,377 is the 1637.7 of the literature.

A VRPTW customer's window constrains the *start* of service; the ``RoutingProblem`` window holds
the whole visit, so its end is the latest start plus the service time. Every customer must be
served: visits get a drop penalty (``REQUIRED_PENALTY``) far above any route's cost, and a
solution that still drops one is reported incomplete, not cheaper. Loads are not a
``RoutingProblem`` concept: ``VrptwInstance`` carries ``demand`` and ``capacity`` beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from planner.problem import DATES_OK, VEHICLE_BITS, RoutingProblem

SCALE = 10  # one decimal → integers
REQUIRED_PENALTY = 10_000_000  # ≫ any route cost at SCALE (Solomon/GH200 totals < 10^5)
BENCHMARK_DAY = dt.date(2024, 1, 1)  # the single (meaningless) calendar day of a VRPTW instance


@dataclass(frozen=True, slots=True, eq=False)
class VrptwInstance:
    """A VRPTW instance as a one-day ``RoutingProblem`` plus its loads.

    Attributes
    ----------
    name
        Instance name (``R101``, ``C1_2_1``).
    problem
        One depot (node 0), one visit per customer in file order (``visit_ids`` are the VRPLIB
        customer numbers ``"1"`` … ``"n"`` of the ``.sol`` files), ``VEHICLES`` identical vehicles.
    demand
        ``int64[V]`` demand of each visit.
    capacity
        Capacity of every vehicle.
    """

    name: str
    problem: RoutingProblem
    demand: np.ndarray
    capacity: int

    @property
    def vehicle_capacity(self) -> np.ndarray:
        """``int64[K]``: the capacity of each vehicle."""
        return np.full(self.problem.n_vehicles, self.capacity, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class BestKnown:
    """A best-known solution value of the ``dimacs_mindist`` convention."""

    instance: str
    family: str
    vehicles: int
    distance: float


def truncated_distances(coords: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """``int64[N, N]`` Euclidean distances × ``scale``, truncated: ``floor(scale · d)`` exactly.

    Coordinates must be integers (as in Solomon and Gehring–Homberger), so ``(scale · d)²`` is an
    integer and its integer square root is the truncation, free of floating-point error.
    """
    xy = np.asarray(coords)
    if not np.array_equal(xy, np.round(xy)):
        raise ValueError("truncated_distances needs integer coordinates")
    xy = xy.astype(np.int64)
    diff = xy[:, None, :] - xy[None, :, :]
    squared = (diff**2).sum(axis=2) * scale * scale
    root = np.floor(np.sqrt(squared.astype(np.float64))).astype(np.int64)
    root -= (root * root > squared).astype(np.int64)  # float sqrt one too high
    root += ((root + 1) * (root + 1) <= squared).astype(np.int64)  # … or one too low
    return root


def read_vrptw(path: Path | str, *, penalty: int = REQUIRED_PENALTY) -> VrptwInstance:
    """Read a VRPLIB ``.vrp`` VRPTW instance (one depot) as a ``VrptwInstance``.

    Parameters
    ----------
    path
        A Solomon or Gehring–Homberger ``.vrp`` file.
    penalty
        Drop penalty of every visit (far above any route cost: every customer is required).

    Returns
    -------
    VrptwInstance
    """
    raw = vrplib.read_instance(str(path), compute_edge_weights=False)
    depots = np.asarray(raw["depot"]).ravel()
    if len(depots) != 1 or int(depots[0]) != 0:
        raise ValueError(f"{path}: expected one depot, the first node")
    coords = np.asarray(raw["node_coord"])
    windows = np.asarray(raw["time_window"], dtype=np.int64) * SCALE
    n_nodes = len(coords)
    n_visits = n_nodes - 1
    service_raw = np.broadcast_to(np.asarray(raw.get("service_time", 0)), (n_nodes,))
    service = service_raw[1:].astype(np.int64) * SCALE
    n_vehicles = int(raw.get("vehicles", n_visits))
    distances = truncated_distances(coords)
    shift = (int(windows[0, 0]), int(windows[0, 1]))
    visit_windows = np.column_stack(
        [
            np.arange(n_visits),
            np.zeros(n_visits, dtype=np.int64),
            windows[1:, 0],
            windows[1:, 1] + service,  # latest start + service = latest end
        ]
    ).astype(np.int64)
    problem = RoutingProblem(
        days=(BENCHMARK_DAY,),
        depot_ids=("depot",),
        visit_ids=tuple(str(i) for i in range(1, n_nodes)),
        vehicle_teams=tuple(f"vehicle {k + 1}" for k in range(n_vehicles)),
        vehicle_officers=tuple(() for _ in range(n_vehicles)),
        vehicle_day=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_depot=np.zeros(n_vehicles, dtype=np.int64),
        vehicle_shift=np.tile(np.array(shift, dtype=np.int64), (n_vehicles, 1)),
        vehicle_lunch=np.zeros((n_vehicles, 3), dtype=np.int64),
        service=service,
        windows=visit_windows,
        eligible=np.ones((n_visits, n_vehicles), dtype=bool),
        penalty=np.full(n_visits, penalty, dtype=np.int64),
        hard_deadline=np.zeros(n_visits, dtype=bool),
        last_day=np.zeros(n_visits, dtype=np.int64),
        first_day=np.zeros(n_visits, dtype=np.int64),
        pinned=np.full(n_visits, -1, dtype=np.int64),
        travel_seconds=distances,
        travel_metres=distances.copy(),
        day_checks=np.full((n_visits, 1), VEHICLE_BITS | DATES_OK, dtype=np.uint8),
    )
    demand = np.asarray(raw["demand"], dtype=np.int64)[1:]
    return VrptwInstance(Path(path).stem, problem, demand, int(raw["capacity"]))


def read_vrptw_solution(path: Path | str) -> tuple[tuple[int, ...], ...]:
    """Routes of a VRPLIB ``.sol`` file as tuples of visit indices (customer ``c`` → ``c - 1``)."""
    routes = vrplib.read_solution(str(path))["routes"]
    return tuple(tuple(int(c) - 1 for c in route) for route in routes)


def read_best_known(path: Path | str) -> dict[str, BestKnown]:
    """The ``dimacs_mindist`` rows of ``bks.csv``, by instance name (never the other convention)."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["convention"] == "dimacs_mindist"]
    return {
        r["instance"]: BestKnown(
            r["instance"], r["family"], int(r["vehicles"]), float(r["distance"])
        )
        for r in rows
    }


def route_distance(instance: VrptwInstance, routes: Sequence[Sequence[int]]) -> int:
    """Total scaled distance of ``routes`` (visit indices), depot to depot, recomputed here."""
    p = instance.problem
    total = 0
    for route in routes:
        nodes = [0, *(p.node(i) for i in route), 0]
        total += sum(int(p.travel_seconds[a, b]) for a, b in zip(nodes, nodes[1:], strict=False))
    return total


def check_vrptw_routes(instance: VrptwInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Every way ``routes`` break the VRPTW rules (empty: feasible and complete).

    Checked from the instance alone, with the earliest-start schedule: each customer served
    exactly once, at most ``VEHICLES`` routes, load ≤ capacity, service starts by the window's
    latest start, back at the depot by its closing time.
    """
    p = instance.problem
    problems = []
    seen = [i for r in routes for i in r]
    if sorted(seen) != list(range(p.n_visits)):
        missing = sorted(set(range(p.n_visits)) - set(seen))
        twice = sorted({i for i in seen if seen.count(i) > 1})
        problems.append(f"customers missing {missing[:10]} or served twice {twice[:10]}")
    used = [r for r in routes if r]
    if len(used) > p.n_vehicles:
        problems.append(f"{len(used)} routes, only {p.n_vehicles} vehicles")
    open_, close = (int(t) for t in p.vehicle_shift[0])
    for n, route in enumerate(used):
        load = int(instance.demand[list(route)].sum())
        if load > instance.capacity:
            problems.append(f"route {n}: load {load} > capacity {instance.capacity}")
        clock, node = open_, 0
        for i in route:
            earliest, latest_end = (int(t) for t in p.windows[i, 2:4])
            arrive = clock + int(p.travel_seconds[node, p.node(i)])
            start = max(arrive, earliest)
            if start + int(p.service[i]) > latest_end:
                problems.append(f"route {n}: customer {p.visit_ids[i]} starts late at {start}")
            clock, node = start + int(p.service[i]), p.node(i)
        back = clock + int(p.travel_seconds[node, 0])
        if back > close:
            problems.append(f"route {n}: back at the depot at {back} > {close}")
    return problems
