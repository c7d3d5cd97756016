"""Build the Liechtenstein (Vaduz-Schaan) demo shipped as ``geodata/data/liechtenstein.gpkg``.

Every layer except the candidate sites is real OpenStreetMap data (© OpenStreetMap
contributors, ODbL 1.0), read with :func:`geodata.osm.read_osm` from the
Vaduz-Schaan extracts in ``tests/data/osm`` (bounding box 9.47,47.10,9.56,47.19,
Geofabrik extract of 2024-03-04):

- enterprises, industrial areas (as ``parks``), communication masts (as
  ``base_stations``) and charging stations from the ``.osm.pbf`` crop;
- the municipalities (``admin_areas``) that meet the box, from
  ``ADMIN`` (the ``boundary=administrative`` relations of the country extract
  ``liechtenstein-2024-03.osm.pbf``, written by this script's
  ``--country-pbf`` option: the crop's relations are incomplete);
- the drivable road graph from the roads-only ``.osm.bz2`` clip.

Enterprises get their municipality (``county``) and industrial area (``park``)
by a spatial join. Fields OSM does not have (staff, output, ...) are the schema
defaults and named in each row's ``filled`` column.

Candidate sites are **derived, with synthetic costs** (planning-level estimates,
est.; see ``COSTS``), and marked synthetic in the provenance:

- charging: OSM parking areas (``amenity=parking``, not private) within
  ``NEAR_PARK_M`` of an industrial area, ``source="parking_lot"``;
- 5G: industrial-building roofs of at least ``ROOF_MIN_M2`` (``"rooftop"``) and
  road junctions (3+ streets) within ``NEAR_PARK_M`` of an industrial area,
  thinned to one per ``ROADSIDE_SPACING_M`` (``"roadside"``).

Usage::

    python scripts/make_liechtenstein.py                  # rewrites geodata/data/liechtenstein.gpkg
    python scripts/make_liechtenstein.py --out demo.gpkg --source-dir tests/data/osm
    python scripts/make_liechtenstein.py --country-pbf path/to/liechtenstein-2024-03.osm.pbf
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata import PlanningData, Provenance, validate_layer  # noqa: E402
from geodata.crs import local_metric_crs  # noqa: E402
from geodata.osm import LICENCE, read_osm, roads_from_osm  # noqa: E402

PBF = "liechtenstein-vaduz-schaan-2024-03.osm.pbf"
ROADS = "liechtenstein-vaduz-schaan-roads-2024-03.osm.bz2"
ADMIN = "liechtenstein-municipalities-2024-03.geojson"
BOX = (9.47, 47.10, 9.56, 47.19)
NEAR_PARK_M = 300.0
ROOF_MIN_M2 = 2000.0
ROADSIDE_SPACING_M = 400.0
COSTS = {
    # charging station on a parking lot: 4 DC piles x 60k CNY + grid connection and works 100k
    "parking_lot": 4 * 60_000 + 100_000,
    # 5G small cell on an industrial roof (lease, power, backhaul)
    "rooftop": 150_000,
    # 5G pole by the road (pole, civil works, power, backhaul)
    "roadside": 250_000,
}
"""Synthetic candidate costs in CNY (est., planning level; see docs of the demo)."""
CHARGING_CAPACITY = 4 * 10
"""Sessions per day of a candidate charging station: 4 piles x 10 sessions (est.)."""


def _parking(pbf: Path) -> gpd.GeoDataFrame:
    import json

    import pyrosm

    osm = pyrosm.OSM(str(pbf), progress=False)
    frame = osm.get_data_by_custom_criteria(
        custom_filter={"amenity": ["parking"]},
        filter_type="keep",
        keep_nodes=True,
        keep_ways=True,
        keep_relations=True,
        osm_keys_to_keep=["amenity"],
    )

    def private(tags: object) -> bool:
        parsed = json.loads(tags) if isinstance(tags, str) and tags else {}
        return parsed.get("access") in ("private", "no")

    keep = ~frame["tags"].map(private) if "tags" in frame else np.ones(len(frame), bool)
    frame = frame[keep]
    return gpd.GeoDataFrame(
        {
            "osm_id": frame["osm_type"].astype(str) + "/" + frame["id"].astype(str),
            "name": frame.get("name", None),
        },
        geometry=frame.geometry.to_numpy(),
        crs="EPSG:4326",
    )


def _thin(points: gpd.GeoSeries, spacing: float) -> np.ndarray:
    """Indices of points kept so that no two are closer than ``spacing`` (in order)."""
    kept: list[int] = []
    xy = np.column_stack([points.x, points.y])
    for i, p in enumerate(xy):
        if all(np.hypot(*(p - xy[k])) >= spacing for k in kept):
            kept.append(i)
    return np.asarray(kept, dtype=int)


def _candidates(
    parks: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    parking: gpd.GeoDataFrame,
    roads: object,
    admin: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    metric = local_metric_crs(parks)
    zone = parks.to_crs(metric).buffer(NEAR_PARK_M).union_all()
    rows = []

    lots = parking.to_crs(metric)
    lots = lots[lots.intersects(zone)]
    for osm_id, name, geom in zip(lots["osm_id"], lots["name"], lots.geometry, strict=True):
        rows.append(
            {
                "id": f"cand-charging-{osm_id}",
                "name": name if isinstance(name, str) and name else f"parking {osm_id}",
                "infrastructure": "charging",
                "cost_cny": float(COSTS["parking_lot"]),
                "capacity": float(CHARGING_CAPACITY),
                "source": "parking_lot",
                "osm_id": osm_id,
                "geometry": geom.centroid,
            }
        )

    roofs = buildings.to_crs(metric)
    roofs = roofs[roofs.area >= ROOF_MIN_M2]
    for osm_id, name, geom in zip(roofs["osm_id"], roofs["name"], roofs.geometry, strict=True):
        rows.append(
            {
                "id": f"cand-5g-{osm_id}",
                "name": f"roof of {name}",
                "infrastructure": "5g",
                "cost_cny": float(COSTS["rooftop"]),
                "capacity": 0.0,
                "source": "rooftop",
                "osm_id": osm_id,
                "geometry": geom.centroid,
            }
        )

    nodes = [
        (n, d["x"], d["y"]) for n, d in roads.nodes(data=True) if d.get("street_count", 0) >= 3
    ]
    junctions = gpd.GeoDataFrame(
        {"node": [n for n, _, _ in nodes]},
        geometry=gpd.points_from_xy([x for _, x, _ in nodes], [y for _, _, y in nodes]),
        crs="EPSG:4326",
    ).to_crs(metric)
    junctions = junctions[junctions.intersects(zone)].sort_values("node")
    for i in _thin(junctions.geometry, ROADSIDE_SPACING_M):
        node = junctions["node"].iloc[i]
        rows.append(
            {
                "id": f"cand-5g-junction-{node}",
                "name": f"junction node/{node}",
                "infrastructure": "5g",
                "cost_cny": float(COSTS["roadside"]),
                "capacity": 0.0,
                "source": "roadside",
                "osm_id": f"node/{node}",
                "geometry": junctions.geometry.iloc[i],
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=metric).to_crs("EPSG:4326")
    return _join_county(out, admin)


def _join_county(points: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    joined = gpd.sjoin(points, admin[["name", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    points = points.copy()
    points["county"] = joined["name_right"].fillna("").to_numpy()
    return points


def build(source_dir: Path) -> PlanningData:
    """Return the demo's :class:`PlanningData` from the extracts in ``source_dir``."""
    pbf = source_dir / PBF
    data = read_osm(
        pbf,
        layers=["enterprises", "parks", "base_stations", "charging_stations"],
        name="liechtenstein",
    )
    roads = roads_from_osm(source_dir / ROADS)
    admin = validate_layer(gpd.read_file(source_dir / ADMIN), "admin_areas")

    ent = _join_county(data.enterprises, admin)
    parks = data.parks
    in_park = gpd.sjoin(ent[["geometry"]], parks[["name", "geometry"]], predicate="within")
    in_park = in_park[~in_park.index.duplicated(keep="first")]
    ent["park"] = pd.Series(in_park["name"], index=in_park.index).reindex(ent.index).fillna("")
    ent = validate_layer(ent, "enterprises")
    parks = validate_layer(_join_county_polygons(parks, admin), "parks")

    # footprints of the industrial buildings, for rooftop candidates
    full = read_osm(pbf, layers=["enterprises"]).enterprises
    footprints = _footprints(pbf, full)
    candidates = validate_layer(
        _candidates(parks, footprints, _parking(pbf), roads, admin), "candidate_sites"
    )

    source = f"OpenStreetMap extracts {PBF} and {ROADS} (Geofabrik, 2024-03-04)"
    prov = {
        kind: Provenance(
            source=source,
            licence=LICENCE,
            note=data.provenance[kind].note,
        )
        for kind in ("enterprises", "parks", "base_stations", "charging_stations")
    }
    prov["admin_areas"] = Provenance(
        source="OpenStreetMap extract liechtenstein-2024-03.osm.pbf (Geofabrik, 2024-03-04)",
        licence=LICENCE,
        note="municipalities (admin_level 8) meeting the Vaduz-Schaan box",
    )
    prov["enterprises"] = Provenance(
        source=source,
        licence=LICENCE,
        note=prov["enterprises"].note + "; county and park by spatial join",
    )
    prov["candidate_sites"] = Provenance(
        source=f"scripts/make_liechtenstein.py from {source}",
        licence=LICENCE,
        synthetic=True,
        note="real OSM places (parking areas, industrial roofs >= "
        f"{ROOF_MIN_M2:g} m², road junctions near industrial areas) with synthetic "
        f"costs (CNY, est.): {COSTS}",
    )
    prov["roads"] = Provenance(
        source=source, licence=LICENCE, note="drivable highways only (osmnx graph)"
    )
    return PlanningData(
        name="liechtenstein",
        enterprises=ent,
        parks=parks,
        base_stations=data.base_stations,
        charging_stations=_join_county(data.charging_stations, admin),
        candidate_sites=candidates,
        admin_areas=admin,
        roads=roads,
        provenance=prov,
    )


