"""The entry grid of the Saisie page: which régions and territories a user may fill, the rows, the diff."""

from __future__ import annotations

import numpy as np
import pandas as pd

from accounts import policy
from accounts.models import Role, User
from indicators import repository, rules
from indicators.models import ValueChange, problems_of
from indicators.periods import parse_period
from indicators.periods import previous as previous_period
from store.db import Database
from territories import repository as territory_repo


def entry_regions(db: Database, user: User) -> pd.DataFrame:
    """Régions whose values the user may enter: all for the national team, theirs for a coordinator."""
    with db.read() as cur:
        regions = territory_repo.regions(cur)
        if Role.ministere in user.roles:
            return regions
        codes = set()
        for tid in user.territories(Role.coordinateur):
            row = territory_repo.level_and_region(cur, tid)
            if row:
                codes.add(row[1] if row[0] != "pays" else None)
        if None in codes:
            return regions
        return regions[regions["code"].isin(codes)].reset_index(drop=True)


def typed_indicators(db: Database) -> pd.DataFrame:
    """Indicators that are typed in or imported (the others are computed from the registry)."""
    with db.read() as cur:
        frame = repository.indicators(cur)
    return frame[frame["computed_from"] == "saisie"].reset_index(drop=True)


def region_territories(db: Database, region_code: str, level: str) -> pd.DataFrame:
    """Territories of one level inside a region, by code."""
    with db.read() as cur:
        return territory_repo.grid_territories(cur, region_code, level)


def entry_grid(
    db: Database,
    user: User,
    *,
    period: str,
    kind: str = "actual",
    region_code: str,
    level: str = "departement",
    indicator: str | None = None,
    territory_id: str | None = None,
) -> pd.DataFrame:
    """Rows to edit: territories × one indicator, or one territory × every typed indicator, in scope only."""
    code = parse_period(period).code
    with db.read() as cur:
        if territory_id is not None:
            territories = territory_repo.rows_for(cur, pd.DataFrame({"territory_id": [territory_id]}))
            codes = typed_indicators(db)["code"].tolist()
        else:
            territories = territory_repo.grid_territories(cur, region_code, level)
            codes = [indicator]
        rows = territories.to_dict("records")
        allowed = [r["id"] for r in rows if policy.can_write_values(user, r) and (r.get("region_code") == region_code)]
        if not allowed:
            return pd.DataFrame(
                columns=[
                    "indicator_code",
                    "territory_id",
                    "name",
                    "period",
                    "kind",
                    "previous",
                    "target",
                    "value",
                    "comment",
                    "version",
                    "published",
                    "review_state",
                    "review_reason",
                ]
            )
        grid = repository.grid_values(cur, codes, allowed, code, previous_period(code), kind)
    grid = grid.merge(territories[["id", "code", "name"]].rename(columns={"id": "territory_id"}), on="territory_id")
    grid["period"], grid["kind"] = code, kind
    return grid.sort_values(["indicator_code", "code"]).reset_index(drop=True)


def grid_number(raw: object) -> tuple[float, str | None]:
    """A grid cell as a number (NaN when empty), or a French problem; whatever a forged payload sends."""
    if raw is None or (isinstance(raw, float) and raw != raw) or (isinstance(raw, str) and raw.strip() == ""):
        return np.nan, None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        return np.nan, f"« {str(raw)[:40]} » n'est pas un nombre"
    text = raw if isinstance(raw, str) else None
    if text is not None:
        text = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        if len(text) > 40:
            return np.nan, f"« {raw[:40]}… » n'est pas un nombre"
    try:
        number = float(text if text is not None else raw)
    except (ValueError, OverflowError):
        return np.nan, f"« {str(raw)[:40]} » n'est pas un nombre (ou un nombre trop grand)"
    if number != number or abs(number) > rules.MAX_ABS:
        return np.nan, f"« {str(raw)[:40]} » : nombre trop grand ou illisible (mille milliards au plus)"
    return number, None


def grid_changes(served: pd.DataFrame, edited: pd.DataFrame) -> tuple[list[ValueChange], pd.DataFrame]:
    """Diff an edited grid against the rows served: only value and comment count, extra rows are ignored.

    Returns the Pydantic-validated changes and the cells that could not be read (row, column, message).
    """
    edited = edited.reindex(served.index)  # rows a client added are dropped, rows it removed are untouched
    changes, problems = [], []
    for pos, row in served.iterrows():
        raw_value, raw_comment = edited.at[pos, "value"], edited.at[pos, "comment"]
        number, problem = grid_number(raw_value)
        column = "valeur"
        if (
            problem is None
            and raw_comment is not None
            and not isinstance(raw_comment, str)
            and not (isinstance(raw_comment, float) and raw_comment != raw_comment)
        ):
            problem, column = "le commentaire doit être du texte", "commentaire"
        if problem:
            problems.append({"line": pos, "name": row["name"], "column": column, "message": problem})
            continue
        raw_comment = raw_comment if isinstance(raw_comment, str) else None
        old_comment = "" if pd.isna(row["comment"]) else str(row["comment"])
        new_comment = (
            ""
            if raw_comment is None or (not isinstance(raw_comment, str) and pd.isna(raw_comment))
            else str(raw_comment)
        )
        value_changed = not ((pd.isna(number) and pd.isna(row["value"])) or number == row["value"])
        if not value_changed and new_comment == old_comment:
            continue
        delete = pd.isna(number) and pd.notna(row["value"])
        if pd.isna(number) and pd.isna(row["value"]):
            problems.append(
                {
                    "line": pos,
                    "name": row["name"],
                    "column": "valeur",
                    "message": "un commentaire sans valeur : saisissez aussi la valeur",
                }
            )
            continue
        try:
            changes.append(
                ValueChange(
                    indicator_code=row["indicator_code"],
                    territory_id=row["territory_id"],
                    period=row["period"],
                    kind=row["kind"],
                    value=None if delete else float(number),
                    comment=new_comment,
                    read_version=int(row["version"]),
                    delete=delete,
                )
            )
        except ValueError as error:
            column, message = problems_of(error)
            problems.append({"line": pos, "name": row["name"], "column": column, "message": message})
    return changes, pd.DataFrame(problems, columns=["line", "name", "column", "message"])
