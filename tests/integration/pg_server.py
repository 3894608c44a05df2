"""One Carrefours server process on PostgreSQL for tests/integration/test_postgres_servers.py.

Run as `python -m tests.integration.pg_server` with CARREFOURS_DATABASE_URL set: it opens the database
through bootstrap (building it on first start, like the app), prints {"ready": pid}, then answers one JSON
command per line on stdin with one JSON line on stdout. Writes go through indicators.writes.apply, the
product's one write path; roll-ups are read through indicators.aggregates, as the pages and the API do.
"""

from __future__ import annotations

import json
import os
import sys
import threading

from accounts.service import find_user
from bootstrap import open_database
from indicators import aggregates, imports
from indicators.models import ValueChange
from indicators.writes import apply

WRITER = "ministere@demo.test"  # publishes directly: every accepted value is in the public roll-ups too
NOTE = "essai de plusieurs serveurs"

_out = threading.Lock()


def say(message: dict) -> None:
    """One JSON line on stdout (threads never interleave their lines)."""
    with _out:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def read_value(db, key: list[str]) -> tuple[float | None, int]:
    """The stored value of a key and its version (0 when absent), as a writer reads it before writing."""
    with db.read() as cur:
        row = cur.execute(
            "SELECT value, version FROM indicator_value WHERE indicator_code = ? AND territory_id = ?"
            " AND period = ? AND kind = 'actual'",
            key,
        ).fetchone()
    return (None, 0) if row is None else (row[0], int(row[1]))


def hammer(db, user, command: dict) -> dict:
    """Writer threads writing hot keys at the version each read, and one reader of roll-ups meanwhile."""
    keys, tag = command["keys"], int(command["tag"])
    outcomes: list[dict] = []
    failures: list[str] = []
    done = threading.Event()
    reads = [0]

    def writer(number: int) -> None:
        for i in range(command["writes"]):
            key = keys[(number + i) % len(keys)]
            _, version = read_value(db, key)
            value = float(tag * 100_000 + number * 10_000 + i + 1)  # unique: the audit trail tells whose it is
            change = ValueChange(
                indicator_code=key[0], territory_id=key[1], period=key[2], value=value, read_version=version
            )
            try:
                result = apply(db, user, [change], how="saisie", confirm=True, note=NOTE)
            except Exception as error:  # reported to the test, which fails on it
                failures.append(f"{type(error).__name__}: {error}")
                continue
            if result.written and result.conflicts.empty:
                outcome = "written"
            elif not result.conflicts.empty:
                outcome = "refused"
            else:
                failures.append(f"ni écrit ni refusé : {result.errors.to_dict('records')} {result.unconfirmed}")
                continue
            outcomes.append({"key": key, "value": value, "read_version": version, "outcome": outcome})

    def reader() -> None:
        while not done.is_set():
            try:
                aggregates.yearly(db, command["year"], command["levels"], [keys[0][0]])
                reads[0] += 1
            except Exception as error:
                failures.append(f"lecture : {type(error).__name__}: {error}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(command["threads"])]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    return {"outcomes": outcomes, "failures": failures, "reads": reads[0], "retried": db.retried}


def rollups(db, command: dict) -> dict:
    """The roll-ups of one indicator and year, every published-only flag, as the pages read them."""
    found = {}
    for published_only in (False, True):
        frame = aggregates.yearly(
            db, command["year"], command["levels"], [command["code"]], published_only=published_only
        )
        found[str(published_only)] = {t: v for t, v in zip(frame["territory_id"], frame["value"]) if v == v}
    return found


def import_file(db, user, command: dict) -> dict:
    """A value import (the API's and the CLI's entry), saying when it starts writing."""

    def progress(fraction: float, step: str) -> None:
        say({"progress": step})

    with open(command["path"], "rb") as handle:
        data = handle.read()
    report = imports.import_values(
        db, user, data, os.path.basename(command["path"]), dry_run=False, progress=progress, confirm=True, comment=NOTE
    )
    return {"ok": report.ok, "written": bool(report.result and report.result.written)}


def main() -> None:
    db = open_database()
    user = find_user(db, WRITER)
    say({"ready": os.getpid()})
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        if op == "hammer":
            say(hammer(db, user, command))
        elif op == "rollups":
            say(rollups(db, command))
        elif op == "import":
            say(import_file(db, user, command))
        elif op == "count":
            with db.read() as cur:
                say({"values": cur.execute("SELECT count(*) FROM indicator_value").fetchone()[0]})
        else:
            say({"error": f"unknown op {op}"})


if __name__ == "__main__":
    main()
