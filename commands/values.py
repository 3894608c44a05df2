"""`import values`, `export values` and `history`: the value services from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from accounts.policy import AccessDenied
from bootstrap import open_database
from commands import remote
from commands.common import acting_user, import_kinds
from commands.output import print_json
from formatting import french as fmt
from indicators import exports, import_files, imports
from indicators.periods import PeriodError
from indicators.revert import history
from intake import FileRefused, workbook
from intake.text import printable


def _group(sub, name: str, help_text: str):
    """The sub-commands of `name` (import, export), shared with other modules that add their own kinds."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
        parser.add_subparsers(dest=f"{name}_kind", required=True, metavar="QUOI")
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub) -> None:
    """Add import values, export values and history."""
    imp = import_kinds(sub).add_parser("values", help="importer des valeurs d'indicateurs (CSV ou XLSX), tout ou rien")
    imp.add_argument("file", type=Path, metavar="FICHIER")
    imp.add_argument("--dry-run", action="store_true", help="vérifier sans rien écrire")
    imp.add_argument(
        "--confirm",
        action="store_true",
        help="enregistrer aussi les valeurs inhabituelles (alertes), avec --commentaire",
    )
    imp.add_argument("--commentaire", metavar="TEXTE", help="pourquoi ces valeurs inhabituelles sont justes")
    imp.add_argument(
        "--user", metavar="EMAIL", help="compte au nom duquel importer (avec --server : le compte du jeton)"
    )
    remote.add_option(imp)
    imp.set_defaults(run=run_import)

    exp = _group(sub, "export", "exporter des données").add_parser("values", help="exporter des valeurs")
    exp.add_argument("--format", choices=exports.FORMATS, default="csv")
    exp.add_argument("--out", type=Path, required=True, metavar="CHEMIN")
    exp.add_argument("--indicator", metavar="CODE")
    exp.add_argument("--territory", metavar="CODE")
    exp.add_argument("--user", metavar="EMAIL", help="compte (sans compte : valeurs publiées seulement)")
    remote.add_option(exp)
    exp.set_defaults(run=run_export)

    hist = sub.add_parser("history", help="historique d'une valeur (journal des modifications)")
    hist.add_argument("--indicator", required=True, metavar="CODE")
    hist.add_argument("--territory", required=True, metavar="CODE")
    hist.add_argument("--period", required=True, metavar="PERIODE")
    hist.add_argument("--type", dest="kind", default="realise", choices=["realise", "cible", "reference"])
    hist.add_argument("--json", action="store_true", help="sortie JSON")
    hist.add_argument("--user", metavar="EMAIL", help="compte (sans compte : valeurs publiées seulement)")
    remote.add_option(hist)
    hist.set_defaults(run=run_history)


def run_import(args) -> int:
    if not args.file.is_file():
        print(f"Erreur : fichier introuvable : {args.file}", file=sys.stderr)
        return 1
    try:  # refuse before reading 50 MB into memory
        workbook.check_size(args.file.stat().st_size, import_files.BOUNDS)
    except FileRefused as error:
        print(f"Erreur : {error} ; rien n'a été écrit.", file=sys.stderr)
        return 1
    server = remote.server_of(args)
    if server:
        summary = remote.call(
            server,
            "POST",
            "/values/import",
            content=args.file.read_bytes(),
            params={
                "filename": args.file.name,
                "dry_run": "1" if args.dry_run else None,
                "confirm": "1" if args.confirm else None,
                "comment": args.commentaire,
            },
        ).json()
    else:
        if not args.user:
            print("Erreur : précisez --user EMAIL (ou --server URL avec CARREFOURS_TOKEN).", file=sys.stderr)
            return 1
        db = open_database()
        try:
            user = acting_user(db, args.user)  # no such account: a French error, exit code 2
            try:
                report = imports.import_values(
                    db,
                    user,
                    args.file.read_bytes(),
                    args.file.name,
                    dry_run=args.dry_run,
                    confirm=args.confirm,
                    comment=args.commentaire,
                )
            except AccessDenied as error:
                print(f"Erreur : {error}", file=sys.stderr)
                return 1
        finally:
            db.close()
        result = report.result
        summary = {
            "layout": report.layout,
            "lines": report.lines,
            "errors": report.errors[["line", "column", "message"]].to_dict("records"),
            "conflicts": [] if result is None else result.conflicts.to_dict("records"),
            "warnings": report.warnings[["line", "column", "message"]].to_dict("records"),
            "unconfirmed": None if result is None else result.unconfirmed,
            **({k: getattr(result, k) for k in ("inserted", "updated", "unchanged")} if result else {}),
        }
    return _print_import(args, summary)


