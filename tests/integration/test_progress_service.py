"""The progress engine on the real database: sourced national figures, roll-ups, alerts, completeness,
and the plan's write path (hand-computed expectations)."""

from datetime import date

import pandas as pd
import pytest

from accounts.models import Role, Scope, User
from accounts.policy import AccessDenied
from indicators.aggregates import mark_dirty, yearly
from indicators.periods import parse_period
from plan import alerts, progress_data, progress_service
from plan.editing import NoteIn, StaleUpdate, StatusUpdate, add_note, update_status
from tests.conftest import opened_copy
from tests.integration.rollup_oracle import rollup
from tests.integration.test_rollup import put

ON = date(2026, 11, 25)
MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))
COORDINATOR = User(email="c@x.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))


def clear_local(db, code):
    """Remove an indicator's values below France (the demo registry computes some), to start from hand-made ones."""
    with db.transaction() as cur:
        mark_dirty(cur, where="indicator_code = ? AND territory_id <> 'FR'", params=[code])
        cur.execute("DELETE FROM indicator_value WHERE indicator_code = ? AND territory_id <> 'FR'", [code])


def one(frame, **keys):
    for column, value in keys.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, keys
    return frame.iloc[0]


@pytest.fixture(scope="module")
def shared_db(built_db_file, tmp_path_factory):
    """One read-only copy for the tests that only read (the engine's cache then serves them all)."""
    with opened_copy(built_db_file, tmp_path_factory.mktemp("progress")) as database:
        yield database


@pytest.fixture
def national(shared_db):
    return progress_service.progress(shared_db, "region", ON)


def test_m21_rate_is_the_weighted_mean_of_its_sourced_indicators(national):
    # FAB_LABELLISEES 407 ≥ 300 → 100 (weight 2); FAB_PART_QPV 51 ≥ 50 → 100; FAB_PART_RURAL has no
    # sourced value "hors grands centres urbains": its registry roll-up (demo places) stands in.
    rural = one(national["indicators"], measure_code="M2.1", indicator_code="FAB_PART_RURAL", territory_id="FR")
    assert (rural["initial"], rural["target"]) == (0, 50)
    assert rural["origin"] == "agrégation" and rural["is_demo"]
    expected_rural = min(100.0, rural["current"] / 50 * 100)
    m = one(national["measures"], measure_code="M2.1", territory_id="FR")
    assert m["rate"] == pytest.approx((2 * 100 + 100 + expected_rural) / 4)


def test_the_zrr_share_is_a_reference_never_set_against_the_rural_target(national):
    # The 2024 evaluation's 29 % counts Fabriques in ZRR, a narrower area than "hors grands centres urbains".
    zrr = one(national["indicators"], measure_code="M2.1", indicator_code="FAB_PART_ZRR", territory_id="FR")
    assert zrr["current"] == 29 and zrr["weight"] == 0
    assert zrr["target"] is None or zrr["target"] != zrr["target"]  # no target, hence no rate
    assert zrr["source_title"].startswith("Évaluation du programme Fabriques")
    rural = one(national["indicators"], measure_code="M2.1", indicator_code="FAB_PART_RURAL", territory_id="FR")
    assert rural["current"] != 29


def test_m22_counts_from_its_own_baseline_and_is_reached(national):
    row = one(national["indicators"], measure_code="M2.2", territory_id="FR")
    assert (row["initial"], row["target"], row["current"]) == (300, 380, 407)
    assert row["status"] == "atteint" and row["rate"] == 100


def test_m11_the_ftl_projection_is_a_reference_not_a_target(shared_db):
    result = progress_service.progress(shared_db, "region", date(2024, 6, 30))
    row = one(result["indicators"], measure_code="M1.1", indicator_code="TL_OUVERTS", territory_id="FR")
    # sourced national values win over the registry roll-up: 3 500 in 2023
    assert row["origin"] == "source" and row["current"] == 3500 and row["current_period"] == "2023"
    # France Tiers-Lieux's 5 000 for 2025 is a projection: no rate, no status computed against it
    assert pd.isna(row["target"]) and pd.isna(row["rate"])
    assert (row["status"], row["reason"]) == ("sans_donnees", "aucune cible")
    with shared_db.read() as cur:
        assert (
            cur.execute(
                "SELECT count(*) FROM indicator_value WHERE kind = 'target'"
                " AND (source = 'FTL_PROJECTION_2023' OR (indicator_code = 'TL_OUVERTS'))"
            ).fetchone()[0]
            == 0
        )
        comment = cur.execute(
            "SELECT comment FROM indicator_value WHERE indicator_code = 'TL_OUVERTS'"
            " AND territory_id = 'FR' AND period = '2023' AND kind = 'actual'"
        ).fetchone()[0]
    assert "Référence, pas une cible" in comment and "5 000" in comment


def test_a_region_uses_its_rolled_up_registry_stock(national, shared_db):
    row = one(national["indicators"], measure_code="M1.1", indicator_code="TL_OUVERTS", territory_id="REG-11")
    with shared_db.read() as cur:
        ind = {"code": "TL_OUVERTS", "territorial_agg": "sum", "temporal_agg": "last"}
        stock = rollup(cur, ind, parse_period("2025"), "region").set_index("territory_id").at["REG-11", "value"]
        base = rollup(cur, ind, parse_period("2018"), "region").set_index("territory_id").at["REG-11", "value"]
    assert (row["current"], row["initial"]) == (stock, base) and pd.isna(row["target"])  # no target from a projection
    assert row["is_demo"] and row["reported"] == row["expected_count"] == 1266


def test_a_missing_weighted_indicator_empties_the_measure_rate(db):
    with db.transaction() as cur:
        mark_dirty(cur, where="indicator_code = 'SERVICE_CIVIQUE' AND territory_id = 'REG-11' AND kind = 'actual'")
        cur.execute(
            "DELETE FROM indicator_value WHERE indicator_code = 'SERVICE_CIVIQUE' AND territory_id = 'REG-11'"
            " AND kind = 'actual'"
        )
    result = progress_service.progress(db, "region", ON)
    m = one(result["measures"], measure_code="M4.3", territory_id="REG-11")
    assert m["rate"] != m["rate"] or m["rate"] is None  # empty, not 0
    assert m["status"] == "sans_donnees"
    other = one(result["measures"], measure_code="M4.3", territory_id="REG-24")
    assert other["rate"] > 0


def test_regions_without_a_regional_target_have_no_data_status(national):
    m = one(national["measures"], measure_code="M2.1", territory_id="REG-11")
    assert m["status"] == "sans_donnees" and m["reason"] == "aucune cible"


def test_the_series_is_the_materialised_rollup_for_every_region_and_departement(shared_db):
    ind = {"code": "TL_OUVERTS", "territorial_agg": "sum", "temporal_agg": "last", "period_type": "year"}
    stored = yearly(shared_db, 2023, ["region", "departement"], ["TL_OUVERTS"]).set_index("territory_id")
    series = progress_data.series(shared_db, "departement")
    with shared_db.read() as cur:
        for level in ("region", "departement"):
            single = rollup(cur, ind, parse_period("2023"), level).set_index("territory_id")
            assert single["value"].to_dict() == stored.loc[single.index, "value"].to_dict()
            assert single["expected"].to_dict() == stored.loc[single.index, "expected"].to_dict()
    shown = series[
        (series["indicator_code"] == "TL_OUVERTS")
        & (series["period"] == "2023")
        & (series["kind"] == "actual")
        & series["territory_id"].str.startswith("DEP-")
    ]
    assert shown.set_index("territory_id")["value"].to_dict() == stored.loc[shown["territory_id"], "value"].to_dict()


@pytest.fixture
def region_communes(db):
    with db.read() as cur:
        rows = cur.execute(
            "SELECT id FROM territory WHERE level = 'commune' AND region_code = '94' ORDER BY id LIMIT 3"
        ).fetchall()
        n = cur.execute("SELECT count(*) FROM territory WHERE level = 'commune' AND region_code = '94'").fetchone()[0]
    return [r[0] for r in rows], n


def test_series_percentage_is_a_ratio_of_sums_and_a_stock_keeps_its_last_value(db, region_communes):
    communes, n = region_communes
    with db.transaction() as cur:
        for code, kind, agg in (("P", "percentage", "ratio_of_sums"), ("S", "count", "sum")):
            cur.execute(
                "INSERT INTO indicator (code, name, unit, kind, direction, territorial_agg, temporal_agg,"
                " period_type, computed_from) VALUES (?, ?, 'u', ?, 'up', ?, 'last', 'year', 'saisie')",
                [code, code, kind, agg],
            )
    put(db, "P", communes[0], "2024", 50, 1, 2)
    put(db, "P", communes[1], "2024", 12.5, 1, 8)
    put(db, "S", communes[0], "2024Q1", 5)
    put(db, "S", communes[0], "2024Q3", 7)
    put(db, "S", communes[1], "2024Q2", 10)
    put(db, "S", communes[2], "2024", 100)  # a yearly value and a finer one in the same year: the last wins
    put(db, "S", communes[2], "2024Q2", 3)
    series = yearly(db, 2024, ["region"], ["P", "S"]).assign(period="2024")
    p = one(series, indicator_code="P", territory_id="REG-94", period="2024")
    assert p["value"] == pytest.approx(20.0)  # 2 / 10, not the mean of 50 and 12.5
    assert (p["reported"], p["expected"]) == (2, n)
    s = one(series, indicator_code="S", territory_id="REG-94", period="2024")
    assert s["value"] == 7 + 10 + 100
    assert s["reported"] == 3
    assert one(series, indicator_code="P", territory_id="REG-11", period="2024")["reported"] == 0


def test_a_write_is_seen_by_the_cached_engine(db):
    before = one(
        progress_service.progress(db, "region", ON)["indicators"],
        measure_code="M4.3",
        indicator_code="SERVICE_CIVIQUE",
        territory_id="REG-11",
    )["current"]
    with db.transaction() as cur:  # a writer marks the slices it changes, in its transaction
        where = "indicator_code = 'SERVICE_CIVIQUE' AND territory_id = 'REG-11' AND period = '2023' AND kind = 'actual'"
        cur.execute(
            "UPDATE indicator_value SET value = value + 1, version = version + 1,"
            " updated_at = current_timestamp WHERE " + where
        )
        mark_dirty(cur, where=where)
    after = one(
        progress_service.progress(db, "region", ON)["indicators"],
        measure_code="M4.3",
        indicator_code="SERVICE_CIVIQUE",
        territory_id="REG-11",
    )["current"]
    assert after == before + 1


def test_behind_lists_the_compromised_national_measures(national):
    late = alerts.behind(national)
    assert "M4.3" in set(late.loc[late["territory_id"] == "FR", "measure_code"])
    assert "M2.1" not in set(late["measure_code"])  # the ZRR share is not set against the rural target
    assert "M1.1" not in set(late["measure_code"])  # the 5 000 projection is no target
    assert "M2.2" not in set(late["measure_code"])


def test_peer_alert_flags_a_departement_far_below_its_peers(db):
    with db.read() as cur:
        rural = [
            r[0]
            for r in cur.execute(
                "SELECT id FROM territory WHERE level = 'departement' AND typology = 'rural' ORDER BY id LIMIT 5"
            ).fetchall()
        ]
    clear_local(db, "TL_RURAL")
    for territory, share in zip(rural, (40, 42, 44, 46, 20)):
        put(db, "TL_RURAL", territory, "2024", share, share, 100)
    found = alerts.peers(db)
    flagged = found[(found["level"] == "departement") & (found["indicator_code"] == "TL_RURAL")]
    assert flagged["territory_id"].tolist() == [rural[4]]
    row = flagged.iloc[0]
    assert (row["peer_median"], row["peer_n"], row["gap"]) == (42, 5, -22)


def test_stale_indicators_and_late_regions(shared_db):
    db = shared_db
    late = alerts.stale(db, ON)
    assert "ZE_SANS_TL" in set(late.loc[late["territory_id"] == "FR", "indicator_code"])
    assert "TL_OUVERTS" not in set(late.loc[late["territory_id"] == "FR", "indicator_code"])  # registry is up to date
    report = alerts.completeness(db, ON)
    who = report["late"]
    emplois = who[who["indicator_code"] == "EMPLOIS_DIRECTS"]
    # the demo leaves 2024 unreported in Guadeloupe, Île-de-France, Grand Est and Auvergne-Rhône-Alpes; 2025 nowhere
    assert set(emplois.loc[emplois["period"] == "2024", "territory_id"]) == {"REG-01", "REG-11", "REG-44", "REG-84"}
    assert len(emplois[emplois["period"] == "2025"]) == 18
    row = one(report["detail"], territory_id="REG-94", indicator_code="TL_OUVERTS", period="2023")
    assert row["reported"] == row["expected"]  # the registry covers every commune


def test_status_update_checks_role_and_version_and_is_audited(db):
    with db.read() as cur:
        version = cur.execute("SELECT version FROM measure WHERE code = 'M1.1'").fetchone()[0]
    update = StatusUpdate(
        status="en_retard", meteo="nuage", comment="Recensement 2025 attendu", expected_version=version
    )
    with pytest.raises(AccessDenied):
        update_status(db, COORDINATOR, "M1.1", update)
    assert update_status(db, MINISTRY, "M1.1", update) == version + 1
    with pytest.raises(StaleUpdate, match="Rechargez"):
        update_status(db, MINISTRY, "M1.1", update)  # same stale version again
    with db.read() as cur:
        assert cur.execute("SELECT status, meteo, updated_by FROM measure WHERE code = 'M1.1'").fetchone() == (
            "en_retard",
            "nuage",
            "m@x.fr",
        )
        history = cur.execute(
            "SELECT status, meteo, author, comment FROM measure_status_history"
            " WHERE measure_code = 'M1.1' ORDER BY changed_at DESC LIMIT 1"
        ).fetchone()
        assert history == ("en_retard", "nuage", "m@x.fr", "Recensement 2025 attendu")
        audit = cur.execute(
            "SELECT actor, action, old_data, new_data FROM audit_log WHERE entity = 'measure' AND entity_key = 'M1.1'"
        ).fetchall()
    assert len(audit) == 1 and audit[0][0] == "m@x.fr" and '"en_cours"' in audit[0][2]


def test_notes_are_for_the_national_team_and_validated(db):
    with pytest.raises(AccessDenied):
        add_note(db, COORDINATOR, "M2.1", NoteIn(text="Point d'étape"))
    with pytest.raises(ValueError):
        NoteIn(text="  ")
    add_note(db, MINISTRY, "M2.1", NoteIn(text="Comité de pilotage du 12/03 : vague 2025 lancée"))
    with db.read() as cur:
        assert cur.execute("SELECT author, text FROM measure_note WHERE measure_code = 'M2.1'").fetchall() == [
            ("m@x.fr", "Comité de pilotage du 12/03 : vague 2025 lancée")
        ]
        assert cur.execute("SELECT count(*) FROM audit_log WHERE entity = 'measure_note'").fetchone()[0] == 1


def test_after_writes_and_deletions_the_progress_equals_a_cold_computation(db):
    progress_service.progress(db, "region", ON)
    put(db, "SERVICE_CIVIQUE", "REG-94", "2024", 7)
    with db.transaction() as cur:
        mark_dirty(cur, where="indicator_code = 'EMPLOIS_DIRECTS' AND territory_id = 'REG-94'")
        cur.execute("DELETE FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS' AND territory_id = 'REG-94'")
    incremental = progress_service.progress(db, "region", ON)["indicators"]
    progress_data.clear_cache()
    with db.transaction() as cur:  # recompute every slice from scratch
        cur.execute("DELETE FROM rollup_year")
        mark_dirty(cur)
    full = progress_service.progress(db, "region", ON)["indicators"]
    keys = ["measure_code", "indicator_code", "territory_id"]
    a = incremental.sort_values(keys).reset_index(drop=True).astype(str)
    b = full.sort_values(keys).reset_index(drop=True).astype(str)
    assert a.equals(b)
    corse = one(full, measure_code="M4.3", territory_id="REG-94")
    assert corse["current_flow"] == 7  # the 2024 flow; the target is cumulative, so current is the running total
    with db.read() as cur:
        total = cur.execute(
            "SELECT sum(value) FROM indicator_value WHERE indicator_code = 'SERVICE_CIVIQUE'"
            " AND territory_id = 'REG-94' AND kind = 'actual' AND period >= '2021'"
        ).fetchone()[0]
    assert corse["current"] == total


def test_readers_of_published_values_do_not_see_unpublished_ones_in_rollups(db):
    national_team = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))

    def regional(published_only):
        result = progress_service.progress(db, "region", ON, user=None if published_only else national_team)
        return one(result["indicators"], measure_code="M4.3", indicator_code="SERVICE_CIVIQUE", territory_id="REG-11")

    period = regional(True)["current_period"]
    where = (
        f"indicator_code = 'SERVICE_CIVIQUE' AND territory_id = 'REG-11' AND kind = 'actual' AND period = '{period}'"
    )
    with db.transaction() as cur:  # a draft replaces the latest figure, not yet published
        cur.execute("UPDATE indicator_value SET value = 999, published = false WHERE " + where)
        mark_dirty(cur, where=where)
    assert regional(False)["current_flow"] == 999  # the national team sees the draft
    public = regional(True)
    assert public["current_flow"] != 999 and public["current_period"] != period  # readers see published figures only
    shown = progress_data.series(db, "region")
    assert not (
        (shown["indicator_code"] == "SERVICE_CIVIQUE")
        & (shown["territory_id"] == "REG-11")
        & (shown["period"] == period)
        & (shown["kind"] == "actual")
    ).any()
    with db.transaction() as cur:  # once published, everyone sees it
        cur.execute("UPDATE indicator_value SET published = true WHERE " + where)
        mark_dirty(cur, where=where)
    assert regional(True)["current_flow"] == 999


