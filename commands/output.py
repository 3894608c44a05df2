"""Printing helpers shared by the commands."""

from __future__ import annotations

import json
from datetime import date, datetime


def _default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} non sérialisable")


def print_json(data) -> None:
    """Print data as indented UTF-8 JSON (dates in ISO format)."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
