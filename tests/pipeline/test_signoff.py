"""Sign-off on a real warehouse through the real pipeline: a value's life (received → approved →
revised → received again), what each view shows, closed quarters refusing revisions until a
reopen with a reason, and an audit row with a name for every step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.ingest import ingest
from pipelines.read_model.audit import read_audit
from pipelines.read_model.export import current_rows, export_csv
from pipelines.read_model.headline import headline_rows
from pipelines.read_model.receipts import reporter_freshness
from pipelines.read_model.signoff import closed_list, pending_values
from pipelines.read_model.visibility import APPROVED, INCLUDING_PENDING, default_view
from pipelines.settings import Settings
from pipelines.signoff import SignoffError, approve, close_quarter, closing_quarter, reopen_quarter, unapprove
from pipelines.warehouse.store import open_reader
from tests.conftest import TODAY

PROJECT = Path(__file__).resolve().parents[2]


def missions(period: str, value: int) -> list[list[object]]:
    return [["MISSIONS_ABROAD", "MOFA", period, value, "agencies", ""]]


def load(settings: Settings, write_csv, name: str, rows, actor: str = "lan.analyst"):
    (outcome,) = ingest([write_csv(name, rows)], settings, today=TODAY, actor=actor)
    return outcome


def headline(settings: Settings, view) -> dict[str, float]:
    with open_reader(settings.warehouse_path) as con:
        rows = headline_rows(con, "MISSIONS_ABROAD", view)
    return {period: value for _, period, value in rows.get("MISSIONS_ABROAD", [])}


def test_a_value_is_seen_by_leaders_only_once_approved_and_a_revision_waits_again(settings, write_csv):
    assert load(settings, write_csv, "q2.csv", missions("2026-Q2", 95) + missions("2026-Q1", 94)).status == "loaded"
    assert headline(settings, APPROVED) == {}
    assert headline(settings, INCLUDING_PENDING) == {"2026-Q1": 94, "2026-Q2": 95}
    assert {(v["period"], v["change"]) for v in pending_values(settings.warehouse_path)} == {("2026-Q1", "new"), ("2026-Q2", "new")}

    decision = approve(settings, "MOFA", "2026-Q2", actor="chi.approver")
    assert decision.values == 1
    assert headline(settings, APPROVED) == {"2026-Q2": 95}

    # A revision of the approved value: leaders keep the approved 95, the new 97 waits.
    assert load(settings, write_csv, "q2_rev.csv", missions("2026-Q2", 97)).status == "loaded"
    assert headline(settings, APPROVED) == {"2026-Q2": 95}
    assert headline(settings, INCLUDING_PENDING)["2026-Q2"] == 97
    waiting = [v for v in pending_values(settings.warehouse_path) if v["period"] == "2026-Q2"]
    assert [(v["approved_value"], v["value"], v["change"], v["file_name"]) for v in waiting] == [(95, 97, "revised", "q2_rev.csv")]

    approve(settings, "MOFA", "2026-Q2", actor="chi.approver")
    assert headline(settings, APPROVED) == {"2026-Q2": 97}

    # Sent back: the pair is no longer approved, and the reason travels with its values.
    unapprove(settings, "MOFA", "2026-Q2", "count the new consulate from Q3", actor="chi.approver")
    assert headline(settings, APPROVED) == {}
    back = [v for v in pending_values(settings.warehouse_path) if v["period"] == "2026-Q2"]
    assert back[0]["sent_back_reason"] == "count the new consulate from Q3"

    actions = [(r["actor"], r["action"], r["object"]) for r in read_audit(settings.warehouse_path)]
    assert actions == [
        ("lan.analyst", "catalog", "catalog"),
        ("lan.analyst", "load", "q2.csv"),
        ("chi.approver", "approve", "MOFA 2026-Q2"),
        ("lan.analyst", "load", "q2_rev.csv"),
        ("chi.approver", "approve", "MOFA 2026-Q2"),
        ("chi.approver", "unapprove", "MOFA 2026-Q2"),
    ]
    assert read_audit(settings.warehouse_path)[-1]["reason"] == "count the new consulate from Q3"
    assert read_audit(settings.warehouse_path)[4]["details"]["changes"] == [
        {"indicator": "MISSIONS_ABROAD", "breakdown": {}, "from": 95.0, "to": 97.0}
    ]


def test_a_resent_identical_value_does_not_wait_for_approval_again(settings, write_csv):
    load(settings, write_csv, "a.csv", missions("2026-Q2", 95))
    approve(settings, "MOFA", "2026-Q2", actor="chi")
    resent = load(settings, write_csv, "b.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q2", 95, "agencies", "sent again"]])
    assert resent.status == "loaded"  # other bytes, so not a duplicate file: the value itself is the same
    assert pending_values(settings.warehouse_path) == []
    assert headline(settings, APPROVED) == {"2026-Q2": 95}
    with pytest.raises(SignoffError, match="already approved .* nothing new waits"):
        approve(settings, "MOFA", "2026-Q2", actor="chi")


def test_refusals_say_what_to_do(settings, write_csv):
    load(settings, write_csv, "a.csv", missions("2026-Q2", 95))
    with pytest.raises(SignoffError, match="no values for 2025-Q1; see what waits with `kpi pending`"):
        approve(settings, "MOFA", "2025-Q1")
    with pytest.raises(SignoffError, match="unknown reporter 'NOBODY'; known: .*MOFA"):
        approve(settings, "NOBODY", "2026-Q2")
    with pytest.raises(SignoffError, match="not approved, so there is nothing to send back"):
        unapprove(settings, "MOFA", "2026-Q2", "why")
    with pytest.raises(SignoffError, match="--reason"):
        unapprove(settings, "MOFA", "2026-Q2", "  ")
    with pytest.raises(SignoffError, match="has not ended yet"):
        close_quarter(settings, "2026-Q4", today=TODAY)
    # Nothing refused was written: only the load is in the log.
    assert [r["action"] for r in read_audit(settings.warehouse_path)] == ["catalog", "load"]


def test_a_closed_quarter_rejects_a_revision_naming_quarter_and_values_until_reopened(settings, write_csv):
    load(settings, write_csv, "a.csv", missions("2026-Q2", 95) + missions("2026-Q3", 96)
         + [["BUDGET_OPERATING", "MOFA", "2025", 3000, "billion VND", ""]])
    for period in ("2026-Q2", "2026-Q3", "2025"):
        approve(settings, "MOFA", period, actor="chi")
    # 2026-Q3 cannot close while nothing waits? It can: but not before it has ended.
    close_quarter(settings, "2026-Q2", actor="chi", reason="review of 2026-Q2", today=TODAY)
    assert [c.quarter for c in closed_list(settings.warehouse_path)] == ["2026-Q2"]

    revision = missions("2026-Q2", 99) + missions("2026-Q3", 98) + [["BUDGET_OPERATING", "MOFA", "2025", 3100, "billion VND", ""]]
    rejected = load(settings, write_csv, "late_revision.csv", revision)
    assert rejected.status == "rejected" and rejected.problem_count == 2
    lines = [p.message("en") for p in rejected.problems]
    assert "MISSIONS_ABROAD MOFA 2026-Q2: 99 would change a value in a closed quarter (now 95; 2026-Q2 was closed by chi" in lines[0]
    assert "kpi reopen --quarter 2026-Q2" in lines[0]
    assert lines[1].startswith("BUDGET_OPERATING MOFA 2025: 3100 would change")  # the whole year 2025 is closed
    assert [p.row for p in rejected.problems] == [2, 4]
    assert headline(settings, INCLUDING_PENDING) == {"2026-Q2": 95, "2026-Q3": 96}  # nothing loaded, not even Q3
    assert rejected.stored_as is not None and rejected.stored_as.parent == settings.rejected_dir

    # A re-sent identical value in a closed quarter changes nothing, so it passes.
    assert load(settings, write_csv, "same.csv", missions("2026-Q2", 95)).status == "loaded"
    # Sign-off in a closed quarter is frozen too.
    with pytest.raises(SignoffError, match=r"2026-Q2 is in a closed quarter \(2026-Q2, closed by chi"):
        unapprove(settings, "MOFA", "2026-Q2", "mistake")

    with pytest.raises(SignoffError, match="--reason"):
        reopen_quarter(settings, "2026-Q2", "")
    reopen_quarter(settings, "2026-Q2", "Ministry corrected the count", actor="chi")
    again = load(settings, write_csv, "late_revision_2.csv", revision)
    assert again.status == "loaded"
    assert headline(settings, INCLUDING_PENDING) == {"2026-Q2": 99, "2026-Q3": 98}
    assert headline(settings, APPROVED) == {"2026-Q2": 95, "2026-Q3": 96}

    log = [(r["actor"], r["action"], r["object"], r["reason"]) for r in read_audit(settings.warehouse_path)]
    assert ("chi", "close", "2026-Q2", "review of 2026-Q2") in log
    assert ("lan.analyst", "reject", "late_revision.csv", None) in log
    assert ("chi", "reopen", "2026-Q2", "Ministry corrected the count") in log
    assert log[-1] == ("lan.analyst", "load", "late_revision_2.csv", None)


def test_closing_is_refused_while_values_wait_and_reopen_names_the_covering_quarter(settings, write_csv):
    load(settings, write_csv, "a.csv", missions("2026-Q1", 94) + missions("2026-Q2", 95))
    approve(settings, "MOFA", "2026-Q2", actor="chi")
    with pytest.raises(SignoffError, match=r"values wait for approval in MOFA 2026-Q1 \(1 values\)"):
        close_quarter(settings, "2026-Q2", today=TODAY)
    approve(settings, "MOFA", "2026-Q1", actor="chi")
    close_quarter(settings, "2026-Q1", actor="chi", today=TODAY)
    close_quarter(settings, "2026-Q2", actor="chi", today=TODAY)
    with pytest.raises(SignoffError, match="already closed"):
        close_quarter(settings, "2026-Q2", today=TODAY)
    with pytest.raises(SignoffError, match="2026-Q2 is closed too and still freezes 2026-Q1; reopen it first"):
        reopen_quarter(settings, "2026-Q1", "why")
    with pytest.raises(SignoffError, match="2025-Q4 is not closed; it is frozen by the close of 2026-Q1"):
        reopen_quarter(settings, "2025-Q4", "why")


def test_periods_covered_by_a_closed_quarter():
    from pipelines.read_model.signoff import Closure

    closed = [Closure("2025-Q2", "a", None, None), Closure("2026-Q1", "a", None, None)]
    assert closing_quarter("2025-Q1", closed).quarter == "2025-Q2"
    assert closing_quarter("2025", closed).quarter == "2026-Q1"  # a year closes with its Q4
    assert closing_quarter("2024", closed).quarter == "2025-Q2"
    assert closing_quarter("2026-Q2", closed) is None
    assert closing_quarter("2026", closed) is None


def test_read_functions_take_the_view_and_approval_off_shows_everything(settings, write_csv, data_dir):
    load(settings, write_csv, "a.csv", missions("2026-Q2", 95) + missions("2026-Q1", 94))
    approve(settings, "MOFA", "2026-Q1", actor="chi")
    assert [r[2] for r in current_rows(settings.warehouse_path)] == ["2026-Q1"]
    assert [r[2] for r in current_rows(settings.warehouse_path, view=INCLUDING_PENDING)] == ["2026-Q1", "2026-Q2"]
    assert "2026-Q2" not in export_csv(settings.warehouse_path)
    mofa = {r["reporter"]: r for r in reporter_freshness(settings.warehouse_path)}["MOFA"]
    assert (mofa["latest_quarter"], mofa["pending"]) == ("2026-Q1", 1)
    assert {r["reporter"]: r for r in reporter_freshness(settings.warehouse_path, INCLUDING_PENDING)}["MOFA"]["latest_quarter"] == "2026-Q2"

    assert default_view(settings) == APPROVED
    assert default_view(settings, include_pending=True) == INCLUDING_PENDING
    off = Settings(data_dir=data_dir, language="en", approval="off", _env_file=None)  # type: ignore[call-arg]
    assert default_view(off) == INCLUDING_PENDING
    with pytest.raises(ValueError, match="unknown view"):
        current_rows(settings.warehouse_path, view="everything")  # type: ignore[arg-type]


def test_nothing_in_the_product_edits_or_deletes_audit_or_signoff_rows():
    """The log is append-only by construction: no statement anywhere updates or deletes it."""
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+(audit_log|signoffs|closures)\b", re.IGNORECASE)
    offenders = [
        str(path.relative_to(PROJECT)) for folder in ("pipelines", "dashboard", "scripts")
        for path in (PROJECT / folder).rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # and the pattern does catch such a statement
    assert pattern.search("con.execute('DELETE FROM audit_log WHERE 1')")


def test_a_connection_scoped_to_approved_values_still_sees_what_waits(settings, write_csv):
    """scope_connection shadows `current_observations`; the warehouse's own views must not follow it."""
    from pipelines.read_model.visibility import scope_connection

    load(settings, write_csv, "a.csv", missions("2026-Q2", 95) + missions("2026-Q1", 94))
    approve(settings, "MOFA", "2026-Q1", actor="chi")
    with open_reader(settings.warehouse_path) as con:
        scope_connection(con, APPROVED)
        assert con.execute("SELECT period FROM current_observations").fetchall() == [("2026-Q1",)]
        assert con.execute("SELECT period FROM pending_observations").fetchall() == [("2026-Q2",)]


