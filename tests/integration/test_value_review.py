"""Review before publication: a coordinator's value is "soumis" until the national team validates it or
returns it with a reason; the public sees published values only; every transition is in the history."""

import pytest

from accounts.policy import AccessDenied
from indicators import aggregates, exports, revert, review, writes
from indicators.models import ValueChange
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, ELU, MINISTERE, count


def change(territory="DEP-77", value=12.0, period="2024", indicator="EMPLOIS_DIRECTS", **fields):
    return ValueChange(indicator_code=indicator, territory_id=territory, period=period, value=value, **fields)


def save(db, user, *changes, note="vérifié sur pièces"):
    result = writes.apply(db, user, list(changes), how="saisie", confirm=True, note=note)
    assert result.ok and result.written, (result.errors, result.unconfirmed)
    return result


def row(db, territory="DEP-77", period="2024", indicator="EMPLOIS_DIRECTS"):
    with db.read() as cur:
        return cur.execute(
            "SELECT v.value, v.published, s.state, s.reason, s.previous_value, s.was_published, v.version"
            " FROM indicator_value v LEFT JOIN value_state s USING (indicator_code, territory_id, period, kind)"
            " WHERE v.indicator_code = ? AND v.territory_id = ? AND v.period = ? AND v.kind = 'actual'",
            [indicator, territory, period],
        ).fetchone()


def public_value(db, territory="DEP-77", period="2024", indicator="EMPLOIS_DIRECTS"):
    frame = exports.values_frame(db, None, indicator=indicator)
    found = frame[(frame["territoire"] == territory) & (frame["periode"] == period)]
    return None if found.empty else float(found["valeur"].iloc[0])


def test_the_catalogue_reviews_typed_indicators_and_never_computed_ones(db):
    assert count(db, "SELECT count(*) FROM indicator_review WHERE indicator_code = 'EMPLOIS_DIRECTS'") == 1
    assert (
        count(
            db,
            "SELECT count(*) FROM indicator_review r JOIN indicator i ON i.code = r.indicator_code"
            " WHERE i.computed_from = 'registre'",
        )
        == 0
    )


def test_a_coordinator_s_new_value_is_submitted_and_hidden_from_the_public(db):
    assert save(db, COORD_IDF, change(value=12)).submitted == 1
    assert row(db) == (12.0, False, "soumis", None, None, False, 1)
    assert public_value(db) is None
    # the coordinator and the national team see it, with its state
    mine = review.in_review(db, COORD_IDF)
    assert mine[["territory_id", "state", "value"]].values.tolist() == [["DEP-77", "soumis", 12.0]]
    assert len(review.in_review(db, MINISTERE)) == 1
    assert review.in_review(db, COORD_ARA).empty and review.in_review(db, ELU).empty
    assert review.in_review(db, None).empty


def test_the_national_team_s_own_value_is_published_at_once(db):
    assert save(db, MINISTERE, change(value=30)).submitted == 0
    assert row(db) == (30.0, True, None, None, None, None, 1)
    assert public_value(db) == 30.0


def test_a_changed_published_figure_waits_again_and_the_reviewer_sees_what_the_public_saw(db):
    save(db, MINISTERE, change(value=30))
    save(db, COORD_IDF, change(value=45))
    assert row(db) == (45.0, False, "soumis", None, 30.0, True, 2)
    save(db, COORD_IDF, change(value=46))  # changed again while in review: the public figure is still 30
    assert row(db)[4:6] == (30.0, True)
    listed = review.in_review(db, MINISTERE, region_code="11", period="2024")
    assert listed[["previous_value", "value", "version"]].values.tolist() == [[30.0, 46.0, 3]]


def test_a_comment_only_change_keeps_a_published_value_published(db):
    save(db, MINISTERE, change(value=30))
    save(db, COORD_IDF, change(value=30, comment="source : enquête régionale"))
    assert row(db)[:3] == (30.0, True, None)


def test_bulk_validation_publishes_what_was_listed_and_leaves_a_value_changed_since(db):
    save(db, COORD_IDF, change("DEP-77", 12), change("DEP-91", 8), change("DEP-92", 20))
    save(db, COORD_ARA, change("DEP-69", 5))
    listed = review.in_review(db, MINISTERE, region_code="11", period="2024")
    assert sorted(listed["territory_id"]) == ["DEP-77", "DEP-91", "DEP-92"]  # only Île-de-France
    save(db, COORD_IDF, change("DEP-92", 21))  # changed after the list was shown
    done = review.validate(db, MINISTERE, listed)
    assert (done.published, done.changed) == (2, 1)
    assert row(db, "DEP-77")[:3] == (12.0, True, None) and row(db, "DEP-91")[:3] == (8.0, True, None)
    assert row(db, "DEP-92")[:3] == (21.0, False, "soumis")
    assert row(db, "DEP-69")[:3] == (5.0, False, "soumis")
    assert public_value(db, "DEP-77") == 12.0 and public_value(db, "DEP-92") is None
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]
    assert entries[["action", "how", "actor"]].values.tolist() == [
        ["insert", "saisie", COORD_IDF.email],
        ["publish", "validation", MINISTERE.email],
    ]


