"""The open API against a real server: every read route, pagination, French CSV, caching headers, the rate limit."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from tests.http.conftest import serve


def query(db_file, sql, params=()):
    """Rows from the built database, opened read-only (the server works on its own copy)."""
    con = duckdb.connect(str(db_file), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def french_csv(response):
    """The rows of a French CSV answer (checking its BOM and separator)."""
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert ";" in text.splitlines()[0]
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_plan_lists_axes_measures_and_indicators_with_their_sources(live, built_db_file):
    answer = live.get("/plan").json()
    assert [a["code"] for a in answer["axes"]] == [
        r[0] for r in query(built_db_file, "SELECT code FROM axis ORDER BY position")
    ]
    pairs = query(built_db_file, "SELECT measure_code, indicator_code FROM measure_indicator")
    assert sorted((m["code"], i["indicator_code"]) for m in answer["measures"] for i in m["indicators"]) == sorted(
        pairs
    )
    sourced = {i["code"]: i["source_title"] for i in answer["indicators"]}
    expected = dict(
        query(built_db_file, "SELECT i.code, s.title FROM indicator i JOIN source s ON s.code = i.source_code")
    )
    assert expected and all(sourced[code] == title for code, title in expected.items())
    assert "updated_by" not in answer["measures"][0] and "pilot_people" not in answer["measures"][0]


def test_the_plan_states_each_indicator_s_periodicity_delay_and_contact(live):
    indicators = {i["code"]: i for i in live.get("/plan").json()["indicators"]}
    emplois = indicators["EMPLOIS_DIRECTS"]  # an annual survey of France Tiers-Lieux
    assert (emplois["period_type"], emplois["delay_days"]) == ("year", 180)
    assert (emplois["contact"], emplois["contact_confirmed"]) == (
        "France Tiers-Lieux — Observatoire des tiers-lieux",
        False,
    )
    assert indicators["TL_OUVERTS"]["delay_days"] == 0  # computed from the registry


def test_values_are_filtered_and_paginated(live, built_db_file):
    where = (
        "FROM indicator_value v JOIN territory t ON t.id = v.territory_id WHERE v.indicator_code = 'EMPLOIS_DIRECTS'"
    )
    total = query(built_db_file, f"SELECT count(*) {where}")[0][0]
    assert total > 50
    first = live.get("/values", params={"indicator": "EMPLOIS_DIRECTS", "per_page": 25}).json()
    assert first["total"] == total and first["pages"] == -(-total // 25) and len(first["data"]) == 25
    pages, url = [first["data"]], first["next"]
    while url:
        page = live.get(url.split("/api/v1", 1)[1]).json()
        pages.append(page["data"])
        url = page["next"]
    rows = [r for chunk in pages for r in chunk]
    assert len(rows) == total and len({(r["territoire"], r["periode"], r["type"]) for r in rows}) == total
    regional = live.get(
        "/values", params={"indicator": "EMPLOIS_DIRECTS", "level": "region", "kind": "realise", "period": "2024"}
    ).json()
    expected = query(
        built_db_file, f"SELECT count(*) {where} AND t.level = 'region' AND v.kind = 'actual' AND v.period = '2024'"
    )[0][0]
    assert regional["total"] == expected > 0
    assert {(r["niveau"], r["type"], r["periode"]) for r in regional["data"]} == {("region", "realise", "2024")}
    within = live.get("/values", params={"indicator": "EMPLOIS_DIRECTS", "territory": "REG-11"}).json()
    assert {r["territoire"] for r in within["data"]} == {"REG-11"}


def test_drafts_stay_out_of_the_public_answer_and_reach_only_who_may_see_them(live):
    from tests.integration.test_drafts import LOCAL_DRAFT

    params = {"indicator": "EMPLOIS_DIRECTS", "territory": "DEP-77", "period": "2024", "level": "departement"}
    assert live.get("/values", params=params).json()["total"] == 0
    coordinator = live.get("/values", params=params, token="coordinator").json()["data"]
    assert [r["valeur"] for r in coordinator] == [LOCAL_DRAFT]
    assert live.get("/values", params=params, token="elu").json()["total"] == 0
    public_tag = live.get("/values", params=params).headers["etag"]
    assert live.get("/values", params=params, token="coordinator").headers["etag"] != public_tag


def test_a_values_request_without_a_filter_is_refused_in_french(live):
    response = live.get("/values")
    assert response.status_code == 400 and "Précisez indicator" in response.json()["erreur"]
    assert live.get("/values", params={"indicator": "EMPLOIS_DIRECTS", "kind": "x"}).status_code == 400


def test_answers_come_as_french_csv_with_french_headers_and_decimal_commas(live):
    params = {"departement": "77", "per_page": 20}
    response = live.get("/lieux", params={**params, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = french_csv(response)
    assert {"Identifiant", "Nom", "Code commune (INSEE)", "Latitude", "Ouvert"} <= set(rows[0])
    json_rows = live.get("/lieux", params=params).json()["data"]
    assert [r["Identifiant"] for r in rows] == [r["id"] for r in json_rows]
    placed = next(i for i, r in enumerate(json_rows) if r["lat"] % 1)
    assert float(rows[placed]["Latitude"].replace(",", ".")) == pytest.approx(json_rows[placed]["lat"])
    assert "," in rows[placed]["Latitude"] and rows[placed]["Ouvert"] in ("oui", "non")
    values = french_csv(live.get("/values", params={"indicator": "EMPLOIS_DIRECTS", "format": "csv"}))
    assert {"Code indicateur", "Identifiant du territoire", "Période", "Valeur"} <= set(values[0])


def test_progress_of_every_measure_for_a_territory_and_date(live, built_db_file):
    answer = live.get("/progress", params={"territory": "DEP-77", "date": "2025-06-30"}).json()
    assert answer["territory"] == "DEP-77" and answer["date"] == "2025-06-30"
    measures = [r[0] for r in query(built_db_file, "SELECT code FROM measure")]
    assert sorted(m["measure"] for m in answer["measures"]) == sorted(measures)
    rows = french_csv(live.get("/progress", params={"territory": "DEP-77", "date": "2025-06-30", "format": "csv"}))
    assert len(rows) == len(measures) and "Statut" in rows[0]
    assert live.get("/progress", params={"territory": "ZZ"}).status_code == 404
    assert live.get("/progress", params={"date": "30/06/2025"}).status_code == 400


def test_a_communes_comparison_with_its_peers(live, built_db_file):
    answer = live.get("/territories/77475/comparison", params={"indicator": "TL_OUVERTS"}).json()
    assert answer["territory"]["id"] == "COM-77475"
    population = query(built_db_file, "SELECT population FROM territory WHERE id = 'COM-77475'")[0][0]
    assert answer["territory"]["population"] == population
    assert answer["peers"]["n"] == len(answer["peers"]["members"]) > 0
    low, high = population * 0.5, population * 1.5  # the default band: ±50 %
    assert all(low <= m["population"] <= high for m in answer["peers"]["members"])
    assert [r["code"] for r in answer["comparison"]] == ["TL_OUVERTS"]
    assert live.get("/territories/00000/comparison").status_code == 404


def test_the_registry_with_stable_identifiers_and_no_personal_fields(live, built_db_file):
    answer = live.get("/lieux", params={"departement": "77", "per_page": 50}).json()
    expected = query(
        built_db_file,
        "SELECT count(*) FROM lieu l JOIN territory c ON c.level = 'commune' "
        "AND c.code = l.commune_code WHERE c.departement_code = '77'",
    )[0][0]
    assert answer["total"] == expected and len(answer["data"]) == min(50, expected)
    row = answer["data"][0]
    assert len(row["commune_code"]) == 5 and len(row["epci_siren"]) == 9
    assert "updated_by" not in row and "review_reason" not in row


def test_coverage_share_is_the_covered_population_over_the_population(live):
    answer = live.get("/coverage", params={"km": 10, "top": 5}).json()
    assert answer["share"] == pytest.approx(100 * answer["covered_population"] / answer["population"])
    assert len(answer["ranking"]) == 5
    assert live.get("/coverage", params={"km": 0}).status_code == 400


def test_the_openapi_description_names_every_route(live):
    spec = live.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/plan",
        "/api/v1/values",
        "/api/v1/progress",
        "/api/v1/territories/{code}/comparison",
        "/api/v1/lieux",
        "/api/v1/coverage",
        "/api/v1/values/import",
        "/api/v1/values/export",
        "/api/v1/lieux/import",
    } <= set(spec["paths"])
    assert spec["paths"]["/api/v1/values/import"]["post"]["security"] == [{"jeton": []}]


@pytest.mark.parametrize("kind", ["values", "lieux"])
def test_the_import_schemas_are_served_as_json_listed_in_openapi_and_validate_with_frictionless(live, tmp_path, kind):
    import frictionless

    from indicators import contract as values_contract
    from lieux import contract as lieux_contract

    contract = {"values": values_contract, "lieux": lieux_contract}[kind]
    answer = live.get(f"/schemas/{kind}.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == "application/json"
    assert contract.FILENAME in answer.headers["content-disposition"]
    assert answer.json() == contract.table_schema()  # the same file as the pages' download button
    assert frictionless.Schema.validate_descriptor(answer.json()).valid
    again = live.get(f"/schemas/{kind}.json", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    operation = live.get("/openapi.json").json()["paths"][f"/api/v1/schemas/{kind}.json"]["get"]
    assert "Table Schema" in operation["summary"] and "security" not in operation


def test_an_unchanged_answer_is_a_304_for_the_etag_the_client_holds(live):
    first = live.get("/plan")
    tag = first.headers["etag"]
    again = live.get("/plan", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert live.get("/plan", headers={"If-None-Match": '"autre"'}).status_code == 200
    assert live.get("/plan", params={"format": "csv"}).headers["etag"] != tag  # another representation


def test_the_rate_limit_answers_429_with_retry_after_in_french(db_file):
    server = serve(db_file, {"CARREFOURS_API_RATE": "4"})  # its start-up check is the first request
    try:
        codes = [server.get("/openapi.json").status_code for _ in range(3)]
        refused = server.get("/openapi.json")
    finally:
        server.stop()
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Trop de requêtes" in refused.json()["erreur"]


def test_the_open_data_package_is_a_valid_frictionless_package_of_published_figures(live, built_db_file, tmp_path):
    import zipfile

    import frictionless

    response = live.get("/open-data.zip", params={"niveau": "region"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:5]
    descriptor = frictionless.Package(str(tmp_path / "datapackage.json"))
    assert descriptor.licenses[0]["name"] == "etalab-2.0" and descriptor.sources
    assert all(f.description for r in descriptor.resources for f in r.schema.fields)
    values = list(csv.DictReader(open(tmp_path / "valeurs.csv", encoding="utf-8")))
    expected = query(
        built_db_file,
        "SELECT count(*) FROM indicator_value v JOIN territory t ON t.id = v.territory_id"
        " WHERE t.level = 'region' AND v.published",
    )[0][0]
    assert len(values) == expected and {v["niveau"] for v in values} == {"region"}
    lieux = list(csv.DictReader(open(tmp_path / "lieux.csv", encoding="utf-8")))
    assert len(lieux) == query(built_db_file, "SELECT count(*) FROM lieu")[0][0]
    again = live.get("/open-data.zip", params={"niveau": "region"}, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert live.get("/open-data.zip", params={"niveau": "canton"}).status_code == 400
