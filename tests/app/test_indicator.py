"""Indicator page: chart with both targets, the working behind each status, the table, provenance, the URL."""

from __future__ import annotations

import json

import pytest

from pipelines.catalog import load_catalog
from pipelines.settings import DEFAULT_CATALOG_DIR
from tests.app.helpers import all_badges, charts, page_text, rows_with

CATALOG = load_catalog(DEFAULT_CATALOG_DIR)
MISSIONS = CATALOG.indicators["MISSIONS_ABROAD"]


def first_choice(at) -> str:
    """The code of the indicator selector's first option ('Name (CODE)')."""
    return at.selectbox[0].options[0].rsplit("(", 1)[1].rstrip(")")


def test_missions_vietnamese(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="MISSIONS_ABROAD")
    assert [t.value for t in at.title] == [MISSIONS.name("vi")]
    assert at.caption[0].value == "`MISSIONS_ABROAD` · Nhiệm vụ 2 · số đếm · hằng quý · càng cao càng tốt"
    assert at.selectbox[0].label == "Chọn chỉ tiêu"
    assert at.selectbox[0].value == "MISSIONS_ABROAD"
    assert at.selectbox[1].label == "Đơn vị báo cáo" and at.selectbox[1].value == "__all__"
    assert at.selectbox[2].label == "Phân tổ" and at.selectbox[2].value == "__total__"
    assert at.selectbox[1].options[0] == "Tổng hợp các đơn vị"
    assert at.selectbox[2].options[0] == "Tổng"
    assert [s.value for s in at.subheader] == ["Cách tính trạng thái", "Nhận định của quý · Quý 3/2026", "Bảng số liệu"]

    # The working: baseline, latest, rates and the badge per horizon.
    assert [s for s, _ in all_badges(at)] == ["limited_progress", "acceleration_needed"]
    text = page_text(at)
    assert "Mục tiêu 2030: **115**" in text and "Mục tiêu 2045: **150**" in text
    working = [m.value for m in at.markdown if m.value.startswith("- Kỳ gốc")]
    assert len(working) == 2
    for block in working:
        assert "- Kỳ gốc: **94 (Quý 1/2025)**" in block
        assert "- Mới nhất: **97 (Quý 3/2026)**" in block
        assert "- Phương pháp: **tăng trưởng kép**" in block
        assert "- Tốc độ thực tế: **+2,1 %/năm**" in block
    assert "- Tỷ số R: **0,59**" in working[0] and "- Dự báo 2030: **106,0 cơ quan**" in working[0]
    assert "- Tỷ số R: **0,93**" in working[1] and "- Dự báo 2045: **145,2 cơ quan**" in working[1]
    assert any(c.value.startswith("R = tốc độ thực tế / tốc độ cần thiết: R ≥ 0,95") for c in at.caption)

    # The table: the two targets as rows of their own, then every quarter, newest first.
    table = at.dataframe[0].value
    assert list(table.columns) == ["Kỳ", "Giá trị", "Đơn vị tính", ""]
    records = table.to_dict("records")
    assert records[:2] == [
        {"Kỳ": "2030", "Giá trị": "115", "Đơn vị tính": "cơ quan", "": "Mục tiêu"},
        {"Kỳ": "2045", "Giá trị": "150", "Đơn vị tính": "cơ quan", "": "Mục tiêu"},
    ]
    assert records[2] == {"Kỳ": "Quý 3/2026", "Giá trị": "97", "Đơn vị tính": "cơ quan", "": ""}
    assert records[-1] == {"Kỳ": "Quý 1/2019", "Giá trị": "96", "Đơn vị tính": "cơ quan", "": ""}
    assert len(records) == 31 + 2  # 2019-Q1 … 2026-Q3

    # Provenance: the 2026-Q3 total comes from the revision file.
    provenance = at.dataframe[1].value
    assert list(provenance.columns) == ["Kỳ", "Đơn vị báo cáo", "Giá trị", "Tệp", "Lần nạp", "Thời điểm nạp", "Dòng", "Ghi chú"]
    q3 = provenance[provenance["Kỳ"] == "2026-Q3"].to_dict("records")
    assert len(q3) == 1 and q3[0]["Tệp"] == "mofa_missions_revision_2026Q3.csv" and q3[0]["Giá trị"] == "97"
    assert q3[0]["Dòng"] == 2

    assert [b.label for b in at.get("download_button")] == ["Tải CSV", "Tải Excel", "Tải ảnh PNG", "Tải CSV"]
    assert [e.label for e in at.expander] == ["Viết nhận định", "Định nghĩa", "Tệp và lần nạp tạo nên từng giá trị"]  # an analyst (demo mode) may write commentary
    assert "khoảng 115 cơ quan đại diện đến 2030" in text


