"""Territory and commune codes as people write them, read in one place for every import, search and link.

Files still hold the codes of Paris, Lyon and Marseille arrondissements (75119, 69383, 13201) and codes
of communes merged since (communes nouvelles: 69152 → 69149). data/territories/communes_anciennes.csv,
derived from the COG history at build time, maps each of them to the current commune.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from territories.levels import PREFIX, level_of

FORMER_CODES_FILE = Path(__file__).resolve().parent.parent / "data" / "territories" / "communes_anciennes.csv"
MISSING = {"", "0", "#N/D", "#N/A", "N/D", "NA", "NAN", "NONE", "NULL", "-", "?"}
KIND_LABELS = {
    "arrondissement": "arrondissement municipal",
    "deleguee": "commune déléguée",
    "associee": "commune associée",
    "ancienne": "ancienne commune",
}
_FLOAT_TAIL = re.compile(r"\.0+$")


@dataclass(frozen=True)
class CodeReading:
    """What a written code means: the current commune code, and how it was read."""

    code: str | None
    written: str | None = None  # the code as cleaned, before any mapping
    zero_restored: bool = False  # '1053' → '01053'
    former_kind: str | None = None  # arrondissement, deleguee, associee, ancienne

    @property
    def note(self) -> str | None:
        """A French note saying how the written code became the commune's, or None when it is the same."""
        if self.former_kind:
            return f"{self.written} ({KIND_LABELS[self.former_kind]}) → {self.code}"
        return f"{self.written} → {self.code} (zéro initial rétabli)" if self.zero_restored else None


@lru_cache(maxsize=1)
def former_codes() -> dict[str, tuple[str, str]]:
    """Old code → (current commune code, kind)."""
    with FORMER_CODES_FILE.open(encoding="utf-8", newline="") as handle:
        return {r["old_code"]: (r["commune_code"], r["kind"]) for r in csv.DictReader(handle)}


def clean_code(raw) -> tuple[str | None, bool]:
    """A commune or postal code as text, and whether a lost leading zero was put back ('1053' → '01053')."""
    if raw is None or (isinstance(raw, float) and raw != raw):
        return None, False
    text = _FLOAT_TAIL.sub("", str(raw).strip().replace(" ", "").replace("\u00a0", "")).upper()
    if text in MISSING or set(text) == {"0"}:
        return None, False
    if text.isdigit() and len(text) == 4:
        return "0" + text, True
    return text, False


def read_commune_code(raw, current: set[str] | frozenset[str]) -> CodeReading:
    """The current commune a written code stands for (None when it is no commune code, now or before)."""
    code, restored = clean_code(raw)
    if code is None:
        return CodeReading(None)
    written = code[1:] if restored else code
    if code in current:
        return CodeReading(code, written, restored)
    target = former_codes().get(code)
    if target and target[0] in current:
        return CodeReading(target[0], written, restored, target[1])
    return CodeReading(None, written, restored)


def current_code(raw, current) -> str | None:
    """Shortcut: the current commune code of a written code, or None."""
    return read_commune_code(raw, current).code


def territory_candidates(text: str | None) -> list[str]:
    """The territory ids a typed code may stand for, most likely first, without reading the database.

    FR, REG-11, DEP-77, EPCI-200072130 and COM-77475 as written; 77475 or 2A004 → COM-…, 1053 → COM-01053
    (leading zero lost), a 9-digit SIREN → EPCI-…, an arrondissement or a merged commune (75119, 69152)
    → the current commune it belongs to.
    """
    key = (text or "").strip().upper()
    # Only id-shaped text can be an id: a bare number never is one, so it costs no look-up.
    candidates = [key] if key and level_of(key) else []
    commune = PREFIX["commune"]
    bare = key.removeprefix(commune)
    if key.isdigit() and len(key) == 4:
        candidates.append(f"{commune}0{key}")
    if key.isdigit() or key[:2] in ("2A", "2B"):
        if len(key) == 5:
            candidates.append(commune + key)
        elif len(key) == 9:
            candidates.append(PREFIX["epci"] + key)
    former = former_codes().get(bare if len(bare) == 5 else "0" + bare if len(bare) == 4 else "")
    if former:
        candidates.append(commune + former[0])
    return candidates


def parse_territory(text: str | None) -> str | None:
    """The territory id a typed code names (77475 → COM-77475, REG-11, 75119 → COM-75056), None if none.

    For callers without the database: an arrondissement or a merged commune gives the current commune
    (former codes are never current ones), whether the id exists is left to the caller.
    """
    candidates = territory_candidates(text)
    return candidates[-1] if candidates else None
