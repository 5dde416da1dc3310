"""A commentary file in the template is recognised by `kpi ingest`, validated like any file (row and
column for every problem, all or nothing), stored as new versions and never overwrites."""

from __future__ import annotations

from hypothesis import given, settings as hsettings
from hypothesis import strategies as st

from pipelines.read_model.visibility import INCLUDING_PENDING
from pipelines.ingest import ingest
from pipelines.intake.commentary_file import looks_like_commentary, parse_commentary
from pipelines.read_model.commentary import current_for_quarter, history
from pipelines.warehouse.store import open_reader
from tests.support.warehouse import TODAY

TEMPLATE = "indicator,quarter,owner,lang,happened,challenges,next_steps\n"


def _load(settings, catalog, path):
    [outcome] = ingest([path], settings, catalog, today=TODAY)
    return outcome


def test_a_commentary_file_is_loaded_as_versions(settings, catalog, write_csv):
    first = write_csv("c1.csv", TEMPLATE + 'MISSIONS_ABROAD,2026-Q3,MOFA,vi,"Thành lập 1 tổng lãnh sự quán, Nhật Bản",Chậm,Trình đề án\n'
                      "REMUNERATION_VS_ASEAN_PCT,2026-Q3,mof,en,Pay at 65% of the ASEAN level,,Adjust allowances in Q2 2027\n")
    outcome = _load(settings, catalog, first)
    assert outcome.status == "loaded" and outcome.rows == 2
    second = write_csv("c2.csv", TEMPLATE + "MISSIONS_ABROAD,2026-Q3,MOFA,vi,Đã cập nhật,,\n")
    assert _load(settings, catalog, second).status == "loaded"
    with open_reader(settings.warehouse_path) as con:
        now = current_for_quarter(con, "2026-Q3", INCLUDING_PENDING)
        versions = history(con, "MISSIONS_ABROAD", "2026-Q3")
        load_ids = con.execute("SELECT DISTINCT load_id FROM commentary ORDER BY 1").fetchall()
    assert now["MISSIONS_ABROAD"]["vi"].happened == "Đã cập nhật"
    assert now["REMUNERATION_VS_ASEAN_PCT"]["en"].owner == "MOF"
    assert [v.happened for v in versions] == ["Đã cập nhật", "Thành lập 1 tổng lãnh sự quán, Nhật Bản"]
    assert load_ids == [(outcome.load_id,), (outcome.load_id + 1,)]


def test_vietnamese_headers_are_accepted(settings, catalog, write_csv):
    path = write_csv("nhan_dinh.csv", "mã chỉ tiêu,quý,đơn vị chủ trì,diễn biến,khó khăn,bước tiếp theo\n"
                                      "MISSIONS_ABROAD,2026-Q3,MOFA,Có 97 cơ quan,,Mở thêm\n")
    assert _load(settings, catalog, path).status == "loaded"


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_is_stored(settings, catalog, write_csv):
    path = write_csv("bad.csv", TEMPLATE
                     + "MISSIONS_ABROAD,2026-Q3,MOFA,vi,Tốt,,\n"
                     + "NOPE,2026-Q3,MOFA,vi,x,,\n"
                     + "MISSIONS_ABROAD,2026,NOBODY,fr,,,\n"
                     + "MISSIONS_ABROAD,2026-Q3,MOFA,vi,Lặp lại,,\n")
    outcome = _load(settings, catalog, path)
    assert outcome.status == "rejected"
    found = {(p.code, p.row, p.column) for p in outcome.problems}
    assert found == {("unknown_indicator", 3, "indicator"), ("bad_quarter", 4, "quarter"), ("unknown_owner", 4, "owner"),
                     ("bad_lang", 4, "lang"), ("blank_happened", 4, "happened"), ("duplicate_commentary", 5, "indicator")}
    with open_reader(settings.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM commentary").fetchone()[0] == 0


def test_a_file_without_the_required_columns_says_which(catalog):
    entries, problems, _ = parse_commentary((TEMPLATE.replace("owner,", "")).encode() + b"X,2026-Q3,vi,a,b,c\n", catalog, "t")
    assert entries == [] and [p.code for p in problems] == ["commentary_columns"]
    assert "owner" in problems[0].message("en")


def test_figures_files_are_not_mistaken_for_commentary():
    assert not looks_like_commentary(b"indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q3,97,,\n")
    assert looks_like_commentary(TEMPLATE.encode())
    assert looks_like_commentary(TEMPLATE.replace("\n", "\r\n").encode("utf-8-sig"))
    assert not looks_like_commentary("indicator\treporter\tperiod\tvalue\n".encode("utf-16"))  # UTF-16 figures


def test_a_commentary_file_not_in_utf8_is_refused_with_what_to_do(catalog):
    entries, problems, _ = parse_commentary(TEMPLATE.encode("utf-16"), catalog, "t")
    assert entries == [] and [p.code for p in problems] == ["bad_encoding"]
    assert "save the file as CSV UTF-8" in problems[0].message("en")


@given(st.binary(max_size=300))
def test_any_bytes_are_judged_without_an_error(data):
    assert looks_like_commentary(data) in (True, False)


@hsettings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_round_trips_as_one_paragraph(catalog, text):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([TEMPLATE.strip().split(","), ["MISSIONS_ABROAD", "2026-Q3", "MOFA", "vi", "x", text, ""]])
    entries, problems, _ = parse_commentary(buf.getvalue().encode("utf-8"), catalog, "t")
    if problems:  # a lone surrogate or an over-long text: rejected, never half-stored
        assert entries == []
    else:
        assert entries[0].challenges == " ".join(text.split())


def test_a_commentary_file_for_a_closed_quarter_is_rejected_naming_it(settings, catalog, write_csv):
    from datetime import date

    from pipelines.problems import format_problem
    from pipelines.signoff import approve, close_quarter, reopen_quarter

    figures = write_csv("m.csv", [["MISSIONS_ABROAD", "MOFA", "2026-Q2", "95", "agencies", ""]])
    assert _load(settings, catalog, figures).status == "loaded"
    approve(settings, "MOFA", "2026-Q2", "chi")
    close_quarter(settings, "2026-Q2", "chi", today=date(2026, 7, 15))
    notes = write_csv("c.csv", TEMPLATE + "MISSIONS_ABROAD,2026-Q2,MOFA,vi,Ổn định,,\n")
    outcome = _load(settings, catalog, notes)
    assert outcome.status == "rejected"
    [problem] = outcome.problems
    assert (problem.code, problem.row, problem.column) == ("commentary_closed", 2, "quarter")
    assert format_problem(problem, "c.csv").startswith("c.csv, row 2, column quarter: 2026-Q2 is closed (by chi on ")
    assert "kpi reopen --quarter 2026-Q2" in format_problem(problem, "c.csv")
    assert "quý 2026-Q2 đã khóa sổ" in format_problem(problem, "c.csv", "vi")
    with open_reader(settings.warehouse_path) as con:
        assert history(con, "MISSIONS_ABROAD", "2026-Q2") == []
    reopen_quarter(settings, "2026-Q2", "commentary to add", "chi")
    again = write_csv("c_again.csv", TEMPLATE + "MISSIONS_ABROAD,2026-Q2,MOFA,vi,Ổn định (gửi lại),,\n")
    assert _load(settings, catalog, again).status == "loaded"