def test_missions_chart_vietnamese(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="MISSIONS_ABROAD")
    (spec, datasets), = charts(at)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    assert spec["title"]["text"] == MISSIONS.name("vi")
    assert spec["title"]["subtitle"][0] == (
        "Đơn vị: cơ quan · Số liệu đến Quý 3/2026 · Nguồn: báo cáo của các đơn vị, Nghị quyết 292/NQ-CP")
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["line", "line", "point", "text"]  # paths, observed, target markers, target labels
    assert spec["layer"][1]["encoding"]["x"]["title"] == "Năm"
    assert spec["layer"][1]["encoding"]["y"]["title"] == "cơ quan"

    targets = [r for r in rows_with(datasets, "horizon")]
    assert {(r["t"], r["value"], r["label"]) for r in targets} == {
        (2030.0, 115.0, "Mục tiêu 2030"), (2045.0, 150.0, "Mục tiêu 2045")}
    observed = rows_with(datasets, "period")
    assert len(observed) == 31 and observed[-1]["period"] == "2026-Q3" and observed[-1]["value"] == 97.0
    paths = {r["layer"] for r in rows_with(datasets, "kind")}
    assert paths == {"Lộ trình cần đạt 2030", "Lộ trình cần đạt 2045",
                     "Dự báo theo tốc độ hiện tại 2030", "Dự báo theo tốc độ hiện tại 2045"}
    required_2030 = [r for r in rows_with(datasets, "kind") if r["layer"] == "Lộ trình cần đạt 2030"]
    assert required_2030[0]["value"] == pytest.approx(94.0)  # from the baseline …
    assert required_2030[-1]["t"] == 2030.0 and required_2030[-1]["value"] == pytest.approx(115.0)  # … to the target


