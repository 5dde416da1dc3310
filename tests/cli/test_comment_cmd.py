"""`kpi comment`: an indicator's commentary for a quarter, stored as a new version, never overwritten."""

from __future__ import annotations

import json

import pytest

from pipelines.ingest import ingest
from pipelines.read_model.commentary import current_for_quarter, history
from pipelines.read_model.visibility import INCLUDING_PENDING
from pipelines.warehouse.store import open_reader
from tests.support.warehouse import TODAY


@pytest.fixture
def loaded(settings, catalog, write_csv):
    [outcome] = ingest([write_csv("m.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q3", "97", "agencies", ""]])],
                       settings, catalog, today=TODAY)
    assert outcome.status == "loaded"
    return settings


ARGS = ("comment", "--indicator", "MISSIONS_ABROAD", "--quarter", "2026-Q3", "--owner", "MOFA")


def test_a_second_comment_is_a_new_version_and_the_first_is_kept(kpi, loaded):
    first = kpi(*ARGS, "--happened", "Thành lập thêm 1 tổng lãnh sự quán", "--next-steps", "Trình đề án 2027")
    assert first.returncode == 0, first.stderr
    second = kpi(*ARGS, "--happened", "Đã mở thêm 1 cơ quan; đang chuẩn bị 2 cơ quan", "--challenges", "Ngân sách",
                 "--author", "analyst1")
    assert second.returncode == 0, second.stderr
    assert "earlier versions are kept" in second.stdout
    with open_reader(loaded.warehouse_path) as con:
        current = current_for_quarter(con, "2026-Q3", INCLUDING_PENDING)["MISSIONS_ABROAD"]["vi"]
        versions = history(con, "MISSIONS_ABROAD", "2026-Q3")
    assert current.happened == "Đã mở thêm 1 cơ quan; đang chuẩn bị 2 cơ quan"
    assert current.challenges == "Ngân sách" and current.author == "analyst1" and current.owner == "MOFA"
    assert [v.happened for v in versions] == [current.happened, "Thành lập thêm 1 tổng lãnh sự quán"]


def test_english_commentary_sits_beside_the_vietnamese(kpi, loaded):
    assert kpi(*ARGS, "--happened", "Một tổng lãnh sự quán mới").returncode == 0
    assert kpi(*ARGS, "--happened", "One new consulate general", "--lang", "en").returncode == 0
    with open_reader(loaded.warehouse_path) as con:
        both = current_for_quarter(con, "2026-Q3", INCLUDING_PENDING)["MISSIONS_ABROAD"]
    assert both["vi"].happened == "Một tổng lãnh sự quán mới" and both["en"].happened == "One new consulate general"


@pytest.mark.parametrize("change, named", [
    (("--owner", "NOBODY"), "owner: unknown unit 'NOBODY'"),
    (("--indicator", "NOPE"), "indicator: unknown indicator 'NOPE'"),
    (("--quarter", "2026"), "quarter: not a quarter"),
])
def test_bad_input_names_the_option_and_writes_nothing(kpi, loaded, change, named):
    args = list(ARGS)
    args[args.index(change[0]) + 1] = change[1]
    done = kpi(*args, "--happened", "x")
    assert done.returncode == 2 and named in done.stderr and "Nothing was written" in done.stderr
    with open_reader(loaded.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM commentary").fetchone()[0] == 0


def test_blank_happened_is_refused(kpi, loaded):
    done = kpi(*ARGS, "--happened", "   ")
    assert done.returncode == 2 and "happened:" in done.stderr


def test_no_warehouse_yet_says_what_to_do(kpi):
    done = kpi(*ARGS, "--happened", "x")
    assert done.returncode == 2 and "kpi demo" in done.stderr


def test_a_closed_quarter_takes_no_commentary_until_reopened(kpi, loaded):
    assert kpi("approve", "--reporter", "MOFA", "--period", "2026-Q3", "--as", "chi").returncode == 0
    assert kpi("close", "--quarter", "2026-Q3", "--as", "chi").returncode == 0
    refused = kpi(*ARGS, "--happened", "Thêm 1 cơ quan")
    assert refused.returncode == 1, refused.stderr
    assert "2026-Q3 is closed (by chi on " in refused.stderr and "kpi reopen --quarter 2026-Q3" in refused.stderr
    assert "Nothing was written" in refused.stderr and "Traceback" not in refused.stderr
    assert kpi("reopen", "--quarter", "2026-Q3", "--reason", "commentary missing", "--as", "chi").returncode == 0
    assert kpi(*ARGS, "--happened", "Thêm 1 cơ quan").returncode == 0
    with open_reader(loaded.warehouse_path) as con:
        assert [v.happened for v in history(con, "MISSIONS_ABROAD", "2026-Q3")] == ["Thêm 1 cơ quan"]


def test_a_comment_waits_for_approval_and_is_in_the_audit_log(kpi, loaded):
    done = kpi(*ARGS, "--happened", "Thành lập thêm 1 tổng lãnh sự quán", "--author", "lan")
    assert "kpi approve --commentary --period 2026-Q3 --indicator MISSIONS_ABROAD" in done.stdout
    with open_reader(loaded.warehouse_path) as con:
        assert current_for_quarter(con, "2026-Q3") == {}  # leaders read approved commentary only
        [pending] = current_for_quarter(con, "2026-Q3", INCLUDING_PENDING)["MISSIONS_ABROAD"].values()
    assert pending.pending
    log = json.loads(kpi("audit", "--json").stdout)
    assert (log[-1]["actor"], log[-1]["action"], log[-1]["object"]) == ("lan", "comment", "MISSIONS_ABROAD 2026-Q3")
    assert log[-1]["details"]["lang"] == "vi" and log[-1]["details"]["owner"] == "MOFA"
