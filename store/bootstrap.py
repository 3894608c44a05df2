"""Create, migrate and open the Carrefours database: the first start builds it, later ones reuse it."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from store.db import Database, StoreError, database_path
from store.migrations import migrate


def demo_enabled() -> bool:
    """Whether a new database gets demo data (CARREFOURS_DEMO, on unless set to 0)."""
    return os.environ.get("CARREFOURS_DEMO", "1").strip().lower() not in {"0", "false", "non", "no"}


def build(db: Database, demo: bool) -> dict:
    """Fill an empty database: schema, territories, national plan, and demo data if asked."""
    from accounts.demo import create_demo_accounts
    from accounts.settings import demo_accounts_enabled
    from demo.generator import generate
    from indicators.aggregates import mark_dirty, refresh
    from lieux.computed import recompute
    from plan.seed import read_plan, seed
    from territories.reference import load

    plan = read_plan()  # parse before writing anything: a bad file leaves nothing behind
    migrate(db)
    counts: dict = {}
    with db.transaction() as cur:
        counts["territories"] = load(cur)
        counts.update(seed(cur, plan))
        if demo:
            counts["demo"] = generate(cur, plan["regional_shares"])
            if demo_accounts_enabled():
                counts["demo_accounts"] = create_demo_accounts(cur)
        # Every commune gets its registry values (0 where no place) from the start, so a later import only
        # recomputes the communes it touches. The build itself is the audited event, not each zero.
        counts["registry_values"] = recompute(cur, actor="demo" if demo else "init", audit_values=False)
        mark_dirty(cur)
        counts["rollups"] = refresh(cur)
        cur.execute("INSERT INTO app_meta VALUES ('built_at', ?), ('demo', ?)",
                    [datetime.now().isoformat(timespec="seconds"), "true" if demo else "false"])
    return counts


def _check_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"Impossible de créer le dossier {path.parent} ({error.strerror}). "
                         "Choisissez un autre emplacement avec CARREFOURS_DB.") from error
    if not os.access(path.parent, os.W_OK):
        raise StoreError(f"Le dossier {path.parent} n'est pas accessible en écriture. "
                         "Choisissez un autre emplacement avec CARREFOURS_DB.")


def remove_files(path: Path) -> None:
    """Delete a database file and its write-ahead log."""
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


def create(path: Path, demo: bool) -> dict:
    """Build a new database file beside its final place, then move it in: never half-built."""
    _check_folder(path)
    if path.exists():
        raise StoreError(f"La base {path} existe déjà. Supprimez-la d'abord pour la recréer.")
    building = path.with_name(path.name + ".building")
    remove_files(building)
    db = Database(building)
    try:
        counts = build(db, demo)
        db.checkpoint()
    except BaseException:
        db.close()
        remove_files(building)
        raise
    db.close()
    os.replace(building, path)
    return counts


def open_database(path: Path | str | None = None, *, demo: bool | None = None,
                  lock: bool = True) -> Database:
    """Open the database, creating it on first start and applying new migrations."""
    demo = demo_enabled() if demo is None else demo
    if str(path) == ":memory:":
        db = Database(":memory:")
        build(db, demo)
    else:
        path = Path(path) if path else database_path()
        if not path.exists():
            create(path, demo)
        db = Database(path)
        try:
            migrate(db)
            with db.read() as cur:
                built = cur.execute("SELECT count(*) FROM app_meta WHERE key = 'built_at'").fetchone()[0]
        except Exception as error:
            db.close()
            if isinstance(error, StoreError):
                raise
            raise StoreError(f"La base {path} est incomplète ou endommagée ({error}). "
                             "Déplacez ce fichier : une base neuve sera créée au prochain démarrage.") from error
        if not built:
            db.close()
            raise StoreError(f"La base {path} est incomplète (construction interrompue). "
                             "Supprimez-la : une base neuve sera créée au prochain démarrage.")
    if lock:
        db.lock_down()
    return db
