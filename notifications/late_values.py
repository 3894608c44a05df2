"""Source « valeurs en retard »: for a coordinator, the late values of their régions and départements.

Lateness is Complétude's own (plan.alerts.completeness: the two latest periods due, due date = period end +
the indicator's delay, thresholds of plan.thresholds), read at the level of each scope: a région's rows for
a région scope, a département's rows (indicators counted by commune) for a département scope.
"""

from __future__ import annotations

from accounts.models import Role, User
from formatting import french as fmt
from notifications.sources import Item, Run
from plan import alerts, freshness
from plan.thresholds import LATENESS_LABELS
from territories.levels import level_of

SCOPE_LEVELS = ("region", "departement")  # coordinators hold régions or départements


def late_values(run: Run, user: User) -> list[Item]:
    """Late values of the territories a coordinator holds (nothing for any other role)."""
    by_level: dict[str, set[str]] = {}
    for territory in user.territories(Role.coordinateur):
        if level_of(territory) in SCOPE_LEVELS:
            by_level.setdefault(level_of(territory), set()).add(territory)
    items = []
    for level in SCOPE_LEVELS:
        if level not in by_level:
            continue
        late = run.once(
            ("completeness", level),
            lambda level=level: alerts.completeness(run.db, run.on, level=level)["late"],
        )
        mine = late[late["territory_id"].isin(by_level[level])]
        items += [_item(row) for row in mine.itertuples()]
    return items


def _item(row) -> Item:
    very = f" ({LATENESS_LABELS['tres_en_retard'].lower()})" if row.lateness == "tres_en_retard" else ""
    line = (
        f"{row.indicator_name} — {row.name}, période {row.period} : attendue le {fmt.day(row.due_on)}, "
        f"{freshness.late_text(int(row.days_late))}{very} ; valeurs reçues : "
        f"{fmt.number(row.reported)} sur {fmt.number(row.expected)}."
    )
    return Item(key=f"{row.indicator_code}|{row.territory_id}|{row.period}|{row.due_on.isoformat()}", line=line)
