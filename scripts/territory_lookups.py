"""Build-time lookups derived with the territory files: former commune codes, and commune outlines for placement."""

# Build-time only (shapely); the app reads the written files with numpy and the standard library.
import io

import numpy as np
import shapely

# Commune outlines for point-in-polygon placement: simplified as one coverage (shared borders stay shared,
# so no gap or overlap opens between neighbours), coordinates stored as integers of 1e-5 degree (about 1 m).
OUTLINE_TOLERANCE = 0.0004  # degrees, about 30-45 m
OUTLINE_SCALE = 100_000


def former_codes(all_communes, current):
    """Rows (old_code, commune_code, kind) mapping every code people still write to a current commune:
    arrondissements municipaux, communes déléguées and associées, and former codes of merged communes."""
    found = {}
    for c in all_communes:
        if c.get("zone") not in ("metro", "drom"):
            continue
        if c["type"] == "arrondissement-municipal":
            found[c["code"]] = (c["commune"], "arrondissement")
        elif c["type"] in ("commune-deleguee", "commune-associee") and c.get("chefLieu") != c["code"]:
            found[c["code"]] = (c["chefLieu"], "deleguee" if c["type"] == "commune-deleguee" else "associee")
    for c in all_communes:
        if c["type"] == "commune-actuelle" and c["code"] in current:
            for old in c.get("anciensCodes", []):
                found.setdefault(old, (c["code"], "ancienne"))
    rows = []
    for old, (target, kind) in sorted(found.items()):
        if old in current:
            continue  # a current code always means that commune
        seen = {old}
        while target not in current and target in found and target not in seen:  # a merger of a merger
            seen.add(target)
            target = found[target][0]
        if target in current:
            rows.append([old, target, kind])
    return rows


def outline_arrays(geo):
    """Compact arrays of every commune outline: code per ring, ring offsets, integer coordinates, boxes."""
    codes = [code for code in sorted(geo) if geo[code][0] is not None]
    simplified = shapely.coverage_simplify([geo[c][0] for c in codes], OUTLINE_TOLERANCE)
    ring_commune, ring_end, xs, ys, boxes = [], [], [], [], []
    for index, geom in enumerate(simplified):
        geom = shapely.make_valid(geom)
        polygons = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon" and not p.is_empty]
        boxes.append(shapely.MultiPolygon(polygons).bounds if polygons else (0, 0, 0, 0))
        for polygon in polygons:
            for ring in (polygon.exterior, *polygon.interiors):
                coords = np.round(np.asarray(ring.coords) * OUTLINE_SCALE).astype(np.int64)
                xs.append(coords[:, 0])
                ys.append(coords[:, 1])
                ring_commune.append(index)
                ring_end.append(sum(len(x) for x in xs))
    x, y = np.concatenate(xs), np.concatenate(ys)
    return {
        "codes": np.array(codes),
        "ring_commune": np.array(ring_commune, dtype=np.int32),
        "ring_end": np.array(ring_end, dtype=np.int64),
        # deltas compress far better than absolute coordinates; the reader takes the cumulative sum
        "dx": np.diff(x, prepend=0).astype(np.int32),
        "dy": np.diff(y, prepend=0).astype(np.int32),
        "boxes": np.round(np.array(boxes) * OUTLINE_SCALE).astype(np.int32),
    }


def write_outlines(path, geo):
    """Write the outline arrays as one compressed .npz file (deterministic bytes)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **outline_arrays(geo))
    path.write_bytes(buffer.getvalue())
