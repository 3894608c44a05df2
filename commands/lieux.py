"""`import lieux` and `coverage`: the registry's import and coverage from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from accounts.policy import AccessDenied
from accounts.service import find_user
from bootstrap import open_database
from commands import remote
from commands.common import import_kinds
from commands.output import print_json
from formatting import french as fmt
from intake import FileRefused, workbook
from lieux import import_formats, imports
from lieux.coverage_report import coverage_summary
from lieux.placement import RULE_LABELS
from lieux.writes import LieuError


def register(sub) -> None:
    """Add `import lieux` and `coverage`."""
    lieux = import_kinds(sub).add_parser("lieux", help="importer des tiers-lieux (recensement CGET 2019 ou CSV)")
    lieux.add_argument("file", metavar="FICHIER")
    lieux.add_argument(
        "--format",
        choices=import_formats.FORMATS,
        required=True,
        help="cget2019 : CGET_TiersLieux_2019.csv ; csv : colonnes du registre (export)",
    )
    lieux.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien écrire")
    lieux.add_argument(
        "--user", metavar="EMAIL", help="compte au nom duquel importer (avec --server : le compte du jeton)"
    )
    remote.add_option(lieux)
    lieux.add_argument("--json", action="store_true", help="rapport en JSON")
    lieux.set_defaults(run=run_import)
    cov = sub.add_parser("coverage", help="couverture de la population par les tiers-lieux ouverts")
    cov.add_argument("--km", type=float, default=10.0, help="distance en km (10 par défaut)")
    cov.add_argument("--top", type=int, default=20, help="nombre d'EPCI à classer")
    cov.add_argument("--json", action="store_true", help="sortie JSON")
    remote.add_option(cov)
    cov.set_defaults(run=run_coverage)


def run_import(args) -> int:
    """Import a registry file in the name of an account; exit 1 when lines are faulty."""
    path = Path(args.file)
    if not path.is_file():
        print(f"Erreur : le fichier {path} est introuvable.", file=sys.stderr)
        return 2
    try:  # refuse before reading the file into memory
        workbook.check_size(path.stat().st_size, import_formats.BOUNDS)
    except FileRefused as error:
        print(f"Erreur : {error}.", file=sys.stderr)
        return 2
    server = remote.server_of(args)
    if server:
        response = remote.call(
            server,
            "POST",
            "/lieux/import",
            content=path.read_bytes(),
            params={"format": args.format, "filename": path.name, "dry_run": "1" if args.dry_run else None},
        )
        report = imports.ImportReport(**response.json())
    else:
        if not args.user:
            print("Erreur : précisez --user EMAIL (ou --server URL avec CARREFOURS_TOKEN).", file=sys.stderr)
            return 2
        db = open_database()
        try:
            user = find_user(db, args.user)
            if user is None:
                print(f"Erreur : aucun compte actif pour {args.user}. Vérifiez l'adresse.", file=sys.stderr)
                return 2
            try:
                report = imports.run(
                    db, path.read_bytes(), args.format, user, dry_run=args.dry_run, file_name=path.name
                )
            except (import_formats.ImportFileError, LieuError, AccessDenied) as error:
                print(f"Erreur : {error}", file=sys.stderr)
                return 2
        finally:
            db.close()
    if args.json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    return 1 if report.errors else 0


def _print_report(report) -> None:
    verb = "seraient" if report.dry_run or report.errors else "ont été"
    print(f"{fmt.number(report.rows)} lignes lues ({report.file_format}).")
    for line in report.errors:
        print(f"  ERREUR ligne {line['line']} : {line['message']}")
    if report.errors:
        print("Rien n'a été importé : corrigez ces lignes puis relancez.")
    for rule, n in sorted(report.placements.items()):
        print(f"  placés par {RULE_LABELS.get(rule, rule)} : {fmt.number(n)}")
    for row in report.review:
        print(f"  À VÉRIFIER ligne {row['line']} ({row['name']}, placé en {row['commune_code']}) : {row['reason']}")
    for row in report.unplaced:
        print(f"  NON PLACÉ ligne {row['line']} ({row['name']}) : {row['reason']}")
    print(
        f"{fmt.number(report.created)} lieux {verb} créés, {fmt.number(report.updated)} modifiés,"
        f" {fmt.number(report.unchanged)} inchangés, {fmt.number(len(report.unplaced))} non placés (ignorés),"
        f" {fmt.number(len(report.review))} à vérifier."
    )
    if report.dry_run:
        print("Simulation (--dry-run) : rien n'a été écrit.")


def run_coverage(args) -> int:
    """Print the coverage at --km (text or JSON)."""
    if args.km <= 0 or args.km > 200:
        print("Erreur : --km doit être compris entre 0 et 200.", file=sys.stderr)
        return 2
    server = remote.server_of(args)
    if server:
        data = remote.json_of(server, "/coverage", {"km": f"{args.km:g}", "top": args.top}, public=True)
    else:
        db = open_database()
        try:
            data = coverage_summary(db, km=args.km, top=args.top)
        finally:
            db.close()
    return show_coverage(data, args.km, args.json)


def show_coverage(data: dict, km: float, as_json: bool) -> int:
    """Print a coverage summary (JSON, or the share, typologies and the ranking)."""
    if as_json:
        print_json(data)
        return 0
    demo = " (registre de démonstration)" if data["demo"] else ""
    distance = fmt.by_kind(km)
    print(
        f"Population à moins de {distance} km d'un tiers-lieu ouvert{demo} : {fmt.percent(data['share'], 1)}"
        f" ({fmt.number(data['covered_population'])} / {fmt.number(data['population'])})"
    )
    for row in data["by_typology"]:
        print(f"  {row['typology']} : {fmt.percent(row['share'], 1)}")
    print(f"EPCI sans tiers-lieu à moins de {distance} km : {fmt.number(len(data['epci_without_place']))}")
    print("Où un nouveau lieu couvrirait le plus d'habitants :")
    for row in data["ranking"][:10]:
        print(
            f"  {row['epci_name']} — à {row['commune_name']} ({row['commune_code']}) : +{fmt.number(row['gain'])} hab."
        )
    return 0