def test_missions_english(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", lang="en", code="MISSIONS_ABROAD")
    assert [t.value for t in at.title] == [MISSIONS.name("en")]
    assert at.caption[0].value == "`MISSIONS_ABROAD` · Task 2 · count · quarterly · higher is better"
    assert [s.value for s in at.subheader] == ["How the status is worked out", "Commentary for the quarter · Q3 2026", "Data table"]
    assert [b[1] for b in all_badges(at)] == ["▼ Limited progress", "◆ Acceleration needed"]
    working = [m.value for m in at.markdown if m.value.startswith("- Baseline")]
    assert "- Baseline: **94 (Q1 2025)**" in working[0]
    assert "- Latest: **97 (Q3 2026)**" in working[0]
    assert "- Observed rate: **+2.1 %/yr**" in working[0]
    assert "- Ratio R: **0.59**" in working[0]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Period", "Value", "Unit", ""]
    assert table.to_dict("records")[:2] == [
        {"Period": "2030", "Value": "115", "Unit": MISSIONS.unit_label("en"), "": "Target"},
        {"Period": "2045", "Value": "150", "Unit": MISSIONS.unit_label("en"), "": "Target"},
    ]
    (spec, datasets), = charts(at)
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    assert {(r["value"], r["label"]) for r in rows_with(datasets, "horizon")} == {
        (115.0, "Target 2030"), (150.0, "Target 2045")}
    assert [b.label for b in at.get("download_button")][:3] == ["Download CSV", "Download Excel", "Download PNG"]
    assert "Kỳ gốc" not in page_text(at)


def test_illustrative_targets_are_marked(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="STAFF_HEADCOUNT")
    text = page_text(at)
    assert "Mục tiêu 2030: **2.900** *(minh họa)*" in text
    (spec, datasets), = charts(at)
    assert "Mục tiêu minh họa" in " ".join(spec["title"]["subtitle"])
    assert {r["label"] for r in rows_with(datasets, "horizon")} == {"Mục tiêu 2030 (minh họa)", "Mục tiêu 2045 (minh họa)"}
    table = at.dataframe[0].value
    assert table.to_dict("records")[0][""] == "Mục tiêu (minh họa)"
    # Thousands in the working use the Vietnamese dot.
    assert any("3.221" in m.value for m in at.markdown if m.value.startswith("- Kỳ gốc"))


def test_breakdown_selection_is_kept_in_the_url(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="MISSIONS_ABROAD")
    options = at.selectbox[2].options
    embassy = [o for o in options if o.endswith("Đại sứ quán")]
    assert embassy, options
    at.selectbox[2].select_index(options.index(embassy[0])).run()
    assert not at.exception
    assert at.title[0].value == MISSIONS.name("vi")
    assert at.query_params["code"] == "MISSIONS_ABROAD"
    assert json.loads(at.query_params["breakdown"]) == {"mission_type": "embassy"}
    assert "reporter" not in at.query_params  # the default selection stays out of the URL
    (spec, _), = charts(at)
    assert spec["title"]["text"].endswith(" — Đại sứ quán")
    table = at.dataframe[0].value
    q3 = table[table["Kỳ"] == "Quý 3/2026"]["Giá trị"].tolist()
    assert q3 == ["66"]  # embassies in 2026-Q3, as on the missions page


def test_choosing_another_indicator_updates_the_url(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="MISSIONS_ABROAD")
    at.selectbox[0].set_value("STAFF_HEADCOUNT").run()
    assert at.query_params["code"] == "STAFF_HEADCOUNT"
    assert at.title[0].value == CATALOG.indicators["STAFF_HEADCOUNT"].name("vi")


@pytest.mark.parametrize("lang, message", [
    ("vi", "Không có chỉ tiêu mã NOPE."),
    ("en", "There is no indicator with code NOPE."),
])
def test_unknown_code_warns_and_shows_the_first_indicator(sample_dir, open_app, lang, message):
    at = open_app(sample_dir, "indicator", lang=lang, code="NOPE")
    assert [w.value for w in at.warning] == [message]
    first = first_choice(at)
    assert at.selectbox[0].value == first
    assert at.title[0].value == CATALOG.indicators[first].name(lang)


def test_no_code_shows_the_first_indicator(sample_dir, open_app):
    at = open_app(sample_dir, "indicator")
    assert not at.warning
    first = first_choice(at)
    assert at.selectbox[0].value == first
    assert at.title[0].value == CATALOG.indicators[first].name("vi")


@pytest.mark.parametrize("lang, title, empty", [("vi", "Chỉ tiêu", "Chưa có số liệu"), ("en", "Indicator", "No data yet")])
def test_empty_database(empty_dir, open_app, lang, title, empty):
    at = open_app(empty_dir, "indicator", lang=lang, code="MISSIONS_ABROAD")
    assert [t.value for t in at.title] == [title]
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not at.dataframe and not charts(at)


@pytest.mark.parametrize("lang, latest, target, decimal", [
    ("vi", "3.221", "2.900", "65,5"), ("en", "3,221", "2,900", "65.5")])
def test_tables_write_numbers_in_the_page_language(sample_dir, open_app, lang, latest, target, decimal):
    """Not the browser's locale: a Vietnamese page in an English browser still shows 3.221."""
    at = open_app(sample_dir, "indicator", lang=lang, code="STAFF_HEADCOUNT")
    table, provenance = (d.value for d in at.dataframe)
    value = table.columns[1]
    assert table[value].iloc[2] == latest and table[value].iloc[0] == target
    thousands = latest[1]
    assert "3" + thousands + "180" in provenance[value].tolist()  # one reporter's value, same convention
    at = open_app(sample_dir, "indicator", lang=lang, code="REMUNERATION_VS_ASEAN_PCT")
    assert at.dataframe[0].value.iloc[:, 1].tolist()[2] == decimal
