"""The registry's figures for France, for a year the reader chooses (drawn on the dashboard)."""

import pandas as pd
import streamlit as st

from formatting import french as fmt
from lieux.models import ATTESTATION_YEARS
from plan.dashboard_service import REGISTRY_FIGURES, registry_france, registry_years
from ui.progress_parts import table, value_text


def _value(value, kind: str) -> str:
    # A density per 10 000 inhabitants is well below 1: three decimals keep it readable (0,221).
    return fmt.number(value, 3) if kind == "ratio" else value_text(value, kind)


def draw(db, user) -> None:
    """A year selector and France's registry indicators for that year, with numerators and completeness."""
    st.markdown(
        "**Registre des tiers-lieux : la France, année par année** — calculé à partir des lieux "
        "enregistrés, sur toutes les communes (une commune sans lieu compte pour zéro)."
    )
    years = registry_years()
    year = st.selectbox(
        "Année (situation au 31 décembre)",
        years,
        key="registre-annee",
        help="Les indicateurs du registre sont calculés pour chaque année civile ; l'année en cours est provisoire.",
    )
    frame = registry_france(db, int(year), user, REGISTRY_FIGURES)
    if frame.empty:
        st.info(f"Aucun indicateur du registre n'est calculé pour {year}.")
        return
    view = pd.DataFrame(
        {
            "Indicateur": frame["name"],
            "Valeur": [_value(v, k) for v, k in zip(frame["value"], frame["indicator_kind"])],
            "Numérateur": frame["numerator"].map(fmt.number),
            "Dénominateur": frame["denominator"].map(fmt.number),
            "Complétude": [
                f"{fmt.number(r)} / {fmt.number(e)} communes" for r, e in zip(frame["reported"], frame["expected"])
            ],
        }
    )
    table(
        view,
        f"registre_france_{year}.csv",
        "registre-france",
        raw=frame[
            ["indicator_code", "name", "year", "value", "numerator", "denominator", "reported", "expected", "is_demo"]
        ],
    )
    st.caption(
        f"France, fin {year} · Source : registre des tiers-lieux de Carrefours. Un lieu connu seulement "
        f"par un recensement compte comme ouvert pendant {ATTESTATION_YEARS} ans après sa dernière "
        "attestation, puis « non confirmé » (Registre). Complétude : communes ayant une valeur / "
        "communes attendues (les communes sans habitant n'ont pas de densité)."
    )
