"""Token writes against a real server: accepted in scope, refused out of scope, for an élu, revoked or expired."""

from __future__ import annotations

from tests.integration.values_helpers import csv
from tests.postgres_backend import rows

IN_SCOPE = csv("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;REG-11;2017;1234\n")
OUT_OF_SCOPE = csv("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;REG-84;2017;99\n")
MIXED = csv(
    "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;REG-11;2016;5\nEMPLOIS_DIRECTS;REG-11;2015;abc\n"
    "EMPLOIS_DIRECTS;REG-84;2016;7\n"
)


def test_token_writes_follow_the_accounts_scope_and_refusals_write_nothing(live_private):
    server = live_private

    def send(body, token, **params):
        return server.post("/values/import", token=token, content=body, params={"filename": "v.csv", **params})

    dry = send(IN_SCOPE, "coordinator", dry_run="1")
    assert dry.status_code == 200 and dry.json()["inserted"] == 1 and not dry.json()["written"]
    mixed = send(MIXED, "coordinator")
    assert mixed.status_code == 422
    faulty = {(e["line"], e["column"]) for e in mixed.json()["errors"]}
    assert faulty == {(3, "valeur"), (4, "territoire")}  # every faulty line, and nothing of the good one
    out = send(OUT_OF_SCOPE, "coordinator")
    assert out.status_code == 422 and "hors de votre périmètre" in out.json()["errors"][0]["message"]
    elu = send(IN_SCOPE, "elu")
    assert elu.status_code == 403 and "réservée" in elu.json()["erreur"]
    for token, word in (("revoked", "révoqué"), ("expired", "expiré")):
        refused = send(IN_SCOPE, token)
        assert refused.status_code == 401 and word in refused.json()["erreur"]
        assert refused.headers["www-authenticate"].startswith("Bearer")
    assert server.post("/values/import", content=IN_SCOPE).status_code == 401
    ok = send(IN_SCOPE, "coordinator")
    assert ok.status_code == 200 and ok.json()["written"] and ok.json()["inserted"] == 1
    scope = {"indicator": "EMPLOIS_DIRECTS", "territory": "REG-11"}
    export = server.get("/values/export", token="coordinator", params=scope)
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    assert b";2017;" in export.content  # the writer reads the value it submitted
    # submitted, not yet published: an élu's export (and the public) does not show it
    assert b";2017;" not in server.get("/values/export", token="elu", params=scope).content
    server.stop()

    written = rows(
        server.db_file,
        "SELECT territory_id, period, value, updated_by FROM indicator_value"
        " WHERE indicator_code = 'EMPLOIS_DIRECTS' AND period IN ('2017', '2016', '2015')",
    )
    assert written == [("REG-11", "2017", 1234.0, "coordinateur.idf@demo.test")]
    uses = rows(
        server.db_file,
        "SELECT actor, action, json_extract_string(new_data, '$.written') FROM audit_log"
        " WHERE entity = 'api_token' AND action NOT IN ('create', 'revoke') ORDER BY id",
    )
    assert ("coordinateur.idf@demo.test", "import_values", "true") in uses
    assert sum(1 for u in uses if u[1] == "import_values") == 5  # dry run, mixed, out of scope, élu, accepted
    assert [u[0] for u in uses if u[1] == "refused"] == ["coordinateur.idf@demo.test"] * 2
    assert ("elu.trilport@demo.test", "export_values", None) in uses
    value_audit = rows(
        server.db_file,
        "SELECT actor, how FROM audit_log WHERE entity = 'value' AND entity_key LIKE 'EMPLOIS_DIRECTS|REG-11|2017%'",
    )
    assert value_audit == [("coordinateur.idf@demo.test", "import")]


def test_a_file_prepared_from_an_export_is_refused_as_stale_when_the_value_moved_since(live_private):
    server = live_private
    first = server.post("/values/import", token="coordinator", content=IN_SCOPE, params={"filename": "v.csv"})
    assert first.status_code == 200
    # A file prepared before that write: the value did not exist (version 0) when it was read.
    stale = csv("indicateur;territoire;periode;valeur;version\nEMPLOIS_DIRECTS;REG-11;2017;777;0\n")
    refused = server.post("/values/import", token="national", content=stale, params={"filename": "v.csv"})
    assert refused.status_code == 409 and "rien n'a été importé" in refused.json()["erreur"]
    conflict = refused.json()["conflicts"][0]
    assert (conflict["their_value"], conflict["their_version"], conflict["your_value"]) == (1234.0, 1, 777.0)
    server.stop()
    assert rows(
        server.db_file,
        "SELECT value, version FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS'"
        " AND territory_id = 'REG-11' AND period = '2017'",
    ) == [(1234.0, 1)]


def test_unusual_values_are_warned_then_written_only_with_confirm_and_a_comment(live_private):
    server = live_private
    # REG-11: 100 in 2014 then 500 in 2015, +400 % where EMPLOIS_DIRECTS allows 100 %.
    body = csv(
        "indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;REG-11;2014;100\nEMPLOIS_DIRECTS;REG-11;2015;500\n"
    )

    def send(**params):
        return server.post("/values/import", token="coordinator", content=body, params={"filename": "v.csv", **params})

    dry = send(dry_run="1")
    assert dry.status_code == 200 and not dry.json()["written"]
    assert [(w["line"], w["column"]) for w in dry.json()["warnings"]] == [(3, "valeur")]
    refused = send()
    assert refused.status_code == 422 and not refused.json()["written"]
    assert "rien n'a été enregistré" in refused.json()["erreur"] and "confirm=1" in refused.json()["erreur"]
    saved = send(confirm="1", comment="deux grands lieux ouverts")
    assert saved.status_code == 200 and saved.json()["written"] and saved.json()["inserted"] == 2
    server.stop()
    assert rows(
        server.db_file,
        "SELECT period, value FROM indicator_value WHERE indicator_code = 'EMPLOIS_DIRECTS'"
        " AND territory_id = 'REG-11' AND period IN ('2014', '2015') ORDER BY period",
    ) == [("2014", 100.0), ("2015", 500.0)]
