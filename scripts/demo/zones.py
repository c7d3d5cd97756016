"""Development-zone outlines, secondary towns and a sketch of the county road network."""

from __future__ import annotations

import numpy as np
import shapely
from scipy.sparse.csgraph import minimum_spanning_tree

from scripts.demo.city import (
    _TOWN_HEAD,
    _TOWN_TAIL,
    COUNTIES,
    ZONES,
)
from scripts.demo.geometry import (
    _Geo,
    _in_polygon,
    _sample,
    _uniform_in,
)


def _make_zones(rng: np.random.Generator, geo: _Geo) -> tuple[list[shapely.Geometry], np.ndarray]:
    """Irregular zone outlines (metric) made of a few unioned discs."""
    polys = []
    centres = []
    ids = list(geo.counties["id"])
    for z in ZONES:
        seat = geo.seats_m[z.adcode]
        centre = seat + np.array(z.offset_m)
        n_blobs = int(rng.integers(4, 7))
        radii = rng.uniform(450.0, 850.0, size=n_blobs)
        offsets = np.zeros((n_blobs, 2))
        for k in range(1, n_blobs):  # each disc overlaps an earlier one: one connected outline
            j = int(rng.integers(0, k))
            angle = rng.uniform(0.0, 2 * np.pi)
            step = radii[j] * rng.uniform(0.6, 0.95)
            offsets[k] = offsets[j] + step * np.array([np.cos(angle), np.sin(angle)])
        blobs = [
            shapely.Point(centre + o).buffer(r, quad_segs=6)
            for o, r in zip(offsets, radii, strict=True)
        ]
        shape = shapely.union_all(blobs).simplify(60.0)
        unit = geo.counties_m[ids.index(z.adcode)].buffer(-300.0)
        shape = shape.intersection(unit)
        if shape.geom_type != "Polygon" or not shape.contains(shapely.Point(centre)):
            msg = f"zone {z.name} does not fit inside its unit; move its offset"
            raise ValueError(msg)
        polys.append(shape)
        centres.append(centre)
    return polys, np.array(centres)


def _make_towns(
    rng: np.random.Generator, geo: _Geo, zone_centres: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    """Secondary towns: metric centres, names and county adcodes."""
    ids = list(geo.counties["id"])
    anchors = [*geo.seats_m.values(), *zone_centres]
    centres: list[np.ndarray] = []
    adcodes: list[str] = []
    for c in COUNTIES:
        poly = geo.counties_m[ids.index(c.adcode)].buffer(-2500.0)
        keep_in = _in_polygon(poly)
        for _ in range(c.towns):

            def far(xy: np.ndarray, keep_in=keep_in) -> np.ndarray:
                ok = keep_in(xy)
                for a in anchors + centres:
                    ok &= np.hypot(*(xy - a).T) > 9000.0
                return ok

            centres.append(_sample(rng, 1, _uniform_in(rng, poly), far)[0])
            adcodes.append(c.adcode)
    names: list[str] = []
    while len(names) < len(centres):
        name = str(rng.choice(_TOWN_HEAD)) + str(rng.choice(_TOWN_TAIL)) + "镇"
        if name not in names:
            names.append(name)
    return np.array(centres), names, adcodes


def _road_network(nodes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """A sketch of the county road network: a spanning tree plus seat-to-seat links."""
    d = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
    tree = minimum_spanning_tree(d).tocoo()
    edges = {(min(i, j), max(i, j)) for i, j in zip(tree.row, tree.col, strict=True)}
    n_seats = len(COUNTIES)
    for i in range(n_seats):
        order = np.argsort(d[i, :n_seats])
        for j in order[1:3]:
            edges.add((min(i, int(j)), max(i, int(j))))
    return [(nodes[i], nodes[j]) for i, j in sorted(edges)]


def _along_roads(
    rng: np.random.Generator, roads: list[tuple[np.ndarray, np.ndarray]], n: int, spread: float
) -> np.ndarray:
    lengths = np.array([np.hypot(*(b - a)) for a, b in roads])
    pick = rng.choice(len(roads), size=n, p=lengths / lengths.sum())
    t = rng.uniform(0.0, 1.0, n)
    a = np.array([roads[k][0] for k in pick])
    b = np.array([roads[k][1] for k in pick])
    return a + (b - a) * t[:, None] + rng.normal(0.0, spread, size=(n, 2))
