"""Validating a file against a published import schema with frictionless, the way a coordinator would."""

from __future__ import annotations

import json

import frictionless
from frictionless import Dialect, Resource, Schema, formats


def validate(data: bytes, schema_bytes: bytes, tmp_path, name: str = "fichier.csv") -> frictionless.Report:
    """The frictionless report of a file against a schema file, read with the dialect and encoding it publishes.

    Columns are matched by name, in any order, as the schema itself declares (fieldsMatch: partial).
    """
    descriptor = json.loads(schema_bytes)
    path = tmp_path / name
    path.write_bytes(data)
    dialect = Dialect(controls=[formats.CsvControl(delimiter=descriptor["dialect"]["delimiter"])])
    resource = Resource(
        path=path.name,
        basepath=str(tmp_path),
        schema=Schema.from_descriptor(descriptor),
        dialect=dialect,
        encoding=descriptor["encoding"],
    )
    return resource.validate()


def problems(report: frictionless.Report) -> list[tuple]:
    """(row, field, error type) of every error, for assertions and failure messages."""
    return [tuple(e) for e in report.flatten(["rowNumber", "fieldName", "type"])]
