"""Control rules through the one write path: hard rules refuse, soft rules need a confirmation and a comment."""

from indicators import imports, revert, rules, writes
from indicators.models import ValueChange
from tests.integration.values_helpers import COORD_IDF, MINISTERE, count, csv, snapshot

NNBSP = "\u202f"


def change(**fields):
    base = {"indicator_code": "EMPLOIS_DIRECTS", "territory_id": "DEP-77", "period": "2024", "value": 12}
    return ValueChange(**{**base, **fields})


def stored(db, territory="DEP-77", period="2024", indicator="EMPLOIS_DIRECTS"):
    row = revert.history(db, indicator, territory, period, "actual", user=MINISTERE)["current"]
    return None if row is None else row["value"]


def test_the_catalogue_rules_are_in_the_database(db):
    assert count(db, "SELECT max_value FROM indicator_rule WHERE indicator_code = 'EMPLOIS_DIRECTS'") == 1_000_000
    assert count(db, "SELECT max_change_pct FROM indicator_rule WHERE indicator_code = 'USAGERS'") == 200


def test_a_value_above_the_declared_maximum_is_refused_with_the_rule_and_nothing_is_written(db):
    before = snapshot(db)
    result = writes.apply(db, COORD_IDF, [change(value=2_000_000)], how="saisie", confirm=True, note="sûr")
    assert not result.ok and not result.written
    assert result.errors[["column", "message"]].values.tolist() == [
        ["valeur", f"valeur supérieure au maximum de l'indicateur (1{NNBSP}000{NNBSP}000) : 2{NNBSP}000{NNBSP}000"]
    ]
    assert snapshot(db) == before  # confirming does not lift a hard rule


def test_a_hard_rule_in_an_import_names_the_line_and_refuses_the_whole_file(db):
    before = snapshot(db)
    data = csv(
        "indicateur;territoire;periode;valeur\nRESEAUX_REGIONAUX;REG-11;2024;3\nRESEAUX_REGIONAUX;REG-11;2023;150\n"
    )
    report = imports.import_values(db, COORD_IDF, data, "reseaux.csv", dry_run=False)
    assert report.errors[["line", "column", "message"]].values.tolist() == [
        [3, "valeur", "valeur supérieure au maximum de l'indicateur (100) : 150"]
    ]
    assert not report.written and snapshot(db) == before


def test_a_large_change_is_a_warning_in_a_dry_run_and_is_not_saved_without_confirmation(db):
    assert writes.apply(db, COORD_IDF, [change(period="2023", value=10)], how="saisie").written
    before = snapshot(db)
    preview = writes.apply(db, COORD_IDF, [change(value=25)], how="saisie", dry_run=True)
    # 10 → 25: +150 %, above the 100 % of EMPLOIS_DIRECTS.
    assert preview.ok and preview.warnings["message"].tolist() == [
        "variation de +150 % par rapport à 2023 (10 → 25) : au-delà de 100 %, vérifiez la valeur"
    ]
    refused = writes.apply(db, COORD_IDF, [change(value=25)], how="saisie")
    assert not refused.written and not refused.ok
    assert refused.unconfirmed == rules.confirm_needed(1)
    assert "confirmez" in refused.unconfirmed and "commentaire" in refused.unconfirmed
    no_comment = writes.apply(db, COORD_IDF, [change(value=25)], how="saisie", confirm=True)
    assert not no_comment.written and "commentaire" in no_comment.unconfirmed
    assert snapshot(db) == before and stored(db) is None


def test_a_confirmed_large_change_with_a_comment_is_saved_and_audited(db):
    writes.apply(db, COORD_IDF, [change(period="2023", value=10)], how="saisie")
    result = writes.apply(
        db, COORD_IDF, [change(value=25, comment="ouverture de deux lieux")], how="saisie", confirm=True
    )
    assert result.ok and result.written and stored(db) == 25
    entry = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"].iloc[-1]
    assert entry["actor"] == COORD_IDF.email and entry["new_value"] == 25
    assert entry["comment"] == (
        "ouverture de deux lieux (alerte confirmée : variation de +150 % par rapport à 2023 (10 → 25) : "
        "au-delà de 100 %, vérifiez la valeur)"
    )


def test_a_small_change_and_a_change_from_nothing_need_no_confirmation(db):
    writes.apply(db, COORD_IDF, [change(period="2023", value=10)], how="saisie")
    result = writes.apply(db, COORD_IDF, [change(value=20)], how="saisie")  # +100 %: at the limit, not above
    assert result.written and result.warnings.empty
    other = writes.apply(db, COORD_IDF, [change(territory_id="DEP-78", value=500)], how="saisie")
    assert other.written and other.warnings.empty  # no 2023 value for DEP-78


