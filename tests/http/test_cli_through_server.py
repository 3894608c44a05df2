"""The CLI alongside a running server: the same commands through its API with a token, the same output."""

from __future__ import annotations

import json

from tests.http.conftest import cli
from tests.integration.values_helpers import csv
from tests.postgres_backend import ON_POSTGRES, rows


def test_import_values_goes_through_the_running_server_and_is_audited(live_private, tmp_path):
    server = live_private
    path = tmp_path / "valeurs.csv"
    path.write_bytes(csv("indicateur;territoire;periode;valeur\nEMPLOIS_DIRECTS;REG-11;2017;321\n"))
    env = {**server.env, "CARREFOURS_TOKEN": server.tokens["coordinator"]}
    if not ON_POSTGRES:  # the server holds the file's lock; PostgreSQL takes writes from both
        locked = cli("import", "values", path, "--user", "coordinateur.idf@demo.test", env=env)
        assert locked.returncode == 2 and "déjà ouverte" in locked.stderr and "--server URL" in locked.stderr
    # The real entry point, through the server's API.
    dry = cli("import", "values", path, "--dry-run", "--server", server.url, env=env, spawn=True)
    assert dry.returncode == 0, dry.stderr
    assert "1 valeur(s) nouvelle(s)" in dry.stdout and "rien n'a été écrit" in dry.stdout
    done = cli("import", "values", path, "--server", server.url, env=env)
    assert done.returncode == 0, done.stderr
    assert "1 valeur(s) nouvelle(s), 0 modifiée(s), 0 inchangée(s) ont été traitées." in done.stdout
    by_env = cli(
        "history",
        "--indicator",
        "EMPLOIS_DIRECTS",
        "--territory",
        "REG-11",
        "--period",
        "2017",
        env={**env, "CARREFOURS_SERVER": server.url},
    )
    assert by_env.returncode == 0, by_env.stderr
    assert (
        "Valeur actuelle : 321 (version 1)" in by_env.stdout and "coordinateur.idf@demo.test  import" in by_env.stdout
    )
    elu = cli("import", "values", path, "--server", server.url, env={**env, "CARREFOURS_TOKEN": server.tokens["elu"]})
    assert elu.returncode == 2 and "403" in elu.stderr
    if not ON_POSTGRES:  # replacing the file itself, which the server holds
        forced = cli("init", "--force", env=env)
        assert forced.returncode == 2 and "Arrêtez d'abord le serveur" in forced.stderr
    server.stop()
    audit = rows(
        server.db_file,
        "SELECT actor, how FROM audit_log WHERE entity = 'value' AND entity_key = 'EMPLOIS_DIRECTS|REG-11|2017|actual'",
    )
    ((uses,),) = rows(
        server.db_file,
        "SELECT count(*) FROM audit_log WHERE entity = 'api_token' AND action = 'import_values'"
        " AND json_extract_string(new_data, '$.written') = 'true'",
    )
    assert audit == [("coordinateur.idf@demo.test", "import")] and uses == 1


def test_reading_commands_print_the_same_through_the_server_as_on_the_file(live, tmp_path):
    env = {**live.env, "CARREFOURS_TOKEN": live.tokens["national"]}
    remote = {
        name: cli(*args, "--server", live.url, env=env)
        for name, args in {
            "progress": ("progress", "--territory", "DEP-77", "--date", "2025-06-30", "--json"),
            "compare": ("compare", "77475", "--indicator", "TL_OUVERTS", "--json"),
            "coverage": ("coverage", "--top", "5", "--json"),
            "status": ("status", "--json"),
        }.items()
    }
    for name, done in remote.items():
        assert done.returncode == 0, (name, done.stderr)
    live.stop()  # now the file is free: the same commands on it must print the same
    local = {
        name: cli(*args, env=env)
        for name, args in {
            "progress": (
                "progress",
                "--territory",
                "DEP-77",
                "--date",
                "2025-06-30",
                "--json",
                "--user",
                "ministere@demo.test",
            ),
            "compare": ("compare", "77475", "--indicator", "TL_OUVERTS", "--json"),
            "coverage": ("coverage", "--top", "5", "--json"),
            "status": ("status", "--json"),
        }.items()
    }
    for name in remote:
        assert local[name].returncode == 0, (name, local[name].stderr)
        assert json.loads(remote[name].stdout) == json.loads(local[name].stdout), name
    text = cli(
        "export", "values", "--format", "csv", "--out", tmp_path / "v.csv", "--indicator", "EMPLOIS_DIRECTS", env=env
    )
    assert text.returncode == 0 and "valeur(s) exportée(s)" in text.stdout
