"""The open, read-only API: published figures only, computed by the same services as the pages."""

from __future__ import annotations

import threading
from datetime import date

from starlette.requests import Request

from api.answers import ApiError, cached, data_version, fixed_file, int_param, page_of, public_file
from api.frames import records
from comparison import service as comparison
from comparison.report import parse_peers
from comparison.report import report as comparison_report
from indicators import contract as values_contract
from indicators import exports
from lieux import contract as lieux_contract
from lieux import service as lieux_service
from lieux.coverage_report import coverage_summary
from plan import open_data
from plan import service as plan_service
from plan.freshness import today_paris
from plan.progress_report import report as progress_report
from plan.progress_report import resolve_territory

KINDS = {
    "realise": "realise",
    "cible": "cible",
    "reference": "reference",
    "actual": "realise",
    "target": "cible",
    "baseline": "reference",
}
LEVELS = ("pays", "region", "departement", "epci", "commune")
REGISTRY_FIELDS = [
    "id",
    "name",
    "address",
    "postal_code",
    "commune_code",
    "commune_name",
    "epci_siren",
    "departement_code",
    "region_code",
    "lat",
    "lon",
    "types",
    "labels",
    "opened_on",
    "closed_on",
    "attested_on",
    "legal_form",
    "in_qpv",
    "website",
    "source",
    "is_open",
    "is_demo",
]
MEASURE_FIELDS = [
    "code",
    "axis_code",
    "parent_code",
    "position",
    "title",
    "description",
    "pilot_org",
    "start_date",
    "end_date",
    "status",
    "meteo",
    "source_code",
]
INDICATOR_FIELDS = [
    "code",
    "name",
    "unit",
    "kind",
    "direction",
    "period_type",
    "territorial_agg",
    "temporal_agg",
    "per_inhabitants",
    "computed_from",
    "method",
    "source_code",
    "source_title",
    "delay_days",
    "contact",
    "contact_confirmed",
]

_values_lock = threading.Lock()
_values_cache: dict[tuple, list[dict]] = {}


def plan(request: Request):
    """Axes, measures with their indicators, the indicator catalogue and the sources of every figure."""

    def build(db, user):
        overview, catalogue = plan_service.overview(db), plan_service.catalogue(db)
        pairs = records(
            plan_service.measure_indicators(db)[
                ["measure_code", "indicator_code", "weight", "baseline_period", "target_period"]
            ]
        )
        measures = [
            m
            | {
                "indicators": [
                    {k: p[k] for k in ("indicator_code", "weight", "baseline_period", "target_period")}
                    for p in pairs
                    if p["measure_code"] == m["code"]
                ]
            }
            for m in records(overview["measures"][[c for c in MEASURE_FIELDS if c in overview["measures"].columns]])
        ]
        indicators = catalogue["indicators"]
        data = {
            "axes": records(overview["axes"]),
            "measures": measures,
            "indicators": records(indicators[[c for c in INDICATOR_FIELDS if c in indicators.columns]]),
            "sources": records(catalogue["sources"]),
            "demo": bool(overview["demo"]),
        }
        return data, [{k: v for k, v in m.items() if k != "indicators"} for m in measures]

    return cached(request, build, "plan")


def _values_rows(db, user, indicator: str | None, territory: str | None) -> list[dict]:
    """Values of an indicator and/or a territory (and what lies inside it) as this reader may see them
    (user None: published only), cached per data version."""
    key = (data_version(db), None if user is None else (user.email, repr(user.scopes)), indicator, territory)
    with _values_lock:
        held = _values_cache.get(key)
    if held is None:
        try:
            held = records(exports.values_frame(db, user, indicator, territory))
        except exports.ExportError as error:
            raise ApiError(400, str(error)) from error
        with _values_lock:
            if len(_values_cache) >= 16:
                _values_cache.pop(next(iter(_values_cache)))
            _values_cache[key] = held
    return held


