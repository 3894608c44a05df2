"""Sign-in limits under a real parallel burst of threads through the real sign-in service."""

import threading
import time
from collections import Counter

import pytest

from accounts import passwords, sign_in

COORD = "coordinateur.idf@demo.test"
COORD_PASSWORD = "demo-coordination-idf"
ARGON2_MIB = 64  # argon2-cffi's default memory cost per verification
CAP = 2  # default number of password checks at once


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(x for x in status if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


class Peak:
    """Samples the process's resident memory while a burst runs."""

    def __init__(self):
        self.base, self.peak, self._stop = rss_mib(), 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.002)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def added(self) -> float:
        return self.peak - self.base


@pytest.fixture
def limits(monkeypatch):
    """Default account limit (5) and check cap (2); a wide address limit and queue wait, so only they act."""
    monkeypatch.setenv("CARREFOURS_LOGIN_MAX_FAILURES", "5")
    monkeypatch.setenv("CARREFOURS_LOGIN_MAX_FAILURES_ADDRESS", "1000")
    monkeypatch.setenv("CARREFOURS_LOGIN_WAIT_SECONDS", "300")
    monkeypatch.delenv("CARREFOURS_LOGIN_CONCURRENT_CHECKS", raising=False)


@pytest.fixture
def in_flight(monkeypatch):
    """The most password verifications seen running at once (a counter around the real Argon2 calls)."""
    state = {"now": 0, "most": 0, "calls": 0}
    lock = threading.Lock()

    def counted(real):
        def wrapper(*args):
            with lock:
                state["now"] += 1
                state["calls"] += 1
                state["most"] = max(state["most"], state["now"])
            try:
                return real(*args)
            finally:
                with lock:
                    state["now"] -= 1

        return wrapper

    monkeypatch.setattr(passwords, "verify_password", counted(passwords.verify_password))
    monkeypatch.setattr(passwords, "burn_time", counted(passwords.burn_time))
    return state


def burst(db, attempts: list[tuple[str, str, str]]) -> list:
    """Run every (email, password, address) sign-in at the same instant, one thread each."""
    start = threading.Barrier(len(attempts))
    results = [None] * len(attempts)

    def one(i, email, password, address):
        start.wait()
        try:
            results[i] = sign_in.authenticate(db, email, password, address)
        except sign_in.SignInRefused as refusal:
            results[i] = refusal

    threads = [threading.Thread(target=one, args=(i, *a)) for i, a in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def outcomes(db, email=None) -> Counter:
    with db.read() as cur:
        rows = cur.execute("SELECT outcome FROM login_attempt WHERE ? IS NULL OR email = ?", [email, email])
        return Counter(r[0] for r in rows.fetchall())


def test_forty_parallel_attempts_on_one_account_check_no_more_passwords_than_the_limit(db, limits, in_flight):
    attempts = [(COORD, f"mauvais mot de passe {i}", "203.0.113.7") for i in range(39)]
    attempts.insert(20, (COORD, COORD_PASSWORD, "203.0.113.7"))
    with Peak() as memory:
        results = burst(db, attempts)
    seen = outcomes(db, COORD)
    checked = seen["bad_password"] + seen["ok"]
    print(
        f"\n40 parallel attempts on one account: {checked} checked before the lock, {seen['locked']} refused "
        f"as locked, {in_flight['most']} checks at once, +{memory.added:.0f} MiB peak"
    )
    assert checked <= 5 and in_flight["calls"] == checked
    assert seen["locked"] == 40 - checked and seen["pending"] == 0
    locked = [r for r in results if isinstance(r, sign_in.SignInRefused) and "bloqué" in str(r)]
    assert len(locked) >= 35
    signed_in = [r for r in results if not isinstance(r, Exception)]
    assert len(signed_in) == seen["ok"] <= 1  # the right password signs in only if checked before the lock
    assert in_flight["most"] <= CAP
    assert memory.added < (CAP + 1) * ARGON2_MIB + 64


def test_a_hundred_parallel_unknown_emails_stay_under_the_cap_and_bounded_memory(db, limits, in_flight):
    attempts = [(f"personne{i}@exemple.fr", "un mot de passe quelconque", f"198.51.100.{i}") for i in range(100)]
    with Peak() as memory:
        results = burst(db, attempts)
    print(
        f"\n100 parallel unknown e-mails: {in_flight['calls']} dummy checks, {in_flight['most']} at once, "
        f"+{memory.added:.0f} MiB peak"
    )
    assert all(str(r).startswith("Adresse e-mail ou mot de passe incorrect.") for r in results)
    assert in_flight["calls"] == 100 and in_flight["most"] <= CAP  # each still costs a check, never at once
    assert outcomes(db)["unknown"] == 100
    assert memory.added < (CAP + 1) * ARGON2_MIB + 64


def test_an_attempt_that_waits_too_long_for_a_check_is_refused_in_french(db, limits, monkeypatch):
    monkeypatch.setenv("CARREFOURS_LOGIN_CONCURRENT_CHECKS", "1")
    monkeypatch.setenv("CARREFOURS_LOGIN_WAIT_SECONDS", "1")
    gate = sign_in._gate(1)
    assert gate.acquire(timeout=5)  # a check is under way and holds the only slot
    try:
        with pytest.raises(sign_in.SignInRefused, match="Trop de connexions sont en cours"):
            sign_in.authenticate(db, COORD, COORD_PASSWORD, "203.0.113.8")
    finally:
        gate.release()
    assert outcomes(db, COORD)["busy"] == 1  # not counted as a failure: the right password still signs in
    assert sign_in.authenticate(db, COORD, COORD_PASSWORD, "203.0.113.8").email == COORD
