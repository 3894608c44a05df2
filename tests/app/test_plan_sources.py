"""The measure page keeps the plan's own figures honest: like compared with like, disagreeing sources shown."""

from tests.app.test_pages import texts


def _measure(app, code):
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = code
    at = app.run()
    assert not at.exception
    return at


def _table_of(at, indicator_code):
    """The national values table inside the expander of one indicator."""
    expander = next(e for e in at.expander if e.label.startswith(f"{indicator_code} — "))
    return expander.dataframe[0].value


def test_the_zrr_share_is_its_own_indicator_not_measured_against_the_rural_target(app):
    at = _measure(app, "M2.1")
    labels = [e.label for e in at.expander]
    assert any(label.startswith("FAB_PART_RURAL — Part des Fabriques hors grands centres urbains") for label in labels)
    assert any(
        label.startswith("FAB_PART_ZRR — Part des Fabriques en zone de revitalisation rurale") for label in labels
    )
    rural = _table_of(at, "FAB_PART_RURAL")
    assert set(rural["Type"]) == {"cible"}  # 50 % target, and no ZRR figure set against it
    assert rural.iloc[0]["Valeur"] == "50,0\u202f%"
    zrr = _table_of(at, "FAB_PART_ZRR")
    assert set(zrr["Type"]) == {"réalisé"}  # a reference figure: no target
    assert (
        zrr.iloc[0]["Valeur"] == "29,0\u202f%"
        and zrr.iloc[0]["Source"] == "Évaluation du programme Fabriques de territoire"
    )
    assert "Non vérifié" in zrr.iloc[0]["Commentaire"]


def test_disagreeing_sources_are_both_shown_with_the_one_the_plan_uses(app):
    at = _measure(app, "M4.2")
    warnings = [w.value for w in at.warning]
    jobs = next(w for w in warnings if "24\u202f727" in w)
    assert "le plan retient 24\u202f155 (source : Recensement des tiers-lieux 2023)" in jobs
    assert "Chiffre cité sans source vérifiée" in jobs and "non retenu" in jobs
    turnover = next(w for w in warnings if "861" in w)
    assert "882" in turnover and "Chiffre cité sans source vérifiée" in turnover
    jobs_table = _table_of(at, "EMPLOIS_DIRECTS")
    assert "Retenu par le plan" in jobs_table[jobs_table["Période"] == "2023"].iloc[0]["Commentaire"]
    assert "sources divergentes" in texts(at).lower()
