"""Territory ids from codes as people type them in value files, read once per distinct code (vectorised).

The level names, id prefixes and FRANCE come from territories.levels, like every other reader of codes.
"""

from __future__ import annotations

import pandas as pd

from indicators.import_files import norm
from territories.codes import former_codes
from territories.levels import FRANCE, PREFIX

# Level words people write in a niveau column (normalised) → level.
LEVEL_WORDS = {
    "commune": "commune",
    "communes": "commune",
    "com": "commune",
    "epci": "epci",
    "intercommunalite": "epci",
    "departement": "departement",
    "departements": "departement",
    "dep": "departement",
    "dept": "departement",
    "region": "region",
    "regions": "region",
    "reg": "region",
    "pays": "pays",
    "france": "pays",
    "national": "pays",
    "nation": "pays",
}
# What people write for the whole country besides its id.
FRANCE_WORDS = [FRANCE, "FRANCE", "FRA"]
COM, EPCI, DEP, REG = (PREFIX[level] for level in ("commune", "epci", "departement", "region"))
# Prefix as typed (REG, DEP, EPCI, COM) → level, and the pattern of a prefixed code.
_LEVEL_OF_PREFIX = {prefix.removesuffix("-"): level for level, prefix in PREFIX.items() if level != "pays"}
_PREFIXED = r"^(" + "|".join(_LEVEL_OF_PREFIX) + r")-(.+)$"


def resolve_territories(raw: pd.Series, levels: pd.Series | None, ref: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Territory ids from codes as people type them (each distinct code and niveau is read once)."""
    key = raw.fillna("").astype("str")
    if levels is not None:
        key = key + "\x1f" + levels.fillna("").astype("str")
    codes, uniques = pd.factorize(key)
    parts = pd.Series(uniques, dtype="str").str.split("\x1f", n=1, expand=True) if levels is not None else None
    distinct_codes = parts[0] if parts is not None else pd.Series(uniques, dtype="str")
    distinct_levels = parts[1].fillna("") if parts is not None else None
    ids, messages = _resolve_distinct(distinct_codes, distinct_levels, ref)
    return (
        pd.Series(ids.to_numpy(dtype=object)[codes], index=raw.index, dtype="object"),
        pd.Series(messages.to_numpy(dtype=object)[codes], index=raw.index, dtype="object"),
    )


def _member(series: pd.Series, ids: set) -> pd.Series:
    """Element-wise membership in a set, by hashing (faster than isin on Arrow strings for large sets)."""
    return pd.Series([value in ids for value in series.to_numpy(dtype=object)], index=series.index, dtype=bool)


def _resolve_distinct(raw: pd.Series, levels: pd.Series | None, ref: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Territory ids from codes as people type them, and a French message where a code cannot be read.

    1053 → COM-01053 (leading zero lost), 2A004, 971 (overseas département), 9-digit SIREN → EPCI,
    FR, REG-01 / DEP-01, or a niveau column. A one- or two-digit code that is both a région and a
    département is ambiguous and refused, never guessed.
    """
    ids = set(ref["id"])
    code = raw.fillna("").str.strip().str.upper().str.replace(r"\s+", "", regex=True)
    code = code.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    result = pd.Series(None, index=raw.index, dtype="object")
    message = pd.Series(None, index=raw.index, dtype="object")

    prefixed = code.str.extract(_PREFIXED)
    has_prefix = prefixed[0].notna()
    level_of_prefix = prefixed[0].map(_LEVEL_OF_PREFIX)
    bare = code.where(~has_prefix, prefixed[1])
    level = level_of_prefix.copy()

    if levels is not None:
        typed = levels.fillna("").map(norm)
        lv = typed.map(LEVEL_WORDS)
        bad_level = (typed != "") & lv.isna()
        message[bad_level] = (
            "niveau « "
            + levels[bad_level].astype(str)
            + " » inconnu : écrivez commune, epci, departement, region ou pays"
        )
        clash = has_prefix & lv.notna() & (lv != level_of_prefix)
        message[clash] = "le niveau « " + levels[clash].astype(str) + " » contredit le code " + code[clash]
        level = level.where(has_prefix, lv)

    is_fr = code.isin(FRANCE_WORDS) | (level == "pays")
    result[is_fr] = FRANCE
    # Zeros a spreadsheet removed come back from the length each level's codes have.
    digits = bare.str.fullmatch(r"\d+")
    padded = bare.copy()
    padded = padded.where(~((level == "commune") & digits & (bare.str.len() == 4)), "0" + bare)
    padded = padded.where(~(level.isin(["departement", "region"]) & digits & (bare.str.len() == 1)), "0" + bare)
    known_level = level.notna() & ~is_fr
    result[known_level] = level[known_level].map(PREFIX) + padded[known_level]

    guess = level.isna() & ~is_fr & message.isna() & (code != "")
    rules = [
        (bare.str.fullmatch(r"\d{9}"), EPCI + bare),
        (bare.str.fullmatch(r"\d{5}|2[AB]\d{3}"), COM + bare),
        (bare.str.fullmatch(r"\d{4}"), COM + "0" + bare),
        (bare.str.fullmatch(r"97[1-6]|2[AB]"), DEP + bare),
    ]
    for mask, value in rules:
        hit = guess & mask & result.isna()
        result[hit] = value[hit]
    short = guess & bare.str.fullmatch(r"\d{1,2}") & result.isna()
    two = bare.str.zfill(2)
    is_dep, is_reg = _member(DEP + two, ids), _member(REG + two, ids)
    ambiguous = short & is_dep & is_reg
    message[ambiguous] = (
        "code « " + raw[ambiguous].astype(str) + " » ambigu : c'est à la fois une région et un "
        "département — écrivez "
        + REG
        + two[ambiguous]
        + " ou "
        + DEP
        + two[ambiguous]
        + ", ou ajoutez une colonne niveau"
    )
    result[short & is_dep & ~is_reg] = (DEP + two)[short & is_dep & ~is_reg]
    result[short & is_reg & ~is_dep] = (REG + two)[short & is_reg & ~is_dep]

    # Arrondissements and merged communes stand for the current commune (territories.codes).
    former = former_codes()
    old = message.isna() & result.fillna("").str.startswith(COM) & ~_member(result, ids)
    mapped = result[old].str.removeprefix(COM).map(lambda c: former.get(c, (None,))[0])
    result[old] = (COM + mapped).where(mapped.notna(), result[old])
    empty = code == ""
    message[empty & message.isna()] = "code territoire manquant"
    unknown = message.isna() & ~_member(result, ids)
    message[unknown] = (
        "territoire « " + raw[unknown].astype(str).str.slice(0, 40) + " » inconnu : écrivez un code "
        f"INSEE de commune (77475), un SIREN d'EPCI, {DEP}77, {REG}11 ou {FRANCE}"
    )
    result[message.notna()] = None
    return result, message
