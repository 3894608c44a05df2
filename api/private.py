"""API routes that act for a person (personal token): imports, exports, history, reminders, the database's status."""

from __future__ import annotations

from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from accounts import policy, tokens
from accounts.policy import AccessDenied
from api.answers import ApiError, database, render
from api.auth import token_user
from api.frames import json_bytes, records
from bootstrap import status_report
from indicators import exports, import_files, imports, revert
from indicators.periods import PeriodError
from lieux import import_formats
from lieux import imports as lieux_imports
from lieux.writes import LieuError
from notifications import mail
from notifications import service as reminders
from plan.freshness import today_paris

KINDS = {"realise": "actual", "cible": "target", "reference": "baseline"}


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond `limit` bytes before it is all read."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"Fichier trop gros : {limit // 2**20} Mo au plus. Découpez-le ; rien n'a été écrit.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"Fichier trop gros : {limit // 2**20} Mo au plus. Découpez-le ; rien n'a été écrit.")
        chunks.append(chunk)
    if not size:
        raise ApiError(400, "Corps de la requête vide : envoyez le fichier (curl --data-binary @fichier.csv).")
    return b"".join(chunks)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "oui", "yes")


def _versions_by_line(data: bytes, filename: str) -> dict[int, int] | None:
    """The `version` column of a file prepared from an export (file line → version read), if it has one."""
    try:
        table = import_files.read_table(data, filename)
    except import_files.ImportError_:
        return None  # the import itself reports why the file cannot be read
    column = next((c for c in table.columns if str(c).strip().lower() == "version"), None)
    if column is None:
        return None
    numbers = table[column].str.strip()
    return {int(line): int(v) for line, v in numbers.items() if v.isdigit()}


