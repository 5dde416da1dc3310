"""The pages on the reporters' mistakes (golden files in tests/fixtures/plausibility/): a partial
roll-up is provisional and hollow, never behind a status; one city's programme shows its trend, not
a status against the national target; a value loaded with a warning keeps a marker and is listed
to follow up; the upload page previews, warns and waits for an analyst's acknowledgement."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import PAGES, _run_cli
from tests.conftest import approve_everything
from tests.support.warehouse import make_settings
from tests.app.helpers import all_badges, cards, charts, page_text

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "plausibility"


@pytest.fixture(scope="module")
def mistakes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("app_mistakes") / "data"
    assert _run_cli(data, "ingest", str(GOLDEN / "specialists_2024_2025_nine_reporters.csv")) == 0
    assert _run_cli(data, "ingest", str(GOLDEN / "specialists_2026_four_of_nine.csv")) == 0
    assert _run_cli(data, "ingest", str(GOLDEN / "budget_history.csv")) == 0
    assert _run_cli(data, "ingest", str(GOLDEN / "hanoi_programme_series.csv")) == 0
    assert _run_cli(data, "ingest", str(GOLDEN / "budget_in_million.csv")) == 1  # held back
    assert _run_cli(data, "ingest", "--accept-warnings", "--by", "lan.nguyen", str(GOLDEN / "budget_in_million.csv")) == 0
    approve_everything(make_settings(data))  # leaders see approved figures: these pages are about what comes after
    return data


def hollow_periods(spec: dict, datasets) -> list[str]:
    """Periods drawn as hollow points: the chart has a white-filled point layer, fed the provisional rows."""
    assert any(layer["mark"].get("type") == "point" and layer["mark"].get("fill") == "white" for layer in spec["layer"])
    return sorted({r["period"] for d in datasets for r in d if r.get("complete") is False})


@pytest.mark.parametrize("lang, note", [
    ("vi", "Năm 2026 là số tạm tính (4 trên 9 đơn vị báo cáo); trạng thái dựa trên kỳ đầy đủ gần nhất (Năm 2025)."),
    ("en", "2026 is provisional (4 of 9 reporters); the status uses the latest complete period (2025)."),
])
def test_partial_year_is_hollow_and_the_status_uses_the_complete_year(mistakes_dir, open_app, lang, note):
    at = open_app(mistakes_dir, "indicator", lang=lang, code="STAFF_SPECIALISTS")
    assert note in [w.value for w in at.warning]
    (spec, datasets), = charts(at)
    assert hollow_periods(spec, datasets) == ["2026"]
    tooltips = [r.get("coverage") for d in datasets for r in d if r.get("period") == "2026"]
    assert any(tip and ("4 of 9 reporters" in tip or "4 trên 9 đơn vị báo cáo" in tip) and "MOIT" in tip for tip in tooltips)
    working = [m.value for m in at.markdown if "389" in m.value and ("2025" in m.value)]
    assert working, "the working names the latest complete year's total (389, 2025)"
    assert all(s != "deterioration" for s, _ in all_badges(at))


def test_overview_card_says_the_total_is_provisional(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "overview", lang="en")
    card = [c for c in cards(at) if c.link_query.startswith("code=STAFF_SPECIALISTS&")][0]
    assert card.metric_value == "248 persons"  # the provisional total is shown, labelled
    assert "2026 is provisional (4 of 9 reporters); the status uses the latest complete period (2025)." in page_text(at)


def test_one_citys_programme_shows_a_trend_not_a_status(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "indicator", lang="en", code="OFFICIALS_TRAINED", reporter="HANOI",
                  breakdown='{"program":"negotiation"}')
    assert at.selectbox[1].value == "HANOI"
    assert all_badges(at) == []
    assert "Targets are national: one reporter's or one breakdown's series shows its trend, not a status." in [i.value for i in at.info]
    (spec, datasets), = charts(at)
    assert not [r for d in datasets for r in d if "horizon" in r]  # no national target markers, no required path
    table = at.dataframe[0].value.to_dict("records")
    assert [r["Period"] for r in table] == ["Q3 2026", "Q4 2025"] and all(r[""] != "Target" for r in table)


def test_value_loaded_with_a_warning_keeps_a_marker(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "indicator", lang="en", code="BUDGET_OPERATING")
    (spec, datasets), = charts(at)
    warned = [r for d in datasets for r in d if r.get("warning")]
    assert {r["period"] for r in warned} == {"2025"} and "million instead of billion?" in warned[0]["warning"]
    (table,) = [d.value.to_dict("records") for d in at.dataframe if list(d.value.columns) == ["Period", "Value", "Unit", ""]]
    assert table[0]["Period"] == "2025" and "Warning" in table[0][""]
    listed = [d.value for d in at.dataframe if "Acknowledged by" in d.value.columns]
    assert listed and listed[0]["Acknowledged by"].tolist() == ["lan.nguyen"]


@pytest.mark.parametrize("lang, title, cause, coverage", [
    ("vi", "Giá trị cần theo dõi", "ghi theo triệu thay vì tỷ?", "4 trên 9 đơn vị báo cáo"),
    ("en", "Values to follow up", "million instead of billion?", "4 of 9 reporters"),
])
def test_data_status_lists_provisional_totals_and_values_to_follow_up(mistakes_dir, open_app, lang, title, cause, coverage):
    at = open_app(mistakes_dir, "data_status", lang=lang)
    assert title in [s.value for s in at.subheader]
    frames = {tuple(d.value.columns): d.value for d in at.dataframe}
    provisional = [f for cols, f in frames.items() if any(c in ("Late reporters (nothing received)", "Đơn vị chưa báo cáo (chậm)") for c in cols)][0]
    rows = provisional.to_dict("records")
    assert len(rows) == 1 and coverage in rows[0].values() and "DANANG, HAIPHONG, HANOI, HCMC, MOIT" in rows[0].values()
    follow = [f for cols, f in frames.items() if any(c in ("Acknowledged by", "Người xác nhận") for c in cols)][0]
    (row,) = follow.to_dict("records")
    assert any(cause in str(v) for v in row.values()) and "lan.nguyen" in row.values()


def test_upload_previews_warns_and_waits_for_acknowledgement(tmp_path, open_app):
    import shutil

    data = tmp_path / "data"
    assert _run_cli(data, "ingest", str(GOLDEN / "online_pct_history.csv")) == 0
    at = open_app(data, "upload", lang="en")
    fraction = (GOLDEN / "online_pct_as_fraction.csv").read_bytes()
    at.file_uploader[0].upload("online_pct_as_fraction.csv", fraction, "text/csv").run()
    assert "online_pct_as_fraction.csv: 1 rows — 1 new, 0 revised, 0 unchanged." in [c.value for c in at.caption]
    assert [w.value for w in at.warning] == [
        "online_pct_as_fraction.csv: 1 plausibility warning(s) — an analyst must acknowledge them before loading."]
    (warnings,) = [d.value for d in at.dataframe if "Warning" in d.value.columns]
    assert warnings["Warning"].tolist()[0].startswith("0.86 looks like a fraction")
    assert at.button(key="do_load").disabled
    (ack,) = at.checkbox
    assert ack.label.startswith("I (") and "have checked the warnings" in ack.label
    ack.check().run()
    assert not at.button(key="do_load").disabled
    at.button(key="do_load").click().run()
    assert not at.exception
    assert any(s.value.startswith("loaded") and "1 warning(s) acknowledged by" in s.value for s in at.success)
    at.switch_page(PAGES["data_status"]).run()
    assert "Values to follow up" in [s.value for s in at.subheader]
    shutil.rmtree(data, ignore_errors=True)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("lang, cell, warning", [
    ("vi", "Ô", "0,86 có vẻ là phân số"), ("en", "Cell", "0.86 looks like a fraction"),
])
def test_upload_of_a_workbook_names_the_cell_and_quotes_excels_number(tmp_path, open_app, lang, cell, warning):
    data = tmp_path / "data"
    assert _run_cli(data, "ingest", str(GOLDEN / "online_pct_history.csv")) == 0
    at = open_app(data, "upload", lang=lang)
    at.file_uploader[0].upload("online_pct_as_fraction.xlsx", (GOLDEN / "online_pct_as_fraction.xlsx").read_bytes(), XLSX).run()
    (warnings,) = [d.value for d in at.dataframe if cell in d.value.columns]
    assert warnings[cell].tolist() == ["Sheet1!D2"]
    assert warnings.iloc[0].astype(str).str.startswith(warning).any()


@pytest.mark.parametrize("lang, text", [
    ("vi", "percent_over_100_formatted.xlsx, Sheet1!D2, dòng 2, cột value: 123,4% nằm ngoài khoảng 0..100"),
    ("en", "percent_over_100_formatted.xlsx, Sheet1!D2, row 2, column value: 123.4% is outside 0..100"),
])
def test_upload_of_a_rejected_workbook_quotes_excels_number(tmp_path, open_app, lang, text):
    at = open_app(tmp_path / "data", "upload", lang=lang)
    at.file_uploader[0].upload("percent_over_100_formatted.xlsx",
                               (GOLDEN / "percent_over_100_formatted.xlsx").read_bytes(), XLSX).run()
    assert any(text in c.value for c in at.code), [c.value for c in at.code]


@pytest.fixture(scope="module")
def series_target_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hanoi's training in the negotiation programme with a target of its own (targets.csv's
    reporter and breakdown columns); its English programme has none."""
    import shutil

    from pipelines.catalog import load_catalog
    from pipelines.ingest import ingest
    from pipelines.settings import DEFAULT_CATALOG_DIR
    from tests.conftest import TODAY

    root = tmp_path_factory.mktemp("app_series_target")
    folder = root / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, folder)
    (folder / "targets.csv").write_text(
        "indicator,horizon,value,effective_from,source,reason_vi,reason_en,reporter,breakdown\n"
        "OFFICIALS_TRAINED,2030,60,2025-01-01,illustrative,Chỉ tiêu riêng của Hà Nội,Hanoi's own target,HANOI,program=negotiation\n",
        encoding="utf-8")
    settings = make_settings(root / "data", catalog_dir=folder)
    [outcome] = ingest([GOLDEN / "hanoi_programme_series.csv"], settings, load_catalog(folder), today=TODAY)
    assert outcome.status == "loaded", outcome.problems
    approve_everything(settings)
    return root / "data"


