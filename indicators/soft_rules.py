"""Soft rules of the values about to be written: a change from the previous period above the indicator's
threshold, a département above its région (or a région below one of its départements). Breaking one is a
warning, not an error: the write path records such a value only once it is confirmed with a comment."""

from __future__ import annotations

import pandas as pd

from indicators import periods, repository, rules, soft_rule_repository
from indicators.validation import Errors, lookup
from territories import repository as territory_repo


def check_warnings(cur, plan: pd.DataFrame, warnings: Errors) -> None:
    """Soft rules of the rows about to be written (the others of the batch count as written too): a change
    from the previous period above the indicator's threshold, a département above its région."""
    batch = plan[~plan["delete"] & plan["value"].notna()]
    todo = batch[batch["op"].isin(["insert", "update"])]
    if todo.empty:
        return
    key = list(repository.KEY)
    given = batch.set_index(key)["value"]
    given = given[~given.index.duplicated()]

    def known(keys: pd.DataFrame) -> pd.Series:
        """The value of each key: the batch's, else the stored one (NaN when neither)."""
        stored = repository.current(cur, keys[["pos", *key]]).set_index("pos")["value"]
        found = pd.Series(keys["pos"].map(stored).to_numpy(dtype="float64"), index=keys.index)
        incoming = pd.MultiIndex.from_frame(keys[key])
        from_batch = pd.Series(given.reindex(incoming).to_numpy(dtype="float64"), index=keys.index)
        return from_batch.where(from_batch.notna(), found)

    changing = todo[todo["max_change_pct"].notna()]
    if not changing.empty:
        before = changing.assign(
            period=lookup(changing["period"], {p: periods.previous(p) for p in changing["period"].unique()})
        )
        previous = known(before)
        change = pd.Series(
            [rules.change_pct(p, v) for p, v in zip(previous, changing["value"])], index=changing.index, dtype="float64"
        )
        large = change.abs() > changing["max_change_pct"]
        rows = changing.assign(previous_period=before["period"], previous=previous, change=change)
        warnings.flag(
            rows,
            large.to_numpy(),
            "valeur",
            lambda r: [
                rules.large_change(p, rules.shown(b), rules.shown(v), c, limit)
                for p, b, v, c, limit in zip(
                    r["previous_period"], r["previous"], r["value"], r["change"], r["max_change_pct"]
                )
            ],
        )
    summed = todo[todo["territorial_agg"] == "sum"]
    if summed.empty:
        return
    regions = territory_repo.regions(cur).set_index("code")["name"].to_dict()
    deps = summed[summed["territory_id"].str.startswith("DEP-") & summed["region_code"].notna()]
    if not deps.empty:
        up = deps.assign(territory_id="REG-" + deps["region_code"])
        region_value = known(up)
        rows = deps.assign(region_value=region_value)
        warnings.flag(
            rows,
            (deps["value"] > region_value + 1e-9 * region_value.abs()).to_numpy(),
            "valeur",
            lambda r: [
                rules.above_region(rules.shown(v), rules.shown(rv), regions.get(rc, rc))
                for v, rv, rc in zip(r["value"], r["region_value"], r["region_code"])
            ],
        )
    regs = summed[summed["territory_id"].str.startswith("REG-")]
    if not regs.empty:
        children = batch[batch["territory_id"].str.startswith("DEP-")]
        largest = soft_rule_repository.largest_departements(
            cur, regs[["pos", "indicator_code", "territory_id", "period", "kind"]], children[key]
        ).set_index("pos")
        top_value = regs["pos"].map(largest["value"]).astype("float64")
        top_name = regs["pos"].map(largest["name"])
        if not children.empty:
            # The batch's départements count with their new values.
            mine = children.assign(region_id="REG-" + children["region_code"].fillna(""))
            best = mine.sort_values("value").drop_duplicates(
                ["indicator_code", "region_id", "period", "kind"], keep="last"
            )
            best = best.set_index(["indicator_code", "region_id", "period", "kind"])
            at = pd.MultiIndex.from_frame(regs[key])
            batch_value = pd.Series(best["value"].reindex(at).to_numpy(dtype="float64"), index=regs.index)
            batch_name = pd.Series(best["territory_name"].reindex(at).to_numpy(dtype=object), index=regs.index)
            higher = batch_value.notna() & ~(batch_value <= top_value)
            top_value = top_value.where(~higher, batch_value)
            top_name = top_name.where(~higher, batch_name)
        rows = regs.assign(top_value=top_value, top_name=top_name)
        warnings.flag(
            rows,
            (regs["value"] < top_value - 1e-9 * top_value.abs()).to_numpy(),
            "valeur",
            lambda r: [
                rules.below_departement(rules.shown(v), rules.shown(t), n)
                for v, t, n in zip(r["value"], r["top_value"], r["top_name"])
            ],
        )
