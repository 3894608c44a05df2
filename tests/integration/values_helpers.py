"""Users and small helpers shared by the value tests."""

from accounts.models import Role, Scope, User

COORD_IDF = User(
    email="coord.idf@example.fr",
    name="Coordination IDF",
    scopes=(Scope(role=Role.coordinateur, territory_id="REG-11"),),
)
COORD_ARA = User(
    email="coord.ara@example.fr",
    name="Coordination ARA",
    scopes=(Scope(role=Role.coordinateur, territory_id="REG-84"),),
)
MINISTERE = User(email="anct@example.fr", name="ANCT", scopes=(Scope(role=Role.ministere),))
ELU = User(email="maire@trilport.fr", name="Maire", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),))


def count(db, sql, params=()):
    """One number from the database."""
    with db.read() as cur:
        return cur.execute(sql, list(params)).fetchone()[0]


def snapshot(db):
    """Everything a write could touch: values (with versions) and the audit log size."""
    with db.read() as cur:
        values = cur.execute(
            "SELECT count(*), sum(version), sum(hash(indicator_code, territory_id, period, kind,"
            " value, comment)) FROM indicator_value"
        ).fetchone()
        audit = cur.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return values, audit


def csv(text: str, encoding: str = "utf-8") -> bytes:
    """A CSV file from lines written with real newlines."""
    return text.strip("\n").replace("\n", "\r\n").encode(encoding) + b"\r\n"


def values_only(db):
    """The values and their versions, without the audit log."""
    return snapshot(db)[0]


def refusals(db):
    """Refused write attempts recorded in the audit log."""
    return count(db, "SELECT count(*) FROM audit_log WHERE entity = 'value' AND action = 'refused'")