def test_a_flow_is_compared_with_its_cumulative_target_as_a_running_total(db):
    clear_local(db, "SERVICE_CIVIQUE")
    for year, missions in ((2021, 450), (2022, 800), (2023, 900)):
        put(db, "SERVICE_CIVIQUE", "REG-11", str(year), missions)
    put(db, "SERVICE_CIVIQUE", "REG-11", "2023", 3000, kind="target")
    put(db, "SERVICE_CIVIQUE", "REG-11", "2020", 999)  # before the plan: not counted
    row = one(
        progress_service.progress(db, "region", ON)["indicators"],
        measure_code="M4.3",
        indicator_code="SERVICE_CIVIQUE",
        territory_id="REG-11",
    )
    assert (row["current"], row["current_flow"], row["initial"]) == (2150, 900, 0)
    assert row["rate"] == pytest.approx(2150 / 3000 * 100)  # 71.7 %, not 900 / 3 000 = 30 %
    assert row["cumulative_since"] == date(2021, 8, 27)
    on_track = one(
        progress_service.progress(db, "region", date(2022, 12, 31))["indicators"],
        measure_code="M4.3",
        indicator_code="SERVICE_CIVIQUE",
        territory_id="REG-11",
    )
    # On 31/12/2022 the line from 0 on 27/08/2021 to 3 000 on 31/12/2023 expects 3 000 × 491 / 856.
    assert on_track["current"] == 1250
    assert on_track["expected_value"] == pytest.approx(3000 * 491 / 856)


