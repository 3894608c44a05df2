"""Several Carrefours servers on one PostgreSQL database: first start, hot writes, roll-ups, a killed server.

Two real processes (tests/integration/pg_server.py, opened through bootstrap like the app) start at once
on an empty database: one builds it, the other waits and opens its base. Then each runs writer threads on
the same few values, each write carrying the version its writer read, while a thread reads roll-ups.
Runs only when CARREFOURS_TEST_POSTGRES_URL names a PostgreSQL cluster where its user may create databases (.ci/run sets it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from store.postgres import PostgresDatabase
from store.postgres_lifecycle import is_carrefours
from tests import postgres_backend

URL = os.environ.get("CARREFOURS_TEST_POSTGRES_URL", "").strip()
pytestmark = pytest.mark.skipif(
    not URL, reason="CARREFOURS_TEST_POSTGRES_URL n'est pas défini (aucun PostgreSQL de test)"
)
ROOT = Path(__file__).resolve().parents[2]
CODE, YEAR = "EMPLOIS_DIRECTS", 2025  # a summed indicator with no value in 2025: the test's writes are all
LEVELS = ["commune", "departement", "region", "pays"]
PROCESSES, THREADS, WRITES = 2, 4, 6  # per process, per thread
NOTE = "essai de plusieurs serveurs"  # pg_server.NOTE: the audit comment of every test write


class Server:
    """One pg_server process: JSON commands on stdin, JSON answers on stdout."""

    def __init__(self, url: str):
        env = {**os.environ, "CARREFOURS_DATABASE_URL": url}
        env.pop("CARREFOURS_DB", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.pg_server"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.url = url

    def answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            raise AssertionError(f"le serveur s'est arrêté : {self.process.stderr.read()[-3000:]}")
        return json.loads(line)

    def send(self, **command) -> None:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def ask(self, **command) -> dict:
        self.send(**command)
        return self.answer()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def servers():
    """Two servers started at once on an empty database (the first-start race), both ready."""
    with postgres_backend.empty_database() as url:
        started = [Server(url) for _ in range(PROCESSES)]
        try:
            for server in started:
                assert "ready" in server.answer()
            yield started
        finally:
            for server in started:
                if server.process.poll() is None:
                    server.process.kill()
                server.process.wait()


@pytest.fixture(scope="module")
def pg(servers):
    """The test's own connection, for what it checks by SQL."""
    db = PostgresDatabase(servers[0].url)
    yield db
    db.close()


def _hot_keys(pg) -> list[list[str]]:
    """Three communes in two régions: the same few keys for every writer."""
    with pg.read() as cur:
        ids = [
            r[0]
            for r in cur.execute(
                "(SELECT id FROM territory WHERE level = 'commune' AND departement_code = '77' ORDER BY id LIMIT 2)"
                " UNION ALL (SELECT id FROM territory WHERE level = 'commune' AND departement_code = '69'"
                " ORDER BY id LIMIT 1)"
            ).fetchall()
        ]
    return [[CODE, territory, str(YEAR)] for territory in ids]


def _expected_rollups(pg) -> dict[str, float]:
    """The roll-ups computed by hand: every commune value of the year added up to its département,
    région and France, straight from the stored values."""
    with pg.read() as cur:
        rows = cur.execute(
            "SELECT t.id, t.departement_code, t.region_code, v.value FROM indicator_value v"
            " JOIN territory t ON t.id = v.territory_id"
            " WHERE v.indicator_code = ? AND v.kind = 'actual' AND v.period = ? AND t.level = 'commune'",
            [CODE, str(YEAR)],
        ).fetchall()
    sums: dict[str, float] = defaultdict(float)
    for commune, departement, region, value in rows:
        for territory in (commune, f"DEP-{departement}", f"REG-{region}", "FR"):
            sums[territory] += value
    return dict(sums)


def test_servers_starting_at_once_build_one_base_and_both_open_it(servers, pg):
    assert is_carrefours(pg)
    counts = [server.ask(op="count")["values"] for server in servers]
    with pg.read() as cur:
        stored = cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]
        builds = cur.execute("SELECT count(*) FROM app_meta").fetchone()[0]
    assert counts == [stored] * PROCESSES and stored > 0
    assert builds > 0


