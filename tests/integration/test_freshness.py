"""Freshness on the real database: each indicator's delay and contact from the plan, and Complétude's
due dates and lateness (hand-computed from the plan's delays)."""

from datetime import date

import pytest

from accounts.models import Role, Scope, User
from plan import alerts
from plan.service import catalogue
from tests.conftest import opened_copy
from tests.integration.test_progress_service import one

COORDINATOR = User(email="c@x.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))


@pytest.fixture(scope="module")
def shared_db(built_db_file, tmp_path_factory):
    """One read-only copy for the tests that only read."""
    with opened_copy(built_db_file, tmp_path_factory.mktemp("freshness")) as database:
        yield database


def test_the_catalogue_holds_each_indicator_s_delay_and_contact(shared_db):
    indicators = catalogue(shared_db)["indicators"].set_index("code")
    assert indicators.at["EMPLOIS_DIRECTS", "delay_days"] == 180  # annual survey
    assert indicators.at["TL_OUVERTS", "delay_days"] == 0  # computed from the registry
    assert indicators.at["FAB_CREDITS", "delay_days"] == 90
    assert indicators.at["FAB_CREDITS", "contact"] == "ANCT — Programme Fabriques de territoire"
    assert not indicators["contact_confirmed"].any()  # every contact of the plan is still to be confirmed
    assert indicators["contact"].notna().all() and not indicators["contact"].str.contains("@").any()


def test_completeness_says_when_each_late_value_was_due_and_by_how_long(shared_db):
    late = alerts.completeness(shared_db, date(2026, 11, 25))["late"]
    # EMPLOIS_DIRECTS is due 180 days after 31/12: 2025 on 29/06/2026 (31+28+31+30+31+29), late by
    # 30 (to 29/07) + 31 + 31 + 30 + 27 = 149 days on 25/11/2026: late, not yet a year (365 days) late.
    row = one(late, indicator_code="EMPLOIS_DIRECTS", territory_id="REG-11", period="2025")
    assert (row["due_on"], row["days_late"], row["lateness"]) == (date(2026, 6, 29), 149, "en_retard")
    # 2024 was due on 29/06/2025, 365 + 149 = 514 days ago: more than 2024's 366 days, very late.
    row = one(late, indicator_code="EMPLOIS_DIRECTS", territory_id="REG-11", period="2024")
    assert (row["due_on"], row["days_late"], row["lateness"]) == (date(2025, 6, 29), 514, "tres_en_retard")


def test_a_value_is_late_only_from_the_day_after_its_own_due_date(shared_db):
    on_due_day = alerts.completeness(shared_db, date(2026, 6, 29))["late"]
    emplois = on_due_day[on_due_day["indicator_code"] == "EMPLOIS_DIRECTS"]
    assert "2025" not in set(emplois["period"])  # with the old 90 days for everyone it was late since 31/03
    next_day = alerts.completeness(shared_db, date(2026, 6, 30))["late"]
    row = one(next_day, indicator_code="EMPLOIS_DIRECTS", territory_id="REG-11", period="2025")
    assert (row["days_late"], row["lateness"]) == (1, "en_retard")
    assert (next_day["days_late"] >= 1).all()


def test_stale_indicators_say_how_late_they_are(shared_db):
    stale = alerts.stale(shared_db, date(2026, 11, 25))
    row = one(stale, indicator_code="ZE_SANS_TL", territory_id="FR")  # 180 days: due 29/06/2026
    assert (row["due"], row["due_on"], row["days_late"]) == (date(2025, 12, 31), date(2026, 6, 29), 149)


def test_an_indicator_without_a_delay_falls_back_to_the_default_90_days(db):
    with db.transaction() as cur:  # as in a database built before the indicators stated their delay
        cur.execute("UPDATE indicator SET delay_days = NULL WHERE code = 'EMPLOIS_DIRECTS'")
    late = alerts.completeness(db, date(2026, 6, 29))["late"]
    # 31/12/2025 + 90 days = 31/03/2026 (31 + 28 + 31); 29/06/2026 is 30 + 31 + 29 = 90 days later.
    row = one(late, indicator_code="EMPLOIS_DIRECTS", territory_id="REG-11", period="2025")
    assert (row["due_on"], row["days_late"]) == (date(2026, 3, 31), 90)


def test_the_open_data_catalogue_lists_periodicity_delay_and_contact(shared_db):
    import csv
    import io
    import json
    import zipfile

    from plan import open_data

    archive = zipfile.ZipFile(io.BytesIO(open_data.package(shared_db, ["pays"])))
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(archive.read("indicateurs.csv").decode("utf-8")))}
    assert {k: rows["FAB_CREDITS"][k] for k in ("period_type", "delay_days", "contact", "contact_confirmed")} == {
        "period_type": "year",
        "delay_days": "90",
        "contact": "ANCT — Programme Fabriques de territoire",
        "contact_confirmed": "false",
    }
    assert rows["TL_OUVERTS"]["delay_days"] == "0"
    resources = json.loads(archive.read("datapackage.json"))["resources"]
    fields = next(r for r in resources if r["name"] == "indicateurs")["schema"]["fields"]
    assert {f["name"]: f["type"] for f in fields}["delay_days"] == "integer"
