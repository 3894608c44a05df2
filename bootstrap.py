"""The composition root: what a new Carrefours database holds, and the create/open that callers use.

It sits above every domain (store, territories, plan, demo, accounts, lieux, indicators) and assembles
them; `store/lifecycle.py` keeps the file mechanics (lock, build aside, identity check, migrations).
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from indicators.integrity import damage_report
from store import meta
from store.db import Database, StoreError, database_path
from store.lifecycle import create_file, open_file
from store.migrations import migrate
from store.postgres import database_url
from store.postgres_lifecycle import create_postgres, open_postgres
from store.shared import database_key, shared_database


def demo_enabled() -> bool:
    """Whether a new database gets demo data (CARREFOURS_DEMO, on unless set to 0)."""
    return os.environ.get("CARREFOURS_DEMO", "1").strip().lower() not in {"0", "false", "non", "no"}


def departements_setting() -> list[str] | None:
    """The départements a new database is limited to (CARREFOURS_DEPARTEMENTS=77,75,…; all if unset).

    Only the tests set it, to build a small real database in seconds instead of the national one."""
    codes = [c.strip().upper() for c in os.environ.get("CARREFOURS_DEPARTEMENTS", "").split(",") if c.strip()]
    return codes or None


def _silent(fraction: float, step: str) -> None:
    """The default progress report: none."""


def build(db: Database, demo: bool, progress=_silent, departements: list[str] | None = None) -> dict:
    """Fill an empty database: schema, territories, national plan, and demo data if asked.

    progress(fraction, step) is told, in French, each step as it starts. departements limits the
    territories (and so the demo data) to those départements; by default CARREFOURS_DEPARTEMENTS, else all.
    """
    # Imported here: opening an existing database (every CLI command, each app start) needs none of them.
    from accounts.demo import create_demo_accounts, hash_demo_passwords
    from accounts.settings import demo_accounts_enabled
    from demo.generator import generate
    from indicators.aggregates import mark_dirty, refresh
    from lieux.computed import recompute
    from plan.seed import read_plan, seed
    from territories.reference import load

    departements = departements_setting() if departements is None else departements
    hashes = None  # the demo accounts' password hashes, when the build creates them
    if demo and demo_accounts_enabled():  # Argon2 releases the GIL: hash while the territories load
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carrefours-hash")
        hashes = pool.submit(hash_demo_passwords)
        pool.shutdown(wait=False)
    progress(0.0, "Lecture du plan national")
    plan = read_plan()  # parse before writing anything: a bad file leaves nothing behind
    progress(0.02, "Création des tables")
    migrate(db)
    counts: dict = {}
    with db.transaction() as cur:
        progress(0.05, "Chargement des territoires (régions, départements, EPCI, 34 875 communes)")
        counts["territories"] = load(cur, departements=departements)
        progress(0.2, "Plan national : axes, mesures, indicateurs et objectifs")
        counts.update(seed(cur, plan))
        if demo:
            progress(0.22, "Données de démonstration : lieux et valeurs")
            counts["demo"] = generate(cur, plan["regional_shares"])
            if hashes is not None:
                progress(0.25, "Comptes de démonstration")
                counts["demo_accounts"] = create_demo_accounts(cur, hashes.result())
        # Every commune gets its registry values (0 where no place) from the start, so a later import only
        # recomputes the communes it touches. The build itself is the audited event, not each zero.
        progress(0.27, "Indicateurs calculés à partir du registre des lieux")
        counts["registry_values"] = recompute(cur, actor="demo" if demo else "init", audit_values=False)
    # The roll-ups read committed rows, which DuckDB scans about twice as fast as a transaction's own;
    # a build is all-or-nothing anyway: its file is moved into place only once complete.
    with db.transaction() as cur:
        progress(0.46, "Agrégation des indicateurs par région et pour la France")
        mark_dirty(cur)
        # Régions and France only: the communal rows follow once the dashboard is shown.
        counts["rollups"] = refresh(cur, coarse=True)
        progress(0.97, "Enregistrement de la base")
        meta.record_build(cur, demo)
    return counts


def _filler(demo: bool):
    """The fill(db, progress) the store's file mechanics call to build a new database."""
    return lambda db, progress=_silent: build(db, demo, progress)


def create(path: Path | None, demo: bool, *, replace: bool = False) -> dict:
    """Build a new database, never half-built; replace an existing (even corrupt) one if asked.

    path None: the PostgreSQL database of CARREFOURS_DATABASE_URL if set, else the file of CARREFOURS_DB."""
    url = database_url() if path is None else None
    if url:
        return create_postgres(url, _filler(demo), replace=replace)
    return create_file(path or database_path(), _filler(demo), replace=replace)


