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