def _print_import(args, summary: dict) -> int:
    """Print an import's outcome (local or through a server), errors on stderr; the exit code."""
    if summary["errors"]:
        print(
            f"{args.file.name} : {fmt.number(len(summary['errors']))} problème(s), rien n'a été écrit.", file=sys.stderr
        )
        for row in summary["errors"]:
            where = f"ligne {row['line']}" if row["line"] else "fichier"
            print(f"  {where}, colonne {row['column']} : {row['message']}", file=sys.stderr)
        return 1
    if summary["conflicts"]:
        print(
            f"{fmt.number(len(summary['conflicts']))} valeur(s) modifiée(s) par quelqu'un d'autre pendant l'import : "
            "rien n'a été écrit, relancez l'import.",
            file=sys.stderr,
        )
        return 1
    for row in summary.get("warnings") or []:
        print(f"  alerte, ligne {row['line']}, colonne {row['column']} : {row['message']}", file=sys.stderr)
    if summary.get("unconfirmed"):
        # Locally the message itself; through a server, the API's flag and its French "erreur".
        text = summary["unconfirmed"] if isinstance(summary["unconfirmed"], str) else summary.get("erreur", "")
        print(f"{args.file.name} : {text} (options --confirm --commentaire TEXTE)", file=sys.stderr)
        return 1
    verb = "seraient" if args.dry_run else "ont été"
    print(f"{args.file.name} : {fmt.number(summary['lines'])} ligne(s) lue(s), format {summary['layout']}.")
    print(
        f"  {fmt.number(summary['inserted'])} valeur(s) nouvelle(s), {fmt.number(summary['updated'])} modifiée(s),"
        f" {fmt.number(summary['unchanged'])} inchangée(s) {verb} traitées."
        if "inserted" in summary
        else ""
    )
    if args.dry_run:
        print("Vérification seulement (--dry-run) : rien n'a été écrit.")
    return 0


def run_export(args) -> int:
    server = remote.server_of(args)
    if server:
        response = remote.call(
            server,
            "GET",
            "/values/export",
            params={"format": args.format, "indicator": args.indicator, "territory": args.territory},
        )
        data, rows = response.content, int(response.headers.get("X-Carrefours-Rows", "0"))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        print(f"{fmt.number(rows)} valeur(s) exportée(s) dans {args.out} ({args.format}).")
        return 0
    db = open_database()
    try:
        from accounts.models import ANONYMOUS

        user = acting_user(db, args.user) if args.user else ANONYMOUS
        try:
            data, rows = exports.export_values(db, user, args.format, args.indicator, args.territory)
        except exports.ExportError as error:
            print(f"Erreur : {error}", file=sys.stderr)
            return 1
    finally:
        db.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{fmt.number(rows)} valeur(s) exportée(s) dans {args.out} ({args.format}).")
    return 0


def run_history(args) -> int:
    kind = {"realise": "actual", "cible": "target", "reference": "baseline"}[args.kind]
    server = remote.server_of(args)
    if server:
        data = remote.json_of(
            server,
            "/history",
            {"indicator": args.indicator, "territory": args.territory, "period": args.period, "kind": args.kind},
        )
        territory_id = data["territory_id"]
        entries = pd.DataFrame(data["history"])
        if not entries.empty:
            entries["created_at"] = pd.to_datetime(entries["created_at"])
    else:
        db = open_database()
        try:
            try:
                user = acting_user(db, args.user) if args.user else None
                territory_id = imports.resolve_code(db, args.territory)
                data = history(db, args.indicator.strip().upper(), territory_id, args.period, kind, user)
            except (PeriodError, ValueError) as error:
                print(f"Erreur : {error}", file=sys.stderr)
                return 1
        finally:
            db.close()
        entries = data["entries"].drop(columns=["old_data", "new_data"])
    current = data["current"]
    if current is not None:
        current = {k: (None if isinstance(v, float) and v != v else v) for k, v in current.items()}
    if args.json:
        records = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in entries.to_dict("records")]
        print_json(
            {
                **{k: data[k] for k in ("indicator_code", "territory_id", "period", "kind")},
                "current": current,
                "history": records,
                "withheld": data["withheld"],
            }
        )
        return 0

    def shown(number) -> str:
        return "—" if pd.isna(number) else fmt.editable(number)

    print(f"{data['indicator_code']} — {territory_id} — {data['period']} ({args.kind})")
    if data["withheld"]:
        print(
            "Valeur actuelle : aucune valeur publiée. Une valeur non publiée et son historique ne sont "
            "visibles que de l'équipe nationale et des coordinateurs du territoire (--user EMAIL)."
        )
        return 0
    print(
        "Valeur actuelle : "
        + ("aucune" if current is None else f"{shown(current['value'])} (version {current['version']})")
    )
    for r in entries.itertuples():
        print(
            f"  n° {r.id}  {fmt.moment(r.created_at)}  {printable(fmt.actor(r.actor))}  {r.how}  {shown(r.old_value)} → "
            f"{shown(r.new_value)}" + (f"  « {printable(r.comment)} »" if isinstance(r.comment, str) else "")
        )
    return 0
