"""Import an official INSEE classification: who may, the communes' new classes, the registry values that follow."""

from __future__ import annotations

from pathlib import Path

from accounts.models import User
from accounts.policy import AccessDenied, can_edit_plan
from lieux.computed import recompute
from store import audit
from store.db import Database
from territories import repository as territories
from territories.classification import KINDS, ClassificationReport, apply_classes, match_communes, read_classification


def import_classification(
    db: Database, user: User, kind: str, file_name: str, content: bytes, dry_run: bool = False
) -> ClassificationReport:
    """Replace the approximate DENS7 or CATEAAV2020 of every commune found in an official INSEE file."""
    spec = KINDS[kind]
    if not can_edit_plan(user):
        raise AccessDenied("Seule l'équipe nationale peut importer les classifications officielles de l'INSEE.")
    report, frame = read_classification(kind, file_name, content)
    if frame is None:
        return report

    def apply(cur) -> None:
        found = match_communes(cur, frame, report)
        if dry_run:
            return
        changed = apply_classes(cur, kind, found)
        # The registry indicators that read the typology (TL_RURAL, FAB_PART_RURAL…) follow it at once.
        report.values_changed = recompute(cur, actor=user.email, communes=changed, near=[])
        territories.record_classification_import(cur, kind, Path(file_name).name, report.matched)
        audit.append(
            cur,
            actor=user.email,
            entity="territory",
            action="classification",
            how="import",
            key=kind,
            source=Path(file_name).name,
            comment=f"{report.matched} communes classées (« {spec['label']} »), dont"
            f" {report.carried_over} reprises d'anciennes communes fusionnées depuis ;"
            f" {report.unknown_communes} codes hors du COG ignorés",
        )

    db.write(apply)
    return report
