"""The notifier's ledger: each delivery folded to its latest step; a line torn by a crash ignored;
one notifier at a time."""

from __future__ import annotations

import pytest

from pipelines.notify.ledger import Delivery, Ledger, NotifierBusyError


def delivery(key: str) -> Delivery:
    return Delivery(key, "email", "lan@example.org", "en", "missing", "analysts", "subject", "body")


def test_steps_fold_into_the_latest_state_and_a_torn_line_is_ignored(tmp_path):
    ledger = Ledger(tmp_path / "notify")
    a, b = delivery("missing:HANOI:2026-Q2"), delivery("missing:MOFA:2026-Q2")
    ledger.append([a.to_record(), b.to_record()])
    ledger.step(a, "failed", "ConnectionRefusedError")
    ledger.step(a, "sent")
    with open(ledger.path, "a", encoding="utf-8") as handle:
        handle.write('{"step": "sent", "key": "missing:MOFA:2026-Q2", "chan')  # the process died mid-write
    states = {k[0]: (d.state, d.attempts) for k, d in ledger.read().items()}
    assert states == {"missing:HANOI:2026-Q2": ("sent", 2), "missing:MOFA:2026-Q2": ("pending", 0)}


def test_a_second_notifier_waits_then_gives_way(tmp_path):
    ledger = Ledger(tmp_path / "notify")
    with ledger.locked():
        with pytest.raises(NotifierBusyError), Ledger(tmp_path / "notify").locked(timeout_s=0.3):
            pass
    with Ledger(tmp_path / "notify").locked(timeout_s=0.3):
        pass
