"""Reminders of the review before publication: a coordinator is told of their own returned values with the
reason, the national team of what awaits validation per région and period; nobody else, never twice."""

from datetime import date

from accounts import repository as accounts
from indicators import review, writes
from indicators.models import ValueChange
from notifications.service import build, notify
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, ELU, MINISTERE

ON = date(2026, 11, 25)
REASON = "Vérifiez l'unité : emplois, pas euros."


def submit(db, user, territory, value, period="2010"):
    change = ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id=territory, period=period, value=value)
    assert writes.apply(db, user, [change], how="saisie", confirm=True, note="relevé").written


def review_keys(draft) -> list[str]:
    return sorted(k for k in draft.item_keys if k.startswith(("valeurs_a_corriger", "valeurs_a_valider")))


def test_each_recipient_is_told_only_their_own_part_of_the_review(db):
    submit(db, COORD_IDF, "DEP-77", 40)
    submit(db, COORD_IDF, "DEP-78", 1500)
    submit(db, COORD_ARA, "DEP-69", 7)
    listed = review.in_review(db, MINISTERE, region_code="11", period="2010")
    review.send_back(db, MINISTERE, listed[listed["territory_id"] == "DEP-78"].iloc[0].to_dict(), REASON)
    drafts = {d.recipient: d for d in build(db, ON, users=[COORD_IDF, COORD_ARA, ELU, MINISTERE])}
    assert ELU.email not in drafts

    idf = drafts[COORD_IDF.email]
    returned = review_keys(idf)
    assert len(returned) == 1 and returned[0].startswith("valeurs_a_corriger|EMPLOIS_DIRECTS|DEP-78|2010|actual|")
    assert "Yvelines, période 2010 : 1\u202f500" in idf.body and f"motif : {REASON}" in idf.body
    assert "DEP-69" not in " ".join(idf.item_keys) and "Rhône" not in idf.body
    assert review_keys(drafts[COORD_ARA.email]) == []  # nothing of theirs was returned

    national = drafts[MINISTERE.email]
    pending = review_keys(national)
    # Île-de-France: DEP-77 still submitted (DEP-78 returned); Auvergne-Rhône-Alpes: DEP-69
    assert [k.split("|")[1:3] for k in pending] == [["11", "2010"], ["84", "2010"]]
    assert "Île-de-France, période 2010 : 1 valeur(s) soumise(s)" in national.body
    assert "Auvergne-Rhône-Alpes, période 2010 : 1 valeur(s) soumise(s)" in national.body


def test_a_review_item_is_told_once_and_a_new_submission_is_told_again(db):
    with db.transaction() as cur:
        accounts.add(cur, MINISTERE)
    submit(db, COORD_IDF, "DEP-77", 40)
    first = notify(db, "test", on=ON)
    assert any(review_keys(d) for d in first.drafts if d.recipient == MINISTERE.email)
    assert [d for d in build(db, ON, users=[MINISTERE]) if review_keys(d)] == []  # told once
    submit(db, COORD_IDF, "DEP-91", 9)  # new in the same région and period
    again = [d for d in build(db, ON, users=[MINISTERE]) if review_keys(d)]
    assert len(again) == 1 and "Île-de-France, période 2010 : 2 valeur(s) soumise(s)" in again[0].body
