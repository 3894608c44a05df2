"""The public surface of the values domain for pages, commands and the API, in one import.

Each rule lives in its own module: indicators.rules (limits and messages), indicators.validation
(set-based checks), indicators.writes (plan and apply: the one write path), indicators.grid (the entry
grid), indicators.revert (history and undo), indicators.locks (period locks). New code imports those.
"""

from __future__ import annotations

from indicators.grid import (entry_grid, entry_regions, grid_changes, grid_number, previous_period,
                             region_territories, typed_indicators)
from indicators.locks import lock_period, locks, unlock_period, when_reopened
from indicators.models import ValueChange
from indicators.revert import history, revert
from indicators.rules import COLUMN_LABELS, MAX_ABS, MAX_COMMENT, MAX_SOURCE
from indicators.validation import ERROR_COLUMNS, FRAME_COLUMNS, to_frame
from indicators.writes import HOW_LABELS, How, Progress, WriteResult, apply, change_from_conflicts

__all__ = [
    "COLUMN_LABELS", "ERROR_COLUMNS", "FRAME_COLUMNS", "HOW_LABELS", "MAX_ABS", "MAX_COMMENT", "MAX_SOURCE", "How",
    "Progress", "ValueChange", "WriteResult", "apply", "change_from_conflicts", "entry_grid", "entry_regions",
    "grid_changes", "grid_number", "history", "lock_period", "locks", "previous_period", "region_territories",
    "revert", "to_frame", "typed_indicators", "unlock_period", "when_reopened",
]