def test_hot_writes_from_two_servers_lose_nothing_and_their_rollups_are_exact(servers, pg):
    keys = _hot_keys(pg)
    for tag, server in enumerate(servers, start=1):  # both processes write at the same time
        server.send(op="hammer", keys=keys, tag=tag, threads=THREADS, writes=WRITES, year=YEAR, levels=LEVELS)
    answers = [server.answer() for server in servers]
    assert [a["failures"] for a in answers] == [[]] * PROCESSES
    outcomes = [o for a in answers for o in a["outcomes"]]
    assert len(outcomes) == PROCESSES * THREADS * WRITES  # every write accepted or refused, none lost

    with pg.read() as cur:
        audited = cur.execute(
            "SELECT entity_key, CAST(json_extract(new_data, '$.value') AS DOUBLE),"
            " CAST(json_extract(new_data, '$.version') AS INTEGER) FROM audit_log"
            " WHERE entity = 'value' AND comment = ? ORDER BY id",
            [NOTE],
        ).fetchall()
        stored = {
            (r[0], r[1]): (r[2], r[3])
            for r in cur.execute(
                "SELECT indicator_code, territory_id, value, version FROM indicator_value"
                " WHERE indicator_code = ? AND period = ? AND kind = 'actual'",
                [CODE, str(YEAR)],
            ).fetchall()
        }
    written = [o for o in outcomes if o["outcome"] == "written"]
    refused = [o for o in outcomes if o["outcome"] == "refused"]
    # Every accepted write is in the audit trail, and nothing else is: a refused write left no trace.
    assert sorted(value for _, value, _ in audited) == sorted(o["value"] for o in written)
    for key in keys:
        entity_key = "|".join([*key, "actual"])
        mine = [o for o in written if o["key"] == key]
        # No lost update: each accepted write moved the value from the version its writer read, and no two
        # accepted writes read the same version (one of them would have overwritten the other unseen).
        assert sorted(o["read_version"] for o in mine) == list(range(len(mine)))
        last = max(mine, key=lambda o: o["read_version"])
        assert stored[(key[0], key[1])] == (last["value"], len(mine))
        trail = [(value, version) for k, value, version in audited if k == entity_key]
        assert trail[-1] == (last["value"], len(mine))
        # A refused write read a version someone else's accepted write had already moved on from.
        assert all(o["read_version"] in {w["read_version"] for w in mine} for o in refused if o["key"] == key)
    retried = sum(a["retried"] for a in answers)
    print(
        f"\n{PROCESSES} processus × {THREADS} fils × {WRITES} écritures sur {len(keys)} valeurs : "
        f"{len(written)} acceptées, {len(refused)} refusées (version périmée), {retried} conflits réessayés, "
        f"{sum(a['reads'] for a in answers)} lectures d'agrégats pendant les écritures"
    )

    expected = _expected_rollups(pg)
    assert set(expected) >= {k[1] for k in keys} | {"FR"}
    for server in servers:
        for published_only, found in server.ask(op="rollups", code=CODE, year=YEAR, levels=LEVELS).items():
            assert found == expected, f"agrégats périmés (published_only={published_only})"


def _big_file(pg, path: Path) -> int:
    """A value file of every commune × 4 years that hold no value yet (2015-2018): a long write."""
    with pg.read() as cur:
        communes = [r[0] for r in cur.execute("SELECT code FROM territory WHERE level = 'commune'").fetchall()]
    lines = ["indicateur;territoire;periode;valeur"]
    lines += [
        f"{CODE};{commune};{year};{n % 90 + 1}" for year in range(2015, 2019) for n, commune in enumerate(communes)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def test_a_server_killed_during_an_import_leaves_nothing_and_the_other_serves(servers, pg, tmp_path):
    survivor, victim = servers
    rows = _big_file(pg, tmp_path / "valeurs.csv")

    def counts():
        with pg.read() as cur:
            return (
                cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0],
                cur.execute("SELECT count(*) FROM audit_log").fetchone()[0],
            )

    before = counts()
    victim.send(op="import", path=str(tmp_path / "valeurs.csv"))
    while True:  # the import has read and checked the file, and is writing inside its transaction
        message = victim.answer()
        assert "ok" not in message, f"l'import s'est terminé avant l'arrêt : {message}"
        if message.get("progress", "").startswith("Enregistrement"):
            break
    os.kill(victim.process.pid, signal.SIGKILL)
    assert victim.process.wait() == -signal.SIGKILL
    assert counts() == before, f"{rows} lignes : l'import interrompu a laissé des lignes"

    # The other server still reads, and writes (the killed one's transaction holds nothing it needs).
    assert survivor.ask(op="count")["values"] == before[0]
    keys = _hot_keys(pg)
    answer = survivor.ask(op="hammer", keys=keys[:1], tag=9, threads=1, writes=1, year=YEAR, levels=LEVELS)
    assert answer["failures"] == [] and answer["outcomes"][0]["outcome"] == "written"
    found = survivor.ask(op="rollups", code=CODE, year=YEAR, levels=LEVELS)
    assert found["False"] == _expected_rollups(pg)
