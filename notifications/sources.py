"""What reminders can tell about: the sources, each a function giving one recipient the items of their scope.

Adding a source is a function plus one line in notifications.service.SOURCES (nothing else to change):

    def returned_values(run: Run, user: User) -> list[Item]:
        '''Values returned "à corriger" to a coordinator, with the reviewer's reason.'''
        if Role.coordinateur not in user.roles:
            return []
        rows = run.once("returned", lambda: review.returned(run.db))  # computed once per run, not per person
        return [Item(key=f"{r.indicator}|{r.territory}|{r.period}|{r.version}", line=...) for r in ... in scope]

    Source("valeurs_a_corriger", "Valeurs à corriger", counted("valeur à corriger", "valeurs à corriger"), returned_values),

An item's key says what it is about (indicator, territory, period and what makes it new: a due date, a
version); the service prefixes it with the source's kind, and an item whose key was already in a message
for that recipient is never put in another one. A source decides its recipients itself (role and scope)
and must return only what their scope covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from accounts.models import User
from formatting import french as fmt
from store.db import Database


@dataclass(frozen=True)
class Item:
    """One thing a recipient is told about: a stable key (never sent twice) and its line in the message."""

    key: str
    line: str


@dataclass
class Run:
    """One reminders run: the database, the day (Paris) and what sources compute once for every recipient."""

    db: Database
    on: date
    memo: dict = field(default_factory=dict)

    def once(self, name, compute: Callable):
        """compute() the first time a source asks for `name` in this run, the same result afterwards."""
        if name not in self.memo:
            self.memo[name] = compute()
        return self.memo[name]


@dataclass(frozen=True)
class Source:
    """A kind of reminder: its kind (dedup keys, outbox), its heading in a message, how N items are said."""

    kind: str
    heading: str
    counted: Callable[[int], str]  # 3 → « 3 valeurs en retard »
    items: Callable[[Run, User], list[Item]]
    hint: str = ""  # what to do, said after the section's items


def counted(singular: str, plural: str) -> Callable[[int], str]:
    """« 1 valeur en retard », « 3 valeurs en retard »."""
    return lambda n: f"{fmt.number(n)} {singular if n <= 1 else plural}"
