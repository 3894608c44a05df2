"""Every threshold of the progress rules, in one place so the app can show them to the user."""

from __future__ import annotations

THRESHOLDS = {
    # A value more than this many points of completion rate below the trajectory is late.
    "retard_points": 5.0,
    # Compromised when the trend, projected to the target date, reaches a completion rate below this.
    "compromis_taux_projete": 90.0,
    # The trend is the least-squares line through this many latest values (at least trend_min_values).
    "tendance_nb_valeurs": 3,
    "tendance_min_valeurs": 2,
    # A slope smaller than this share of the remaining distance per year counts as "stable".
    "tendance_stable_part": 0.02,
    # Default delay: a value is due this many days after its period ends, for an indicator that states none.
    "delai_saisie_jours": 90,
    # Late: a value still missing the day after its due date (period end + the indicator's delay).
    "retard_jours_min": 1,
    # Very late: missing for longer than this many lengths of its period past its due date.
    "tres_en_retard_periodes": 1,
    # Peer alert: a percentage more than this many points below the median of its peers.
    "pairs_ecart_points": 10.0,
    # Peer alert for ratios: more than this share below the peer median.
    "pairs_ecart_relatif": 0.10,
    # A peer group smaller than this is not compared.
    "pairs_taille_min": 3,
}

THRESHOLD_LABELS = {
    "retard_points": "En retard : taux d'avancement inférieur de plus de N points au taux attendu sur la trajectoire",
    "compromis_taux_projete": "Compromis : la tendance prolongée jusqu'à l'échéance atteint moins de N % de la cible (ou l'échéance est passée sans que la cible soit atteinte)",
    "tendance_nb_valeurs": "Tendance : droite des moindres carrés sur les N dernières valeurs",
    "tendance_min_valeurs": "Tendance : nombre minimal de valeurs pour la calculer",
    "tendance_stable_part": "Tendance « stable » : pente annuelle inférieure à cette part de l'écart restant à la cible",
    "delai_saisie_jours": "Délai par défaut : donnée attendue N jours après la fin de sa période, pour un indicateur qui n'indique pas son délai (sinon « sans données récentes »)",
    "retard_jours_min": "Remontée en retard : valeur absente N jours après sa date d'échéance (fin de période + délai de l'indicateur)",
    "tres_en_retard_periodes": "Remontée très en retard : valeur absente plus de N durées de sa période après son échéance",
    "pairs_ecart_points": "Alerte pairs : pourcentage inférieur de plus de N points à la médiane des pairs",
    "pairs_ecart_relatif": "Alerte pairs : ratio inférieur de plus de cette part à la médiane des pairs",
    "pairs_taille_min": "Alerte pairs : taille minimale du groupe de pairs",
}

COMPUTED_STATUS_LABELS = {
    "atteint": "Atteint",
    "dans_les_temps": "Dans les temps",
    "en_retard": "En retard",
    "compromis": "Compromis",
    "sans_donnees": "Sans données",
}
# Material icon and colour of each status, for Streamlit markdown (the label always says it in words too).
COMPUTED_STATUS_ICONS = {
    "atteint": ("check_circle", "green"),
    "dans_les_temps": ("schedule", "blue"),
    "en_retard": ("warning", "orange"),
    "compromis": ("error", "red"),
    "sans_donnees": ("help", "gray"),
}
LATENESS_LABELS = {"en_retard": "En retard", "tres_en_retard": "Très en retard"}

# Worst first: a measure takes the worst status of its weighted indicators.
STATUS_SEVERITY = {"compromis": 0, "en_retard": 1, "dans_les_temps": 2, "atteint": 3}

RULES_TEXT = (
    "**Statut calculé** d'un indicateur dans un territoire : *atteint* si la cible est atteinte ; "
    "*compromis* si l'échéance est passée sans l'atteindre, ou si la tendance des dernières valeurs, "
    "prolongée jusqu'à l'échéance, n'y mène pas ; *en retard* si le taux d'avancement est en dessous "
    "du taux attendu sur la trajectoire linéaire entre la valeur initiale et la cible ; sinon *dans les "
    "temps* ; *sans données* s'il manque la valeur actuelle ou la cible. Une mesure prend le statut le "
    "plus défavorable de ses indicateurs pondérés. Sans valeur initiale, l'avancement d'un indicateur "
    "à faire monter part de 0 à la date de début de la mesure."
)
