"""The one write path: validation, scope, locks, stale updates, all-or-nothing, audit, history, revert."""

import pandas as pd
import pytest

from accounts.policy import AccessDenied
from indicators import grid as value_grid
from indicators import locks, revert, writes
from indicators.models import ValueChange
from tests.integration.values_helpers import (
    COORD_ARA,
    COORD_IDF,
    ELU,
    MINISTERE,
    count,
    refusals,
    snapshot,
    values_only,
)


def change(**fields):
    base = {"indicator_code": "EMPLOIS_DIRECTS", "territory_id": "DEP-77", "period": "2024", "value": 12}
    return ValueChange(**{**base, **fields})


def current(db, territory="DEP-77", indicator="EMPLOIS_DIRECTS", period="2024", kind="actual"):
    return revert.history(db, indicator, territory, period, kind, user=MINISTERE)["current"]


def test_a_typed_value_is_written_with_version_and_audit_row(db):
    result = writes.apply(db, COORD_IDF, [change(comment="relevé")], how="saisie")
    assert result.ok and result.written and result.inserted == 1
    row = current(db)
    assert row["value"] == 12 and row["version"] == 1 and row["updated_by"] == COORD_IDF.email
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]
    assert entries[["actor", "action", "how", "new_value"]].values.tolist() == [
        [COORD_IDF.email, "insert", "saisie", 12.0]
    ]


def test_saving_the_same_value_again_changes_nothing(db):
    writes.apply(db, COORD_IDF, [change()], how="saisie")
    before = snapshot(db)
    result = writes.apply(db, COORD_IDF, [change()], how="saisie")
    assert result.unchanged == 1 and result.changed == 0
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "fields, column, message",
    [
        ({"value": -1}, "valeur", "ne peut pas être négatif"),
        ({"value": 2.5}, "valeur", "nombre entier"),
        ({"indicator_code": "CA_TOTAL", "value": -10}, "valeur", "montant ne peut pas être négatif"),
        ({"indicator_code": "TL_SERVICE_PUBLIC", "value": 120}, "valeur", "entre 0 et 100"),
        ({"indicator_code": "TL_SERVICE_PUBLIC", "value": None, "numerator": 5, "denominator": 10}, None, None),
        (
            {"indicator_code": "EMPLOIS_DIRECTS", "value": None, "numerator": 5, "denominator": 10},
            "numerateur",
            "pourcentage",
        ),
        ({"period": "2024Q2"}, "periode", "période trimestrielle pour un indicateur de période annuelle"),
        ({"indicator_code": "TL_OUVERTS"}, "indicateur", "calculé à partir du registre"),
        ({"indicator_code": "NOPE"}, "indicateur", "indicateur inconnu"),
        ({"territory_id": "COM-00000"}, "territoire", "territoire inconnu"),
    ],
)
def test_per_indicator_rules_refuse_bad_values_with_a_french_reason(db, fields, column, message):
    before = snapshot(db)
    result = writes.apply(db, COORD_IDF, [change(**fields)], how="saisie")
    if message is None:
        assert result.ok and result.written
        assert current(db, indicator="TL_SERVICE_PUBLIC")["value"] == 50
        return
    assert not result.written
    hit = result.errors[result.errors["column"] == column]
    assert hit["message"].str.contains(message).any(), result.errors
    assert snapshot(db) == before


def test_pydantic_refuses_a_numerator_above_its_denominator_before_the_service():
    with pytest.raises(ValueError, match="dépasse"):
        change(indicator_code="TL_SERVICE_PUBLIC", value=None, numerator=11, denominator=10)


def test_a_coordinator_cannot_write_outside_their_region_and_nothing_is_written(db):
    before = values_only(db)
    result = writes.apply(db, COORD_IDF, [change(), change(territory_id="DEP-69")], how="saisie")
    assert not result.written
    assert result.errors["message"].str.contains("hors de votre périmètre").any()
    assert values_only(db) == before  # the valid Seine-et-Marne row was not written either
    assert refusals(db) == 1  # the attempt is traced
    assert writes.apply(db, COORD_ARA, [change(territory_id="DEP-69")], how="saisie").written


