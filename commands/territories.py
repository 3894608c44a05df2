"""`import densite|aav FILE`: the official INSEE classifications that replace the approximation."""

from __future__ import annotations

from pathlib import Path

from accounts.policy import AccessDenied
from bootstrap import open_database
from commands.common import acting_user, import_kinds
from formatting import french as fmt
from lieux.classification_import import import_classification
from store.db import StoreError
from territories.classification import KINDS


def register(sub) -> None:
    """Add `import densite` and `import aav`."""
    kinds = import_kinds(sub)
    for kind, spec in KINDS.items():
        parser = kinds.add_parser(kind, help=f"fichier INSEE : {spec['label']} (CSV ou XLSX)")
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="e-mail du compte (équipe nationale)")
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien écrire")
        parser.set_defaults(run=run, classification=kind)


def run(args) -> int:
    if not args.file.is_file():
        raise StoreError(f"Fichier introuvable : {args.file}.")
    db = open_database()
    try:
        user = acting_user(db, args.user)
        try:
            report = import_classification(
                db, user, args.classification, args.file.name, args.file.read_bytes(), dry_run=args.dry_run
            )
        except AccessDenied as error:
            raise StoreError(str(error)) from error
    finally:
        db.close()
    for message in report.errors:
        print(message)
    if report.errors:
        print(f"{fmt.number(len(report.errors))} erreur(s) : rien n'a été importé.")
        return 1
    verb = "seraient classées" if args.dry_run else "classées"
    print(
        f"{fmt.number(report.matched)} communes {verb} (dont {fmt.number(report.carried_over)} reprises"
        f" d'anciennes communes fusionnées) ; {fmt.number(report.unknown_communes)} codes absents du COG en"
        " vigueur ignorés."
    )
    return 0
