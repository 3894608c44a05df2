"""Bounded reading of uploaded files: what a file may cost is checked before it is read.

An XLSX is a zip: its directory gives the uncompressed size of every part, and the reader cannot
inflate a part beyond the size its directory declares (zipfile stops there and fails the CRC), so a
zip bomb is refused before one byte is inflated. The sheet is then streamed (openpyxl read-only)
with its declared dimension ignored — a sheet may claim A1:XFD1048576 — and stops at the row and
column bounds. At most one file is parsed at a time in a process, so one upload never takes every
core from the other sessions.
"""

from __future__ import annotations

import io
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from formatting import french as fmt
from intake import FileRefused

PARSE_SLOTS = threading.BoundedSemaphore(1)
WAIT_SECONDS = 120


@dataclass(frozen=True)
class Bounds:
    """What one file may cost: compressed and uncompressed bytes, data rows, columns, cells."""

    max_bytes: int = 20 * 1024 * 1024
    max_uncompressed: int = 120 * 1024 * 1024
    max_rows: int = 250_000
    max_columns: int = 200
    max_cells: int = 3_000_000


def _mb(size: int) -> str:
    return fmt.number(size / 2**20, 1)


@contextmanager
def parse_slot():
    """One parse at a time per process; a second upload waits, then is told to retry."""
    if not PARSE_SLOTS.acquire(timeout=WAIT_SECONDS):
        raise FileRefused("un autre fichier volumineux est en cours de lecture : réessayez dans une minute")
    try:
        yield
    finally:
        PARSE_SLOTS.release()


def check_size(size: int, bounds: Bounds) -> None:
    """Refuse a file larger than the upload limit (call it before reading a file from disk)."""
    if size > bounds.max_bytes:
        raise FileRefused(
            f"le fichier fait {_mb(size)} Mo, au-delà de la limite de {bounds.max_bytes // 2**20} Mo : "
            "découpez-le (par exemple par indicateur, par région ou par année)"
        )


def check_text_shape(data: bytes, bounds: Bounds) -> None:
    """Refuse a CSV whose line count, header width or cell count is past the bounds, before parsing it."""
    check_size(len(data), bounds)
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines - 1 > bounds.max_rows:
        raise FileRefused(
            f"le fichier a {fmt.number(lines - 1)} lignes, au-delà de la limite de {fmt.number(bounds.max_rows)} : "
            "découpez-le en plusieurs fichiers"
        )
    first = data.split(b"\n", 1)[0]
    width = 1 + max(first.count(sep) for sep in (b";", b",", b"\t"))
    if width > bounds.max_columns:
        raise FileRefused(
            f"la ligne d'en-tête a {fmt.number(width)} colonnes, au-delà de la limite de "
            f"{bounds.max_columns} : supprimez les colonnes inutiles"
        )
    if width * lines > bounds.max_cells:
        raise FileRefused(
            f"le fichier a {fmt.number(width * lines)} cellules, au-delà de la limite de "
            f"{fmt.number(bounds.max_cells)} : découpez-le en plusieurs fichiers"
        )


def _unzipped_size(data: bytes, bounds: Bounds) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise FileRefused(
            "ce fichier n'est pas un classeur Excel lisible (.xlsx) : ouvrez-le dans votre tableur "
            "et enregistrez-le de nouveau en XLSX ou en CSV"
        ) from error
    if total > bounds.max_uncompressed:
        raise FileRefused(
            f"ce classeur décompressé ferait {_mb(total)} Mo, au-delà de la limite de "
            f"{bounds.max_uncompressed // 2**20} Mo : enregistrez seulement les données utiles, "
            "ou en CSV"
        )


def cell_text(cell: object) -> str:
    """An XLSX cell as the text a person typed (1053.0 → 1053, a month date → 2024-09)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "VRAI" if cell else "FAUX"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return f"{cell.year}-{cell.month:02d}" if cell.day == 1 else cell.date().isoformat()
    if isinstance(cell, date):
        return f"{cell.year}-{cell.month:02d}" if cell.day == 1 else cell.isoformat()
    return str(cell)


def _rows(sheet, bounds: Bounds) -> list[list[str]]:
    """The sheet's rows as text, trailing empty cells dropped, refused past the bounds."""
    sheet.reset_dimensions()  # never trust the declared <dimension>: it pads every row to it
    rows, cells = [], 0
    limit_row, width = bounds.max_rows + 2, bounds.max_columns
    for number, row in enumerate(sheet.iter_rows(max_row=limit_row, values_only=True), 1):
        if number == limit_row:
            raise FileRefused(
                f"la feuille « {sheet.title} » a des lignes au-delà de la ligne {fmt.number(limit_row - 1)} "
                f"(limite : {fmt.number(bounds.max_rows)} lignes de données) : supprimez les lignes "
                "inutiles ou découpez le fichier"
            )
        if len(row) > width and any(v is not None and str(v).strip() != "" for v in row[width:]):
            raise FileRefused(
                f"la feuille « {sheet.title} » a des cellules au-delà de la colonne {width} "
                f"(ligne {number}) : supprimez les colonnes inutiles"
            )
        texts = [cell_text(c) for c in row[:width]]
        while texts and texts[-1].strip() == "":
            texts.pop()
        cells += len(texts)
        if cells > bounds.max_cells:
            raise FileRefused(
                f"la feuille « {sheet.title} » a plus de {fmt.number(bounds.max_cells)} cellules remplies : découpez le fichier"
            )
        rows.append(texts)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_xlsx(data: bytes, bounds: Bounds) -> list[list[str]]:
    """The first sheet as rows of text cells (header first), within the bounds; FileRefused otherwise."""
    from openpyxl import load_workbook

    check_size(len(data), bounds)
    _unzipped_size(data, bounds)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRefused:
        raise
    except Exception as error:
        raise FileRefused(
            "ce fichier n'est pas un classeur Excel lisible (.xlsx) : ouvrez-le dans votre tableur "
            "et enregistrez-le de nouveau en XLSX ou en CSV"
        ) from error
    try:
        if not book.worksheets:
            raise FileRefused("ce classeur n'a aucune feuille : il faut une ligne d'en-tête puis une ligne par valeur")
        rows = _rows(book.worksheets[0], bounds)
        if not any(any(c.strip() for c in r) for r in rows):
            others = [s.title for s in book.worksheets[1:] if any(any(c.strip() for c in r) for r in _rows(s, bounds))]
            if others:
                raise FileRefused(
                    f"la première feuille « {book.worksheets[0].title} » est vide et les données sont "
                    f"sur la feuille « {others[0]} » : placez-la en premier (ou supprimez la feuille "
                    "vide), puis importez de nouveau"
                )
            raise FileRefused("le classeur est vide : il faut une ligne d'en-tête puis une ligne par valeur")
    except FileRefused:
        raise
    except Exception as error:  # a damaged part inside a valid zip (bad XML, bad CRC)
        raise FileRefused(
            "ce classeur est endommagé (une partie est illisible) : ouvrez-le dans votre tableur et "
            "enregistrez-le de nouveau en XLSX ou en CSV"
        ) from error
    finally:
        book.close()
    return rows
