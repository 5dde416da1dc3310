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


COMMENT = ("comment", "--indicator", "MISSIONS_ABROAD", "--quarter", "2026-Q2", "--owner", "MOFA")


def test_unapprove_commentary_takes_it_off_the_leaders_pages_and_keeps_the_reason(kpi, write_csv, data_dir):
    from pipelines.read_model.commentary import current_for_quarter
    from pipelines.read_model.visibility import APPROVED
    from pipelines.warehouse.store import open_reader

    load_missions(kpi, write_csv)
    assert kpi(*COMMENT, "--happened", "Bản đầu", "--author", "lan").returncode == 0
    assert kpi("approve", "--commentary", "--period", "2026-Q2", "--indicator", "MISSIONS_ABROAD", "--as", "chi").returncode == 0
    done = kpi("unapprove", "--commentary", "--period", "2026-Q2", "--indicator", "missions_abroad",
               "--reason", "số liệu chưa khớp", "--as", "chi")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("sent the commentary for MISSIONS_ABROAD 2026-Q2 back")
    with open_reader(data_dir / "warehouse" / "kpi.duckdb") as con:
        assert "MISSIONS_ABROAD" not in current_for_quarter(con, "2026-Q2", APPROVED)
    assert "commentary MISSIONS_ABROAD 2026-Q2: 1 version(s) waiting" in kpi("pending").stdout
    row = json.loads(kpi("audit", "--json").stdout)[-1]
    assert (row["actor"], row["action"], row["object"], row["reason"]) == (
        "chi", "unapprove_commentary", "MISSIONS_ABROAD 2026-Q2", "số liệu chưa khớp")
    again = kpi("unapprove", "--commentary", "--period", "2026-Q2", "--indicator", "MISSIONS_ABROAD", "--reason", "x")
    assert again.returncode == 1 and "is not approved" in again.stderr


def test_unapprove_commentary_needs_an_indicator_a_quarter_and_a_reason(kpi, write_csv):
    load_missions(kpi, write_csv)
    for args, message in [
        (["--period", "2026-Q2", "--reason", "x"], "--indicator CODE"),
        (["--period", "2026", "--indicator", "MISSIONS_ABROAD", "--reason", "x"], "commentary is per quarter"),
        (["--period", "2026-Q2", "--indicator", "MISSIONS_ABROAD"], "--reason"),
        (["--period", "2026-Q2", "--indicator", "MISSIONS_ABROAD", "--reporter", "MOFA", "--reason", "x"], "drop --reporter"),
    ]:
        out = kpi("unapprove", "--commentary", *args)
        assert out.returncode == 2 and message in out.stderr, (args, out.stderr)
    figures = kpi("unapprove", "--period", "2026-Q2", "--reason", "x")
    assert figures.returncode == 2 and "--reporter CODE" in figures.stderr
