"""SQL of the soft rules of a write: the largest stored value of a région's départements."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from indicators.key_filter import batch_filter
from indicators.repository import KEY


def largest_departements(cur, regions: pd.DataFrame, skip: pd.DataFrame) -> pd.DataFrame:
    """For each région row (pos, indicator_code, territory_id, period, kind): the largest stored value of its
    départements for the same indicator, period and kind, and that département's name; `skip` holds
    département keys whose stored value is being replaced (left out)."""
    narrow, params = batch_filter(regions, columns=("indicator_code", "period"))
    cur.register("region_keys", pa.Table.from_pandas(regions, preserve_index=False))
    cur.register("skip_keys", pa.table({k: pa.array(skip[k].astype(str).tolist(), pa.string()) for k in KEY}))
    try:
        return cur.execute(
            "SELECT r.pos, max(v.value) AS value, arg_max(t.name, v.value) AS name FROM region_keys r"
            " JOIN territory t ON t.level = 'departement' AND 'REG-' || t.region_code = r.territory_id"
            " JOIN indicator_value v ON v.territory_id = t.id AND v.indicator_code = r.indicator_code"
            " AND v.period = r.period AND v.kind = r.kind"
            f" WHERE v.value IS NOT NULL AND {narrow} AND NOT EXISTS (SELECT 1 FROM skip_keys s WHERE"
            " s.indicator_code = v.indicator_code AND s.territory_id = v.territory_id AND s.period = v.period"
            " AND s.kind = v.kind) GROUP BY r.pos",
            params,
        ).df()
    finally:
        cur.unregister("region_keys")
        cur.unregister("skip_keys")
