"""Imports of indicator values from the files coordinators already have (CSV or XLSX, long or wide).

Reading is vectorised (pandas string operations, one parse per distinct period or code); every row then
goes through indicators.service.apply, the one write path, so an import is validated, scoped, checked
for locks and audited exactly like a typed value, and is all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from accounts.models import User
from indicators import repository, service
from indicators.periods import PeriodError, parse_period
from intake import FileRefused, workbook
from intake.text import CONTROL, FORMULA, FORMULA_MESSAGE, control_message, decode
from territories.codes import former_codes
from store.db import Database

BOUNDS = workbook.Bounds()
MAX_BYTES = BOUNDS.max_bytes
MAX_CELL = 2000
ERROR_COLUMNS = ["line", "column", "message"]

# Normalised header (no accents, lower case, single spaces) → canonical column.
ALIASES = {
    "indicateur": "indicateur", "code indicateur": "indicateur", "indicator": "indicateur",
    "territoire": "territoire", "code territoire": "territoire", "code insee": "territoire",
    "codgeo": "territoire", "code": "territoire",
    "periode": "periode", "period": "periode",
    "valeur": "valeur", "value": "valeur",
    "numerateur": "numerateur", "denominateur": "denominateur",
    "niveau": "niveau", "type": "type", "source": "source",
    "commentaire": "commentaire", "commentaires": "commentaire", "comment": "commentaire",
}
OPTIONAL = ("niveau", "type", "source", "commentaire")
# Columns our own exports add for readers: ignored, so an export imports back unchanged.
IGNORED = {"nom", "libelle", "demo", "version", "modifie le", "modifie par"}
LEVELS = {"commune": "commune", "communes": "commune", "com": "commune",
          "epci": "epci", "intercommunalite": "epci",
          "departement": "departement", "departements": "departement", "dep": "departement", "dept": "departement",
          "region": "region", "regions": "region", "reg": "region",
          "pays": "pays", "france": "pays", "national": "pays", "nation": "pays"}
PREFIX = {"commune": "COM-", "epci": "EPCI-", "departement": "DEP-", "region": "REG-"}
KINDS = {"realise": "actual", "reel": "actual", "actual": "actual", "": "actual",
         "cible": "target", "objectif": "target", "target": "target",
         "reference": "baseline", "baseline": "baseline", "initial": "baseline", "valeur initiale": "baseline"}


class ImportError_(Exception):
    """A file that cannot be read at all (explained in French)."""


@dataclass
class ImportReport:
    """What an import found and did: every faulty line, and the write result when rows were valid."""

    filename: str
    layout: str = ""                      # long or wide
    lines: int = 0                        # data lines read
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ERROR_COLUMNS))
    result: service.WriteResult | None = None
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        """True when the file is valid (and, unless a dry run, was written)."""
        return self.errors.empty and (self.result is None or self.result.conflicts.empty)

    @property
    def written(self) -> bool:
        """True when the database changed (or would have nothing to change)."""
        return bool(self.result and self.result.written)


def _norm(text: object) -> str:
    """Header or keyword without accents, lower case, single spaces."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_]+", " ", plain.strip().lower())


def _file_error(message: str, filename: str) -> ImportReport:
    return ImportReport(filename=filename, errors=pd.DataFrame([{"line": 0, "column": "fichier", "message": message}]))


