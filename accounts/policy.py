"""Who may read and write what: every service checks here, whatever page or command calls it."""

from __future__ import annotations

from accounts.models import Role, User


class AccessDenied(Exception):
    """An action the signed-in user may not do, explained in French."""


def covers(scope_territory_id: str | None, territory: dict) -> bool:
    """Whether a scope (REG-xx, DEP-xx, EPCI-…, COM-…, None = France) contains a territory row."""
    if scope_territory_id in (None, "FR"):
        return True
    if scope_territory_id == territory["id"]:
        return True
    prefix, _, code = scope_territory_id.partition("-")
    if prefix == "REG":
        return territory["level"] not in ("pays", "region") and territory.get("region_code") == code
    if prefix == "DEP":
        return territory["level"] in ("epci", "commune") and territory.get("departement_code") == code
    if prefix == "EPCI":
        return territory["level"] == "commune" and territory.get("epci_siren") == code
    return False


def can_write_values(user: User, territory: dict) -> bool:
    """National team anywhere; a coordinator inside one of its régions or départements."""
    if Role.ministere in user.roles:
        return True
    return any(s.role == Role.coordinateur and covers(s.territory_id, territory) for s in user.scopes)


def require_write_values(user: User, territory: dict) -> None:
    """Raise AccessDenied unless the user may change values of this territory."""
    if not can_write_values(user, territory):
        raise AccessDenied(
            f"Vous n'avez pas le droit de modifier les valeurs de {territory['name']} "
            f"({territory['id']}) : ce territoire est hors de votre périmètre.")


def can_read_unpublished(user: User) -> bool:
    """Draft and unpublished figures are for the national team and coordinators only."""
    return bool(user.roles & {Role.ministere, Role.coordinateur, Role.admin})


def can_edit_plan(user: User) -> bool:
    """Measures, statuses and météo are edited by the national team."""
    return Role.ministere in user.roles


def can_lock_periods(user: User) -> bool:
    """Closing a period for a region is the national team's call."""
    return Role.ministere in user.roles


def can_manage_accounts(user: User) -> bool:
    """Accounts and scopes are managed by administrators."""
    return Role.admin in user.roles