def open_database(
    path: Path | str | None = None, *, demo: bool | None = None, lock: bool = True, progress=_silent
) -> Database:
    """Open the database, creating it on first start and applying new migrations."""
    demo = demo_enabled() if demo is None else demo
    wire()
    url = database_url() if path is None else None
    if url:
        db = open_postgres(url, _filler(demo), lock=lock, progress=progress)
    else:
        db = open_file(path, _filler(demo), lock=lock, progress=progress, check=damage_report)
    from plan.seed import sync_rules

    try:
        sync_rules(db)  # the catalogue file's control rules, for a database built before them
    except StoreError as error:  # a broken plan file must not keep the data from opening
        logging.getLogger(__name__).warning("Règles de contrôle non mises à jour : %s", error)
    return db


def wire() -> None:
    """Connect what a lower layer announces to what a higher one does about it (idempotent)."""
    from indicators import locks
    from lieux.computed import catch_up_after_unlock

    # A reopened period lets the registry-computed values catch up (indicators knows nothing of lieux).
    locks.when_reopened(catch_up_after_unlock)


ROLLUPS_AFTER_SECONDS = 30.0


class Start:
    """The process's database opened (built on first start) in a background thread, with its progress."""

    def __init__(self):
        self.fraction, self.step = 0.0, "Ouverture de la base"
        self.database: Database | None = None
        self.error: Exception | None = None
        self._lock, self._completing = threading.Lock(), False
        self._thread = threading.Thread(target=self._open, name="carrefours-start", daemon=True)
        self._thread.start()

    def _report(self, fraction: float, step: str) -> None:
        self.fraction, self.step = fraction, step

    def _open(self) -> None:
        try:
            self.database = shared_database(open_database, progress=self._report)  # pages and API share it
        except Exception as error:  # handed to the page that waits for it
            self.error = error
            return
        # The first start rolls up régions and France only; the finer rows follow off the page's path,
        # once the first page is drawn (on two cores they slowed its first drawing by seconds) or after
        # a while for a server nobody visits. A page needing them before refreshes them itself.
        later = threading.Timer(ROLLUPS_AFTER_SECONDS, self.page_drawn)
        later.daemon = True
        later.start()

    def page_drawn(self) -> None:
        """A page has been drawn: the finer roll-ups may now be completed in the background (once)."""
        with self._lock:
            if self._completing or self.database is None:
                return
            self._completing = True
        threading.Thread(target=self._complete, name="carrefours-rollups", daemon=True).start()

    def _complete(self) -> None:
        from indicators.aggregates import ensure_fresh

        try:
            ensure_fresh(self.database)
        except Exception:  # a page needing these rows refreshes them again and explains any failure
            logging.getLogger(__name__).exception("Agrégation des territoires en arrière-plan interrompue")

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the start to end; whether it has."""
        self._thread.join(seconds)
        return not self._thread.is_alive()


_start_lock = threading.Lock()
_starts: dict[str, Start] = {}


def start() -> Start:
    """The one start of this process's database (CARREFOURS_DB), begun by its first caller (server or visit)."""
    # Keyed by the file: a process that is pointed at another database starts that one, never the first.
    with _start_lock:
        key = database_key()
        if key not in _starts:
            _starts[key] = Start()
        return _starts[key]


def forget_failed_start(failed: Start) -> None:
    """Let the next caller try again after a start that failed (once the operator has fixed the cause)."""
    with _start_lock:
        for key, held in list(_starts.items()):
            if held is failed:
                del _starts[key]


def status(db: Database) -> dict:
    """What the database holds (for `cli.py status` and the API), each count asked of its table's owner."""
    from accounts import repository as accounts
    from indicators import repository as indicators
    from lieux import repository as lieux
    from plan import repository as plan
    from territories import repository as territories

    with db.read() as cur:
        facts = meta.read(cur)
        levels = territories.counts_by_level(cur)
        values = indicators.value_counts(cur)
        lieux_total, demo_lieux = lieux.counts(cur)
        return {
            "database": str(db.path) if db.path else str(db) if db.backend == "postgres" else ":memory:",
            "built_at": facts.get("built_at"),
            "demo": facts.get("demo") == "true",
            "territories": {lvl: levels.get(lvl, 0) for lvl in ("pays", "region", "departement", "epci", "commune")},
            "typology_official": territories.typology_all_official(cur),
            "axes": plan.axis_codes(cur),
            "measures": plan.measure_codes(cur),
            "indicators": indicators.codes(cur),
            "values": {k: values["kinds"].get(k, 0) for k in ("actual", "target", "baseline")},
            "demo_values": values["demo"],
            "duplicate_value_keys": values["duplicate_keys"],
            "lieux": lieux_total,
            "demo_lieux": demo_lieux,
            "users": accounts.count(cur),
            "national_values": [
                dict(zip(_NATIONAL_VALUE_KEYS, row, strict=True)) for row in indicators.national_sourced_values(cur)
            ],
        }


_NATIONAL_VALUE_KEYS = ("indicator", "period", "kind", "value", "numerator", "denominator", "source", "source_title")


def status_report(db: Database, year: int | None = None) -> dict:
    """The database summary plus France's registry figures of a year (this year by default)."""
    from lieux.registry_status import registry_national

    data = status(db)
    year = year or date.today().year
    data["registry_year"] = year
    data["registry_france"] = registry_national(db, year)
    return data