def _join_county_polygons(polys: gpd.GeoDataFrame, admin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    metric = local_metric_crs(polys)
    points = polys.copy()
    points["geometry"] = polys.to_crs(metric).representative_point().to_crs("EPSG:4326")
    joined = _join_county(gpd.GeoDataFrame(points, geometry="geometry"), admin)
    out = polys.copy()
    out["county"] = joined["county"].to_numpy()
    return out


def _footprints(pbf: Path, enterprises: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Building polygons of the enterprises that are industrial buildings."""
    import pyrosm

    osm = pyrosm.OSM(str(pbf), progress=False)
    frame = osm.get_data_by_custom_criteria(
        custom_filter={"building": ["industrial", "warehouse", "factory"]},
        filter_type="keep",
        keep_nodes=False,
        keep_ways=True,
        keep_relations=True,
        osm_keys_to_keep=["building"],
    )
    ids = frame["osm_type"].astype(str) + "/" + frame["id"].astype(str)
    names = enterprises.set_index("id")["name"]
    keep = ids.isin(names.index).to_numpy()
    return gpd.GeoDataFrame(
        {"osm_id": ids[keep].to_numpy(), "name": names.reindex(ids[keep]).to_numpy()},
        geometry=frame.geometry[keep].to_numpy(),
        crs="EPSG:4326",
    )


def write_admin(country_pbf: Path, out: Path) -> None:
    """Write the municipalities of the country extract that meet ``BOX`` to ``out``."""
    from shapely.geometry import box

    areas = read_osm(country_pbf, layers=["admin_areas"]).admin_areas
    areas = areas[areas.intersects(box(*BOX)) & areas["id"].str.startswith("LI-")]
    areas = areas.sort_values("id").reset_index(drop=True)
    areas.to_file(out, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=7)
    print(f"wrote {len(areas)} municipalities to {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "geodata" / "data" / "liechtenstein.gpkg"
    )
    parser.add_argument("--source-dir", type=Path, default=ROOT / "tests" / "data" / "osm")
    parser.add_argument(
        "--country-pbf",
        type=Path,
        help="write the municipalities GeoJSON into --source-dir from this country extract",
    )
    args = parser.parse_args(argv)
    if args.country_pbf is not None:
        write_admin(args.country_pbf, args.source_dir / ADMIN)
    start = time.perf_counter()
    data = build(args.source_dir)
    data.to_gpkg(args.out)
    print(data.summary()[["layer", "features", "synthetic"]].to_string(index=False))
    print(
        f"roads: {data.roads.number_of_nodes()} nodes, {data.roads.number_of_edges()} edges; "
        f"wrote {args.out} in {time.perf_counter() - start:.1f} s"
    )


if __name__ == "__main__":
    main()
