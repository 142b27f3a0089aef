"""Travel matrices: integer seconds and metres between points, by straight line or OSM roads."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from planner.domain import Scenario
from planner.errors import InputError, Message, Problem

_log = logging.getLogger(__name__)

#: (lon, lat) pairs: a sequence of tuples or an N×2 array.
Points = Sequence[tuple[float, float]] | np.ndarray

EARTH_RADIUS_METRES = 6_371_008.8  # IUGG mean radius
UNREACHABLE = -1  # the value of a road-matrix cell that has no road path (see ``unreachable``)

#: Travel speed (km/h) by OSM ``highway`` class, used where ``maxspeed`` is absent or unreadable.
#: ``other`` is any class not listed; ``snap`` is the straight leg between a point and its road
#: node (walking pace: a door far from any mapped road must not be free).
DEFAULT_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 80.0,
        "motorway_link": 45.0,
        "trunk": 60.0,
        "trunk_link": 40.0,
        "primary": 50.0,
        "primary_link": 35.0,
        "secondary": 40.0,
        "secondary_link": 30.0,
        "tertiary": 35.0,
        "tertiary_link": 25.0,
        "unclassified": 30.0,
        "residential": 25.0,
        "road": 25.0,
        "service": 15.0,
        "living_street": 10.0,
        "other": 20.0,
        "snap": 5.0,
    }
)

#: A point farther than this from every drivable node is off the network: its pairs are unreachable.
MAX_SNAP_METRES = 1_000.0
#: Snap to the largest strongly connected component unless that is this much farther than the
#: nearest node of any component (then the point really sits on a separate piece of road).
SCC_SLACK_METRES = 250.0
#: Rows of the distance array one ``dijkstra`` call may return (bounds memory: rows × nodes).
_BATCH_CELLS = 4_000_000
_CACHE_VERSION = 1

# OSM ``oneway`` values (https://wiki.openstreetmap.org/wiki/Key:oneway).
_ONEWAY_FORWARD = ("yes", "true", "1")
_ONEWAY_BACKWARD = ("-1", "reverse")
_ONEWAY_NO = ("no", "false", "0", "alternating")
_ONEWAY_CLOSED = ("reversible",)  # direction changes by time of day: not usable for planning
_IMPLIED_ONEWAY_HIGHWAY = ("motorway",)
_IMPLIED_ONEWAY_JUNCTION = ("roundabout", "circular")

# Implicit ``maxspeed`` values ("FR:urban", "DE:zone30", "walk"), in km/h.
_MAXSPEED_WORDS = {"walk": 5.0, "living_street": 20.0, "urban": 50.0, "rural": 90.0}
_MAXSPEED_UNITS = {"": 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}
_MAXSPEED_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?")
_MAXSPEED_ZONE = re.compile(r"[a-z]{2}(?:-[a-z0-9]+)?:zone[: ]?(\d+)")
_MAXSPEED_WORD = re.compile(r"(?:[a-z]{2}(?:-[a-z0-9]+)?:)?([a-z_]+)")


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Travel between N points: ``seconds[i, j]`` and ``metres[i, j]`` from point i to point j.

    A road matrix leaves ``UNREACHABLE`` (-1) in the cells listed in ``unreachable``;
    ``travel_matrix`` fills those with the straight-line estimate and keeps the list, so the caller
    can warn about them. ``snap_metres`` is each point's distance to its road node (roads only).
    """

    seconds: np.ndarray  # int64 N×N, diagonal 0
    metres: np.ndarray  # int64 N×N
    source: str  # "straight-line" or "roads:<file name>"
    unreachable: tuple[tuple[int, int], ...] = ()  # pairs that had no road path
    snap_metres: tuple[int, ...] = ()  # per point, road network only
    warnings: tuple[RoadWarning, ...] = ()  # points planned by straight line (travel_matrix)


@dataclass(frozen=True, slots=True)
class RoadWarning:
    """A point the road network does not serve: its trips use the straight-line estimate.

    ``snap_metres`` is its distance to the nearest road node it was snapped to; ``straight_pairs``
    how many of its trips (to or from it) had no road path.
    """

    id: str
    snap_metres: int
    straight_pairs: int
    off_network: bool  # farther than ``MAX_SNAP_METRES`` from every drivable node

    @property
    def coded(self) -> Message:
        """The warning as a code and its values (``planner.i18n.PROBLEM_TEMPLATES``)."""
        code = "road_off_network" if self.off_network else "road_disconnected"
        return Message.of(
            code, id=self.id, metres=f"{self.snap_metres:,}", trips=self.straight_pairs
        )

    @property
    def message(self) -> str:
        """The warning as a planner reads it (in English)."""
        return str(self.coded)