def test_a_returned_value_keeps_its_reason_its_history_and_comes_back_when_corrected(db):
    save(db, COORD_IDF, change(value=1200))
    listed = review.in_review(db, MINISTERE, region_code="11", period="2024")
    review.send_back(db, MINISTERE, listed.iloc[0].to_dict(), "  Mille deux cents emplois ? Vérifiez l'unité.  ")
    assert row(db)[:4] == (1200.0, False, "a_corriger", "Mille deux cents emplois ? Vérifiez l'unité.")
    mine = review.in_review(db, COORD_IDF)
    assert mine[["state", "reason"]].values.tolist() == [["a_corriger", "Mille deux cents emplois ? Vérifiez l'unité."]]
    assert public_value(db) is None
    save(db, COORD_IDF, change(value=12))
    assert row(db)[:4] == (12.0, False, "soumis", None)
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=COORD_IDF)["entries"]
    assert entries["action"].tolist() == ["insert", "return", "update"]
    returned = entries.iloc[1]
    assert (returned["new_value"], returned["comment"]) == (1200.0, "Mille deux cents emplois ? Vérifiez l'unité.")
    assert (entries["old_value"].iloc[2], entries["new_value"].iloc[2]) == (1200.0, 12.0)


def test_a_return_needs_a_reason_and_a_value_still_as_listed(db):
    save(db, COORD_IDF, change(value=12))
    listed = review.in_review(db, MINISTERE).iloc[0].to_dict()
    with pytest.raises(review.ReviewError, match="Indiquez pourquoi"):
        review.send_back(db, MINISTERE, listed, "   ")
    save(db, COORD_IDF, change(value=13))
    with pytest.raises(review.ReviewError, match="a changé depuis"):
        review.send_back(db, MINISTERE, listed, "à revoir")
    assert row(db)[2:4] == ("soumis", None)


def test_only_the_national_team_validates_or_returns(db):
    save(db, COORD_IDF, change(value=12))
    listed = review.in_review(db, COORD_IDF)
    before = count(db, "SELECT count(*) FROM audit_log")
    with pytest.raises(AccessDenied):
        review.validate(db, COORD_IDF, listed)
    with pytest.raises(AccessDenied):
        review.send_back(db, COORD_IDF, listed.iloc[0].to_dict(), "non")
    assert row(db)[1:3] == (False, "soumis")
    assert count(db, "SELECT count(*) FROM audit_log") == before


def test_a_validation_decision_cannot_be_undone_as_a_value_change(db):
    save(db, COORD_IDF, change(value=12))
    review.validate(db, MINISTERE, review.in_review(db, MINISTERE))
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]
    with pytest.raises(ValueError, match="décision de validation"):
        revert.revert(db, MINISTERE, int(entries["id"].iloc[-1]))
    assert row(db)[:2] == (12.0, True)


def test_an_indicator_without_review_publishes_coordinators_values_at_once(db):
    db.write(lambda cur: cur.execute("DELETE FROM indicator_review WHERE indicator_code = 'EMPLOIS_DIRECTS'"))
    save(db, COORD_IDF, change(value=12))
    assert row(db)[:3] == (12.0, True, None)


def test_deleting_a_submitted_value_leaves_review(db):
    save(db, COORD_IDF, change(value=12))
    writes.apply(db, COORD_IDF, [change(value=None, delete=True)], how="saisie")
    assert count(db, "SELECT count(*) FROM value_state") == 0


def france_emplois(db, published_only):
    """EMPLOIS_DIRECTS 2010 for France, as the roll-ups give it to the public or to the national team."""
    frame = aggregates.yearly(db, 2010, ["pays"], ["EMPLOIS_DIRECTS"], published_only=published_only)
    return None if frame.empty else float(frame["value"].iloc[0])


def test_the_public_roll_ups_count_a_value_only_once_published(db):
    save(db, MINISTERE, change("DEP-75", 10, period="2010"))
    save(db, COORD_IDF, change("DEP-77", 5, period="2010"))
    # national team: 10 + 5 (drafts included); the public: 10 (the submitted 5 left out)
    assert (france_emplois(db, False), france_emplois(db, True)) == (15.0, 10.0)
    review.validate(db, MINISTERE, review.in_review(db, MINISTERE, region_code="11", period="2010"))
    assert (france_emplois(db, False), france_emplois(db, True)) == (15.0, 15.0)
