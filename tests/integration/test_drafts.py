"""Unpublished (draft) values reach only who policy allows, through every service, command and export."""

import io
import json

import pandas as pd
import pytest

from accounts import repository as accounts
from bootstrap import open_database
from indicators import exports, revert, writes
from indicators.aggregates import mark_dirty
from indicators.models import ValueChange
from plan import dashboard_service, progress_service
from plan.service import measure_detail
from tests.command_line import run
from tests.integration.values_helpers import COORD_ARA, COORD_IDF, ELU, MINISTERE

DRAFT = 987654.0  # a national figure not yet published
LOCAL_DRAFT = 4242.0  # a départemental figure not yet published
NATIONAL = "indicator_code = 'TL_OUVERTS' AND territory_id = 'FR' AND period = '2025' AND kind = 'actual'"
LOCAL = "indicator_code = 'EMPLOIS_DIRECTS' AND territory_id = 'DEP-77' AND period = '2024' AND kind = 'actual'"


def seed_drafts(db) -> None:
    """A national value and a départemental one typed by its coordinator, both with published = false."""
    result = writes.apply(
        db,
        COORD_IDF,
        [ValueChange(indicator_code="EMPLOIS_DIRECTS", territory_id="DEP-77", period="2024", value=LOCAL_DRAFT)],
        how="saisie",
    )
    assert result.inserted == 1
    with db.transaction() as cur:
        _unpublish(cur)


def _unpublish(cur) -> None:
    cur.execute("DELETE FROM indicator_value WHERE " + NATIONAL)
    cur.execute(
        "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end, kind,"
        " value, source, comment, published, updated_by) VALUES ('TL_OUVERTS', 'FR', '2025', DATE"
        " '2025-01-01', DATE '2025-12-31', 'actual', ?, 'ANCT', 'Brouillon à valider', false, 'anct')",
        [DRAFT],
    )
    cur.execute(f"UPDATE indicator_value SET published = false WHERE {LOCAL}")
    mark_dirty(cur, where=NATIONAL)
    mark_dirty(cur, where=LOCAL)


@pytest.fixture
def drafted(db):
    seed_drafts(db)
    return db


@pytest.fixture
def cli_db(db_file):
    database = open_database(db_file)
    seed_drafts(database)
    with database.transaction() as cur:
        for user in (COORD_IDF, COORD_ARA, MINISTERE, ELU):
            accounts.add(cur, user)
    database.close()
    return db_file


def tl_ouverts_france(result) -> dict:
    rows = result["indicators"]
    return rows[(rows["territory_id"] == "FR") & (rows["indicator_code"] == "TL_OUVERTS")].iloc[0].to_dict()


def test_the_measure_page_data_holds_drafts_for_the_national_team_only(drafted):
    def shown(user):
        values = measure_detail(drafted, "M1.1", user)["values"]["TL_OUVERTS"]
        return set(values["value"]), values

    for reader in (None, ELU, COORD_IDF):  # national figures are outside any coordinator's scope
        values, frame = shown(reader)
        assert DRAFT not in values and 3500 in values
        assert "published" not in frame.columns
    assert DRAFT in shown(MINISTERE)[0]


def test_progress_counts_drafts_for_the_national_team_only(drafted):
    on = pd.Timestamp("2026-11-25").date()
    assert tl_ouverts_france(progress_service.progress(drafted, "region", on))["current"] == 3500
    assert tl_ouverts_france(progress_service.progress(drafted, "region", on, user=ELU))["current"] == 3500
    assert tl_ouverts_france(progress_service.progress(drafted, "region", on, user=MINISTERE))["current"] == DRAFT
    chart = dashboard_service.national_chart(drafted, "TL_OUVERTS", None, on)["frame"]
    assert DRAFT not in set(chart["value"])


def test_history_withholds_a_draft_from_who_may_not_see_it(drafted):
    def history(user):
        return revert.history(drafted, "EMPLOIS_DIRECTS", "DEP-77", "2024", user=user)

    for reader in (None, ELU, COORD_ARA):
        data = history(reader)
        assert data["withheld"] and data["current"] is None and data["entries"].empty
    for writer in (COORD_IDF, MINISTERE):  # DEP-77 lies in Île-de-France
        data = history(writer)
        assert not data["withheld"] and data["current"]["value"] == LOCAL_DRAFT


def test_exports_leave_drafts_out_unless_policy_allows(drafted):
    def exported(user):
        data, _ = exports.export_values(drafted, user, "csv", "EMPLOIS_DIRECTS", "DEP-77")
        frame = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
        return frame[
            (frame["territoire"] == "DEP-77") & (frame["periode"].astype(str) == "2024") & (frame["type"] == "realise")
        ]

    for reader in (None, ELU, COORD_ARA):
        assert exported(reader).empty
    for writer in (COORD_IDF, MINISTERE):
        assert exported(writer)["valeur"].tolist() == [LOCAL_DRAFT]
    assert "published" not in exported(MINISTERE).columns


def test_cli_history_shows_a_draft_only_with_an_account_allowed_to(cli_db):
    public = run(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "DEP-77",
        "--period",
        "2024",
        "--json",
        db_file=cli_db,
    )
    assert public.returncode == 0, public.stderr
    data = json.loads(public.stdout)
    assert data["current"] is None and data["history"] == [] and data["withheld"]
    assert "4242" not in public.stdout
    text = run(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "DEP-77",
        "--period",
        "2024",
        "--user",
        ELU.email,
        db_file=cli_db,
    )
    assert text.returncode == 0 and "aucune valeur publiée" in text.stdout and "4242" not in text.stdout
    allowed = run(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "DEP-77",
        "--period",
        "2024",
        "--json",
        "--user",
        COORD_IDF.email,
        db_file=cli_db,
    )
    assert json.loads(allowed.stdout)["current"]["value"] == LOCAL_DRAFT


def test_cli_progress_json_leaves_drafts_out_without_a_national_account(cli_db):
    def france(*extra):
        result = run("progress", "--json", "--date", "2026-11-25", *extra, db_file=cli_db)
        assert result.returncode == 0, result.stderr
        m11 = next(m for m in json.loads(result.stdout)["measures"] if m["measure"] == "M1.1")
        return next(i for i in m11["indicators"] if i["indicator"] == "TL_OUVERTS")

    assert france()["current"] == 3500
    assert france("--user", ELU.email)["current"] == 3500
    assert france("--user", MINISTERE.email)["current"] == DRAFT


def test_cli_export_leaves_drafts_out_for_readers(cli_db, tmp_path):
    def exported(*extra):
        out = tmp_path / "valeurs.csv"
        result = run(
            "export",
            "values",
            "--indicator",
            "EMPLOIS_DIRECTS",
            "--territory",
            "DEP-77",
            "--out",
            str(out),
            *extra,
            db_file=cli_db,
        )
        assert result.returncode == 0, result.stderr
        return out.read_text(encoding="utf-8-sig")

    assert "4242" not in exported() and "4242" not in exported("--user", ELU.email)
    assert "4242" in exported("--user", COORD_IDF.email)
