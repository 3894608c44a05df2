"""The reference geography loaded from the committed files."""

import pytest

from territories.service import get, search


def test_codes_are_strings_with_their_leading_zeros_and_corsica(db):
    assert get(db, "01001")["name"] == "L'Abergement-Clémenciat"
    assert get(db, "2A004")["departement_code"] == "2A"
    assert get(db, "97411")["region_code"] == "04"
    assert get(db, "REG-01")["name"] == "Guadeloupe"
    assert get(db, "DEP-01")["name"] == "Ain"


def test_trilport_sits_in_the_pays_de_meaux_outside_the_metropoles(db):
    trilport = get(db, "77475")
    assert trilport["departement_code"] == "77" and trilport["region_code"] == "11"
    epci = get(db, f"EPCI-{trilport['epci_siren']}")
    assert "Meaux" in epci["name"] and epci["epci_nature"] == "CA"
    assert trilport["in_metropole"] is False
    assert 4000 < trilport["population"] < 7000
    assert trilport["typology_official"] is False  # approximated until INSEE files are imported


@pytest.mark.national
def test_aggregates_add_up_the_communes(db):
    with db.read() as cur:
        communes = cur.execute("SELECT sum(population) FROM territory WHERE level = 'commune'").fetchone()[0]
        regions = cur.execute("SELECT sum(population) FROM territory WHERE level = 'region'").fetchone()[0]
        metropoles = cur.execute(
            "SELECT count(*) FROM territory WHERE level = 'epci' AND epci_nature = 'ME'"
        ).fetchone()[0]
    assert communes == regions == get(db, "FR")["population"]
    assert 66_000_000 < communes < 70_000_000
    assert metropoles == 22


def test_search_ignores_accents_and_hyphens_and_finds_codes(db):
    assert "COM-42218" in search(db, "saint etienne")["id"].tolist()[:3]
    assert search(db, "st etienne")["id"].tolist()[0] == "COM-42218"
    by_postcode = search(db, "77470")["id"].tolist()
    assert by_postcode[0] == "COM-77470" and "COM-77475" in by_postcode  # INSEE code first, then postcode
    assert search(db, "trilport")["id"].tolist()[0] == "COM-77475"
    assert search(db, "   ").empty