def test_the_national_team_writes_anywhere_and_an_elu_nowhere(db):
    assert writes.apply(db, MINISTERE, [change(territory_id="FR")], how="saisie").written
    with pytest.raises(AccessDenied):
        writes.apply(db, ELU, [change(territory_id="COM-77475")], how="saisie")


def test_two_sessions_editing_the_same_value_the_second_is_refused_with_both_values(db):
    writes.apply(db, COORD_IDF, [change(value=10)], how="saisie")
    read_at = current(db)["version"]  # both sessions load the grid now
    first = writes.apply(db, MINISTERE, [change(value=11, read_version=read_at)], how="saisie")
    assert first.written
    second = writes.apply(db, COORD_IDF, [change(value=99, read_version=read_at)], how="saisie")
    assert not second.conflicts.empty
    conflict = second.conflicts.iloc[0]
    assert (conflict["your_value"], conflict["their_value"]) == (99, 11)
    assert conflict["their_updated_by"] == MINISTERE.email
    assert current(db)["value"] == 11
    # Overwriting knowingly: the same change, now read at the version the user has seen.
    again = writes.apply(db, COORD_IDF, writes.change_from_conflicts(second.conflicts), how="correction")
    assert again.written and current(db)["value"] == 99


def test_a_stale_row_is_skipped_while_fresh_rows_save_when_asked(db):
    writes.apply(db, COORD_IDF, [change(value=10)], how="saisie")
    stale = change(value=5, read_version=0)  # read before the value existed
    fresh = change(territory_id="DEP-78", value=3, read_version=0)
    result = writes.apply(db, COORD_IDF, [stale, fresh], how="saisie", on_conflict="skip")
    assert len(result.conflicts) == 1 and result.inserted == 1
    assert current(db)["value"] == 10 and current(db, "DEP-78")["value"] == 3
    refused = writes.apply(
        db,
        COORD_IDF,
        [change(value=6, read_version=0), change(territory_id="DEP-91", value=1, read_version=0)],
        how="import",
    )
    assert not refused.written and current(db, "DEP-91") is None


def test_a_value_deleted_then_recreated_keeps_counting_versions(db):
    writes.apply(db, COORD_IDF, [change(value=10)], how="saisie")
    writes.apply(db, COORD_IDF, [change(delete=True, value=None, read_version=1)], how="saisie")
    assert current(db) is None
    writes.apply(db, COORD_IDF, [change(value=7, read_version=0)], how="saisie")
    assert current(db)["version"] == 2  # a session that read version 1 stays stale
    hows = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]["how"].tolist()
    assert hows == ["saisie", "suppression", "saisie"]


def test_locked_periods_refuse_coordinators_but_not_the_national_team(db):
    with pytest.raises(AccessDenied):
        locks.lock_period(db, COORD_IDF, "REG-11", "2024")
    locks.lock_period(db, MINISTERE, "11", "2024")
    assert locks.locks(db)["period"].tolist() == ["2024"]
    refused = writes.apply(db, COORD_IDF, [change()], how="saisie")
    assert not refused.written and refused.errors["message"].str.contains("verrouillée").any()
    assert writes.apply(db, COORD_ARA, [change(territory_id="DEP-69")], how="saisie").written  # other region
    assert writes.apply(db, MINISTERE, [change()], how="correction").written
    locks.unlock_period(db, MINISTERE, "REG-11", "2024")
    assert writes.apply(db, COORD_IDF, [change(value=13)], how="saisie").written
    actions = count(db, "SELECT count(*) FROM audit_log WHERE entity = 'period_lock'")
    assert actions == 2