def road_warnings(
    matrix: TravelMatrix, ids: Sequence[str], max_snap_metres: float = MAX_SNAP_METRES
) -> tuple[RoadWarning, ...]:
    """The points of a road matrix whose trips fall back to the straight line: off the network
    (farther than ``max_snap_metres`` from every drivable node) or with unreachable pairs.

    Parameters
    ----------
    matrix
        A road matrix (``road_matrix`` or ``travel_matrix`` with ``roads``).
    ids
        The points' ids, in the matrix's order.
    """
    if not matrix.snap_metres:
        return ()
    off = np.asarray(matrix.snap_metres) > max_snap_metres
    counts = np.zeros(len(ids), dtype=np.int64)  # straight-line trips, each blamed on its cause
    for i, j in matrix.unreachable:
        if off[i] or off[j]:
            counts[i] += int(off[i])
            counts[j] += int(off[j])
        else:
            counts[i] += 1
            counts[j] += 1
    # A point on the network is to blame only when it misses most of the others on it (it sits
    # on a separate piece of road); the others simply cannot reach it.
    others = 2 * max(int((~off).sum()) - 1, 0)
    found = []
    for n, point in enumerate(ids):
        if off[n] or (counts[n] and 2 * counts[n] > others):
            snap = matrix.snap_metres[n]
            found.append(RoadWarning(str(point), snap, int(counts[n]), bool(off[n])))
    return tuple(found)


def scenario_road_warnings(scenario: Scenario, roads: Path | str) -> tuple[RoadWarning, ...]:
    """``road_warnings`` of every office and business of a scenario on the road file ``roads``."""
    places = [(o.id, o.lon, o.lat) for o in scenario.settings.offices]
    places += [(b.id, b.lon, b.lat) for b in scenario.businesses]
    matrix = road_matrix(roads, [(lon, lat) for _, lon, lat in places])
    return road_warnings(matrix, [p[0] for p in places])


# --------------------------------------------------------------------------------------------
# Straight line
# --------------------------------------------------------------------------------------------
def haversine_metres(
    lon1: np.ndarray | float,
    lat1: np.ndarray | float,
    lon2: np.ndarray | float,
    lat2: np.ndarray | float,
) -> np.ndarray:
    """Great-circle distance in metres between (lon1, lat1) and (lon2, lat2), broadcasting.

    Parameters
    ----------
    lon1, lat1, lon2, lat2
        Degrees WGS84; arrays broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Float metres on a sphere of radius ``EARTH_RADIUS_METRES``.
    """
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_METRES * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def straight_line_matrix(
    points: Points, *, speed_kmh: float = 25.0, circuity: float = 1.3
) -> TravelMatrix:
    """Seconds and metres between points along the great circle stretched by ``circuity``.

    Parameters
    ----------
    points
        ``(lon, lat)`` pairs in WGS84 degrees.
    speed_kmh
        Average door-to-door speed (25 km/h is urban driving with parking).
    circuity
        Road distance ÷ straight-line distance (≥ 1; 1.3 is typical of towns).

    Returns
    -------
    TravelMatrix
        Symmetric, zero diagonal, ``source="straight-line"``.

    Raises
    ------
    InputError
        A point is not a finite (lon, lat) in range, or the speed or circuity is not usable.
    """
    lonlat = _as_lonlat(points, "points")
    problems = _check_straight_params(speed_kmh, circuity)
    if problems:
        raise InputError(problems)
    metres, seconds = _straight_line_arrays(lonlat, speed_kmh, circuity)
    return TravelMatrix(seconds=seconds, metres=metres, source="straight-line")


