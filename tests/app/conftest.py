"""AppTest fixtures: the real multipage app on a copy of the built database."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app(app_db_file):
    """A fresh AppTest of app.py; call .run() or switch_page() then .run()."""
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
