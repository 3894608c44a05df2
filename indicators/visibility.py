"""Which stored values a user may see: the one place that drops drafts for pages, commands and exports.

Who sees a value whose `published` flag is false is decided by accounts.policy.can_read_unpublished:
the national team everywhere, a coordinator inside its scope, nobody else (no user means the public).
"""

from __future__ import annotations

import pandas as pd

from accounts.models import User
from accounts.policy import can_read_unpublished
from territories import repository as territory_repo


def readable(
    cur,
    user: User | None,
    frame: pd.DataFrame,
    territory_column: str = "territory_id",
    published_column: str = "published",
) -> pd.DataFrame:
    """The rows of a frame of values this user may see (drafts only within what policy allows)."""
    if frame.empty or can_read_unpublished(user):
        return frame
    published = frame[published_column].fillna(False).astype(bool)
    if published.all():
        return frame
    drafts = frame.loc[~published, territory_column].dropna().unique().tolist()
    allowed = (
        {t["id"] for t in territory_repo.scope_keys(cur, drafts) if can_read_unpublished(user, t)} if user else set()
    )
    return frame[published | frame[territory_column].isin(allowed)].reset_index(drop=True)


def may_read(cur, user: User | None, territory_id: str, published: bool) -> bool:
    """Whether this user may see one value of a territory."""
    if published or can_read_unpublished(user):
        return True
    rows = territory_repo.scope_keys(cur, [territory_id]) if user else []
    return bool(rows) and can_read_unpublished(user, rows[0])
