"""Plan d'action on the real app: a value not yet published stays out of the table and its CSV for readers."""

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from accounts.models import Role, Scope, User
from indicators.aggregates import mark_dirty
from ui.context import _start

ELU = User(email="maire@trilport.fr", scopes=(Scope(role=Role.elu, territory_id="COM-77475"),))
MINISTRY = User(email="m@x.fr", scopes=(Scope(role=Role.ministere),))
DRAFT = "987654"
WHERE = "indicator_code = 'TL_OUVERTS' AND territory_id = 'FR' AND period = '2025' AND kind = 'actual'"


def _app_database():
    """The database the app under test opened in this process (built once, in the background)."""
    start = _start()
    assert start.wait(300) and start.error is None
    return start.database


@pytest.fixture
def draft(app_db_file):
    """A national TL_OUVERTS value for 2025 with published = false, in the app's own database."""
    database = _app_database()
    with database.transaction() as cur:
        assert cur.execute("SELECT count(*) FROM indicator_value WHERE " + WHERE).fetchone()[0] == 0
        cur.execute(
            "INSERT INTO indicator_value (indicator_code, territory_id, period, period_start, period_end,"
            " kind, value, source, comment, published, updated_by) VALUES ('TL_OUVERTS', 'FR', '2025',"
            " DATE '2025-01-01', DATE '2025-12-31', 'actual', ?, 'ANCT', 'Brouillon à valider', false,"
            " 'anct')",
            [float(DRAFT)],
        )
        mark_dirty(cur, where=WHERE)
    yield
    with database.transaction() as cur:
        cur.execute("DELETE FROM indicator_value WHERE " + WHERE)
        mark_dirty(cur, where=WHERE)


@pytest.fixture
def downloads(monkeypatch):
    """Bytes of every file the app hands to a download button, by file name."""
    files = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, data, mimetype, kind, filename=None):
        files[filename] = data
        return real(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return files


def plan_page(app, user):
    if user is not None:
        app.session_state["user"] = user
    app.switch_page("ui/mesures.py")
    app.query_params["mesure"] = "M1.1"
    at = app.run()
    assert not at.exception
    return at


def cells(at) -> str:
    return " ".join(d.value.to_csv() for d in at.dataframe) + " ".join(str(m.value) for m in at.markdown)


@pytest.mark.parametrize("reader", [None, ELU], ids=["anonyme", "elu"])
def test_readers_see_no_draft_in_the_values_table_nor_its_csv(app, draft, downloads, reader):
    at = plan_page(app, reader)
    csv = downloads["TL_OUVERTS_national.csv"].decode("utf-8-sig")
    assert "3500" in csv.replace("\u202f", "").replace(" ", "")  # the published figure is there
    assert DRAFT not in csv and "Brouillon à valider" not in csv
    shown = cells(at).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    assert DRAFT not in shown and "Brouillonàvalider" not in shown


def test_the_national_team_sees_the_draft(app, draft, downloads):
    plan_page(app, MINISTRY)
    assert DRAFT in downloads["TL_OUVERTS_national.csv"].decode("utf-8-sig").replace("\u202f", "")
