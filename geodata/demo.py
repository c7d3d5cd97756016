"""Demo cities shipped with InfraSite, ready to load without any network access.

Each demo is one GeoPackage in ``geodata/data`` written by
:meth:`PlanningData.to_gpkg`; nothing is generated at start-up. The Chaoyang
demo is produced by ``scripts/make_demo.py`` (seeded): its county boundaries
are real, its zones, enterprises, sites and candidates synthetic. The
Liechtenstein demo (Vaduz-Schaan) is real OpenStreetMap data with a road
graph, built by ``scripts/make_liechtenstein.py``; only its candidate sites'
costs are synthetic. See ``geodata/data/SOURCES.md``.
"""

from __future__ import annotations

from pathlib import Path

from .model import PlanningData

DEMOS: dict[str, str] = {"chaoyang": "chaoyang.gpkg", "liechtenstein": "liechtenstein.gpkg"}
"""Registered demo cities: name -> GeoPackage file in ``geodata/data``."""

_DATA_DIR = Path(__file__).resolve().parent / "data"


def list_demos() -> list[str]:
    """Return the names of the demo cities, sorted.

    Returns
    -------
    list of str
        Names accepted by :func:`load_demo`.
    """
    return sorted(DEMOS)


def demo_path(name: str = "chaoyang") -> Path:
    """Return the path of the GeoPackage of demo city ``name``.

    Parameters
    ----------
    name
        A name from :func:`list_demos`.

    Returns
    -------
    pathlib.Path
        The shipped GeoPackage.

    Raises
    ------
    ValueError
        If ``name`` is not a registered demo.
    FileNotFoundError
        If the demo is registered but its file is not installed.
    """
    if name not in DEMOS:
        msg = f"name must be one of the demo cities {', '.join(list_demos())}; got {name!r}"
        raise ValueError(msg)
    path = _DATA_DIR / DEMOS[name]
    if not path.is_file():
        msg = f"demo {name!r} is registered but its file {DEMOS[name]!r} is not installed"
        raise FileNotFoundError(msg)
    return path


def load_demo(name: str = "chaoyang") -> PlanningData:
    """Load a demo city.

    Parameters
    ----------
    name
        A name from :func:`list_demos`; the default is the Chaoyang (Liaoning)
        demo: 7 real county-level units and synthetic development zones,
        enterprises, 5G sites, charging stations and candidate sites.

    Returns
    -------
    PlanningData
        Every layer of the demo city, in EPSG:4326, with per-layer provenance
        (synthetic layers are marked as such).

    Raises
    ------
    ValueError
        If ``name`` is not a registered demo.
    """
    return PlanningData.from_gpkg(demo_path(name))
