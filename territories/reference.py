"""Load the committed reference geography (data/territories) into the territory table."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from store.db import ROOT, StoreError
from territories import repository
from territories.levels import FRANCE, LABELS, PREFIX
from territories.names import normalize
from territories.typology import approximate, typology_class

DATA_DIR = ROOT / "data" / "territories"
EXPECTED = {"region": 18, "departement": 101, "commune": 34875}


def _read(path: Path) -> pd.DataFrame:
    """Read one committed CSV with every column as text; a clear French error if it does not parse."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error, EOFError) as error:
        raise StoreError(
            f"Le fichier de référence {path} est illisible ({error}). "
            "Restaurez-le depuis le dépôt (git checkout -- data/) ou régénérez-le avec "
            "python scripts/build_territories.py."
        ) from error
    if not rows:
        raise StoreError(f"Le fichier de référence {path} est vide. Restaurez-le depuis le dépôt.")
    return pd.DataFrame(rows)


def _number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", None), errors="coerce")


def build_frames(data_dir: Path = DATA_DIR, *, departements: Collection[str] | None = None) -> pd.DataFrame:
    """All territories as one frame shaped like the territory table, typology approximated; only the given
    départements (their communes, EPCI and régions) if asked, as the tests' small database does."""
    regions = _read(data_dir / "regions.csv")
    deps = _read(data_dir / "departements.csv")
    epcis = _read(data_dir / "epci.csv")
    communes = _read(data_dir / "communes.csv.gz")
    for level, frame in (("region", regions), ("departement", deps), ("commune", communes)):
        if len(frame) != EXPECTED[level]:
            raise StoreError(
                f"Fichier de référence incomplet : {len(frame)} lignes de niveau {level} au lieu de "
                f"{EXPECTED[level]}. Restaurez data/territories depuis le dépôt."
            )
    if departements:
        regions, deps, epcis, communes = _restrict(regions, deps, epcis, communes, set(departements))

    com = pd.DataFrame(
        {
            "id": PREFIX["commune"] + communes["code"],
            "level": "commune",
            "code": communes["code"],
            "name": communes["name"],
            "region_code": communes["region_code"],
            "departement_code": communes["departement_code"],
            "epci_siren": communes["epci_siren"].replace("", None),
            "population": _number(communes["population"]).fillna(0).astype("int64"),
            "area_km2": _number(communes["area_km2"]),
            "lat": _number(communes["lat"]),
            "lon": _number(communes["lon"]),
            "postal_codes": communes["postal_codes"].map(lambda s: s.split("|") if s else []),
        }
    )
    nature = dict(zip(epcis["siren"], epcis["nature"]))
    com["epci_nature"] = com["epci_siren"].map(nature)
    com["in_metropole"] = com["epci_nature"].eq("ME")
    # A handful of communes have no outline of their own (undone mergers, see data/README.md): the
    # typology approximation uses the median area of their département instead.
    area_guess = com["area_km2"].fillna(com.groupby("departement_code")["area_km2"].transform("median"))
    dens7, cateaav = approximate(com["population"], area_guess, com["lat"], com["lon"])
    com["dens7"], com["cateaav"] = dens7, cateaav
    com["typology"] = typology_class(dens7, cateaav)
    com["dens7_official"] = com["cateaav_official"] = com["typology_official"] = False

    epci = pd.DataFrame(
        {
            "id": PREFIX["epci"] + epcis["siren"],
            "level": "epci",
            "code": epcis["siren"],
            "name": epcis["name"],
            "epci_siren": epcis["siren"],
            "epci_nature": epcis["nature"],
            "in_metropole": epcis["nature"].eq("ME"),
        }
    )
    dep = pd.DataFrame(
        {
            "id": PREFIX["departement"] + deps["code"],
            "level": "departement",
            "code": deps["code"],
            "name": deps["name"],
            "region_code": deps["region_code"],
            "departement_code": deps["code"],
        }
    )
    reg = pd.DataFrame(
        {
            "id": PREFIX["region"] + regions["code"],
            "level": "region",
            "code": regions["code"],
            "name": regions["name"],
            "region_code": regions["code"],
        }
    )
    country = pd.DataFrame({"id": [FRANCE], "level": ["pays"], "code": [FRANCE], "name": [LABELS["pays"]]})
    aggregates = pd.concat([epci, dep, reg, country], ignore_index=True)
    frame = pd.concat([com, aggregates], ignore_index=True)
    for flag in ("dens7_official", "cateaav_official", "typology_official", "in_metropole"):
        frame[flag] = frame[flag].fillna(False).astype(bool)
    frame["search_name"] = frame["name"].map(normalize)
    return frame


def _restrict(regions, deps, epcis, communes, departements: set[str]):
    """Keep the given départements, their communes, and the EPCI and régions those communes belong to."""
    unknown = departements - set(deps["code"])
    if unknown:
        raise StoreError(
            f"Département(s) inconnu(s) : {', '.join(sorted(unknown))}. Donnez des codes de département (77, 2A, 971…)."
        )
    communes = communes[communes["departement_code"].isin(departements)]
    deps = deps[deps["code"].isin(departements)]
    regions = regions[regions["code"].isin(deps["region_code"])]
    epcis = epcis[epcis["siren"].isin(communes["epci_siren"])]
    return (frame.reset_index(drop=True) for frame in (regions, deps, epcis, communes))


def load(cur, data_dir: Path = DATA_DIR, *, departements: Collection[str] | None = None) -> int:
    """Replace the territory table with the committed reference files (only some départements if asked);
    returns the row count."""
    frame = build_frames(data_dir, departements=departements)
    repository.replace_all(cur, frame)
    repository.refresh_aggregates(cur)
    return len(frame)
