"""À propos: what Carrefours is, its methods and thresholds."""

import streamlit as st

from territories.typology import APPROX, DENS7_LABELS

st.title("À propos de Carrefours")
st.markdown("""
Carrefours suit le **plan national des tiers-lieux** : la mission « Coworking : Territoires, Travail,
Numérique » (2018) a recensé près de 1 800 tiers-lieux, dont 46 % hors des métropoles, et proposé un
plan de développement, notamment dans les territoires périurbains et ruraux. L'État a suivi avec
« Nouveaux lieux, nouveaux liens » (300 Fabriques de territoire), puis 100 Manufactures de proximité.

Le nom vient de l'expression « carrefours des possibles » employée pour les tiers-lieux des petites villes.

### Méthodes
- **Taux d'avancement** : (valeur actuelle − valeur initiale) / (cible − valeur initiale) × 100,
  borné entre 0 et 100 %, inversé pour les indicateurs à faire baisser. Le taux d'une mesure est la
  moyenne pondérée de ses indicateurs ; il reste vide (et non nul) si un indicateur pondéré n'a pas de valeur.
- **Agrégation** : un pourcentage s'agrège comme Σ numérateurs / Σ dénominateurs, jamais comme une
  moyenne de pourcentages ; un stock prend sa dernière valeur de la période ; un territoire manquant
  reste manquant, et la complétude de chaque agrégat est affichée.
- **Typologie** : commune rurale = niveaux 5 à 7 de la grille communale de densité de l'INSEE ;
  périurbaine = commune non rurale de la couronne d'un pôle (aires d'attraction des villes 2020).
""")
st.subheader("Typologie approchée")
st.markdown(
    "Tant que les fichiers officiels de l'INSEE ne sont pas importés, Carrefours calcule une "
    "typologie **approchée** à partir de la densité (population / superficie) et de la distance "
    "aux pôles. Seuils utilisés :"
)
st.table({"Seuil": list(APPROX), "Valeur": [str(v) for v in APPROX.values()]})
st.table({"Niveau": list(DENS7_LABELS), "Libellé": list(DENS7_LABELS.values())})

st.subheader("Statut calculé des mesures : règles et seuils")
from plan.thresholds import RULES_TEXT, THRESHOLD_LABELS, THRESHOLDS  # noqa: E402

st.markdown(RULES_TEXT)
st.table(
    {
        "Règle": list(THRESHOLD_LABELS.values()),
        "Seuil": [str(THRESHOLDS[k]).replace(".", ",") for k in THRESHOLD_LABELS],
    }
)
