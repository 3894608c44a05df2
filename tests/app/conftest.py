"""AppTest fixtures: the real multipage app on a copy of the built database."""

import shutil

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, is_national


@pytest.fixture
def app(request, app_db_file, tmp_path, monkeypatch):
    """A fresh AppTest of app.py; call .run() or switch_page() then .run(). A test marked national gets
    the app on its own copy of the national database."""
    if not is_national(request):
        yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        return
    path = tmp_path / "carrefours.duckdb"
    shutil.copy(request.getfixturevalue("national_db_file"), path)
    monkeypatch.setenv("CARREFOURS_DB", str(path))
    st.cache_resource.clear()  # the app's process-wide database: open this one instead
    st.cache_data.clear()
    yield AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    st.cache_resource.clear()  # the next tests open the shared app database again
    st.cache_data.clear()
