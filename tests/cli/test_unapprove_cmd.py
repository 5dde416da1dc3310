"""`kpi unapprove`: sends an approved period back to received, with a reason kept in the log."""

from __future__ import annotations

import json

from tests.cli.signoff_helpers import load_missions


def test_unapprove_hides_the_values_again_and_keeps_the_reason(kpi, write_csv):
    load_missions(kpi, write_csv)
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q2").returncode == 0
    missing = kpi("unapprove", "--reporter", "MOFA", "--period", "2026-Q2")
    assert missing.returncode == 2 and "--reason" in missing.stderr
    done = kpi("unapprove", "--reporter", "MOFA", "--period", "2026-Q2", "--reason", "wrong quarter", "--as", "chi")
    assert done.returncode == 0, done.stderr
    assert "2026-Q2" not in kpi("export").stdout
    assert "sent back: wrong quarter" in kpi("pending").stdout
    row = json.loads(kpi("audit", "--json").stdout)[-1]
    assert (row["actor"], row["action"], row["object"], row["reason"]) == ("chi", "unapprove", "MOFA 2026-Q2", "wrong quarter")


def test_unapproving_what_is_not_approved_is_refused(kpi, write_csv):
    load_missions(kpi, write_csv)
    refused = kpi("unapprove", "--reporter", "MOFA", "--period", "2026-Q1", "--reason", "x")
    assert refused.returncode == 1 and "is not approved" in refused.stderr and "Traceback" not in refused.stderr
