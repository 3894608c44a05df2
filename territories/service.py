"""Territory services: look-up and search as people type ("saint etienne", 77475, a SIREN, a postal code)."""

from __future__ import annotations

import pandas as pd

from store.db import Database
from territories import repository
from territories.codes import former_codes, territory_candidates
from territories.names import normalize


def get(db: Database, territory_id_or_code: str) -> dict | None:
    """A territory by internal id, or by a commune INSEE code or an EPCI SIREN as found in addresses."""
    candidates = territory_candidates(territory_id_or_code)
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
