"""`progress`: every measure's rate, computed status, expected value and gap, from the dashboard's engine."""

from __future__ import annotations

from bootstrap import open_database
from commands import remote
from commands.common import acting_user, day_option
from commands.output import print_json
from formatting import french as fmt
from plan.progress_report import report, resolve_territory
from store.db import StoreError
from territories.levels import FRANCE


def register(sub) -> None:
    """Add the progress command."""
    cmd = sub.add_parser("progress", help="avancement des mesures (taux, statut, valeur attendue, écart)")
    cmd.add_argument("--json", action="store_true", help="sortie JSON")
    cmd.add_argument(
        "--territory",
        default=FRANCE,
        help="territoire : FR (défaut), REG-11, DEP-77, un code INSEE de commune ou un SIREN d'EPCI",
    )
    cmd.add_argument("--date", help="date de situation AAAA-MM-JJ (défaut : aujourd'hui)")
    cmd.add_argument("--user", metavar="EMAIL", help="compte (sans compte : valeurs publiées seulement)")
    remote.add_option(cmd)
    cmd.set_defaults(run=run)


def run(args) -> int:
    on = day_option(args.date, "2025-06-30")
    server = remote.server_of(args)
    if server:
        data = remote.json_of(server, "/progress", {"territory": args.territory, "date": on.isoformat()}, public=True)
    else:
        db = open_database()
        try:
            user = acting_user(db, args.user) if args.user else None
            try:
                key = resolve_territory(db, args.territory)
            except ValueError as error:
                raise StoreError(str(error)) from error
            data = report(db, key, on, user)
        finally:
            db.close()
    if args.json:
        print_json(data)
    else:
        print(f"Avancement au {fmt.day(on)} — {data['territory']}")
        for m in data["measures"]:
            rate = fmt.percent(m["rate"])
            gap = "" if m["gap_points"] is None else f", écart {fmt.points(m['gap_points'])}"
            print(f"  {m['measure']:6} {m['status_label']:15} {rate:>6}{gap}")
    return 0