@pytest.mark.parametrize("lang, note", [
    ("en", "The catalog gives this series (reporter or breakdown) a target of its own: its status is judged against "
           "that target, not the national one."),
    ("vi", "Danh mục giao mục tiêu riêng cho chuỗi số liệu này (đơn vị hoặc phân tổ): trạng thái được đánh giá theo "
           "mục tiêu đó, không theo mục tiêu quốc gia."),
])
def test_a_series_with_its_own_target_gets_a_status_against_it(series_target_dir, open_app, lang, note):
    at = open_app(series_target_dir, "indicator", lang=lang, code="OFFICIALS_TRAINED", reporter="HANOI",
                  breakdown='{"program":"negotiation"}')
    assert note in [i.value for i in at.info]
    badges = all_badges(at)
    # 40 → 48 people against its own 60 by 2030 (not "limited progress" against the national 1,800); no 2045 target.
    assert [status for status, _ in badges] == ["on_track", "none"]
    (spec, datasets), = charts(at)
    assert [r["value"] for d in datasets for r in d if r.get("horizon") == "2030" and "label" in r] == [60]
    table = at.dataframe[0].value.to_dict("records")
    assert table[0][at.dataframe[0].value.columns[1]] in (60, "60")  # the series' own target row first


def test_a_sibling_breakdown_without_a_target_still_shows_its_trend(series_target_dir, open_app):
    at = open_app(series_target_dir, "indicator", lang="en", code="OFFICIALS_TRAINED", reporter="HANOI",
                  breakdown='{"program":"english"}')
    assert all_badges(at) == []
    assert "Targets are national: one reporter's or one breakdown's series shows its trend, not a status." in [i.value for i in at.info]