def _named_columns(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Columns named from the header; unnamed empty columns dropped, unnamed filled or repeated ones refused."""
    names = [str(h).strip() for h in header]
    keep, seen = [], {}
    for position, name in enumerate(names):
        if name == "":
            if (frame.iloc[:, position].astype("str").str.strip() != "").any():
                raise ImportError_(f"la colonne {position + 1} n'a pas d'en-tête mais contient des valeurs : "
                                   "donnez-lui un nom (par exemple commentaire) ou supprimez-la")
            continue  # an empty column left by a spreadsheet
        if _norm(name) in seen:
            raise ImportError_(f"la colonne « {name[:40]} » apparaît deux fois (colonnes {seen[_norm(name)] + 1} et "
                               f"{position + 1}) : gardez-en une seule")
        seen[_norm(name)] = position
        keep.append(position)
    frame = frame.iloc[:, keep]
    frame.columns = [names[p] for p in keep]
    return frame


def _read_csv(data: bytes) -> pd.DataFrame:
    """The CSV as text cells; line numbers are kept in the index (header = line 1)."""
    try:
        workbook.check_text_shape(data, BOUNDS)
        text = decode(data)
    except FileRefused as error:
        raise ImportError_(str(error)) from error
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = max((";", "\t", ","), key=first.count)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL, header=None)
    except pd.errors.EmptyDataError as error:
        raise ImportError_("le fichier est vide : il faut une ligne d'en-tête puis une ligne par valeur") from error
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            raise ImportError_(f"ligne {found.group(2)} : {found.group(3)} colonnes au lieu de {found.group(1)} "
                               f"(séparateur « {sep} ») — vérifiez les guillemets et séparateurs") from error
        where = re.search(r"line (\d+)", str(error))
        at = f" (vers la ligne {where.group(1)})" if where else ""
        raise ImportError_(f"le fichier n'est pas un CSV lisible{at} : un guillemet n'est sans doute pas refermé — "
                           "ouvrez-le dans votre tableur et enregistrez-le de nouveau en CSV") from error
    # Read without a header so a line with too many fields is an error, not a silently shifted index.
    header = frame.iloc[0].fillna("").astype("str").tolist()
    frame = _named_columns(frame.iloc[1:].fillna("").astype("str"), header)
    frame.index = frame.index + 1
    return frame


def _read_xlsx(data: bytes) -> pd.DataFrame:
    """The first sheet as text cells; formulas arrive as their text (=…) and are refused later."""
    try:
        rows = workbook.read_xlsx(data, BOUNDS)
    except FileRefused as error:
        raise ImportError_(str(error)) from error
    width = max(len(r) for r in rows)
    header = rows[0] + [""] * (width - len(rows[0]))
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    frame = _named_columns(pd.DataFrame(body, columns=range(width), dtype="str"), header)
    frame.index = frame.index + 2
    return frame


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read an uploaded file into text cells, refusing early what cannot be a value file or costs too much."""
    try:
        workbook.check_size(len(data), BOUNDS)
    except FileRefused as error:
        raise ImportError_(str(error)) from error
    if not data.strip():
        raise ImportError_("le fichier est vide : il faut une ligne d'en-tête puis une ligne par valeur")
    is_zip = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xls") and not is_zip:
        raise ImportError_("l'ancien format Excel .xls n'est pas lu : enregistrez le fichier en .xlsx ou en CSV")
    try:
        with workbook.parse_slot():
            if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
                return _read_xlsx(data)
            return _read_csv(data)
    except FileRefused as error:
        raise ImportError_(str(error)) from error


def _columns(frame: pd.DataFrame) -> tuple[str, dict[str, str], list[str]]:
    """Layout (long or wide), canonical name of each column, and the period columns of a wide file."""
    names, periods, unknown, seen = {}, [], [], set()
    for column in frame.columns:
        key = ALIASES.get(_norm(column))
        if _norm(column) in IGNORED:
            continue
        if key is None:
            try:
                parse_period(column)
                periods.append(column)
                continue
            except PeriodError:
                if _norm(column) == "" or str(column).startswith("Unnamed"):
                    if (frame[column].str.strip() == "").all():
                        continue  # an empty trailing column left by a spreadsheet
                unknown.append(str(column))
                continue
        if key in seen:
            raise ImportError_(f"la colonne « {key} » apparaît deux fois : gardez-en une seule")
        seen.add(key)
        names[column] = key
    expected = ("colonnes attendues : indicateur, territoire, periode, valeur (ou numerateur et denominateur), "
                "et au choix niveau, type, source, commentaire ; ou bien indicateur, territoire puis une "
                "colonne par période (2023, 2024…)")
    if unknown:
        shown = ", ".join(f"« {u[:40]} »" for u in unknown[:5])
        raise ImportError_(f"colonne(s) inconnue(s) : {shown} — {expected}")
    missing = [c for c in ("indicateur", "territoire") if c not in seen]
    if missing:
        raise ImportError_(f"colonne(s) manquante(s) : {', '.join(missing)} — {expected}")
    if "periode" in seen:
        if periods:
            raise ImportError_("le fichier a une colonne periode et des colonnes de périodes "
                               f"({', '.join(periods[:3])}) : choisissez l'un des deux formats")
        if "valeur" not in seen and not {"numerateur", "denominateur"} <= seen:
            raise ImportError_(f"colonne valeur (ou numerateur et denominateur) manquante — {expected}")
        return "long", names, []
    if not periods:
        raise ImportError_(f"colonne periode manquante — {expected}")
    if seen & {"valeur", "numerateur", "denominateur"}:
        raise ImportError_("un fichier en colonnes de périodes ne doit pas avoir de colonne valeur")
    return "wide", names, periods


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
    european = pc.match_substring_regex(text, r"\..*,")      # 1.234,5: dots group thousands
    english = pc.match_substring_regex(text, r",.*\.")       # 1,234.5: commas group thousands
    text = pc.if_else(european, pc.replace_substring(text, ".", ""), text)
    text = pc.if_else(english, pc.replace_substring(text, ",", ""), text)
    text = pc.replace_substring(text, ",", ".")
    readable = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    numbers = pc.cast(pc.if_else(readable, text, pa.scalar(None, pa.string())), pa.float64())
    bad = pc.and_(pc.invert(empty), pc.invert(readable))
    return (pd.Series(numbers.to_numpy(zero_copy_only=False), index=raw.index, dtype="float64"),
            pd.Series(bad.to_numpy(zero_copy_only=False), index=raw.index, dtype=bool))


def resolve_territories(raw: pd.Series, levels: pd.Series | None, ref: pd.DataFrame
                        ) -> tuple[pd.Series, pd.Series]:
    """Territory ids from codes as people type them (each distinct code and niveau is read once)."""
    key = raw.fillna("").astype("str")
    if levels is not None:
        key = key + "\x1f" + levels.fillna("").astype("str")
    codes, uniques = pd.factorize(key)
    parts = pd.Series(uniques, dtype="str").str.split("\x1f", n=1, expand=True) if levels is not None else None
    distinct_codes = parts[0] if parts is not None else pd.Series(uniques, dtype="str")
    distinct_levels = parts[1].fillna("") if parts is not None else None
    ids, messages = _resolve_distinct(distinct_codes, distinct_levels, ref)
    return (pd.Series(ids.to_numpy(dtype=object)[codes], index=raw.index, dtype="object"),
            pd.Series(messages.to_numpy(dtype=object)[codes], index=raw.index, dtype="object"))


def _member(series: pd.Series, ids: set) -> pd.Series:
    """Element-wise membership in a set, by hashing (faster than isin on Arrow strings for large sets)."""
    return pd.Series([value in ids for value in series.to_numpy(dtype=object)], index=series.index, dtype=bool)


def _resolve_distinct(raw: pd.Series, levels: pd.Series | None, ref: pd.DataFrame
                      ) -> tuple[pd.Series, pd.Series]:
    """Territory ids from codes as people type them, and a French message where a code cannot be read.

    1053 → COM-01053 (leading zero lost), 2A004, 971 (overseas département), 9-digit SIREN → EPCI,
    FR, REG-01 / DEP-01, or a niveau column. A one- or two-digit code that is both a région and a
    département is ambiguous and refused, never guessed.
    """
    ids = set(ref["id"])
    code = raw.fillna("").str.strip().str.upper().str.replace(r"\s+", "", regex=True)
    code = code.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    result = pd.Series(None, index=raw.index, dtype="object")
    message = pd.Series(None, index=raw.index, dtype="object")

    prefixed = code.str.extract(r"^(REG|DEP|EPCI|COM)-(.+)$")
    has_prefix = prefixed[0].notna()
    level_of_prefix = prefixed[0].map({"REG": "region", "DEP": "departement", "EPCI": "epci", "COM": "commune"})
    bare = code.where(~has_prefix, prefixed[1])
    level = level_of_prefix.copy()

    if levels is not None:
        typed = levels.fillna("").map(_norm)
        lv = typed.map(LEVELS)
        bad_level = (typed != "") & lv.isna()
        message[bad_level] = "niveau « " + levels[bad_level].astype(str) + \
            " » inconnu : écrivez commune, epci, departement, region ou pays"
        clash = has_prefix & lv.notna() & (lv != level_of_prefix)
        message[clash] = "le niveau « " + levels[clash].astype(str) + " » contredit le code " + code[clash]
        level = level.where(has_prefix, lv)

    is_fr = code.isin(["FR", "FRANCE", "FRA"]) | (level == "pays")
    result[is_fr] = "FR"
    # Zeros a spreadsheet removed come back from the length each level's codes have.
    digits = bare.str.fullmatch(r"\d+")
    padded = bare.copy()
    padded = padded.where(~((level == "commune") & digits & (bare.str.len() == 4)), "0" + bare)
    padded = padded.where(~(level.isin(["departement", "region"]) & digits & (bare.str.len() == 1)), "0" + bare)
    known_level = level.notna() & ~is_fr
    result[known_level] = level[known_level].map(PREFIX) + padded[known_level]

    guess = level.isna() & ~is_fr & message.isna() & (code != "")
    rules = [
        (bare.str.fullmatch(r"\d{9}"), "EPCI-" + bare),
        (bare.str.fullmatch(r"\d{5}|2[AB]\d{3}"), "COM-" + bare),
        (bare.str.fullmatch(r"\d{4}"), "COM-0" + bare),
        (bare.str.fullmatch(r"97[1-6]|2[AB]"), "DEP-" + bare),
    ]
    for mask, value in rules:
        hit = guess & mask & result.isna()
        result[hit] = value[hit]
    short = guess & bare.str.fullmatch(r"\d{1,2}") & result.isna()
    two = bare.str.zfill(2)
    is_dep, is_reg = _member("DEP-" + two, ids), _member("REG-" + two, ids)
    ambiguous = short & is_dep & is_reg
    message[ambiguous] = ("code « " + raw[ambiguous].astype(str) + " » ambigu : c'est à la fois une région et un "
                          "département — écrivez REG-" + two[ambiguous] + " ou DEP-" + two[ambiguous]
                          + ", ou ajoutez une colonne niveau")
    result[short & is_dep & ~is_reg] = ("DEP-" + two)[short & is_dep & ~is_reg]
    result[short & is_reg & ~is_dep] = ("REG-" + two)[short & is_reg & ~is_dep]

    # Arrondissements and merged communes stand for the current commune (territories.codes).
    former = former_codes()
    old = message.isna() & result.fillna("").str.startswith("COM-") & ~_member(result, ids)
    mapped = result[old].str.removeprefix("COM-").map(lambda c: former.get(c, (None,))[0])
    result[old] = ("COM-" + mapped).where(mapped.notna(), result[old])
    empty = code == ""
    message[empty & message.isna()] = "code territoire manquant"
    unknown = message.isna() & ~_member(result, ids)
    message[unknown] = ("territoire « " + raw[unknown].astype(str).str.slice(0, 40) + " » inconnu : écrivez un code "
                        "INSEE de commune (77475), un SIREN d'EPCI, DEP-77, REG-11 ou FR")
    result[message.notna()] = None
    return result, message


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
    layout, names, periods = _columns(frame)
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
        long_cell = pd.Series(pc.greater(pc.fill_null(pc.utf8_length(cells), 0), MAX_CELL)
                              .to_numpy(zero_copy_only=False), index=frame.index)
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
        kind = frame["type"].map(_norm).map(KINDS)
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
                _flag(parts, lines, bad, column, "« " + frame[column].str.slice(0, 40)
                      + " » n'est pas un nombre (écrivez par exemple 1 234,5)")
                base[target] = numbers
            else:
                base[target] = np.nan
        changes = base.assign(line=lines, value_column="valeur", period_column="periode")
    else:
        pieces = []
        for column in periods:
            numbers, bad = parse_numbers(frame[column])
            _flag(parts, lines, bad, str(column), "« " + frame[column].str.slice(0, 40)
                  + " » n'est pas un nombre (écrivez par exemple 1 234,5)")
            given = frame[column].str.strip() != ""
            piece = base[given].assign(period=str(column).strip(), value=numbers[given], numerator=np.nan,
                                       denominator=np.nan, line=lines[given], value_column=str(column),
                                       period_column=str(column))
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


def import_values(db: Database, user: User, data: bytes, filename: str, *, dry_run: bool = True,
                  read_versions: dict[int, int] | None = None, progress: service.Progress | None = None,
                  versions_by_line: dict[int, int] | None = None) -> ImportReport:
    """Read, check and (unless dry_run) write a value file, all-or-nothing, through the one write path.

    `read_versions` (row position → version seen in the preview) makes the commit refuse values that
    someone changed between the preview and the commit; `versions_by_line` (file line → version, as the
    export's `version` column gives) does the same for a file prepared from an export.
    """
    progress = progress or (lambda fraction, text: None)
    progress(0.05, "Lecture du fichier…")
    try:
        table = read_table(data, filename)
        with db.read() as cur:
            ref = repository.territory_codes(cur)
        progress(0.2, "Lecture des codes, périodes et nombres…")
        changes, reading, layout = to_changes(table, ref)
    except ImportError_ as error:
        return _file_error(f"Fichier refusé : {error}.", filename)
    report = ImportReport(filename=filename, layout=layout, lines=int(changes["line"].nunique()), dry_run=dry_run)
    if read_versions is not None:
        changes["read_version"] = changes.index.map(read_versions).astype("Int64")
    if versions_by_line is not None:
        changes["read_version"] = changes["line"].map(versions_by_line).astype("Int64")
    service_frame = changes[service.FRAME_COLUMNS]
    has_reading_errors = not reading.empty
    result = service.apply(db, user, service_frame, how="import", dry_run=dry_run or has_reading_errors,
                           progress=progress, trace_refusals=not dry_run)
    errors = result.errors
    if not errors.empty and layout == "wide":
        # In a wide file the cell of a value or period is the period column of that row.
        cell = changes["value_column"]
        in_cell = errors["column"].isin(["valeur", "periode"])
        errors.loc[in_cell, "column"] = errors.loc[in_cell, "pos"].map(cell)
    # One message per cell: what the reader already said wins over the same cell's later complaint.
    said = set(zip(reading["line"], reading["column"]))
    later = errors.loc[np.array([(l, c) not in said for l, c in zip(errors["line"], errors["column"])], dtype=bool)]
    errors = pd.concat([reading, later[ERROR_COLUMNS]], ignore_index=True)
    report.errors = errors[ERROR_COLUMNS].sort_values(["line", "column"], kind="stable").reset_index(drop=True)
    report.result = result
    return report


def resolve_code(db: Database, text: str) -> str:
    """One territory code as a person types it (77475, 77, DEP-01, a SIREN) → its id; ValueError if unreadable."""
    with db.read() as cur:
        ref = repository.territory_codes(cur)
    ids, message = resolve_territories(pd.Series([text], dtype="str"), None, ref)
    if pd.notna(message.iloc[0]):
        raise ValueError(message.iloc[0][:1].upper() + message.iloc[0][1:] + ".")
    return ids.iloc[0]
