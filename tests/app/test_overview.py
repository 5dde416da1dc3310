"""Overview page: one card per indicator, grouped by task, with values, targets and status badges in both languages."""

from __future__ import annotations

from collections import Counter

import pytest

from pipelines.catalog import load_catalog
from pipelines.progress import STATUSES
from pipelines.settings import DEFAULT_CATALOG_DIR
from tests.app.helpers import badges, cards, charts, page_text

CATALOG = load_catalog(DEFAULT_CATALOG_DIR)
MISSIONS_VI = CATALOG.indicators["MISSIONS_ABROAD"].name("vi")
MISSIONS_EN = CATALOG.indicators["MISSIONS_ABROAD"].name("en")


def by_code(found, lang):
    names = {ind.name(lang): code for code, ind in CATALOG.indicators.items()}
    return {names[c.name]: c for c in found}


def test_vietnamese_cards_values_targets_and_badges(sample_dir, open_app):
    at = open_app(sample_dir)
    assert [t.value for t in at.title] == ["Tổng quan các chỉ tiêu"]
    assert "Theo dõi chỉ tiêu Nghị quyết 292/NQ-CP" in page_text(at)

    found = cards(at)
    assert len(found) == len(CATALOG.indicators) == 14
    cards_by_code = by_code(found, "vi")
    assert set(cards_by_code) == set(CATALOG.indicators)

    missions = cards_by_code["MISSIONS_ABROAD"]
    assert missions.name == MISSIONS_VI
    assert missions.metric_label == "Mới nhất · Quý 3/2026"
    assert missions.metric_value == "97 cơ quan"  # the 2026-Q3 revision (96 → 97) wins
    assert missions.target_lines[0].startswith("Mục tiêu 2030: **115**")
    assert missions.target_lines[1].startswith("Mục tiêu 2045: **150**")
    assert missions.badge(2030) == ("limited_progress", "▼ Tiến triển hạn chế")
    assert missions.badge(2045) == ("acceleration_needed", "◆ Cần đẩy nhanh")
    assert missions.link_label == "Xem chi tiết"
    assert missions.link_query == "code=MISSIONS_ABROAD&lang=vi"

    # Vietnamese number format: dot for thousands, comma for decimals.
    assert cards_by_code["STAFF_HEADCOUNT"].metric_value == "3.221 người"
    assert cards_by_code["STAFF_HEADCOUNT"].target_lines[0].startswith("Mục tiêu 2030: **2.900** *(minh họa)*")
    assert cards_by_code["BUDGET_DIGITAL"].metric_value == "300,1 tỷ đồng"
    assert cards_by_code["BUDGET_OPERATING"].metric_value == "4.164,9 tỷ đồng"
    assert cards_by_code["LAWS_ENACTED"].metric_label == "Mới nhất · Năm 2026"

    # An indicator without targets says so and carries a neutral badge, never a status.
    operating = cards_by_code["BUDGET_OPERATING"]
    assert all("*không đặt mục tiêu*" in line for line in operating.target_lines)
    assert operating.badge(2030) == ("none", "– Không đánh giá")

    # Every card: two badges with a known status, a link to its own indicator page, a sparkline.
    for code, card in cards_by_code.items():
        assert len(card.target_lines) == 2, code
        for horizon in (2030, 2045):
            status, text = card.badge(horizon)
            assert status in (*STATUSES, "none"), (code, status)
        assert card.link_query == f"code={code}&lang=vi"
        assert card.charts == 1, code

    # At a glance: per horizon, how many indicators stand where ("3 ▲ Đúng tiến độ"), matching the cards.
    for horizon in (2030, 2045):
        (line,) = [m.value for m in at.main.markdown if m.value.startswith(f"**Mục tiêu {horizon}**")]
        summary = {status: text for status, text in badges(line)}
        per_card = Counter(c.badge(horizon)[0] for c in found if c.badge(horizon)[0] != "none")
        assert {s: int(text.split()[0]) for s, text in summary.items()} == dict(per_card), horizon
        assert sum(per_card.values()) == 13  # every indicator but the operating budget, which has no target
        for card in found:
            status, text = card.badge(horizon)
            if status != "none":
                assert summary[status].split(" ", 1)[1] == text  # same symbol and word as on the card


def test_vietnamese_groups_by_task(sample_dir, open_app):
    at = open_app(sample_dir)
    headings = [s.value for s in at.subheader]
    used = sorted({i.pillar for i in CATALOG.indicators.values()})
    assert headings == [f"Nhiệm vụ {n} · {CATALOG.pillars[n].name_vi}" for n in used]


