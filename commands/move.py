"""`migrate-to-postgres`: move an existing DuckDB Carrefours file into PostgreSQL, verified before commit."""

from __future__ import annotations

from pathlib import Path

from formatting import french as fmt
from store.db import StoreError, database_path
from store.postgres import check_url, database_url, redact
from store.postgres_move import move_file


def register(sub) -> None:
    """Add the migrate-to-postgres command."""
    move = sub.add_parser(
        "migrate-to-postgres",
        help="copier une base DuckDB existante dans PostgreSQL (vérifiée table par table, tout ou rien)",
    )
    move.add_argument("--source", help="fichier DuckDB à copier (par défaut CARREFOURS_DB)")
    move.add_argument("--to", help="adresse postgresql://… de destination (par défaut CARREFOURS_DATABASE_URL)")
    move.add_argument("--force", action="store_true", help="remplacer une base Carrefours déjà dans PostgreSQL")
    move.set_defaults(run=run_move)


def run_move(args) -> int:
    url = (args.to or "").strip() or database_url()
    if not url:
        raise StoreError(
            "Aucune base PostgreSQL de destination : indiquez-la avec --to postgresql://utilisateur@hôte:5432/base "
            "ou CARREFOURS_DATABASE_URL."
        )
    check_url(url)
    source = Path(args.source).expanduser() if args.source else database_path()
    print(f"Copie de {source} vers PostgreSQL {redact(url)}…", flush=True)
    report = move_file(source, url, replace=args.force)
    width = max(len(t.table) for t in report.tables)
    print(f"Base copiée dans PostgreSQL : {report.target}")
    print(f"  {'table':<{width}}  {'lignes':>12}  somme de contrôle")
    for table in report.tables:
        print(f"  {table.table:<{width}}  {fmt.number(table.rows):>12}  ok")
    print(f"  séquences : {len(report.sequences)}, prochaines valeurs identiques")
    total = sum(t.rows for t in report.tables)
    print(
        f"{fmt.number(total)} lignes dans {len(report.tables)} tables, identiques des deux côtés ; "
        f"durée {fmt.number(report.seconds, 1)} s. Le fichier {source} n'a pas été modifié."
    )
    return 0