def values(request: Request):
    """Published values, filtered by indicator, territory, level, period and kind, one page at a time."""
    q = request.query_params
    indicator, territory = q.get("indicator") or None, q.get("territory") or None
    if not indicator and not territory:
        raise ApiError(
            400,
            "Précisez indicator=CODE (par exemple TL_OUVERTS) ou territory=CODE (FR, REG-11, "
            "DEP-77, 77475, un SIREN d'EPCI) : la liste complète se télécharge en plusieurs fois.",
        )
    level, period, kind = q.get("level"), q.get("period"), q.get("kind")
    if level and level not in LEVELS:
        raise ApiError(400, f"Niveau « {level} » inconnu : {', '.join(LEVELS)}.")
    if kind and kind not in KINDS:
        raise ApiError(400, f"Type « {kind} » inconnu : realise, cible ou reference.")

    def build(db, user):
        rows = _values_rows(db, user, indicator, territory)
        if level:
            rows = [r for r in rows if r["niveau"] == level]
        if period:
            rows = [r for r in rows if r["periode"] == period.strip().upper()]
        if kind:
            rows = [r for r in rows if r["type"] == KINDS[kind]]
        data, chunk = page_of(request, rows)
        return data, chunk

    return cached(request, build, "valeurs")


def progress(request: Request):
    """Progress of every measure of the plan in one territory on a date (published values)."""
    q = request.query_params
    try:
        on = date.fromisoformat(q["date"]) if q.get("date") else today_paris()
    except ValueError:
        raise ApiError(
            400, f"Date « {q['date']} » illisible : écrivez-la AAAA-MM-JJ, par exemple 2025-06-30."
        ) from None

    def build(db, user):
        try:
            territory_id = resolve_territory(db, q.get("territory") or "FR")
        except ValueError as error:
            raise ApiError(404, str(error)) from error
        data = progress_report(db, territory_id, on, user)
        rows = [{k: v for k, v in m.items() if k != "indicators"} for m in data["measures"]]
        return data, rows

    return cached(request, build, "avancement")


def compare(request: Request):
    """A territory against its peers (same typology and population band by default), indicator by indicator."""
    q = request.query_params
    try:
        criteria = parse_peers(q.get("peers", "band"))
    except ValueError as error:
        raise ApiError(400, str(error).replace("--peers", "peers")) from error
    codes = [c.strip().upper() for c in q.getlist("indicator") if c.strip()] or None

    def build(db, user):
        try:
            data = comparison_report(db, request.path_params["code"], criteria, codes, user)
        except comparison.ComparisonError as error:
            raise ApiError(404, str(error)) from error
        return data, data["comparison"]

    return cached(request, build, "comparaison")


def registry(request: Request):
    """The registry of tiers-lieux (filters: region, departement, epci, commune, status), one page at a time."""
    q = request.query_params
    status = q.get("status", "tous")
    if status not in ("tous", "ouverts", "fermes"):
        raise ApiError(400, "status vaut tous, ouverts ou fermes.")
    filters = {k: q.get(k, "").strip() for k in ("region", "departement", "epci", "commune")}

    def build(db, user):
        frame = lieux_service.search(db, "", status=status, **filters)
        rows = records(frame[REGISTRY_FIELDS])
        return page_of(request, rows, {"demo": lieux_service.is_demo(db)})

    return cached(request, build, "lieux")


def coverage(request: Request):
    """Population within km of an open tiers-lieu, per typology; EPCI without one; best places to open one."""
    km = int_param(request, "km", 10, 1, 200)
    top = int_param(request, "top", 20, 1, 500)

    def build(db, user):
        data = coverage_summary(db, km=float(km), top=top)
        return data, data["ranking"]

    return cached(request, build, "couverture")


def data_package(request: Request):
    """Published values, the registry and the indicator catalogue as a Frictionless Data Package (zip)."""
    levels = request.query_params.getlist("niveau")
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise ApiError(400, f"Niveau « {unknown[0]} » inconnu : {', '.join(LEVELS)} (répétable, par défaut tous).")
    return public_file(
        request, lambda db: open_data.package(db, levels or None), "carrefours-donnees.zip", "application/zip"
    )


def values_schema(request: Request):
    """The value import file as a Frictionless Table Schema (the columns and rules the import checks)."""
    return fixed_file(request, values_contract.schema_bytes(), values_contract.FILENAME, values_contract.MEDIA_TYPE)


def lieux_schema(request: Request):
    """The registry import file (format csv) as a Frictionless Table Schema (what the import checks)."""
    return fixed_file(request, lieux_contract.schema_bytes(), lieux_contract.FILENAME, lieux_contract.MEDIA_TYPE)
