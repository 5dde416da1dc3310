"""The language switch: Vietnamese by default, `?lang=` in the URL, the sidebar radio on every page."""

from __future__ import annotations

import pytest

from tests.app.conftest import PAGES

TITLES = {
    "overview": ("Tổng quan các chỉ tiêu", "Indicators at a glance"),
    "indicator": (None, None),  # the indicator's own name; checked in test_indicator.py
    "missions": ("Cơ quan đại diện Việt Nam ở nước ngoài", "Vietnam's representative agencies abroad"),
    "review": ("Rà soát thực hiện Kế hoạch theo quý", "Quarterly review of the plan"),
    "data_status": ("Tình trạng tiếp nhận dữ liệu", "Data status"),
    "upload": ("Nạp tệp số liệu", "Upload data files"),
}


def test_vietnamese_by_default(sample_dir, open_app):
    at = open_app(sample_dir)
    (radio,) = at.radio
    assert radio.label == "Ngôn ngữ / Language"
    assert radio.options == ["Tiếng Việt", "English"]
    assert radio.value == "vi"
    assert at.query_params["lang"] == "vi"
    assert at.title[0].value == "Tổng quan các chỉ tiêu"


@pytest.mark.parametrize("wanted", ["fr", ""])
def test_unknown_language_in_the_url_falls_back_to_vietnamese(sample_dir, open_app, wanted):
    at = open_app(sample_dir, lang=wanted)
    assert at.radio(key="lang_choice").value == "vi"
    assert at.title[0].value == "Tổng quan các chỉ tiêu"


# The review page (≈4 s per render) is checked in both languages in test_review.py.
@pytest.mark.parametrize("page", [p for p in PAGES if TITLES[p][0] and p != "review"])
def test_radio_switches_every_page_and_the_url(sample_dir, open_app, page):
    at = open_app(sample_dir, page)
    vi, en = TITLES[page]
    assert at.title[0].value == vi
    at.radio(key="lang_choice").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == en
    assert at.query_params["lang"] == "en"  # a reload or a shared link keeps English
    at.radio(key="lang_choice").set_value("vi").run()
    assert at.title[0].value == vi and at.query_params["lang"] == "vi"


def test_language_survives_navigation_and_reruns(sample_dir, open_app):
    at = open_app(sample_dir, lang="en")
    for page in ("missions", "data_status", "upload", "overview"):
        at.switch_page(PAGES[page]).run()
        assert at.radio(key="lang_choice").value == "en", page
        assert at.title[0].value == TITLES[page][1], page
        at.run()
        assert at.title[0].value == TITLES[page][1], page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_demo_mode_says_so_in_the_sidebar(sample_dir, open_app, lang):
    at = open_app(sample_dir, lang=lang)
    (note,) = [i.value for i in at.sidebar.info]  # local demo mode: no sign-in, every visitor an analyst
    assert note == {"vi": "Chế độ demo cục bộ: chưa cấu hình đăng nhập, chỉ truy cập được từ máy này.",
                    "en": "Local demo mode: no sign-in configured; reachable from this machine only."}[lang]


def test_switching_language_keeps_the_indicator_and_its_selection(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", code="MISSIONS_ABROAD")
    embassy = [o for o in at.selectbox[2].options if o.endswith("Đại sứ quán")][0]
    at.selectbox[2].select_index(at.selectbox[2].options.index(embassy)).run()
    at.radio(key="lang_choice").set_value("en").run()
    assert not at.exception
    assert at.selectbox[0].value == "MISSIONS_ABROAD"
    assert at.selectbox[2].value == at.query_params["breakdown"]
    assert at.selectbox[2].options[at.selectbox[2].index].endswith("Embassy")
    assert at.query_params["code"] == "MISSIONS_ABROAD" and at.query_params["lang"] == "en"
    assert at.subheader[0].value == "How the status is worked out"
