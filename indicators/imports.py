"""Imports of indicator values from the files coordinators already have (CSV or XLSX, long or wide).

Reading is vectorised (indicators.import_files for the file, indicators.import_territories for the codes,
pandas and Arrow for the cells); every row then goes through indicators.writes.apply, the one write path,
so an import is validated, scoped, checked for locks and audited exactly like a typed value, and is
all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from accounts.models import User
from indicators import writes
from indicators.import_files import ImportError_, columns, norm, read_table
from indicators.import_territories import resolve_territories
from indicators.validation import FRAME_COLUMNS
from intake.text import CONTROL, FORMULA, FORMULA_MESSAGE, control_message
from store.db import Database
from territories import repository as territory_repo

__all__ = ["ImportReport", "import_values", "parse_numbers", "resolve_code", "to_changes"]
MAX_CELL = 2000
ERROR_COLUMNS = ["line", "column", "message"]
KINDS = {
    "realise": "actual",
    "reel": "actual",
    "actual": "actual",
    "": "actual",
    "cible": "target",
    "objectif": "target",
    "target": "target",
    "reference": "baseline",
    "baseline": "baseline",
    "initial": "baseline",
    "valeur initiale": "baseline",
}


@dataclass
class ImportReport:
    """What an import found and did: every faulty line, and the write result when rows were valid."""

    filename: str
    layout: str = ""  # long or wide
    lines: int = 0  # data lines read
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    result: writes.WriteResult | None = None
    dry_run: bool = True

    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))

    @property
    def ok(self) -> bool:
        """True when the file is valid (and, unless a dry run, was written)."""
        return self.errors.empty and (
            self.result is None or (self.result.conflicts.empty and self.result.unconfirmed is None)
        )

    @property
    def written(self) -> bool:
        """True when the database changed (or would have nothing to change)."""
        return bool(self.result and self.result.written)


def _file_error(message: str, filename: str) -> ImportReport:
    return ImportReport(filename=filename, errors=pd.DataFrame([{"line": 0, "column": "fichier", "message": message}]))


def _arrow(raw: pd.Series) -> pa.Array:
    """The column as an Arrow string array (pandas 3 strings already are one: no copy then)."""
    try:
        return pa.array(raw.array, type=pa.string())
    except (TypeError, pa.ArrowInvalid):
        return pa.array(raw.to_numpy(dtype=object, na_value=None), type=pa.string())


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """French numbers as typed ('1 234,5', '1.234,5', '12 %') → floats, and the mask of unreadable cells.

    Runs in Arrow compute kernels: 100,000 cells take milliseconds.
    """
    text = pc.utf8_trim_whitespace(pc.fill_null(_arrow(raw), ""))
    empty = pc.equal(text, "")
    text = pc.replace_substring_regex(text, r"[\s\x{00a0}\x{202f}\x{2019}']", "")
    text = pc.replace_substring_regex(text, r"(%|€)$", "")
    european = pc.match_substring_regex(text, r"\..*,")  # 1.234,5: dots group thousands
    english = pc.match_substring_regex(text, r",.*\.")  # 1,234.5: commas group thousands
    text = pc.if_else(european, pc.replace_substring(text, ".", ""), text)
    text = pc.if_else(english, pc.replace_substring(text, ",", ""), text)
    text = pc.replace_substring(text, ",", ".")
    readable = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    numbers = pc.cast(pc.if_else(readable, text, pa.scalar(None, pa.string())), pa.float64())
    bad = pc.and_(pc.invert(empty), pc.invert(readable))
    return (
        pd.Series(numbers.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64"),
        pd.Series(bad.to_numpy(zero_copy_only=False), index=raw.index, dtype=bool),
    )


def _matches(cells: pa.Array, pattern: str, index: pd.Index) -> pd.Series:
    """Cells matching a regular expression of intake.text (Arrow RE2, same syntax as Python's re here)."""
    hit = pc.fill_null(pc.match_substring_regex(cells, pattern), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=index)


def _flag(parts: list, lines: pd.Series, mask: pd.Series, column: str, message) -> None:
    if mask.any():
        text = message[mask] if isinstance(message, pd.Series) else message
        parts.append(pd.DataFrame({"pos": lines.index[mask.to_numpy()], "column": column, "message": text}))


def to_changes(frame: pd.DataFrame, ref: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Text cells → the service's change frame, the reading errors (pos, line, column, message), the layout."""
    layout, names, periods = columns(frame)
    frame = frame[list(names) + list(periods)].rename(columns=names)
    # A blank line in a spreadsheet is not an error.
    frame = frame[(frame.apply(lambda c: c.str.strip() != "")).any(axis=1)]
    if frame.empty:
        raise ImportError_("le fichier ne contient aucune ligne de valeurs sous l'en-tête")
    parts: list[pd.DataFrame] = []
    lines = pd.Series(frame.index, index=frame.index)
    base = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        label = column
        cells = _arrow(frame[column])
        long_cell = pd.Series(
            pc.greater(pc.fill_null(pc.utf8_length(cells), 0), MAX_CELL).to_numpy(zero_copy_only=False),
            index=frame.index,
        )
        _flag(parts, lines, long_cell, str(label), f"cellule trop longue (plus de {MAX_CELL} caractères)")
        control = _matches(cells, CONTROL, frame.index) & ~long_cell
        if control.any():
            found = frame.loc[control, column].str.extract(f"({CONTROL})", expand=False)
            _flag(parts, lines, control, str(label), found.map(lambda c: control_message(f"U+{ord(c):04X}")))
        formula = _matches(cells, FORMULA, frame.index) & ~long_cell & ~control
        _flag(parts, lines, formula, str(label), FORMULA_MESSAGE)
        if (long_cell | control | formula).any():
            frame.loc[long_cell | control | formula, column] = ""
    base["indicator_code"] = frame["indicateur"].str.strip().str.upper()
    levels = frame["niveau"] if "niveau" in frame.columns else None
    base["territory_id"], problem = resolve_territories(frame["territoire"], levels, ref)
    _flag(parts, lines, problem.notna(), "territoire", problem)
    if "type" in frame.columns:
        kind = frame["type"].map(norm).map(KINDS)
        bad = kind.isna()
        _flag(parts, lines, bad, "type", "type « " + frame["type"] + " » inconnu : écrivez realise, cible ou reference")
        base["kind"] = kind.fillna("actual")
    else:
        base["kind"] = "actual"
    for column, target in (("source", "source"), ("commentaire", "comment")):
        if column in frame.columns:
            cleaned = frame[column].str.strip()
            base[target] = cleaned.where(cleaned != "", None)
        else:
            base[target] = None
    if layout == "long":
        base["period"] = frame["periode"].str.strip()
        for column, target in (("valeur", "value"), ("numerateur", "numerator"), ("denominateur", "denominator")):
            if column in frame.columns:
                numbers, bad = parse_numbers(frame[column])
                _flag(
                    parts,
                    lines,
                    bad,
                    column,
                    "« " + frame[column].str.slice(0, 40) + " » n'est pas un nombre (écrivez par exemple 1 234,5)",
                )
                base[target] = numbers
            else:
                base[target] = np.nan
        changes = base.assign(line=lines, value_column="valeur", period_column="periode")
    else:
        pieces = []
        for column in periods:
            numbers, bad = parse_numbers(frame[column])
            _flag(
                parts,
                lines,
                bad,
                str(column),
                "« " + frame[column].str.slice(0, 40) + " » n'est pas un nombre (écrivez par exemple 1 234,5)",
            )
            given = frame[column].str.strip() != ""
            piece = base[given].assign(
                period=str(column).strip(),
                value=numbers[given],
                numerator=np.nan,
                denominator=np.nan,
                line=lines[given],
                value_column=str(column),
                period_column=str(column),
            )
            pieces.append(piece)
        changes = pd.concat(pieces) if pieces else base.iloc[0:0]
        if changes.empty and not parts:
            raise ImportError_("aucune valeur dans les colonnes de périodes")
    reading = pd.concat(parts) if parts else pd.DataFrame(columns=["pos", "column", "message"])
    reading = reading.rename(columns={"pos": "line"})
    changes = changes.reset_index(drop=True)
    changes["read_version"] = pd.NA
    changes["delete"] = False
    return changes, reading[ERROR_COLUMNS], layout


def import_values(
    db: Database,
    user: User,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = True,
    read_versions: dict[int, int] | None = None,
    progress: writes.Progress | None = None,
    versions_by_line: dict[int, int] | None = None,
    confirm: bool = False,
    comment: str | None = None,
) -> ImportReport:
    """Read, check and (unless dry_run) write a value file, all-or-nothing, through the one write path.

    `read_versions` (row position → version seen in the preview) makes the commit refuse values that
    someone changed between the preview and the commit; `versions_by_line` (file line → version, as the
    export's `version` column gives) does the same for a file prepared from an export. Values breaking a
    soft rule are listed in `warnings`; they are written only with `confirm` and a `comment` (kept in the
    audit log of every value of the file) or a comment on each of their lines.
    """
    progress = progress or (lambda fraction, text: None)
    progress(0.05, "Lecture du fichier…")
    try:
        table = read_table(data, filename)
        with db.read() as cur:
            ref = territory_repo.codes(cur)
        progress(0.2, "Lecture des codes, périodes et nombres…")
        changes, reading, layout = to_changes(table, ref)
    except ImportError_ as error:
        return _file_error(f"Fichier refusé : {error}.", filename)
    report = ImportReport(filename=filename, layout=layout, lines=int(changes["line"].nunique()), dry_run=dry_run)
    if read_versions is not None:
        changes["read_version"] = changes.index.map(read_versions).astype("Int64")
    if versions_by_line is not None:
        changes["read_version"] = changes["line"].map(versions_by_line).astype("Int64")
    service_frame = changes[FRAME_COLUMNS]
    has_reading_errors = not reading.empty
    result = writes.apply(
        db,
        user,
        service_frame,
        how="import",
        dry_run=dry_run or has_reading_errors,
        progress=progress,
        trace_refusals=not dry_run,
        confirm=confirm,
        note=comment.strip() if comment and comment.strip() else None,
    )
    errors, warnings = result.errors, result.warnings.copy()
    if layout == "wide":
        # In a wide file the cell of a value or period is the period column of that row.
        cell = changes["value_column"]
        for found in (errors, warnings):
            in_cell = found["column"].isin(["valeur", "periode"])
            found.loc[in_cell, "column"] = found.loc[in_cell, "pos"].map(cell)
    report.warnings = warnings[ERROR_COLUMNS].reset_index(drop=True)
    # One message per cell: what the reader already said wins over the same cell's later complaint.
    said = set(zip(reading["line"], reading["column"]))
    later = errors.loc[
        np.array([(line, c) not in said for line, c in zip(errors["line"], errors["column"])], dtype=bool)
    ]
    errors = pd.concat([reading, later[ERROR_COLUMNS]], ignore_index=True)
    report.errors = errors[ERROR_COLUMNS].sort_values(["line", "column"], kind="stable").reset_index(drop=True)
    report.result = result
    return report


def resolve_code(db: Database, text: str) -> str:
    """One territory code as a person types it (77475, 77, DEP-01, a SIREN) → its id; ValueError if unreadable."""
    with db.read() as cur:
        ref = territory_repo.codes(cur)
    ids, message = resolve_territories(pd.Series([text], dtype="str"), None, ref)
    if pd.notna(message.iloc[0]):
        raise ValueError(message.iloc[0][:1].upper() + message.iloc[0][1:] + ".")
    return ids.iloc[0]