def test_english_cards(sample_dir, open_app):
    at = open_app(sample_dir, lang="en")
    assert [t.value for t in at.title] == ["Indicators at a glance"]
    cards_by_code = by_code(cards(at), "en")
    assert len(cards_by_code) == 14
    missions = cards_by_code["MISSIONS_ABROAD"]
    assert missions.name == MISSIONS_EN
    assert missions.metric_label == "Latest · Q3 2026"
    assert missions.metric_value.startswith("97 ")
    assert missions.target_lines[0].startswith("2030 target: **115**")
    assert missions.badge(2030) == ("limited_progress", "▼ Limited progress")
    assert missions.badge(2045) == ("acceleration_needed", "◆ Acceleration needed")
    assert missions.link_label == "Details"
    assert missions.link_query == "code=MISSIONS_ABROAD&lang=en"
    # English number format: comma for thousands, dot for decimals.
    assert cards_by_code["STAFF_HEADCOUNT"].metric_value.startswith("3,221 ")
    assert cards_by_code["STAFF_HEADCOUNT"].target_lines[0].startswith("2030 target: **2,900** *(illustrative)*")
    assert cards_by_code["BUDGET_OPERATING"].metric_value.startswith("4,164.9 ")
    assert cards_by_code["BUDGET_OPERATING"].badge(2045) == ("none", "– Not assessed")
    assert cards_by_code["LAWS_ENACTED"].metric_label == "Latest · 2026"
    headings = [s.value for s in at.subheader]
    assert headings[0].startswith("Task 1 · ")
    assert all(CATALOG.pillars[int(h.split()[1])].name_en in h for h in headings)
    text = page_text(at)
    for vietnamese in ("Mục tiêu", "Mới nhất", "Xem chi tiết", "Nhiệm vụ"):
        assert vietnamese not in text


@pytest.mark.parametrize("lang, decimal, thousands", [("vi", ",", "."), ("en", ".", ",")])
def test_sparklines_follow_the_language(sample_dir, open_app, lang, decimal, thousands):
    at = open_app(sample_dir, lang=lang)
    specs = charts(at)
    assert len(specs) == 14
    for spec, _ in specs:
        assert spec["config"]["locale"]["number"]["decimal"] == decimal
        assert spec["config"]["locale"]["number"]["thousands"] == thousands


def test_filter_by_task_and_domain(sample_dir, open_app):
    at = open_app(sample_dir)
    at.multiselect(key="f_pillar").set_value([2]).run()
    assert [s.value for s in at.subheader] == [f"Nhiệm vụ 2 · {CATALOG.pillars[2].name_vi}"]
    shown = set(by_code(cards(at), "vi"))
    assert shown == {c for c, i in CATALOG.indicators.items() if i.pillar == 2}
    assert "MISSIONS_ABROAD" in shown

    at.multiselect(key="f_pillar").set_value([]).run()
    at.multiselect(key="f_domain").set_value(["digital"]).run()
    shown = set(by_code(cards(at), "vi"))
    assert shown == {c for c, i in CATALOG.indicators.items() if i.domain == "digital"}
    assert at.multiselect(key="f_domain").options == [
        {"missions": "Cơ quan đại diện", "staff": "Cán bộ", "training": "Đào tạo", "digital": "Chuyển đổi số",
         "budget": "Ngân sách", "institutions": "Thể chế", "identity": "Bản sắc"}[d]
        for d in ("missions", "staff", "training", "digital", "budget", "institutions", "identity")
        if any(i.domain == d for i in CATALOG.indicators.values())
    ]

    # A task and a domain with nothing in common: a message, no card.
    at.multiselect(key="f_pillar").set_value([1]).run()
    assert cards(at) == []
    assert [w.value for w in at.warning] == ["Không có chỉ tiêu nào khớp bộ lọc."]


def test_footer_dates_the_data(sample_dir, open_app):
    at = open_app(sample_dir)
    footer = at.caption[-1].value
    assert footer.startswith("Số liệu cập nhật đến ")
    day = footer.split("Số liệu cập nhật đến ")[1][:10]
    assert day[2] == day[5] == "/" and day[6:].isdigit()  # dd/mm/yyyy
    assert "Dữ liệu mẫu" in footer


@pytest.mark.parametrize("lang, title, empty", [
    ("vi", "Tổng quan các chỉ tiêu", "Chưa có số liệu"),
    ("en", "Indicators at a glance", "No data yet"),
])
@pytest.mark.parametrize("where", ["empty_dir", "rejected_only_dir"])
def test_empty_database_says_how_to_load(request, open_app, where, lang, title, empty):
    at = open_app(request.getfixturevalue(where), lang=lang)
    assert [t.value for t in at.title] == [title]
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**")
    assert "`kpi demo`" in info and "`kpi ingest`" in info
    assert str(request.getfixturevalue(where) / "inbox") in info
    assert len(at.metric) == 0 and cards(at) == []
