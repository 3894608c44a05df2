import re

import pytest

from store.db import StoreError
from store.migrations import discover


def test_migrations_are_numbered_in_order_without_duplicates():
    numbers = [m.number for m in discover()]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1


def test_a_badly_named_migration_is_refused(tmp_path):
    (tmp_path / "1_oops.sql").write_text("SELECT 1")
    with pytest.raises(StoreError, match="mal nommée"):
        discover(tmp_path)


def test_a_postgres_variant_goes_with_its_migration_and_is_not_one_itself(tmp_path):
    (tmp_path / "001_a.sql").write_text("CREATE SEQUENCE s")
    (tmp_path / "001_a.postgres.sql").write_text("CREATE SEQUENCE s;")
    (tmp_path / "002_b.sql").write_text("SELECT 1")
    found = discover(tmp_path)
    assert [(m.number, m.postgres) for m in found] == [(1, "CREATE SEQUENCE s;"), (2, None)]
    assert found[0].checksum != found[0].postgres_checksum


def test_a_postgres_variant_without_its_migration_is_refused(tmp_path):
    (tmp_path / "003_c.postgres.sql").write_text("SELECT 1;")
    with pytest.raises(StoreError, match=re.escape("003_c.postgres.sql n'a pas de migration 003_c.sql")):
        discover(tmp_path)