def test_one_citys_programme_shows_a_trend_in_vietnamese_too(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "indicator", lang="vi", code="OFFICIALS_TRAINED", reporter="HANOI",
                  breakdown='{"program":"negotiation"}')
    assert all_badges(at) == []
    assert ("Mục tiêu là mục tiêu quốc gia: chuỗi của một đơn vị hoặc một phân tổ chỉ thể hiện xu hướng, "
            "không đánh giá trạng thái.") in [i.value for i in at.info]


def test_value_loaded_with_a_warning_keeps_a_marker_in_vietnamese(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "indicator", lang="vi", code="BUDGET_OPERATING")
    (spec, datasets), = charts(at)
    warned = [r for d in datasets for r in d if r.get("warning")]
    assert {r["period"] for r in warned} == {"2025"}
    assert "39.385,5 gấp 1.082 lần giá trị trước 36,4 (2024)" in warned[0]["warning"]
    assert "ghi theo triệu thay vì tỷ?" in warned[0]["warning"]


@pytest.mark.parametrize("lang, headline, text", [
    ("vi", "programmes_156_vs_total_162.csv: 1 cảnh báo về tính hợp lý — cần chuyên viên xác nhận trước khi nạp.",
     "các dòng theo program cộng lại được 156 nhưng dòng tổng là 162 (chênh lệch -6; dung sai 0,005)"),
    ("en", "programmes_156_vs_total_162.csv: 1 plausibility warning(s) — an analyst must acknowledge them before loading.",
     "the rows by program add up to 156 but the total row says 162 (difference -6; tolerance 0.005)"),
])
def test_upload_preview_of_breakdown_rows_not_adding_up(tmp_path, open_app, lang, headline, text):
    at = open_app(tmp_path / "data", "upload", lang=lang)
    at.file_uploader[0].upload("programmes_156_vs_total_162.csv",
                               (GOLDEN / "programmes_156_vs_total_162.csv").read_bytes(), "text/csv").run()
    assert [w.value for w in at.warning] == [headline]
    (warnings,) = [d.value for d in at.dataframe if ("Warning" if lang == "en" else "Cảnh báo") in d.value.columns]
    assert warnings[("Warning" if lang == "en" else "Cảnh báo")].tolist() == [text]
    assert at.button(key="do_load").disabled  # nothing loads before an analyst acknowledges


