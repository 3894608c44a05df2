"""`compare`: a territory against its peers, from the same engine as the "Mon territoire" page."""

from __future__ import annotations

import sys

from bootstrap import open_database
from commands import remote
from commands.output import print_json
from comparison import service as comparison
from comparison.council_sheet import display_basis, display_gap
from comparison.peers import DEFAULT_BAND
from comparison.report import parse_peers, report
from formatting import french as fmt


def register(sub) -> None:
    """Add the compare command."""
    cmd = sub.add_parser("compare", help="comparer un territoire à des territoires comparables")
    cmd.add_argument("code", help="code INSEE de commune, SIREN d'EPCI, ou identifiant (DEP-77, REG-11)")
    cmd.add_argument(
        "--indicator", action="append", metavar="CODE", help="limiter à cet indicateur (répétable) ; par défaut tous"
    )
    cmd.add_argument(
        "--peers",
        default="band",
        metavar="MODE",
        help="band (défaut : même typologie, population comparable), band=0.3 (fourchette ±30 %%), "
        "region (même région), k=N (les N plus proches)",
    )
    cmd.add_argument(
        "--band",
        type=float,
        default=None,
        help=f"fourchette de population, en fraction (défaut {DEFAULT_BAND} = ±50 %%)",
    )
    cmd.add_argument("--json", action="store_true", help="sortie JSON")
    remote.add_option(cmd)
    cmd.set_defaults(run=run)


def run(args) -> int:
    """Print the peer group and the comparison (JSON with --json)."""
    try:
        criteria = parse_peers(args.peers, args.band)
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    server = remote.server_of(args)
    if server:
        peers = args.peers if args.band is None or "=" in args.peers else f"{args.peers}={args.band}"
        return show(
            remote.json_of(
                server,
                f"/territories/{args.code}/comparison",
                {"peers": peers, "indicator": args.indicator},
                public=True,
            ),
            args.json,
        )
    db = open_database()
    try:
        data = report(db, args.code, criteria, args.indicator)
    except comparison.ComparisonError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    finally:
        db.close()
    return show(data, args.json)


def show(data: dict, as_json: bool) -> int:
    """Print a comparison report (JSON, or one line per indicator with a value)."""
    if as_json:
        print_json(data)
        return 0
    t, group = data["territory"], data["peers"]
    print(f"{t['name']} ({t['id']}) — comparé à {fmt.number(group['n'])} territoires comparables")
    print("Critères : " + " ; ".join(group["criteria"]))
    for note in group["notes"]:
        print(f"Élargissement : {note}")
    if data["is_demo"]:
        print("Attention : données de démonstration.")
    for row in data["comparison"]:
        if not row["available"]:
            continue
        print(
            f"- {row['name']} ({row['period']}) : {display_basis(row['kind'], row['value_basis'])}, médiane "
            f"{display_basis(row['kind'], row['median'])}, écart {display_gap(row['kind'], row['gap'])} — "
            f"{row['plain']}"
        )
    return 0