def test_a_changed_catalog_is_an_audit_row_once(settings, write_csv, tmp_path):
    import shutil

    load(settings, write_csv, "a.csv", missions("2026-Q1", 94))
    load(settings, write_csv, "b.csv", missions("2026-Q2", 95))
    assert [r["action"] for r in read_audit(settings.warehouse_path)] == ["catalog", "load", "load"]  # first sync only
    edited = tmp_path / "catalog"
    shutil.copytree(settings.catalog_dir, edited)
    text = (edited / "reporters.csv").read_text(encoding="utf-8").replace("Can Tho", "Can Tho City")
    (edited / "reporters.csv").write_text(text, encoding="utf-8")
    changed = Settings(data_dir=settings.data_dir, catalog_dir=edited, language="en", _env_file=None)  # type: ignore[call-arg]
    load(changed, write_csv, "c.csv", missions("2026-Q3", 96), actor="lan")
    rows = read_audit(settings.warehouse_path)
    assert [(r["actor"], r["action"]) for r in rows[-2:]] == [("lan", "catalog"), ("lan", "load")]
    assert rows[-2]["details"]["changed"] == ["reporters"]


def test_a_closed_quarters_review_reads_the_same_after_later_loads_and_approvals(settings, write_csv):
    """The deck of a closed quarter is computed from approved values, which cannot change in
    periods the close covers: later loads and approvals leave its series and statuses as they were."""
    from dashboard.review import load_review

    load(settings, write_csv, "a.csv", missions("2025-Q1", 94) + missions("2026-Q1", 95) + missions("2026-Q2", 96))
    from pipelines.signoff import approve_all_pending

    approve_all_pending(settings, "chi")
    close_quarter(settings, "2026-Q2", actor="chi", today=TODAY)
    before = load_review(settings.warehouse_path, "2026-Q2")
    load(settings, write_csv, "later.csv", missions("2026-Q3", 120) + missions("2026-Q2", 96))  # new quarter + identical re-send
    approve(settings, "MOFA", "2026-Q3", actor="chi")
    load(settings, write_csv, "pending.csv", missions("2026-Q3", 130))
    assert load(settings, write_csv, "rev.csv", missions("2026-Q2", 99)).status == "rejected"
    with pytest.raises(SignoffError, match="closed quarter"):
        approve(settings, "MOFA", "2026-Q2", actor="chi")
    after = load_review(settings.warehouse_path, "2026-Q2")
    assert before is not None and after is not None
    assert (after.series, after.now, after.before) == (before.series, before.now, before.before)
    assert after.activity.equals(before.activity)


def test_a_closed_quarter_quotes_the_numbers_in_the_readers_marks(settings, write_csv):
    load(settings, write_csv, "a.csv", [["BUDGET_OPERATING", "MOFA", "2025", "3000.5", "billion VND", ""]])
    approve(settings, "MOFA", "2025", actor="chi")
    close_quarter(settings, "2026-Q2", actor="chi", reason="review of 2026-Q2", today=TODAY)
    rejected = load(settings, write_csv, "late.csv", [["BUDGET_OPERATING", "MOFA", "2025", "3100.25", "billion VND", ""]])
    [problem] = rejected.problems
    assert problem.message("vi").startswith("BUDGET_OPERATING MOFA 2025: 3100,25 sẽ làm thay đổi số liệu của quý đã khóa sổ (hiện là 3000,5;")
    assert problem.message("en").startswith("BUDGET_OPERATING MOFA 2025: 3100.25 would change a value in a closed quarter (now 3000.5;")
