"""The sign-in throttle (issue 14): a stranger cannot lock the real user out, and simultaneous
submits are checked one at a time, those past the free ones throttled instead of checked."""

from __future__ import annotations

import threading

from dashboard import throttle as th
from dashboard.throttle import Throttle
from pipelines.users import hash_password, verify_password

RIGHT = "the-right-password-2026"
HASH = hash_password(RIGHT)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def check(password: str):
    return lambda: verify_password(password, HASH)  # the real scrypt check, ~50 ms


def test_five_wrong_passwords_from_a_stranger_do_not_lock_out_the_real_user():
    guard = Throttle()
    for _ in range(5):
        assert not guard.attempt("10.0.0.66", "lan.nguyen", check("guess")).ok
    assert guard.attempt("10.0.0.66", "lan.nguyen", check(RIGHT)).throttled  # the stranger waits
    outcome = guard.attempt("10.0.0.7", "lan.nguyen", check(RIGHT))  # the real user, at once
    assert outcome.ok and not outcome.throttled


def test_failures_from_one_address_double_the_wait_up_to_a_minute():
    clock = Clock()
    guard = Throttle(clock)
    waits, checked = [], 0
    while len(waits) < 9:
        outcome = guard.attempt("10.0.0.66", "lan.nguyen", lambda: False)
        if outcome.throttled:
            waits.append(round(outcome.wait_s))
            clock.now += outcome.wait_s  # the attempt after the wait is checked
        else:
            checked += 1
    assert checked == 3 + 8
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60, 60]  # three free failures, then doubling, capped


def test_eight_simultaneous_submits_are_checked_once_each_up_to_the_free_ones():
    guard = Throttle()
    checks, outcomes = [], []
    start = threading.Barrier(8)

    def counted():
        checks.append(1)
        return verify_password("wrong-guess", HASH)

    def submit():
        start.wait()
        outcomes.append(guard.attempt("10.0.0.66", "lan.nguyen", counted))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) == th.FREE_FAILURES  # three checked, one after another
    assert sum(o.throttled for o in outcomes) == 8 - th.FREE_FAILURES  # the other five told to wait
    assert not any(o.ok for o in outcomes)


def test_guessing_one_name_from_many_addresses_is_capped_to_one_attempt_a_second():
    clock = Clock()
    guard = Throttle(clock)
    for i in range(th.ACCOUNT_FREE_FAILURES):
        assert not guard.attempt(f"10.0.1.{i}", "lan.nguyen", lambda: False).throttled
    capped = guard.attempt("10.0.2.1", "lan.nguyen", check(RIGHT))
    assert capped.throttled and capped.wait_s <= th.ACCOUNT_SPACING_S  # the real user waits a second at most
    clock.now += th.ACCOUNT_SPACING_S
    assert guard.attempt("10.0.2.1", "lan.nguyen", check(RIGHT)).ok
    assert guard.attempt("10.0.1.0", "lan.nguyen", lambda: False) == th.Outcome(False)  # success reset the cap


def test_failures_are_forgotten_and_the_table_is_bounded(monkeypatch):
    monkeypatch.setattr(th, "MAX_ENTRIES", 50)
    clock = Clock()
    guard = Throttle(clock)
    for i in range(500):
        guard.attempt(f"10.1.{i // 250}.{i % 250}", f"name{i}", lambda: False)
        clock.now += 0.01
    assert len(guard._client) <= 51 and len(guard._account) <= 51 and len(guard._locks) <= 52
    for _ in range(3):
        guard.attempt("10.0.0.66", "lan.nguyen", lambda: False)
    assert guard.attempt("10.0.0.66", "lan.nguyen", lambda: True).throttled
    clock.now += th.FORGET_AFTER_S + 1
    assert guard.attempt("10.0.0.66", "lan.nguyen", lambda: True).ok
