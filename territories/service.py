"""Territory services: look-up and search as people type ("saint etienne", 77475, a SIREN, a postal code)."""

from __future__ import annotations

import pandas as pd

from store.db import Database
from territories import repository
from territories.codes import former_codes
from territories.names import normalize

LEVEL_LABELS = {"pays": "France", "region": "Région", "departement": "Département",
                "epci": "EPCI", "commune": "Commune"}
PREFIXES = {"REG": "region", "DEP": "departement", "EPCI": "epci", "COM": "commune"}


def territory_id(level: str, code: str) -> str:
    """Internal id of a territory: FR, REG-11, DEP-77, EPCI-200072130, COM-77475."""
    if level == "pays":
        return "FR"
    prefix = {v: k for k, v in PREFIXES.items()}[level]
    return f"{prefix}-{code}"


def get(db: Database, territory_id_or_code: str) -> dict | None:
    """A territory by internal id, or by a commune INSEE code or an EPCI SIREN as found in addresses."""
    key = territory_id_or_code.strip().upper()
    candidates = [key]
    bare = key.removeprefix("COM-")
    if key.isdigit() and len(key) == 4:
        candidates.append(f"COM-0{key}")  # a leading zero lost in a spreadsheet
    if key.isdigit() or key[:2] in ("2A", "2B"):
        candidates += [f"COM-{key}"] if len(key) == 5 else [f"EPCI-{key}"] if len(key) == 9 else []
    former = former_codes().get(bare if len(bare) == 5 else "0" + bare if len(bare) == 4 else "")
    if former:  # an arrondissement or a merged commune: the current commune it belongs to
        candidates.append(f"COM-{former[0]}")
    with db.read() as cur:
        for candidate in candidates:
            found = repository.get(cur, candidate)
            if found:
                return found
    return None


def search(db: Database, text: str, limit: int = 20) -> pd.DataFrame:
    """Territories matching a name (accents and hyphens optional), an INSEE code, SIREN or postal code."""
    words = normalize(text)
    if words.startswith("st ") or " st " in f" {words} ":
        words = f" {words} ".replace(" st ", " saint ").strip()
    if not words:
        return pd.DataFrame()
    code = text.strip().upper()
    former = former_codes().get(code)
    with db.read() as cur:
        found = repository.search(cur, words, code, limit)
        if former:  # 75119 finds Paris, 69152 the commune nouvelle that absorbed it
            found = pd.concat([repository.search(cur, "", former[0], 1), found], ignore_index=True)
        return found
