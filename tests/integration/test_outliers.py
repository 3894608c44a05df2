"""Values "à vérifier" on a real database: peers of the same level, scope of the viewer, "vérifié" audited."""

import pytest

from accounts.policy import AccessDenied
from indicators import outliers, writes
from indicators.models import ValueChange
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, ELU, MINISTERE, count

# Five départements of Île-de-France, EMPLOIS_DIRECTS 2022: median 12, MAD 1, M(100) = 0.6745 × 88 = 59.4.
FIGURES = {"DEP-75": 10, "DEP-77": 11, "DEP-78": 12, "DEP-91": 13, "DEP-92": 100}


def seed(db, figures=FIGURES, period="2022"):
    changes = [
        ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id=t, period=period, value=v)
        for t, v in figures.items()
    ]
    result = writes.apply(db, MINISTERE, changes, how="saisie", confirm=True, note="jeu d'essai")
    assert result.written, result.errors


def departements(found):
    return found[found["level"] == "departement"]


def test_the_value_far_from_its_peers_is_listed_with_its_reason_for_the_national_team(db):
    seed(db)
    found = departements(outliers.to_check(db, MINISTERE, period="2022"))
    assert found[["territory_id", "period", "value"]].values.tolist() == [["DEP-92", "2022", 100.0]]
    assert found["score"].round(1).tolist() == [59.4]
    assert found["reason"].iloc[0] == "loin de ses pairs : M = 59,4 (médiane des 5 départements : 12, MAD 1)"


def test_a_coordinator_sees_their_region_only_and_an_elected_official_nothing(db):
    seed(db)
    assert departements(outliers.to_check(db, COORD_IDF, period="2022"))["territory_id"].tolist() == ["DEP-92"]
    ara = outliers.to_check(db, COORD_ARA, period="2022")
    assert "DEP-92" not in set(ara["territory_id"]) and set(ara["territory_id"]) <= {"REG-84"}
    assert outliers.to_check(db, ELU, period="2022").empty


def test_marking_verified_hides_the_flag_audits_it_and_a_later_change_flags_it_again(db):
    seed(db)
    audit_before = count(db, "SELECT count(*) FROM audit_log WHERE action = 'verified'")
    outliers.mark_verified(
        db,
        COORD_IDF,
        indicator_code="EMPLOIS_DIRECTS",
        territory_id="DEP-92",
        period="2022",
        kind="actual",
        version=1,
        comment="Siège d'un grand réseau : chiffre confirmé",
    )
    assert departements(outliers.to_check(db, COORD_IDF, period="2022")).empty
    kept = departements(outliers.to_check(db, COORD_IDF, period="2022", include_reviewed=True))
    assert kept[["territory_id", "reviewed_by", "review_comment"]].values.tolist() == [
        ["DEP-92", COORD_IDF.email, "Siège d'un grand réseau : chiffre confirmé"]
    ]
    assert count(db, "SELECT count(*) FROM audit_log WHERE action = 'verified'") == audit_before + 1
    row = count(
        db,
        "SELECT actor || ' | ' || entity_key || ' | ' || comment FROM audit_log WHERE action = 'verified'"
        " ORDER BY id DESC LIMIT 1",
    )
    assert row == f"{COORD_IDF.email} | EMPLOIS_DIRECTS|DEP-92|2022|actual | Siège d'un grand réseau : chiffre confirmé"
    seed(db, {"DEP-92": 90})  # changed since the check (M = 0.6745 × 78 = 52.6): flagged again
    again = departements(outliers.to_check(db, COORD_IDF, period="2022"))
    assert again["territory_id"].tolist() == ["DEP-92"] and again["score"].round(1).tolist() == [52.6]


def test_marking_verified_needs_a_comment_the_current_version_and_the_scope(db):
    seed(db)
    key = {"indicator_code": "EMPLOIS_DIRECTS", "territory_id": "DEP-92", "period": "2022", "kind": "actual"}
    before = count(db, "SELECT count(*) FROM audit_log")
    with pytest.raises(ValueError, match="commentaire"):
        outliers.mark_verified(db, COORD_IDF, **key, version=1, comment="  ")
    with pytest.raises(ValueError, match="a changé"):
        outliers.mark_verified(db, COORD_IDF, **key, version=7, comment="vu")
    with pytest.raises(AccessDenied, match="hors de votre périmètre"):
        outliers.mark_verified(db, COORD_ARA, **key, version=1, comment="vu")
    assert count(db, "SELECT count(*) FROM value_review") == 0
    assert count(db, "SELECT count(*) FROM audit_log") == before


def test_without_a_period_the_latest_one_is_checked(db):
    seed(db, period="2025")  # later than every demo value
    assert departements(outliers.to_check(db, MINISTERE))[["territory_id", "period"]].values.tolist() == [
        ["DEP-92", "2025"]
    ]
