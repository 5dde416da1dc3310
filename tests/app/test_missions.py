"""Missions abroad: the count against 115 and 150, the world map, counts by type over time, the table by country."""

from __future__ import annotations

import pytest

from tests.app.helpers import charts, rows_with


def test_vietnamese(sample_dir, open_app):
    at = open_app(sample_dir, "missions")
    assert [t.value for t in at.title] == ["Cơ quan đại diện Việt Nam ở nước ngoài"]
    assert [(m.label, m.value, m.delta) for m in at.metric] == [
        ("Tổng số cơ quan đại diện, Quý 3/2026", "97", ""),
        ("Mục tiêu 2030", "115", "18 còn thiếu"),
        ("Mục tiêu 2045", "150", "53 còn thiếu"),
    ]

    (map_spec, map_data), (trend_spec, trend_data) = charts(at)
    assert map_spec["title"]["text"] == "Cơ quan đại diện theo quốc gia, Quý 3/2026"
    assert map_spec["title"]["subtitle"][0].startswith("97 cơ quan tại 67 quốc gia, vùng lãnh thổ")
    assert map_spec["config"]["locale"]["number"]["decimal"] == ","
    assert map_spec["layer"][0]["mark"]["type"] == "geoshape"
    # The shapes are shipped with the app (inline TopoJSON), nothing fetched at run time.
    assert "url" not in map_spec["layer"][0].get("data", {}) and "url" not in map_spec.get("data", {})

    assert trend_spec["title"]["text"] == "Số cơ quan đại diện theo loại, so với mục tiêu"
    assert trend_spec["config"]["locale"]["number"]["decimal"] == ","
    assert {(r["value"], r["label"]) for r in rows_with(trend_data, "label")} == {
        (115.0, "Mục tiêu 2030: 115"), (150.0, "Mục tiêu 2045: 150")}
    q3 = {r["type"]: r["value"] for r in rows_with(trend_data, "type") if r["period"] == "2026-Q3"}
    assert q3 == {"Đại sứ quán": 66.0, "Phái đoàn thường trực": 4.0, "Tổng lãnh sự quán": 26.0, "Cơ quan đại diện khác": 1.0}

    assert [s.value for s in at.subheader] == ["Theo quốc gia"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["Quốc gia", "ISO", "Đại sứ quán", "Phái đoàn thường trực", "Tổng lãnh sự quán",
                                   "Cơ quan đại diện khác", "Tổng"]
    assert table["Tổng"].sum() == 97
    assert table.iloc[0].to_dict()["Quốc gia"] == "Trung Quốc" and table.iloc[0]["Tổng"] == 7
    japan = table[table["ISO"] == "JPN"].iloc[0]
    assert japan["Quốc gia"] == "Nhật Bản" and japan["Tổng lãnh sự quán"] == 3 and japan["Tổng"] == 4  # revised
    assert [b.label for b in at.get("download_button")] == ["Tải CSV"]


def test_english(sample_dir, open_app):
    at = open_app(sample_dir, "missions", lang="en")
    assert [t.value for t in at.title] == ["Vietnam's representative agencies abroad"]
    assert [(m.label, m.value, m.delta) for m in at.metric] == [
        ("Agencies abroad, Q3 2026", "97", ""),
        ("2030 target", "115", "18 to go"),
        ("2045 target", "150", "53 to go"),
    ]
    (map_spec, _), (trend_spec, trend_data) = charts(at)
    assert map_spec["title"]["text"] == "Agencies by country, Q3 2026"
    assert map_spec["title"]["subtitle"][0].startswith("97 agencies in 67 countries and territories")
    assert trend_spec["config"]["locale"]["number"]["decimal"] == "."
    assert {r["label"] for r in rows_with(trend_data, "label")} == {"2030 target: 115", "2045 target: 150"}
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["Country", "ISO"] and list(table.columns)[-1] == "Total"
    assert table[table["ISO"] == "JPN"].iloc[0]["Country"] == "Japan"
    assert [s.value for s in at.subheader] == ["By country"]


@pytest.mark.parametrize("lang, title, empty", [
    ("vi", "Cơ quan đại diện Việt Nam ở nước ngoài", "Chưa có số liệu"),
    ("en", "Vietnam's representative agencies abroad", "No data yet"),
])
def test_empty_database(empty_dir, open_app, lang, title, empty):
    at = open_app(empty_dir, "missions", lang=lang)
    assert [t.value for t in at.title] == [title]
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not at.metric and not charts(at)