def test_a_workbook_value_to_follow_up_keeps_its_cell_and_excels_spelling(tmp_path, open_app):
    data = tmp_path / "data"
    assert _run_cli(data, "ingest", str(GOLDEN / "budget_history.csv")) == 0
    assert _run_cli(data, "ingest", "--accept-warnings", "--by", "lan.nguyen",
                    str(GOLDEN / "budget_in_million_formatted.xlsx")) == 0
    approve_everything(make_settings(data))
    at = open_app(data, "data_status", lang="vi")
    (follow,) = [d.value for d in at.dataframe if "Người xác nhận" in d.value.columns]
    (row,) = follow.to_dict("records")
    assert row["Ô"] == "'Báo cáo'!D2" and row["Tệp"] == "budget_in_million_formatted.xlsx"
    assert row["Cảnh báo"].startswith("39.385,5 gấp 1.082 lần giá trị trước 36,4 (2024)")


def test_overview_sparkline_draws_the_provisional_year_hollow(mistakes_dir, open_app):
    at = open_app(mistakes_dir, "overview", lang="vi")
    hollow = [(spec, datasets) for spec, datasets in charts(at)
              if any(layer.get("mark", {}).get("fill") == "white" for layer in spec.get("layer", []))]
    (spec, datasets), = hollow  # only the partial roll-up's card
    rows = [r for d in datasets for r in d if r.get("complete") is False]
    assert [(r["period"], r["coverage"]) for r in rows] == [("2026", "4 trên 9 đơn vị báo cáo")]
