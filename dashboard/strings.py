"""Every user-visible string of the dashboard, in both languages, in one place."""

from __future__ import annotations

import streamlit as st

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {
        "vi": "Kế hoạch phát triển ngành ngoại giao đến 2030, tầm nhìn 2045",
        "en": "Diplomatic sector development plan to 2030, vision 2045",
    },
    "app_subtitle": {
        "vi": "Theo dõi chỉ tiêu Nghị quyết 292/NQ-CP",
        "en": "KPI tracker for Resolution 292/NQ-CP",
    },
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "page_overview": {"vi": "Tổng quan", "en": "Overview"},
    "overview_title": {"vi": "Tổng quan các chỉ tiêu", "en": "Indicators at a glance"},
    "empty_title": {"vi": "Chưa có số liệu", "en": "No data yet"},
    "empty_body": {
        "vi": "Kho dữ liệu chưa có số liệu nào. Để nạp dữ liệu mẫu, chạy `kpi demo`; "
              "để nạp tệp của các đơn vị, đặt tệp CSV/XLSX vào thư mục `{inbox}` rồi chạy `kpi ingest`.",
        "en": "The warehouse holds no data yet. To load the sample data run `kpi demo`; "
              "to load reporters' files, put the CSV/XLSX files in `{inbox}` and run `kpi ingest`.",
    },
    "latest": {"vi": "Mới nhất", "en": "Latest"},
    "as_of": {"vi": "kỳ", "en": "as of"},
    "target_2030": {"vi": "Mục tiêu 2030", "en": "2030 target"},
    "target_2045": {"vi": "Mục tiêu 2045", "en": "2045 target"},
    "no_target": {"vi": "không đặt mục tiêu", "en": "no target"},
    "illustrative": {"vi": "minh họa", "en": "illustrative"},
    "illustrative_note": {
        "vi": "Mục tiêu minh họa: Nghị quyết không nêu con số; giá trị này do chuyên viên đặt tạm và sẽ được thay thế.",
        "en": "Illustrative target: the published plan gives no number; this placeholder is set by analysts and will be replaced.",
    },
    "source_plan": {"vi": "Nghị quyết", "en": "plan"},
    "source_national": {"vi": "mục tiêu quốc gia", "en": "national target"},
    "no_value": {"vi": "chưa có số liệu", "en": "no data"},
    "pillar": {"vi": "Nhiệm vụ {n}", "en": "Task {n}"},
    "data_as_of": {"vi": "Số liệu cập nhật đến {date}", "en": "Data loaded up to {date}"},
    "sample_data": {
        "vi": "Dữ liệu mẫu: trừ số cơ quan đại diện (nguồn công khai), các số liệu là giả định để minh họa.",
        "en": "Sample data: apart from the count of missions (public sources), figures are invented for illustration.",
    },
    "settings_error": {"vi": "Cấu hình không hợp lệ", "en": "Invalid configuration"},
    "reporters": {"vi": "Đơn vị báo cáo", "en": "Reporters"},
    "status_achieved": {"vi": "Đã đạt", "en": "Achieved"},
    "status_on_track": {"vi": "Đúng tiến độ", "en": "On track"},
    "status_acceleration_needed": {"vi": "Cần đẩy nhanh", "en": "Acceleration needed"},
    "status_limited_progress": {"vi": "Tiến triển hạn chế", "en": "Limited progress"},
    "status_deterioration": {"vi": "Đi xuống", "en": "Deterioration"},
    "status_insufficient_data": {"vi": "Chưa đủ số liệu", "en": "Insufficient data"},
    "status_none": {"vi": "Không đánh giá", "en": "Not assessed"},
    "status_legend": {"vi": "Chú giải trạng thái", "en": "Status legend"},
}


def lang() -> str:
    """The session's language: the `lang` URL parameter, else the configured default."""
    return st.session_state.get("lang", "vi")


def t(key: str, **params: object) -> str:
    text = STRINGS[key][lang()]
    return text.format(**params) if params else text
