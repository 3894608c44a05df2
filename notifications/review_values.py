"""Sources of the review before publication: values returned « à corriger » to a coordinator (with the
reason), and values « soumises » awaiting the national team's validation (per région and period)."""

from __future__ import annotations

from accounts import policy
from accounts.models import Role, User
from formatting import french as fmt
from indicators import review
from notifications.sources import Item, Run


def returned_values(run: Run, user: User) -> list[Item]:
    """A coordinator's values returned for correction, each with its reason (a new return is a new item)."""
    if Role.coordinateur not in user.roles or policy.can_review_values(user):
        return []
    found = review.in_review(run.db, user, state="a_corriger")  # their scope only
    return [
        Item(
            key=f"{r.indicator_code}|{r.territory_id}|{r.period}|{r.kind}|{r.changed_at.isoformat()}",
            line=(
                f"{r.indicator_name} — {r.territory_name}, période {r.period} : {fmt.number(r.value, 2).removesuffix(',00')}"
                f" renvoyée le {fmt.moment(r.changed_at)} — motif : {r.reason}"
            ),
        )
        for r in found.itertuples()
    ]


def awaiting_validation(run: Run, user: User) -> list[Item]:
    """For the national team: how many values await validation per région and period (new submissions in a
    région and period make a new item)."""
    if not policy.can_review_values(user):
        return []
    found = run.once("submitted", lambda: review.in_review(run.db, user, state="soumis"))
    if found.empty:
        return []
    names = run.once("region_names", lambda: review.region_names(run.db))
    groups = found.groupby(["region_code", "period"]).agg(n=("value", "size"), last=("changed_at", "max"))
    return [
        Item(
            key=f"{region}|{period}|{row.last.isoformat()}",
            line=f"{names.get(region, region)}, période {period} : {fmt.number(int(row.n))} valeur(s) soumise(s)"
            f", la dernière le {fmt.moment(row.last)}.",
        )
        for (region, period), row in groups.iterrows()
    ]
