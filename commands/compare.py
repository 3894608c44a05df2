"""`compare`: a territory against its peers, from the same engine as the "Mon territoire" page."""

from __future__ import annotations

import math
import sys

from bootstrap import open_database
from commands.output import print_json
from comparison import service as comparison
from comparison.council_sheet import display_basis, display_gap
from comparison.peers import DEFAULT_BAND, PeerCriteria

COLUMNS = ["code", "name", "kind", "direction", "period", "value", "value_basis", "basis_label", "n", "q1",
           "median", "q3", "rank", "out_of", "percentile", "better", "equal", "worse", "gap", "favourable",
           "flagged", "plain", "prev_period", "prev_value", "trend", "prev_median", "peer_trend", "is_demo",
           "source_title"]


def register(sub) -> None:
    """Add the compare command."""
    cmd = sub.add_parser("compare", help="comparer un territoire à des territoires comparables")
    cmd.add_argument("code", help="code INSEE de commune, SIREN d'EPCI, ou identifiant (DEP-77, REG-11)")
    cmd.add_argument("--indicator", action="append", metavar="CODE",
                     help="limiter à cet indicateur (répétable) ; par défaut tous")
    cmd.add_argument("--peers", default="band", metavar="MODE",
                     help="band (défaut : même typologie, population comparable), band=0.3 (fourchette ±30 %%), "
                          "region (même région), k=N (les N plus proches)")
    cmd.add_argument("--band", type=float, default=None,
                     help=f"fourchette de population, en fraction (défaut {DEFAULT_BAND} = ±50 %%)")
    cmd.add_argument("--json", action="store_true", help="sortie JSON")
    cmd.set_defaults(run=run)


def parse_peers(text: str, band: float | None = None) -> PeerCriteria:
    """Criteria from --peers band | band=0.3 | region | region=0.3 | k=N (ValueError in French otherwise)."""
    mode, _, arg = text.strip().lower().partition("=")
    try:
        if mode == "k":
            return PeerCriteria(mode="k", k=int(arg))
        if mode in ("band", "region"):
            width = float(arg.replace(",", ".")) if arg else (band if band is not None else DEFAULT_BAND)
            return PeerCriteria(band=width, same_region=mode == "region")
    except ValueError as error:
        raise ValueError(f"--peers {text} : {error}") from error
    raise ValueError(f"--peers {text} : écrivez band, band=0.3, region ou k=20")


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def run(args) -> int:
    """Print the peer group and the comparison (JSON with --json)."""
    try:
        criteria = parse_peers(args.peers, args.band)
    except ValueError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    db = open_database()
    try:
        result = comparison.compare(db, args.code, criteria, args.indicator)
    except comparison.ComparisonError as error:
        print(f"Erreur : {error}", file=sys.stderr)
        return 2
    finally:
        db.close()
    t, group, table = result["territory"], result["peers"], result["table"]
    if args.json:
        members = group.members[["id", "code", "name", "population"]]
        print_json({
            "territory": {k: _clean(t[k]) for k in ("id", "level", "code", "name", "population", "typology",
                                                    "typology_official", "region_code")},
            "peers": {"n": group.n, "criteria": group.criteria, "notes": group.notes, "widened": group.widened,
                      "applied": group.applied, "members": members.to_dict("records")},
            "comparison": [{k: _clean(v) for k, v in row.items()} for row in table[COLUMNS].to_dict("records")],
            "is_demo": result["is_demo"],
        })
        return 0
    print(f"{t['name']} ({t['id']}) — comparé à {group.n} territoires comparables")
    print("Critères : " + " ; ".join(group.criteria))
    for note in group.notes:
        print(f"Élargissement : {note}")
    if result["is_demo"]:
        print("Attention : données de démonstration.")
    for row in table[table["available"]].to_dict("records"):
        print(f"- {row['name']} ({row['period']}) : {display_basis(row['kind'], row['value_basis'])}, médiane "
              f"{display_basis(row['kind'], row['median'])}, écart {display_gap(row['kind'], row['gap'])} — "
              f"{row['plain']}")
    return 0
