"""Reading a value file into text cells: size and shape bounds, CSV or XLSX, headers, long or wide layout."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import pandas as pd

from indicators.periods import PeriodError, parse_period
from intake import FileRefused, workbook
from intake.text import decode

BOUNDS = workbook.Bounds()
MAX_BYTES = BOUNDS.max_bytes

# Normalised header (no accents, lower case, single spaces) → canonical column.
ALIASES = {
    "indicateur": "indicateur",
    "code indicateur": "indicateur",
    "indicator": "indicateur",
    "territoire": "territoire",
    "code territoire": "territoire",
    "code insee": "territoire",
    "codgeo": "territoire",
    "code": "territoire",
    "periode": "periode",
    "period": "periode",
    "valeur": "valeur",
    "value": "valeur",
    "numerateur": "numerateur",
    "denominateur": "denominateur",
    "niveau": "niveau",
    "type": "type",
    "source": "source",
    "commentaire": "commentaire",
    "commentaires": "commentaire",
    "comment": "commentaire",
}
OPTIONAL = ("niveau", "type", "source", "commentaire")
# Columns our own exports add for readers: ignored, so an export imports back unchanged.
IGNORED = {"nom", "libelle", "demo", "version", "modifie le", "modifie par"}


class ImportError_(Exception):
    """A file that cannot be read at all (explained in French)."""


def norm(text: object) -> str:
    """Header or keyword without accents, lower case, single spaces."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_]+", " ", plain.strip().lower())


def _named_columns(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Columns named from the header; unnamed empty columns dropped, unnamed filled or repeated ones refused."""
    names = [str(h).strip() for h in header]
    keep, seen = [], {}
    for position, name in enumerate(names):
        if name == "":
            if (frame.iloc[:, position].astype("str").str.strip() != "").any():
                raise ImportError_(
                    f"la colonne {position + 1} n'a pas d'en-tête mais contient des valeurs : "
                    "donnez-lui un nom (par exemple commentaire) ou supprimez-la"
                )
            continue  # an empty column left by a spreadsheet
        if norm(name) in seen:
            raise ImportError_(
                f"la colonne « {name[:40]} » apparaît deux fois (colonnes {seen[norm(name)] + 1} et "
                f"{position + 1}) : gardez-en une seule"
            )
        seen[norm(name)] = position
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
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            header=None,
        )
    except pd.errors.EmptyDataError as error:
        raise ImportError_("le fichier est vide : il faut une ligne d'en-tête puis une ligne par valeur") from error
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            raise ImportError_(
                f"ligne {found.group(2)} : {found.group(3)} colonnes au lieu de {found.group(1)} "
                f"(séparateur « {sep} ») — vérifiez les guillemets et séparateurs"
            ) from error
        where = re.search(r"line (\d+)", str(error))
        at = f" (vers la ligne {where.group(1)})" if where else ""
        raise ImportError_(
            f"le fichier n'est pas un CSV lisible{at} : un guillemet n'est sans doute pas refermé — "
            "ouvrez-le dans votre tableur et enregistrez-le de nouveau en CSV"
        ) from error
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


def columns(frame: pd.DataFrame) -> tuple[str, dict[str, str], list[str]]:
    """Layout (long or wide), canonical name of each column, and the period columns of a wide file."""
    names, periods, unknown, seen = {}, [], [], set()
    for column in frame.columns:
        key = ALIASES.get(norm(column))
        if norm(column) in IGNORED:
            continue
        if key is None:
            try:
                parse_period(column)
                periods.append(column)
                continue
            except PeriodError:
                if norm(column) == "" or str(column).startswith("Unnamed"):
                    if (frame[column].str.strip() == "").all():
                        continue  # an empty trailing column left by a spreadsheet
                unknown.append(str(column))
                continue
        if key in seen:
            raise ImportError_(f"la colonne « {key} » apparaît deux fois : gardez-en une seule")
        seen.add(key)
        names[column] = key
    expected = (
        "colonnes attendues : indicateur, territoire, periode, valeur (ou numerateur et denominateur), "
        "et au choix niveau, type, source, commentaire ; ou bien indicateur, territoire puis une "
        "colonne par période (2023, 2024…)"
    )
    if unknown:
        shown = ", ".join(f"« {u[:40]} »" for u in unknown[:5])
        raise ImportError_(f"colonne(s) inconnue(s) : {shown} — {expected}")
    missing = [c for c in ("indicateur", "territoire") if c not in seen]
    if missing:
        raise ImportError_(f"colonne(s) manquante(s) : {', '.join(missing)} — {expected}")
    if "periode" in seen:
        if periods:
            raise ImportError_(
                "le fichier a une colonne periode et des colonnes de périodes "
                f"({', '.join(periods[:3])}) : choisissez l'un des deux formats"
            )
        if "valeur" not in seen and not {"numerateur", "denominateur"} <= seen:
            raise ImportError_(f"colonne valeur (ou numerateur et denominateur) manquante — {expected}")
        return "long", names, []
    if not periods:
        raise ImportError_(f"colonne periode manquante — {expected}")
    if seen & {"valeur", "numerateur", "denominateur"}:
        raise ImportError_("un fichier en colonnes de périodes ne doit pas avoir de colonne valeur")
    return "wide", names, periods
