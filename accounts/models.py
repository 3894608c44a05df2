"""Users, roles and scopes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from territories.levels import FRANCE


class Role(StrEnum):
    admin = "admin"  # manages accounts and scopes
    ministere = "ministere"  # national read, plan editing, period locks, writes anywhere
    coordinateur = "coordinateur"  # writes within its régions or départements
    elu = "elu"  # reads published figures for its territories, writes nothing
    lecteur = "lecteur"  # anonymous: published figures only


ROLE_LABELS = {
    "admin": "Administrateur",
    "ministere": "Ministère / ANCT",
    "coordinateur": "Coordinateur régional",
    "elu": "Élu local",
    "lecteur": "Lecteur",
}


class Scope(BaseModel):
    """One role held on one territory (None: the whole country)."""

    model_config = ConfigDict(frozen=True)

    role: Role
    territory_id: str | None = None  # REG-11, DEP-77, COM-77475…; None = national


class AccountError(ValueError):
    """Bad input to an account change (unknown e-mail, bad role or territory, weak password), in French."""


def normalize_email(email: str) -> str:
    """The canonical form of an e-mail: trimmed, lower case."""
    return email.strip().lower()


class User(BaseModel):
    """A signed-in person (or the anonymous reader) with every scope they hold."""

    model_config = ConfigDict(frozen=True)

    email: str = Field(min_length=1, max_length=254)
    name: str = ""
    scopes: tuple[Scope, ...] = ()
    is_demo: bool = False

    @field_validator("email")
    @classmethod
    def _canonical(cls, email: str) -> str:
        return normalize_email(email)

    @property
    def roles(self) -> set[Role]:
        """Every role the user holds."""
        return {s.role for s in self.scopes}

    def territories(self, role: Role) -> list[str]:
        """Territories the user holds a role on ('FR' for a national scope)."""
        return [s.territory_id or FRANCE for s in self.scopes if s.role == role]


ANONYMOUS = User(email="anonyme", name="Lecteur anonyme", scopes=(Scope(role=Role.lecteur),))
