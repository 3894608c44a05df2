"""Hostile and faulty upload files, built byte by byte (zipfile), and a child process under a memory bound."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HEADER = ["indicateur", "territoire", "periode", "valeur"]
# Hard stop of the child (address space, CPU seconds) so a regression fails the test, not the machine;
# tests assert the resident peak (a command that loads DuckDB, pandas and Arrow peaks near 300-500 MB).
MEMORY_MB = 3000
CPU_SECONDS = 120

_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.sheet.main+xml"/>{sheets}</Types>'
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, cells: list) -> str:
    """One <row> of inline strings (text) and numbers."""
    out = []
    for col, value in enumerate(cells, start=1):
        ref = f"{_column(col)}{number}"
        if isinstance(value, (int, float)):
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def sheet_xml(rows: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {_NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'
    )


def xlsx(*sheets, chunks=None) -> bytes:
    """A workbook from raw sheet XML strings; `chunks` (an iterable of str) streams sheet 1 instead."""
    count = max(len(sheets), 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", _TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, count + 1)))
        )
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} {_R}><sheets>'
            + "".join(f'<sheet name="Feuille{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, count + 1))
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            + "</Relationships>",
        )
        if chunks is not None:
            with archive.open("xl/worksheets/sheet1.xml", "w") as part:
                for chunk in chunks:
                    part.write(chunk.encode())
        for n, sheet in enumerate(sheets, start=1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", sheet)
    return buffer.getvalue()


def data_rows(count: int, start: int = 2) -> str:
    return "".join(row_xml(n, ["EMPLOIS_DIRECTS", "DEP-77", "2024", n]) for n in range(start, start + count))


def dimension_bomb() -> bytes:
    """1.7 KB: a valid header and value, a declared A1:XFD1048576 and one cell at XFD1048576."""
    rows = (
        row_xml(1, HEADER)
        + row_xml(2, ["EMPLOIS_DIRECTS", "DEP-77", "2024", 5])
        + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return xlsx(sheet_xml(rows, "A1:XFD1048576"))


def zip_bomb(rows: int = 1_000_000) -> bytes:
    """A few hundred KB that inflate to about 160 bytes of XML per row (1,000,000 rows: about 160 MB)."""

    return xlsx(chunks=zip_chunks(rows))


def zip_chunks(rows: int):
    """The XML of a sheet of `rows` identical value rows, in pieces."""
    same = (
        '<row><c t="inlineStr"><is><t>EMPLOIS_DIRECTS</t></is></c><c t="inlineStr"><is><t>DEP-77</t></is>'
        '</c><c t="inlineStr"><is><t>2024</t></is></c><c><v>1</v></c></row>'
    )  # rows without r: sequential
    yield sheet_xml("", None).split("<sheetData>")[0] + "<sheetData>" + row_xml(1, HEADER)
    for first in range(0, rows, 10_000):
        yield same * min(10_000, rows - first)
    yield "</sheetData></worksheet>"


def lying_zip(rows: int = 100_000) -> bytes:
    """A sheet whose zip headers declare 2 KB for about 16 MB of XML (the reader must stop at 2 KB)."""
    data = xlsx(chunks=iter(["".join(zip_chunks(rows))]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        true = archive.getinfo("xl/worksheets/sheet1.xml").file_size.to_bytes(4, "little")
    assert data.count(true) == 2  # the local header and the central directory
    return data.replace(true, (2048).to_bytes(4, "little"))


def billion_laughs() -> bytes:
    """Nested XML entities in a sheet: a few hundred bytes that expand to gigabytes in a naive parser."""
    prolog = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
        + "]>"
    )
    rows = row_xml(1, HEADER) + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return xlsx(sheet_xml(rows, None, prolog))


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    peak_mb: float


def run_bounded(
    args: list[str], db_file: Path, memory_mb: int = MEMORY_MB, cpu_seconds: int = CPU_SECONDS, wall_seconds: int = 300
) -> Outcome:
    """Run `python ARGS` from the repository in a child limited in memory and CPU; its own peak RSS."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    env = {**os.environ, "CARREFOURS_DB": str(db_file), "CARREFOURS_MEMORY_LIMIT": "512MB"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=err, preexec_fn=limit)  # noqa: PLW1509 (limits set before exec; no thread started yet)
        timer = threading.Timer(wall_seconds, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return Outcome(
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            usage.ru_maxrss / 1024,
        )