def test_a_stock_keeps_comparing_its_last_value(db):
    clear_local(db, "TL_OUVERTS")
    put(db, "TL_OUVERTS", "REG-11", "2022", 100)
    put(db, "TL_OUVERTS", "REG-11", "2023", 120)
    put(db, "TL_OUVERTS", "REG-11", "2018", 50, kind="baseline")
    put(db, "TL_OUVERTS", "REG-11", "2025", 250, kind="target")
    row = one(
        progress_service.progress(db, "region", ON)["indicators"],
        measure_code="M1.1",
        indicator_code="TL_OUVERTS",
        territory_id="REG-11",
    )
    assert (row["current"], row["initial"]) == (120, 50)
    assert row["rate"] == pytest.approx((120 - 50) / (250 - 50) * 100)
    assert row["cumulative_since"] is None


def test_one_territory_s_report_is_its_rows_of_the_whole_level(db):
    # The API and the CLI evaluate only the territory asked for: the same figures as the whole level's.
    # Trilport's EPCI: the level is a few hundred territories (the commune level costs half a minute here).
    from plan.progress_report import report

    on = date(2026, 11, 25)
    with db.read() as cur:
        epci = "EPCI-" + cur.execute("SELECT epci_siren FROM territory WHERE id = 'COM-77475'").fetchone()[0]
    whole = progress_service.progress(db, "epci", on)
    measures = whole["measures"][whole["measures"]["territory_id"] == epci]
    alone = {m["measure"]: m for m in report(db, epci, on)["measures"]}
    assert len(alone) == len(measures) > 0
    for m in measures.to_dict("records"):
        got = alone[m["measure_code"]]
        assert got["status"] == m["status"]
        assert (got["rate"] is None and pd.isna(m["rate"])) or abs(got["rate"] - m["rate"]) < 1e-9