def _json(data, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")


async def import_values(request: Request):
    """Import a value file (CSV or XLSX in the body) all-or-nothing through the one write path; dry_run=1 checks."""
    db = database()
    user, token_id = await run_in_threadpool(token_user, db, request, required=True)
    data = await _body(request, import_files.MAX_BYTES)
    filename = request.query_params.get("filename") or "fichier.csv"
    dry_run = _flag(request, "dry_run")

    def work():
        versions = None if _flag(request, "ignore_versions") else _versions_by_line(data, filename)
        try:
            report = imports.import_values(
                db,
                user,
                data,
                filename,
                dry_run=dry_run,
                versions_by_line=versions,
                confirm=_flag(request, "confirm"),
                comment=request.query_params.get("comment"),
            )
        except AccessDenied as error:
            tokens.record_use(db, user, token_id, "import_values", {"file": filename, "refused": str(error)})
            raise ApiError(403, str(error)) from error
        result = report.result
        answer = {
            "file": filename,
            "layout": report.layout,
            "lines": report.lines,
            "dry_run": dry_run,
            "written": bool(result and result.written and not dry_run),
            "errors": records(report.errors[["line", "column", "message"]]),
            "conflicts": records(result.conflicts) if result is not None else [],
            "warnings": records(report.warnings[["line", "column", "message"]]),
            "inserted": result.inserted if result else 0,
            "updated": result.updated if result else 0,
            "deleted": result.deleted if result else 0,
            "unchanged": result.unchanged if result else 0,
        }
        tokens.record_use(
            db,
            user,
            token_id,
            "import_values",
            {k: answer[k] for k in ("file", "dry_run", "written", "lines", "inserted", "updated", "deleted")}
            | {"errors": len(answer["errors"]), "conflicts": len(answer["conflicts"])},
        )
        status = 200 if report.ok else (409 if answer["conflicts"] and not answer["errors"] else 422)
        if result is not None and result.unconfirmed and not answer["errors"]:
            answer["erreur"] = result.unconfirmed + " Envoyez confirm=1 et comment=… pour les enregistrer."
            answer["unconfirmed"] = True
        if status == 409:  # a stale file: say it in French, as the pages do
            answer["erreur"] = (
                f"{len(answer['conflicts'])} valeur(s) modifiée(s) depuis la version lue (colonne "
                "version) : rien n'a été importé. Exportez de nouveau, reportez vos valeurs, "
                "ou envoyez ignore_versions=1 pour écraser en connaissance de cause."
            )
        return _json(answer, status)

    return await run_in_threadpool(work)


async def import_lieux(request: Request):
    """Import a registry file (format=cget2019|csv) all-or-nothing; dry_run=1 checks without writing."""
    db = database()
    user, token_id = await run_in_threadpool(token_user, db, request, required=True)
    data = await _body(request, import_formats.BOUNDS.max_bytes)
    file_format = request.query_params.get("format", "")
    if file_format not in import_formats.FORMATS:
        raise ApiError(400, f"format vaut {' ou '.join(import_formats.FORMATS)}.")
    filename = request.query_params.get("filename") or "lieux.csv"
    dry_run = _flag(request, "dry_run")

    def work():
        try:
            report = lieux_imports.run(db, data, file_format, user, dry_run=dry_run, file_name=filename)
        except (import_formats.ImportFileError, LieuError, AccessDenied) as error:
            tokens.record_use(db, user, token_id, "import_lieux", {"file": filename, "refused": str(error)})
            raise ApiError(403 if isinstance(error, AccessDenied) else 422, str(error)) from error
        answer = report.as_dict()
        tokens.record_use(
            db,
            user,
            token_id,
            "import_lieux",
            {
                "file": filename,
                "dry_run": dry_run,
                "created": report.created,
                "updated": report.updated,
                "errors": len(report.errors),
                "committed": report.committed,
            },
        )
        return _json(answer, 422 if report.errors else 200)

    return await run_in_threadpool(work)


def export_values(request: Request):
    """Export values as the token's account sees them (format=csv|xlsx|parquet), logged like every export."""
    db = database()
    user, token_id = token_user(db, request, required=True)
    q = request.query_params
    fmt = q.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise ApiError(400, "format vaut csv, xlsx ou parquet.")
    try:
        data, rows = exports.export_values(db, user, fmt, q.get("indicator") or None, q.get("territory") or None)
    except exports.ExportError as error:
        raise ApiError(400, str(error)) from error
    tokens.record_use(
        db,
        user,
        token_id,
        "export_values",
        {"format": fmt, "rows": rows, "indicator": q.get("indicator"), "territory": q.get("territory")},
    )
    return Response(
        data,
        media_type=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="valeurs.{fmt}"', "X-Carrefours-Rows": str(rows)},
    )


def history(request: Request):
    """The current state of one value and every change made to it, as the token's account may see them."""
    db = database()
    user, token_id = token_user(db, request, required=True)
    q = request.query_params
    kind = KINDS.get(q.get("kind", "realise"))
    if kind is None or not q.get("indicator") or not q.get("territory") or not q.get("period"):
        raise ApiError(400, "Précisez indicator, territory, period (et kind : realise, cible ou reference).")
    try:
        territory_id = imports.resolve_code(db, q["territory"])
        data = revert.history(db, q["indicator"].strip().upper(), territory_id, q["period"], kind, user)
    except (PeriodError, ValueError) as error:
        raise ApiError(400, str(error)) from error
    tokens.record_use(db, user, token_id, "history", {k: q.get(k) for k in ("indicator", "territory", "period")})
    entries = data["entries"].drop(columns=["old_data", "new_data"])
    return render(
        {
            **{k: data[k] for k in ("indicator_code", "territory_id", "period", "kind", "withheld")},
            "current": data["current"],
            "history": records(entries),
        },
        None,
        False,
        "historique",
    )


async def notify(request: Request):
    """Run the reminders (national team or administrator): build, send by the server's SMTP or keep; dry_run=1."""
    db = database()
    user, token_id = await run_in_threadpool(token_user, db, request, required=True)
    if not policy.can_send_reminders(user):
        raise ApiError(403, "Seuls l'équipe nationale et les administrateurs lancent les rappels.")
    text = request.query_params.get("date")
    try:
        on = date.fromisoformat(text) if text else today_paris()
    except ValueError:
        raise ApiError(400, f"date « {text} » illisible : écrivez-la AAAA-MM-JJ, par exemple 2026-11-25.") from None
    try:
        settings = mail.from_environment()
    except mail.MailSettingError as error:  # the server's own setting: nothing is built
        raise ApiError(503, str(error)) from error
    dry_run = _flag(request, "dry_run")

    def work():
        report = reminders.notify(db, user.email, on=on, settings=settings, dry_run=dry_run, how="api")
        answer = reminders.summary(report)
        tokens.record_use(db, user, token_id, "notify", {k: answer[k] for k in ("date", "dry_run", "created", "sent")})
        return _json(answer)

    return await run_in_threadpool(work)


def status(request: Request):
    """What the database holds (counts, plan, registry figures for France in a year)."""
    db = database()
    user, token_id = token_user(db, request, required=True)
    year = request.query_params.get("annee")
    if year is not None and not year.isdigit():
        raise ApiError(400, "annee doit être une année, par exemple 2025.")
    data = status_report(db, int(year) if year else None)
    tokens.record_use(db, user, token_id, "status")
    return render(data, None, False, "etat")


def me(request: Request):
    """The account a token acts for and its scopes (to check a token)."""
    db = database()
    user, _ = token_user(db, request, required=True)
    return render(
        {"email": user.email, "name": user.name, "scopes": [f"{s.role}:{s.territory_id or 'FR'}" for s in user.scopes]},
        None,
        False,
        "compte",
    )
