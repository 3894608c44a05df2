"""Sign-in costs: Argon2id hash and verify, and a full local sign-in with a large attempts table.

Run: python benchmarks/accounts_signin.py [path/to/copy.duckdb]  (default: a fresh in-memory database)
The attempts table is filled with 1 000 000 old attempts to show the lock-out checks stay cheap.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts import admin, passwords, sign_in
from accounts.sessions import utcnow
from bootstrap import open_database
from commands.users import operator


def timed(fn, n: int = 5) -> float:
    """Median wall time of fn over n runs, in milliseconds."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Print the measured figures."""
    hashed = passwords.hash_password("trois pommes vertes")
    print(f"argon2id hash      : {timed(lambda: passwords.hash_password('trois pommes vertes')):.0f} ms")
    print(f"argon2id verify    : {timed(lambda: passwords.verify_password(hashed, 'trois pommes vertes')):.0f} ms")
    db = open_database(sys.argv[1] if len(sys.argv) > 1 else ":memory:", demo=False, lock=False)
    admin.create_account(
        db, operator(), "bench@exemple.fr", "Bench", [admin.parse_scope("ministere")], "trois pommes vertes"
    )
    old = utcnow() - timedelta(days=30)
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO login_attempt (attempted_at, email, address, method, outcome)"
            " SELECT ? - INTERVAL (i) SECOND, 'user' || (i % 5000) || '@exemple.fr',"
            " '10.0.' || (i % 250) || '.' || (i % 200), 'local', 'bad_password' FROM range(1000000) t(i)",
            [old],
        )
    print("attempts in table  : 1 000 000")
    ok = timed(lambda: sign_in.authenticate(db, "bench@exemple.fr", "trois pommes vertes", "10.9.9.9"))
    print(f"sign-in (success)  : {ok:.0f} ms (verify included)")
    bad = timed(lambda: _fail(db), n=3)
    print(f"sign-in (failure)  : {bad:.0f} ms (verify included)")
    db.close()


def _fail(db) -> None:
    try:
        sign_in.authenticate(db, "bench@exemple.fr", "mauvais mot de passe", "10.9.9.8")
    except sign_in.SignInRefused:
        pass


if __name__ == "__main__":
    main()