def test_a_departement_above_its_region_warns_both_ways(db):
    region = stored(db, "REG-11", period="2023")
    assert region is not None and region > 100  # the demo's Île-de-France value for 2023
    result = writes.apply(db, COORD_IDF, [change(period="2023", value=region + 1)], how="saisie")
    assert not result.written
    assert result.warnings["message"].tolist() == [
        rules.above_region(rules.shown(region + 1), rules.shown(region), "Île-de-France")
    ]
    # The same batch lowering the région under a département: both lines are warned.
    both = writes.apply(
        db,
        MINISTERE,
        [change(period="2023", value=40), change(territory_id="REG-11", period="2023", value=30)],
        how="saisie",
        dry_run=True,
    )
    messages = dict(zip(both.warnings["line"], both.warnings["message"]))
    assert messages == {
        1: rules.above_region("40", "30", "Île-de-France"),
        2: rules.below_departement("30", "40", "Seine-et-Marne"),
    }


def test_a_region_below_a_stored_departement_is_warned_but_not_once_that_departement_is_lowered(db):
    writes.apply(db, COORD_IDF, [change(period="2023", value=40)], how="saisie")
    lower = writes.apply(
        db, MINISTERE, [change(territory_id="REG-11", period="2023", value=30)], how="saisie", dry_run=True
    )
    assert lower.warnings["message"].tolist() == [rules.below_departement("30", "40", "Seine-et-Marne")]
    fixed = writes.apply(
        db,
        MINISTERE,
        [change(territory_id="REG-11", period="2023", value=30), change(period="2023", value=20)],
        how="saisie",
        dry_run=True,
    )
    assert fixed.warnings.empty


def test_an_import_with_warnings_is_previewed_then_refused_then_saved_with_confirmation_and_comment(db):
    writes.apply(db, COORD_IDF, [change(period="2023", value=10)], how="saisie")
    data = csv("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;DEP-77;2024;25\nEMPLOIS_DIRECTS;DEP-78;2024;3\n")
    preview = imports.import_values(db, COORD_IDF, data, "valeurs.csv", dry_run=True)
    assert preview.errors.empty
    assert preview.warnings[["line", "column"]].values.tolist() == [[2, "valeur"]]
    before = snapshot(db)
    refused = imports.import_values(db, COORD_IDF, data, "valeurs.csv", dry_run=False)
    assert not refused.written and not refused.ok and snapshot(db) == before
    assert refused.result.unconfirmed == rules.confirm_needed(1)
    saved = imports.import_values(
        db, COORD_IDF, data, "valeurs.csv", dry_run=False, confirm=True, comment="chiffres du réseau régional"
    )
    assert saved.ok and saved.written and stored(db) == 25 and stored(db, "DEP-78") == 3
    comments = (
        revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]["comment"].tolist()
        + revert.history(db, "EMPLOIS_DIRECTS", "DEP-78", "2024", user=MINISTERE)["entries"]["comment"].tolist()
    )
    assert comments[0].startswith("chiffres du réseau régional (alerte confirmée : variation de +150 %")
    assert comments[1] == "chiffres du réseau régional"


def test_an_undo_restores_a_value_without_asking_again(db):
    writes.apply(db, COORD_IDF, [change(period="2023", value=10)], how="saisie")
    writes.apply(db, COORD_IDF, [change(value=25, comment="vérifié")], how="saisie", confirm=True)
    writes.apply(db, COORD_IDF, [change(value=12)], how="saisie")
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]
    revert.revert(db, COORD_IDF, int(entries.iloc[-1]["id"]))
    assert stored(db) == 25


def test_a_database_built_without_the_rules_gets_them_from_the_catalogue_when_opened(db_file):
    from bootstrap import open_database

    database = open_database(db_file)
    with database.transaction() as cur:
        cur.execute("DELETE FROM indicator_rule")  # as a database built before the rules existed
    database.close()
    database = open_database(db_file)
    try:
        assert count(database, "SELECT max_value FROM indicator_rule WHERE indicator_code = 'EMPLOIS_DIRECTS'") == 1e6
        assert count(database, "SELECT count(*) FROM audit_log WHERE entity = 'plan' AND action = 'rules'") == 1
    finally:
        database.close()
    database = open_database(db_file)  # nothing to change: nothing written
    try:
        assert count(database, "SELECT count(*) FROM audit_log WHERE entity = 'plan' AND action = 'rules'") == 1
    finally:
        database.close()
