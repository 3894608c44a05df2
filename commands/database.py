"""`init` and `status`: create the database, and say what it holds."""

from __future__ import annotations

from bootstrap import create, open_database, status_report
from commands.output import print_json
from commands.remote import add_option, json_of, server_of
from formatting import french as fmt
from store.db import StoreError, database_path
from store.postgres import database_url, redact


def register(sub) -> None:
    """Add the init and status commands."""
    init = sub.add_parser("init", help="créer la base (territoires, plan national, et démo si demandé)")
    mode = init.add_mutually_exclusive_group()
    mode.add_argument("--demo", action="store_true", help="avec les données de démonstration (par défaut)")
    mode.add_argument("--empty", action="store_true", help="sans données de démonstration")
    init.add_argument("--force", action="store_true", help="remplacer une base existante")
    init.set_defaults(run=run_init)
    st = sub.add_parser("status", help="ce que contient la base")
    st.add_argument("--json", action="store_true", help="sortie JSON")
    st.add_argument(
        "--annee", type=int, help="année des indicateurs du registre pour la France (par défaut l'année en cours)"
    )
    add_option(st)
    st.set_defaults(run=run_status)


def run_init(args) -> int:
    url = database_url()
    if url:
        counts = create(None, demo=not args.empty, replace=args.force)
        print(f"Base créée dans PostgreSQL : {redact(url)}")
        _print_counts(counts)
        return 0
    path = database_path()
    if path.exists():
        if not args.force:
            raise StoreError(
                f"La base {path} existe déjà. Ajoutez --force pour la remplacer (toutes ses données seront perdues)."
            )
    try:
        counts = create(path, demo=not args.empty, replace=args.force)
    except StoreError as error:
        if "déjà ouverte" not in str(error):
            raise
        raise StoreError(
            f"La base {path} est ouverte par un autre processus, sans doute le serveur Carrefours "
            "(streamlit run) : `init --force` remplace le fichier lui-même, ce qui ne peut pas passer "
            "par l'API. Arrêtez d'abord le serveur, puis relancez cette commande ; rien n'a été "
            "modifié."
        ) from error
    print(f"Base créée : {path}")
    _print_counts(counts)
    return 0


def _print_counts(counts: dict) -> None:
    for key, value in counts.items():
        print(f"  {key} : {fmt.number(value) if isinstance(value, int) else value}")


def run_status(args) -> int:
    server = server_of(args)
    if server:
        data = json_of(server, "/status", {"annee": getattr(args, "annee", None)})
    else:
        db = open_database()
        try:
            data = status_report(db, getattr(args, "annee", None))
        finally:
            db.close()
    if args.json:
        print_json(data)
    else:
        print(f"Base : {data['database']} (construite le {data['built_at']})")
        print("Démonstration : " + ("oui" if data["demo"] else "non"))
        print("Territoires : " + ", ".join(f"{k} {fmt.number(v)}" for k, v in data["territories"].items()))
        print(f"Axes {len(data['axes'])}, mesures {len(data['measures'])}, indicateurs {len(data['indicators'])}")
        print("Valeurs : " + ", ".join(f"{k} {fmt.number(v)}" for k, v in data["values"].items()))
        print(f"Lieux : {fmt.number(data['lieux'])}, comptes : {fmt.number(data['users'])}")
    return 0
