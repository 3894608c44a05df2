"""The comparison engine, council sheet and `cli.py compare` on the real demo database."""

import io
import json

import numpy as np
import pypdf
import pytest

from accounts.models import Role, Scope, User
from comparison import council_sheet, territory_sheet
from comparison import service as comparison
from comparison.peers import PeerCriteria
from formatting import french as fmt
from indicators.aggregates import mark_dirty
from indicators.periods import parse_period
from store import audit
from tests.command_line import run, spawn
from tests.integration.rollup_oracle import rollup


def test_trilport_peers_are_periurban_communes_of_comparable_population(db):
    territory, group = comparison.peer_group(db, "77475")
    assert territory["name"] == "Trilport"
    assert group.n >= 5 and not group.widened
    assert set(group.members["typology"]) == {territory["typology"]}
    low, high = 0.5 * territory["population"], 1.5 * territory["population"]
    assert group.members["population"].between(low, high).all()
    assert "COM-77475" not in set(group.members["id"])


def test_commune_comparison_matches_an_independent_sql_median(db):
    result = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])
    row = result["table"].iloc[0]
    peers = result["peers"].members[["id", "population"]]
    with db.read() as cur:
        cur.register("peer_ids", peers)
        expected = cur.execute(
            "SELECT quantile_cont(v.value * 10000.0 / p.population, [0.25, 0.5, 0.75]), count(*)"
            " FROM indicator_value v JOIN peer_ids p ON p.id = v.territory_id"
            " WHERE v.indicator_code = 'TL_OUVERTS' AND v.kind = 'actual' AND v.period = ?",
            [row["period"]],
        ).fetchone()
    assert [row["q1"], row["median"], row["q3"]] == pytest.approx(expected[0])
    assert row["n"] == expected[1] == result["peers"].n
    assert row["basis_label"] == "pour 10 000 hab." and result["is_demo"]


def test_epci_values_are_rolled_up_from_their_communes(db):
    result = comparison.compare(db, "200072130", indicator_codes=["TL_OUVERTS"])
    row = result["table"].iloc[0]
    with db.read() as cur:
        indicator = cur.execute("SELECT * FROM indicator WHERE code = 'TL_OUVERTS'").df().iloc[0].to_dict()
        rolled = rollup(cur, indicator, parse_period(row["period"]), "epci")
    assert row["value"] == rolled.set_index("territory_id").loc["EPCI-200072130", "value"]
    assert row["n"] == result["peers"].n >= 5


def test_every_level_compares_and_regions_widen_with_an_explanation(db):
    for key in ("DEP-77", "REG-11"):
        result = comparison.compare(db, key)
        assert result["peers"].n >= 5
        assert result["table"]["available"].any()
    regions = comparison.compare(db, "REG-11")["peers"]
    assert regions.widened and "Groupe trop petit" in regions.notes[0]


def test_the_comparison_follows_a_write_once_its_slice_is_marked(db):
    before = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])["table"].iloc[0]

    def write(cur):
        where = "indicator_code = 'TL_OUVERTS' AND territory_id = 'COM-77475' AND period = ? AND kind = 'actual'"
        cur.execute(
            "UPDATE indicator_value SET value = 40, version = version + 1, updated_at = now() WHERE " + where,
            [before["period"]],
        )
        mark_dirty(cur, where=where, params=[before["period"]])  # every writer marks its slices
        audit.append(cur, actor="test", entity="value", action="update", key="TL_OUVERTS/COM-77475")

    db.write(write)
    after = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])["table"].iloc[0]
    assert after["value"] == 40 and after["rank"] == 1
    assert after["value_basis"] == pytest.approx(40 * 10000 / 5146, rel=0.01)


