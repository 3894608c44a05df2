"""One indicator rolled up live from its values, the oracle tests hold the materialised roll-ups against."""

from __future__ import annotations

import pandas as pd

from indicators.periods import Period
from indicators.rollup import rollup_all, rules_frame


def rollup(
    cur, indicator: dict, period: Period, level: str, *, source_level: str = "commune", kind: str = "actual"
) -> pd.DataFrame:
    """One indicator rolled up into every territory of one level, through the production roll-up SQL."""
    frame = rollup_all(cur, rules_frame([indicator]), period, [level], source_level=source_level, kind=kind)
    return frame.drop(columns="indicator_code")
