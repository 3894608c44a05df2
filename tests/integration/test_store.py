"""The store under concurrent writers: conflicts are retried, no update is lost."""

import threading

from store.db import Database


def test_concurrent_writers_on_hot_keys_lose_no_update(tmp_path):
    db = Database(tmp_path / "hot.duckdb")
    with db.transaction() as cur:
        cur.execute("CREATE TABLE counter (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        cur.execute("INSERT INTO counter SELECT range, 0 FROM range(4)")

    def worker(seed):
        for i in range(50):
            key = (seed + i) % 4
            db.write(lambda cur, key=key: cur.execute("UPDATE counter SET n = n + 1 WHERE k = ?", [key]), retries=50)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as cur:
        assert cur.execute("SELECT sum(n) FROM counter").fetchone()[0] == 6 * 50
    db.close()
