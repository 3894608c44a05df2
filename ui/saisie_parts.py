"""What the Saisie page's sections share: the page's context (user, régions, indicators) and French labels."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from accounts.models import User
from formatting import french as fmt
from indicators.periods import PeriodError, parse_period
from store.db import Database
from ui import markup

EDITOR = "saisie_grille"
LEVELS = {"departement": "Départements", "epci": "EPCI", "commune": "Communes", "region": "La région elle-même"}
KINDS = {"actual": "Réalisé", "target": "Cible", "baseline": "Référence"}
HOW_FR = {
    "saisie": "saisie",
    "import": "import",
    "correction": "correction",
    "annulation": "annulation",
    "suppression": "suppression",
    "seed": "chargement initial",
    "validation": "validation nationale",
}


@dataclass(frozen=True)
class SaisiePage:
    """The signed-in user, the régions they may enter and the typed indicators, read once per rerun."""

    database: Database
    user: User
    regions: pd.DataFrame
    indicators: pd.DataFrame
    names: dict

    def region_label(self, code: str) -> str:
        """The name of a région by its code."""
        return self.regions.set_index("code").at[code, "name"]


def number(value) -> str:
    """A figure in French for the tables (— when absent)."""
    return fmt.number(value, 2).removesuffix(",00") if pd.notna(value) else "—"


def period_code(text: str) -> str | None:
    """The period code a person typed, or None after saying in French why it cannot be read."""
    try:
        return parse_period(text).code
    except PeriodError as error:
        st.error(f"Période illisible : {markup.plain(error)}.")
        return None