def test_revert_puts_the_previous_value_back_through_the_write_path(db):
    writes.apply(db, COORD_IDF, [change(value=10, comment="premier")], how="saisie")
    writes.apply(db, COORD_IDF, [change(value=20, comment="erreur", read_version=1)], how="saisie")
    entries = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"]
    result = revert.revert(db, COORD_IDF, int(entries["id"].iloc[-1]))
    assert result.written
    row = current(db)
    assert row["value"] == 10 and row["comment"] == "premier" and row["version"] == 3
    last = revert.history(db, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=MINISTERE)["entries"].iloc[-1]
    assert last["how"] == "annulation" and "annulation de la modification" in last["comment"]
    # Undoing the creation deletes the value.
    first_id = int(entries["id"].iloc[0])
    assert revert.revert(db, COORD_IDF, first_id).written and current(db) is None


def test_revert_is_scoped_like_any_write(db):
    writes.apply(db, COORD_ARA, [change(territory_id="DEP-69", value=4)], how="saisie")
    entry = revert.history(db, "EMPLOIS_DIRECTS", "DEP-69", "2024", user=MINISTERE)["entries"]["id"].iloc[-1]
    before = values_only(db)
    result = revert.revert(db, COORD_IDF, int(entry))
    assert not result.written and values_only(db) == before and refusals(db) == 1


def test_the_audit_log_only_grows(db):
    ids = []
    for value in (1, 2, 3):
        writes.apply(db, COORD_IDF, [change(value=value)], how="saisie")
        with db.read() as cur:
            ids.append(cur.execute("SELECT list(id ORDER BY id) FROM audit_log").fetchone()[0])
    assert ids[0] == ids[1][: len(ids[0])] and ids[1] == ids[2][: len(ids[1])]


def test_the_entry_grid_lists_only_territories_in_scope_with_previous_value_and_target(db):
    grid = value_grid.entry_grid(
        db, COORD_IDF, period="2024", region_code="11", level="region", indicator="EMPLOIS_DIRECTS"
    )
    assert grid["territory_id"].tolist() == ["REG-11"]
    assert pd.notna(grid["previous"].iloc[0])  # 2023 demo value
    assert value_grid.entry_grid(
        db, COORD_IDF, period="2024", region_code="84", level="departement", indicator="EMPLOIS_DIRECTS"
    ).empty
    assert value_grid.entry_regions(db, COORD_IDF)["id"].tolist() == ["REG-11"]
    assert len(value_grid.entry_regions(db, MINISTERE)) == 18


def test_grid_changes_keep_only_value_and_comment_of_served_rows():
    served = pd.DataFrame(
        {
            "indicator_code": ["EMPLOIS_DIRECTS"] * 2,
            "territory_id": ["DEP-77", "DEP-78"],
            "name": ["Seine-et-Marne", "Yvelines"],
            "period": ["2024"] * 2,
            "kind": ["actual"] * 2,
            "value": [1.0, None],
            "comment": [None, None],
            "version": [1, 0],
        }
    )
    edited = served.copy()
    edited.loc[0, "territory_id"] = "DEP-69"  # a crafted client changes a disabled column
    edited.loc[1, "value"] = 5
    edited.loc[7] = edited.loc[0]  # and adds a row to a fixed editor
    changes, problems = value_grid.grid_changes(served, edited)
    assert problems.empty
    assert [(c.territory_id, c.value, c.read_version) for c in changes] == [("DEP-78", 5.0, 0)]
    edited = served.copy().astype({"value": object})
    edited.loc[1, "value"] = "douze"
    changes, problems = value_grid.grid_changes(served, edited)
    assert not changes and "n'est pas un nombre" in problems["message"].iloc[0]


def test_a_saved_value_reaches_the_materialised_roll_ups(db):
    from indicators.aggregates import ensure_fresh

    writes.apply(db, COORD_IDF, [change(value=10), change(territory_id="DEP-78", value=5)], how="saisie")
    ensure_fresh(db)
    with db.read() as cur:
        rows = cur.execute(
            "SELECT territory_id, value FROM rollup_year WHERE indicator_code = 'EMPLOIS_DIRECTS'"
            " AND year = 2024 AND kind = 'actual' AND territory_id IN ('DEP-77', 'DEP-78')"
            " ORDER BY territory_id"
        ).fetchall()
    assert rows == [("DEP-77", 10.0), ("DEP-78", 5.0)]