def _straight_line_arrays(
    lonlat: np.ndarray, speed_kmh: float, circuity: float
) -> tuple[np.ndarray, np.ndarray]:
    """Integer metres and seconds N×N by great circle × circuity at ``speed_kmh``."""
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    metres = haversine_metres(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * circuity
    seconds = metres / (speed_kmh / 3.6)
    return _to_int(metres), _to_int(seconds)


def _check_straight_params(speed_kmh: float, circuity: float) -> list[Problem]:
    """Problems with the straight-line speed and circuity."""
    out = []
    if not (math.isfinite(speed_kmh) and speed_kmh > 0):
        out.append(Problem.coded("travel", 0, "speed_kmh", "speed_not_positive", value=speed_kmh))
    if not (math.isfinite(circuity) and circuity >= 1):
        out.append(Problem.coded("travel", 0, "circuity", "circuity_below_one", value=circuity))
    return out


def _to_int(values: np.ndarray) -> np.ndarray:
    """Round to the nearest integer as int64, with a zero diagonal."""
    out = np.rint(values).astype(np.int64)
    np.fill_diagonal(out, 0)
    return out


def _as_lonlat(points: Points, file: str) -> np.ndarray:
    """Points as an N×2 float array, or ``InputError`` naming every bad point."""
    try:
        lonlat = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(
            [Problem(file, 0, "points", f"points must be (lon, lat) pairs: {exc}")]
        ) from None
    if lonlat.size == 0:
        return np.zeros((0, 2))
    if lonlat.ndim != 2 or lonlat.shape[1] != 2:
        problem = Problem(file, 0, "points", f"points must be (lon, lat) pairs, got {lonlat.shape}")
        raise InputError([problem])
    problems = [
        Problem.coded(file, 0, column, code, i=i, value=value, low=f"{low:g}", high=f"{high:g}")
        for column, code, low, high, axis in (
            ("lon", "longitude_outside", -180, 180, 0),
            ("lat", "latitude_outside", -90, 90, 1),
        )
        for i, value in enumerate(lonlat[:, axis])
        if not (math.isfinite(value) and low <= value <= high)
    ]
    if problems:
        raise InputError(problems)
    return lonlat


# --------------------------------------------------------------------------------------------
# Speeds and road tags
# --------------------------------------------------------------------------------------------
def parse_maxspeed(text: str | None) -> float | None:
    """Read an OSM ``maxspeed`` value as km/h, or ``None`` when it gives no usable number.

    Understands ``"50"``, ``"30 mph"``, ``"10 knots"``, zones (``"DE:zone30"``, ``"FR:zone:30"``),
    the implicit words ``urban`` (50), ``rural`` (90), ``living_street`` (20) and ``walk`` (5), with
    or without a country prefix, and several values (``"50;30"``: the lowest).

    Parameters
    ----------
    text
        The tag's text; ``None`` or empty means no tag.

    Returns
    -------
    float or None
        km/h in (0, 200], or ``None`` (e.g. ``"none"``, ``"signals"``, garbage).
    """
    if not text:
        return None
    values = [_parse_one_maxspeed(part.strip().lower()) for part in re.split(r"[;|]", str(text))]
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _parse_one_maxspeed(text: str) -> float | None:
    """One ``maxspeed`` value as km/h, or ``None``."""
    value: float | None = None
    if m := _MAXSPEED_NUMBER.fullmatch(text):
        value = float(m.group(1)) * _MAXSPEED_UNITS[m.group(2) or ""]
    elif m := _MAXSPEED_ZONE.fullmatch(text):
        value = float(m.group(1))
    elif m := _MAXSPEED_WORD.fullmatch(text):
        value = _MAXSPEED_WORDS.get(m.group(1))
    return value if value is not None and 0 < value <= 200 else None


def resolve_speeds(speeds: Mapping[str, float] | None, file: str = "speeds") -> dict[str, float]:
    """``DEFAULT_SPEEDS_KMH`` updated with ``speeds``; every value must be a positive km/h.

    Raises
    ------
    InputError
        A speed is not a finite number > 0 (one problem per bad entry, naming ``file``).
    """
    table = dict(DEFAULT_SPEEDS_KMH)
    table.update(speeds or {})
    problems = []
    for key, value in table.items():
        try:
            ok = math.isfinite(float(value)) and float(value) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(Problem.coded(file, 0, key, "road_speed", value=repr(value)))
    if problems:
        raise InputError(problems)
    return {key: float(value) for key, value in table.items()}


def _travel_directions(
    highway: np.ndarray, oneway: np.ndarray, junction: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each way segment may be driven along (u→v) and against (v→u) its drawing.

    ``oneway=yes/true/1`` forward only, ``-1/reverse`` backward only, ``no/false/0/alternating``
    both, ``reversible`` neither; with no such tag, roundabouts (``junction=roundabout/circular``)
    and ``highway=motorway`` are one-way forward as OSM defines, everything else two-way.
    """
    implied = np.isin(highway, _IMPLIED_ONEWAY_HIGHWAY) | np.isin(
        junction, _IMPLIED_ONEWAY_JUNCTION
    )
    explicit = np.isin(oneway, _ONEWAY_FORWARD + _ONEWAY_BACKWARD + _ONEWAY_NO + _ONEWAY_CLOSED)
    forward_only = np.isin(oneway, _ONEWAY_FORWARD) | (implied & ~explicit)
    backward_only = np.isin(oneway, _ONEWAY_BACKWARD)
    closed = np.isin(oneway, _ONEWAY_CLOSED)
    return ~backward_only & ~closed, ~forward_only & ~closed


# --------------------------------------------------------------------------------------------
# The road network of one PBF file (loaded once per process)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class _Network:
    """Directed drivable graph of one PBF file: nodes, directed edges, snapping trees."""

    name: str
    lon: np.ndarray  # float64 per node
    lat: np.ndarray
    tail: np.ndarray  # int64 per directed edge
    head: np.ndarray
    metres: np.ndarray  # float64 per directed edge
    road_class: np.ndarray  # int per directed edge, index into ``classes``
    classes: tuple[str, ...]
    maxspeed_kmh: np.ndarray  # float64 per directed edge, NaN when absent or unreadable
    lat0: float  # latitude of the local projection
    snappable: np.ndarray  # node indices with at least one directed edge
    main: np.ndarray  # node indices of the largest strongly connected component
    tree_all: Any  # cKDTree over ``snappable``
    tree_main: Any  # cKDTree over ``main``


def _read_network_frames(path: Path) -> tuple[Any, Any]:
    """Drivable nodes and edges of ``path`` with pyrosm, or ``InputError`` naming the file."""
    import pyrosm  # deferred: importing pyrosm takes a second and is only needed for roads

    try:
        with warnings.catch_warnings():
            # pyrosm warns (UserWarning) instead of raising when a file has no drivable ways.
            warnings.simplefilter("ignore")
            nodes, edges = pyrosm.OSM(str(path)).get_network(network_type="driving", nodes=True)
    except Exception as exc:  # pyrosm raises plain Exception subclasses for unreadable files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([Problem.coded(path.name, 0, "", "not_pbf", detail=reason)]) from exc
    if edges is None or nodes is None or len(edges) == 0:
        raise InputError([Problem.coded(path.name, 0, "", "no_drivable_roads")])
    return nodes, edges


def _text_column(frame: Any, column: str) -> np.ndarray:
    """A tag column as lower-case stripped strings ('' when the column or value is missing)."""
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).str.strip().str.lower().to_numpy(dtype=object)


def _network_from_frames(nodes: Any, edges: Any, name: str) -> _Network:
    """Build the directed graph, its largest strongly connected component and snapping trees."""
    from scipy.spatial import cKDTree  # scipy only with a road network (~0.5 s to import)

    ids = nodes["id"].to_numpy(dtype=np.int64)
    order = np.argsort(ids)
    u = order[np.searchsorted(ids[order], edges["u"].to_numpy(dtype=np.int64))]
    v = order[np.searchsorted(ids[order], edges["v"].to_numpy(dtype=np.int64))]
    lon = nodes["lon"].to_numpy(dtype=np.float64)
    lat = nodes["lat"].to_numpy(dtype=np.float64)

    highway = _text_column(edges, "highway")
    forward, backward = _travel_directions(
        highway, _text_column(edges, "oneway"), _text_column(edges, "junction")
    )
    classes, class_of = np.unique(highway.astype(str), return_inverse=True)
    readable = {text: parse_maxspeed(text) for text in set(_text_column(edges, "maxspeed"))}
    maxspeed = np.array(
        [readable[t] or np.nan for t in _text_column(edges, "maxspeed")], dtype=np.float64
    )

    tail = np.concatenate([u[forward], v[backward]])
    head = np.concatenate([v[forward], u[backward]])
    keep = tail != head
    pick = np.concatenate([np.flatnonzero(forward), np.flatnonzero(backward)])[keep]
    tail, head = tail[keep], head[keep]
    metres = haversine_metres(lon[tail], lat[tail], lon[head], lat[head])

    snappable = np.unique(np.concatenate([tail, head]))
    if len(snappable) == 0:
        raise InputError([Problem.coded(name, 0, "", "no_drivable_roads")])
    main = _largest_component(len(lon), tail, head, snappable)
    lat0 = float(np.mean(lat[snappable]))
    xy = _project(lon, lat, lat0)
    return _Network(
        name=name,
        lon=lon,
        lat=lat,
        tail=tail,
        head=head,
        metres=metres,
        road_class=class_of[pick],
        classes=tuple(str(c) for c in classes),
        maxspeed_kmh=maxspeed[pick],
        lat0=lat0,
        snappable=snappable,
        main=main,
        tree_all=cKDTree(xy[snappable]),
        tree_main=cKDTree(xy[main]),
    )


def _largest_component(
    n_nodes: int, tail: np.ndarray, head: np.ndarray, snappable: np.ndarray
) -> np.ndarray:
    """Node indices of the largest strongly connected component."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    graph = csr_matrix((np.ones(len(tail)), (tail, head)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(labels[snappable]).argmax()
    return snappable[labels[snappable] == largest]


def _project(lon: np.ndarray, lat: np.ndarray, lat0: float) -> np.ndarray:
    """Local equirectangular metres around latitude ``lat0`` (for nearest-node search only)."""
    k = math.radians(1) * EARTH_RADIUS_METRES
    return np.column_stack([lon * k * math.cos(math.radians(lat0)), lat * k])


@functools.lru_cache(maxsize=4)
def _load_network(path: str, sha256: str) -> _Network:
    """The network of one file, read once per process (``sha256`` keys a changed file apart)."""
    nodes, edges = _read_network_frames(Path(path))
    return _network_from_frames(nodes, edges, Path(path).name)


_SHA256: dict[tuple[str, int, int], str] = {}


def _file_sha256(path: Path) -> str:
    """sha256 of a file (memoised by path, size and mtime), or ``InputError`` if it is missing."""
    try:
        stat = path.stat()
    except OSError:
        raise InputError(
            [Problem.coded(path.name, 0, "", "road_file_not_found", path=path)]
        ) from None
    if not path.is_file():
        raise InputError([Problem.coded(path.name, 0, "", "not_a_file", path=path)])
    memo = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo not in _SHA256:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _SHA256[memo] = digest.hexdigest()
    return _SHA256[memo]


# --------------------------------------------------------------------------------------------
# Shortest paths
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True, eq=False)
class _Graph:
    """The network weighted for one speed table.

    Each edge weight packs time and length into one exact integer held in a float64:
    ``time_units · 2**shift + decimetres``. Sums stay exact below 2**53 (``shift`` and the time unit
    are chosen so that even the sum of *all* edges fits), so one Dijkstra pass finds the fastest
    path, breaks time ties by length, and gives the metres along that path for free.
    """

    matrix: Any  # csr_matrix, float64 packed weights
    shift: int
    time_unit_ms: float


def _edge_seconds(net: _Network, table: Mapping[str, float]) -> np.ndarray:
    """Seconds to drive each directed edge: ``maxspeed`` when readable, else the class speed."""
    class_kmh = np.array([table.get(c, table["other"]) for c in net.classes], dtype=np.float64)
    kmh = np.where(np.isnan(net.maxspeed_kmh), class_kmh[net.road_class], net.maxspeed_kmh)
    return np.asarray(net.metres / (kmh / 3.6))


def _build_graph(net: _Network, table: Mapping[str, float]) -> _Graph:
    """Packed-weight CSR graph; parallel edges keep the fastest."""
    from scipy.sparse import csr_matrix

    ms = np.maximum(np.rint(_edge_seconds(net, table) * 1000), 1)
    dm = np.rint(net.metres * 10)
    shift = int(dm.sum()).bit_length()
    excess = max(0, int(ms.sum()).bit_length() + shift - 53)
    while True:  # coarser time units only for huge networks (not below 1 ms on a county)
        units = np.maximum(np.rint(ms / 2**excess), 1)
        if int(units.sum()).bit_length() + shift <= 53:
            break
        excess += 1
    weight = units * float(2**shift) + dm
    order = np.lexsort((weight, net.head, net.tail))
    tail, head, weight = net.tail[order], net.head[order], weight[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    size = len(net.lon)
    matrix = csr_matrix((weight[first], (tail[first], head[first])), shape=(size, size))
    return _Graph(matrix=matrix, shift=shift, time_unit_ms=float(2**excess))


def _shortest_paths(graph: _Graph, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Milliseconds and decimetres of the fastest path between every pair of ``nodes`` (inf if none).

    Runs Dijkstra from the given nodes only, in batches that bound the memory of its output.
    """
    from scipy.sparse.csgraph import dijkstra

    k = len(nodes)
    packed = np.full((k, k), np.inf)
    batch = max(1, _BATCH_CELLS // max(1, graph.matrix.shape[0]))
    for start in range(0, k, batch):
        rows = dijkstra(graph.matrix, directed=True, indices=nodes[start : start + batch])
        packed[start : start + batch] = np.atleast_2d(rows)[:, nodes]
    return _unpack(graph, packed)


def _unpack(graph: _Graph, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Milliseconds and decimetres from packed path weights (inf stays inf)."""
    scale = float(2**graph.shift)
    units = np.floor(packed / scale)
    with np.errstate(invalid="ignore"):  # inf - inf where unreachable
        dm = np.where(np.isfinite(packed), packed - units * scale, np.inf)
    return units * graph.time_unit_ms, dm


def _snap(net: _Network, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's road node and the straight metres to it.

    The node is the nearest of the largest strongly connected component (reachable from and to
    everywhere), unless a node of another component is more than ``SCC_SLACK_METRES`` nearer.
    """
    xy = _project(lonlat[:, 0], lonlat[:, 1], net.lat0)
    d_main, i_main = net.tree_main.query(xy)
    d_all, i_all = net.tree_all.query(xy)
    node = np.where(d_main <= d_all + SCC_SLACK_METRES, net.main[i_main], net.snappable[i_all])
    snap = haversine_metres(lonlat[:, 0], lonlat[:, 1], net.lon[node], net.lat[node])
    return node, np.asarray(snap, dtype=np.float64)


def _compute_road_matrix(
    net: _Network, lonlat: np.ndarray, table: Mapping[str, float], max_snap_metres: float
) -> TravelMatrix:
    """Road seconds and metres between points: snap leg + fastest road path + snap leg."""
    n = len(lonlat)
    node, snap = _snap(net, lonlat)
    on_network = snap <= max_snap_metres
    sources = np.unique(node[on_network])
    ms, dm = _shortest_paths(_build_graph(net, table), sources)
    where = np.searchsorted(sources, node)
    where[~on_network] = 0
    road_ms = ms[np.ix_(where, where)] if len(sources) else np.full((n, n), np.inf)
    road_dm = dm[np.ix_(where, where)] if len(sources) else np.full((n, n), np.inf)
    snap_ms = snap / (table["snap"] / 3.6) * 1000
    seconds = (road_ms + snap_ms[:, None] + snap_ms[None, :]) / 1000
    metres = road_dm / 10 + snap[:, None] + snap[None, :]

    blocked = ~np.isfinite(seconds) | ~on_network[:, None] | ~on_network[None, :]
    np.fill_diagonal(blocked, False)
    seconds[blocked], metres[blocked] = 0, 0
    np.fill_diagonal(seconds, 0)  # a point to itself costs nothing, on the network or not
    np.fill_diagonal(metres, 0)
    seconds_int, metres_int = _to_int(seconds), _to_int(metres)
    seconds_int[blocked] = UNREACHABLE
    metres_int[blocked] = UNREACHABLE
    return TravelMatrix(
        seconds=seconds_int,
        metres=metres_int,
        source=f"roads:{net.name}",
        unreachable=_pairs(blocked),
        snap_metres=tuple(int(m) for m in np.rint(snap)),
    )


def _pairs(mask: np.ndarray) -> tuple[tuple[int, int], ...]:
    """(i, j) of the true cells, row by row."""
    return tuple((int(i), int(j)) for i, j in np.argwhere(mask))


# --------------------------------------------------------------------------------------------
# Disk cache
# --------------------------------------------------------------------------------------------
def _cache_key(kind: str, sha256: str, lonlat: np.ndarray, params: Mapping[str, Any]) -> str:
    """Hex key of a result: PBF hash, exact point coordinates, speeds and parameters."""
    digest = hashlib.sha256()
    header = {"kind": kind, "version": _CACHE_VERSION, "pbf": sha256, "params": params}
    digest.update(json.dumps(header, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(lonlat, dtype="<f8").tobytes())
    return digest.hexdigest()


def _read_cache(cache_dir: Path | None, key: str) -> dict[str, np.ndarray] | None:
    """The arrays cached under ``key``, or ``None`` when absent or unreadable."""
    if cache_dir is None:
        return None
    path = Path(cache_dir) / f"travel-{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _write_cache(cache_dir: Path | None, key: str, arrays: Mapping[str, np.ndarray]) -> None:
    """Save ``arrays`` under ``key`` atomically (a reader never sees half a file)."""
    if cache_dir is None:
        return
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".travel-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, folder / f"travel-{key}.npz")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _matrix_to_arrays(matrix: TravelMatrix) -> dict[str, np.ndarray]:
    """A road matrix as plain arrays for ``np.savez``."""
    return {
        "seconds": matrix.seconds,
        "metres": matrix.metres,
        "source": np.array(matrix.source),
        "unreachable": np.array(matrix.unreachable, dtype=np.int64).reshape(-1, 2),
        "snap_metres": np.array(matrix.snap_metres, dtype=np.int64),
    }


def _matrix_from_arrays(arrays: Mapping[str, np.ndarray]) -> TravelMatrix:
    """The road matrix saved by ``_matrix_to_arrays``."""
    return TravelMatrix(
        seconds=arrays["seconds"].astype(np.int64),
        metres=arrays["metres"].astype(np.int64),
        source=str(arrays["source"]),
        unreachable=tuple((int(i), int(j)) for i, j in arrays["unreachable"]),
        snap_metres=tuple(int(m) for m in arrays["snap_metres"]),
    )


# --------------------------------------------------------------------------------------------
# Public road functions
# --------------------------------------------------------------------------------------------
def _road_inputs(
    pbf: Path | str,
    points: Points,
    speeds: Mapping[str, float] | None,
    max_snap_metres: float,
) -> tuple[Path, np.ndarray, dict[str, float], dict[str, Any], str]:
    """Validated path, points, speed table, cache parameters and file hash of a road request."""
    path = Path(pbf)
    lonlat = _as_lonlat(points, path.name)
    table = resolve_speeds(speeds, path.name)
    if not (math.isfinite(max_snap_metres) and max_snap_metres >= 0):
        raise InputError(
            [Problem.coded(path.name, 0, "max_snap_metres", "must_be_at_least", low=0)]
        )
    sha256 = _file_sha256(path)
    params = {"speeds": sorted(table.items()), "max_snap_metres": max_snap_metres}
    return path, lonlat, table, params, sha256


def road_matrix(
    pbf: Path | str,
    points: Points,
    *,
    cache_dir: Path | None = None,
    speeds: Mapping[str, float] | None = None,
    max_snap_metres: float = MAX_SNAP_METRES,
) -> TravelMatrix:
    """Seconds and metres along the fastest drivable path of an OSM road network.

    Each point is snapped to its nearest drivable node (see ``_snap``); the trip from i to j is
    the straight leg from i to its node at ``speeds["snap"]``, the fastest one-way-respecting road
    path, and the leg from j's node to j. Metres are measured along that fastest path.

    Parameters
    ----------
    pbf
        An ``.osm.pbf`` extract covering the points.
    points
        ``(lon, lat)`` pairs in WGS84 degrees.
    cache_dir
        Folder for the on-disk cache (``travel-<sha256>.npz``, keyed by the file's sha256, the
        points, the speed table and ``max_snap_metres``); ``None`` caches nothing on disk.
    speeds
        km/h by OSM ``highway`` class (plus ``other`` and ``snap``), overriding
        ``DEFAULT_SPEEDS_KMH`` entry by entry. A readable ``maxspeed`` tag wins over the class.
    max_snap_metres
        A point farther than this from every drivable node is off the network.

    Returns
    -------
    TravelMatrix
        ``source="roads:<file name>"``; cells with no road path (other component, or a point off
        the network) hold ``UNREACHABLE`` and are listed in ``unreachable``; ``snap_metres`` holds
        each point's distance to its node.

    Raises
    ------
    InputError
        The file is missing, not a PBF, or has no drivable roads; a point or speed is unusable.
    """
    path, lonlat, table, params, sha256 = _road_inputs(pbf, points, speeds, max_snap_metres)
    key = _cache_key("matrix", sha256, lonlat, params)
    cached = _read_cache(cache_dir, key)
    if cached is not None:
        return _matrix_from_arrays(cached)
    net = _load_network(str(path.resolve()), sha256)
    matrix = _compute_road_matrix(net, lonlat, table, max_snap_metres)
    _write_cache(cache_dir, key, _matrix_to_arrays(matrix))
    return matrix


def travel_matrix(
    points: Points,
    *,
    roads: Path | str | None = None,
    speed_kmh: float = 25.0,
    circuity: float = 1.3,
    cache_dir: Path | None = None,
    speeds: Mapping[str, float] | None = None,
    ids: Sequence[str] | None = None,
) -> TravelMatrix:
    """The travel matrix to plan with: roads when a PBF is given, else the straight line.

    Parameters
    ----------
    points
        ``(lon, lat)`` pairs in WGS84 degrees.
    roads
        An ``.osm.pbf`` file, or ``None`` for the straight-line estimate.
    speed_kmh, circuity
        The straight-line estimate (see ``straight_line_matrix``), also used to fill the pairs
        the road network cannot connect.
    cache_dir, speeds
        Passed to ``road_matrix``.
    ids
        The points' ids, for the warnings (default: ``point 0``, ``point 1``, …).

    Returns
    -------
    TravelMatrix
        Every cell filled; ``unreachable`` lists the pairs filled by the straight line, and
        ``warnings`` the points behind them (``road_warnings``), each also logged as a warning
        of the ``planner.travel`` logger.
    """
    straight = straight_line_matrix(points, speed_kmh=speed_kmh, circuity=circuity)
    if roads is None:
        return straight
    road = road_matrix(roads, points, cache_dir=cache_dir, speeds=speeds)
    names = list(ids) if ids is not None else [f"point {n}" for n in range(len(road.seconds))]
    found = road_warnings(road, names)
    for warning in found:
        _log.warning("%s: %s", Path(roads).name, warning.message)
    if not road.unreachable:
        return replace(road, warnings=found)
    pairs = np.array(road.unreachable, dtype=np.int64)
    seconds, metres = road.seconds.copy(), road.metres.copy()
    seconds[pairs[:, 0], pairs[:, 1]] = straight.seconds[pairs[:, 0], pairs[:, 1]]
    metres[pairs[:, 0], pairs[:, 1]] = straight.metres[pairs[:, 0], pairs[:, 1]]
    return TravelMatrix(
        seconds=seconds,
        metres=metres,
        source=road.source,
        unreachable=road.unreachable,
        snap_metres=road.snap_metres,
        warnings=found,
    )


def road_path(
    pbf: Path | str,
    a: tuple[float, float],
    b: tuple[float, float],
    *,
    cache_dir: Path | None = None,
    speeds: Mapping[str, float] | None = None,
    max_snap_metres: float = MAX_SNAP_METRES,
) -> list[tuple[float, float]]:
    """The line a vehicle drives from ``a`` to ``b``: a, the road nodes of the fastest path, b.

    Parameters
    ----------
    pbf, cache_dir, speeds, max_snap_metres
        As for ``road_matrix`` (the same path the matrix measured).
    a, b
        ``(lon, lat)`` of the start and the end.

    Returns
    -------
    list of (lon, lat)
        Starts with ``a`` and ends with ``b``. When either is off the network or no road path
        exists, the straight segment ``[a, b]`` (the same fallback ``travel_matrix`` uses).

    Raises
    ------
    InputError
        As for ``road_matrix``.
    """
    path, lonlat, table, params, sha256 = _road_inputs(pbf, [a, b], speeds, max_snap_metres)
    key = _cache_key("path", sha256, lonlat, params)
    cached = _read_cache(cache_dir, key)
    if cached is None:
        net = _load_network(str(path.resolve()), sha256)
        cached = {"lonlat": _compute_road_path(net, lonlat, table, max_snap_metres)}
        _write_cache(cache_dir, key, cached)
    return [(float(x), float(y)) for x, y in cached["lonlat"]]


def _compute_road_path(
    net: _Network, lonlat: np.ndarray, table: Mapping[str, float], max_snap_metres: float
) -> np.ndarray:
    """(lon, lat) rows of a → road nodes of the fastest path → b, or just a, b when none."""
    from scipy.sparse.csgraph import dijkstra

    node, snap = _snap(net, lonlat)
    straight = lonlat.copy()
    if np.any(snap > max_snap_metres):
        return straight
    graph = _build_graph(net, table)
    _, pred = dijkstra(graph.matrix, directed=True, indices=int(node[0]), return_predecessors=True)
    chain = [int(node[1])]
    while chain[-1] != node[0]:
        previous = int(pred[chain[-1]])
        if previous < 0:  # scipy marks "no predecessor" with -9999
            return straight
        chain.append(previous)
    chain.reverse()
    nodes = np.column_stack([net.lon[chain], net.lat[chain]])
    # A node within PBF precision (1e-7°) of the vertex before it, or of b, adds nothing to draw.
    close = np.all(np.abs(np.diff(np.vstack([lonlat[:1], nodes]), axis=0)) < 1e-6, axis=1)
    close[-1] |= bool(np.all(np.abs(nodes[-1] - lonlat[1]) < 1e-6))
    return np.vstack([lonlat[:1], nodes[~close], lonlat[1:]])
