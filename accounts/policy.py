"""Who may read and write what: every service checks here, whatever page or command calls it."""

from __future__ import annotations

from accounts.models import Role, User
from territories.levels import FRANCE, code_of, level_of


class AccessDenied(Exception):
    """An action the signed-in user may not do, explained in French."""


def covers(scope_territory_id: str | None, territory: dict) -> bool:
    """Whether a scope (REG-xx, DEP-xx, EPCI-…, COM-…, None = France) contains a territory row."""
    if scope_territory_id in (None, FRANCE):
        return True
    if scope_territory_id == territory["id"]:
        return True
    level, code = level_of(scope_territory_id), code_of(scope_territory_id)
    if level == "region":
        return territory["level"] not in ("pays", "region") and territory.get("region_code") == code
    if level == "departement":
        return territory["level"] in ("epci", "commune") and territory.get("departement_code") == code
    if level == "epci":
        return territory["level"] == "commune" and territory.get("epci_siren") == code
    return False


def can_write_values(user: User, territory: dict) -> bool:
    """National team anywhere; a coordinator inside one of its régions or départements."""
    if Role.ministere in user.roles:
        return True
    return any(s.role == Role.coordinateur and covers(s.territory_id, territory) for s in user.scopes)


def can_enter_values(user: User) -> bool:
    """Values are typed and imported by the national team and the coordinators (each in its scope)."""
    return bool(user.roles & {Role.ministere, Role.coordinateur})


def require_write_values(user: User, territory: dict) -> None:
    """Raise AccessDenied unless the user may change values of this territory."""
    if not can_write_values(user, territory):
        raise AccessDenied(
            f"Vous n'avez pas le droit de modifier les valeurs de {territory['name']} "
            f"({territory['id']}) : ce territoire est hors de votre périmètre."
        )


def publishes_directly(user: User) -> bool:
    """The national team's values are public at once; a coordinator's wait for its validation where the
    indicator is reviewed."""
    return Role.ministere in user.roles


def can_review_values(user: User) -> bool:
    """Submitted values are validated or returned by the national team."""
    return Role.ministere in user.roles


def can_read_unpublished(user: User | None, territory: dict | None = None) -> bool:
    """Whether a user may see draft (unpublished) values of a territory; None = figures mixing all of France.

    The national team sees drafts everywhere; a coordinator sees those of territories inside its scope,
    so never in national or cross-territory roll-ups; élus, administrators, readers and no user never do.
    """
    if user is None:
        return False
    if Role.ministere in user.roles:
        return True
    if territory is None:
        return False
    return any(s.role == Role.coordinateur and covers(s.territory_id, territory) for s in user.scopes)


def sees_no_draft(user: User | None) -> bool:
    """Whether a user may see no draft anywhere (so queries can drop them all at once)."""
    return user is None or not user.roles & {Role.ministere, Role.coordinateur}


def published_only(user: User | None, territory: dict | None = None) -> bool:
    """Whether figures of a territory (None: of all France) must leave drafts out for this user."""
    return not can_read_unpublished(user, territory)


def can_edit_plan(user: User) -> bool:
    """Measures, statuses and météo are edited by the national team."""
    return Role.ministere in user.roles


def can_lock_periods(user: User) -> bool:
    """Closing a period for a region is the national team's call."""
    return Role.ministere in user.roles


def can_send_reminders(user: User) -> bool:
    """Running the reminders for everyone (through the API) is the national team's or an administrator's."""
    return bool(user.roles & {Role.ministere, Role.admin})


def can_manage_accounts(user: User) -> bool:
    """Accounts and scopes are managed by administrators."""
    return Role.admin in user.roles