def test_readers_of_published_values_compare_on_published_values_only(db):
    before = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])["table"].iloc[0]
    where = "indicator_code = 'TL_OUVERTS' AND territory_id = 'COM-77475' AND period = ? AND kind = 'actual'"
    with db.transaction() as cur:
        cur.execute("UPDATE indicator_value SET value = 40, published = false WHERE " + where, [before["period"]])
        mark_dirty(cur, where=where, params=[before["period"]])
    national_team = User(email="anct@example.fr", scopes=(Scope(role=Role.ministere),))
    coordinator = User(email="coord@example.fr", scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),))
    assert (
        comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"], user=national_team)["table"].iloc[0]["value"]
        == 40
    )
    # Peers lie outside a coordinator's scope: the comparison holds published values only for them.
    assert (
        comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"], user=coordinator)["table"].iloc[0]["value"]
        != 40
    )
    public = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])["table"].iloc[0]
    assert public["period"] == before["period"] and public["value"] != public["value"]  # no published value
    peers = comparison.compare(db, "77475", indicator_codes=["TL_OUVERTS"])["peers"]
    ids = peers.members["id"].tolist()
    trend = comparison.trend(db, "COM-77475", ids, "TL_OUVERTS")
    assert trend.loc[trend["period"] == before["period"], "own"].isna().all()


def test_same_region_and_k_most_similar(db):
    region = comparison.compare(db, "77475", PeerCriteria(same_region=True))["peers"]
    assert set(region.members["region_code"]) == {"11"} and "Même région" in region.criteria
    nearest = comparison.compare(db, "77475", PeerCriteria(mode="k", k=12))["peers"]
    assert nearest.n == 12 and nearest.members["distance"].is_monotonic_increasing


def test_trend_against_the_peer_median(db):
    _, group = comparison.peer_group(db, "77475")
    series = comparison.trend(db, "COM-77475", group.members["id"].tolist(), "TL_OUVERTS")
    assert list(series["period"]) == sorted(series["period"]) and len(series) >= 5
    assert (series["n"] == group.n).all() and np.isfinite(series["median"]).all()


def test_unknown_territory_and_indicator_are_explained(db):
    with pytest.raises(comparison.ComparisonError, match="« 99999 » est inconnu"):
        comparison.compare(db, "99999")
    with pytest.raises(comparison.ComparisonError, match="Indicateur inconnu : NOPE"):
        comparison.compare(db, "77475", indicator_codes=["NOPE"])
    with pytest.raises(comparison.ComparisonError, match="pas de territoire comparable"):
        comparison.compare(db, "FR")


def test_council_sheet_pdf_names_the_territory_and_its_peer_count(db):
    result, sheet = comparison.compare(db, "77475"), territory_sheet.sheet(db, "77475")
    reader = pypdf.PdfReader(io.BytesIO(council_sheet.build_pdf(result, sheet)))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Trilport" in text
    assert f"Territoires comparables : {result['peers'].n}" in text
    assert "DONNÉES DE DÉMONSTRATION" in text and "Sources" in text
    assert "CA du Pays de Meaux" in text


def test_council_sheet_csv_has_the_same_numbers_in_french(db):
    result = comparison.compare(db, "77475")
    text = fmt.csv_bytes(council_sheet.csv_frame(result)).decode("utf-8-sig")
    header, first = text.splitlines()[0].split(";"), text.splitlines()[1].split(";")
    assert header[:4] == ["Territoire", "Code territoire", "Nombre de pairs", "Indicateur"]
    assert first[0] == "Trilport" and first[2] == str(result["peers"].n)
    assert "Médiane des pairs" in header and "Données de démonstration" in header


def test_cli_compare_prints_the_peer_group_and_comparison_as_json(db_file):
    # The real entry point of compare.
    result = spawn("compare", "77475", "--indicator", "TL_OUVERTS", "--peers", "k=8", "--json", db_file=db_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["territory"]["name"] == "Trilport"
    assert report["peers"]["n"] == 8 == len(report["peers"]["members"])
    assert report["peers"]["criteria"][0] == "Même niveau (communes)"
    assert [row["code"] for row in report["comparison"]] == ["TL_OUVERTS"]
    assert report["comparison"][0]["n"] == 8 and report["is_demo"] is True


def test_cli_compare_explains_bad_input(db_file):
    result = run("compare", "77475", "--peers", "tous", db_file=db_file)
    assert result.returncode == 2 and "--peers tous" in result.stderr
    result = run("compare", "99999", db_file=db_file)
    assert result.returncode == 2 and "inconnu" in result.stderr
