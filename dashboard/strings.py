"""Every user-visible string of the dashboard, in both languages, in one place."""

from __future__ import annotations

from typing import Any

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
    # Live pages and reporting deadlines (issue 19)
    "live_new_data": {"vi": "Có số liệu mới.", "en": "New data has arrived."},
    "live_refresh": {"vi": "Làm mới trang", "en": "Refresh"},
    "dl_title": {"vi": "Hạn báo cáo", "en": "Reporting deadlines"},
    "dl_caption": {
        "vi": "Báo cáo quý đến hạn {quarterly} ngày, báo cáo năm {annual} ngày sau khi kỳ kết thúc. "
              "Tỷ lệ báo cáo = số báo cáo đã nhận / số báo cáo phải nộp; tỷ lệ đúng hạn = số báo cáo nhận đúng hạn / số phải nộp "
              "(các kỳ đã qua hạn, cách tính của DHIS2).",
        "en": "A quarter's report is due {quarterly} days, a year's {annual} days after the period ends. "
              "Reporting rate = reports received / reports expected; on-time rate = reports received by the deadline / "
              "reports expected (periods past their deadline, as DHIS2 counts them).",
    },
    "dl_no_deadlines": {"vi": "Danh mục chưa đặt hạn báo cáo (data/catalog/deadlines.csv).",
                        "en": "The catalog sets no reporting deadlines (data/catalog/deadlines.csv)."},
    "dl_period": {"vi": "Kỳ", "en": "Period"},
    "dl_expected": {"vi": "Phải nộp", "en": "Expected"},
    "dl_received": {"vi": "Đã nhận", "en": "Received"},
    "dl_on_time_n": {"vi": "Đúng hạn", "en": "On time"},
    "dl_reporting_rate": {"vi": "Tỷ lệ báo cáo", "en": "Reporting rate"},
    "dl_on_time_rate": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
    "dl_due_col": {"vi": "Hạn nộp", "en": "Due"},
    "dl_status": {"vi": "Tình trạng", "en": "Status"},
    "dl_indicators": {"vi": "Chỉ tiêu đã nhận", "en": "Indicators received"},
    "dl_arrived": {"vi": "Ngày nhận đủ", "en": "Complete on"},
    "dl_on_time": {"vi": "Đúng hạn", "en": "On time"},
    "dl_late": {"vi": "Muộn {days} ngày", "en": "Late by {days} days"},
    "dl_missing": {"vi": "Chưa nộp (quá hạn {days} ngày)", "en": "Missing ({days} days past due)"},
    "dl_due": {"vi": "Chưa đến hạn ({day})", "en": "Not yet due ({day})"},
    "dl_inbox_title": {"vi": "Tệp đang chờ trong thư mục nhận", "en": "Files waiting in the inbox"},
    "dl_inbox_none": {"vi": "Không có tệp nào đang chờ.", "en": "No file is waiting."},
    "dl_size": {"vi": "Dung lượng", "en": "Size"},
    "dl_waiting_min": {"vi": "Đã chờ (phút)", "en": "Waiting (minutes)"},
    "dl_rejected_title": {"vi": "Tệp bị từ chối chưa được gửi lại", "en": "Rejected files not yet replaced"},
    "dl_rejected_none": {"vi": "Mọi tệp bị từ chối đều đã được gửi lại.", "en": "Every rejected file has been replaced."},
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
    "filter_task": {"vi": "Nhiệm vụ trọng tâm", "en": "Key task"},
    "filter_domain": {"vi": "Lĩnh vực", "en": "Domain"},
    "filter_all": {"vi": "Tất cả", "en": "All"},
    "filter_nothing": {"vi": "Không có chỉ tiêu nào khớp bộ lọc.", "en": "No indicator matches the filters."},
    "domain_missions": {"vi": "Cơ quan đại diện", "en": "Missions"},
    "domain_staff": {"vi": "Cán bộ", "en": "Staff"},
    "domain_training": {"vi": "Đào tạo", "en": "Training"},
    "domain_digital": {"vi": "Chuyển đổi số", "en": "Digital"},
    "domain_budget": {"vi": "Ngân sách", "en": "Budget"},
    "domain_institutions": {"vi": "Thể chế", "en": "Institutions"},
    "domain_identity": {"vi": "Bản sắc", "en": "Identity"},
    "details": {"vi": "Xem chi tiết", "en": "Details"},
    "page_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "page_missions": {"vi": "Cơ quan đại diện", "en": "Missions abroad"},
    "page_status": {"vi": "Tình trạng dữ liệu", "en": "Data status"},
    "page_upload": {"vi": "Nạp tệp", "en": "Upload"},
    "choose_indicator": {"vi": "Chọn chỉ tiêu", "en": "Choose an indicator"},
    "observed": {"vi": "Thực tế", "en": "Observed"},
    "required_path": {"vi": "Lộ trình cần đạt", "en": "Required path"},
    "projection": {"vi": "Dự báo theo tốc độ hiện tại", "en": "Projection at current rate"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "year": {"vi": "Năm", "en": "Year"},
    "period": {"vi": "Kỳ", "en": "Period"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "reporter": {"vi": "Đơn vị báo cáo", "en": "Reporter"},
    "breakdown": {"vi": "Phân tổ", "en": "Breakdown"},
    "breakdown_by": {"vi": "Phân tổ theo", "en": "Break down by"},
    "total": {"vi": "Tổng", "en": "Total"},
    "all_reporters": {"vi": "Tổng hợp các đơn vị", "en": "All reporters combined"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "chart_subtitle": {
        "vi": "Đơn vị: {unit} · Số liệu đến {period} · Nguồn: báo cáo của các đơn vị, {plan}",
        "en": "Unit: {unit} · Data to {period} · Source: reporters' files, {plan}",
    },
    "working_title": {"vi": "Cách tính trạng thái", "en": "How the status is worked out"},
    "working_baseline": {"vi": "Kỳ gốc", "en": "Baseline"},
    "working_latest": {"vi": "Mới nhất", "en": "Latest"},
    "working_method": {"vi": "Phương pháp", "en": "Method"},
    "method_compound": {"vi": "tăng trưởng kép", "en": "compound growth"},
    "method_linear": {"vi": "tuyến tính", "en": "linear"},
    "working_r_obs": {"vi": "Tốc độ thực tế", "en": "Observed rate"},
    "working_r_req": {"vi": "Tốc độ cần thiết", "en": "Required rate"},
    "working_ratio": {"vi": "Tỷ số R", "en": "Ratio R"},
    "working_needed": {"vi": "Tốc độ cần từ nay", "en": "Rate now needed"},
    "working_projected": {"vi": "Dự báo {year}", "en": "Projected {year}"},
    "working_rule": {
        "vi": "R = tốc độ thực tế / tốc độ cần thiết: R ≥ 0,95 đúng tiến độ; 0,6–0,95 cần đẩy nhanh; 0–0,6 tiến triển hạn chế; R < 0 đi xuống.",
        "en": "R = observed rate / required rate: R ≥ 0.95 on track; 0.6–0.95 acceleration needed; 0–0.6 limited progress; R < 0 deterioration.",
    },
    "definition": {"vi": "Định nghĩa", "en": "Definition"},
    "plan_source": {"vi": "Căn cứ trong Kế hoạch", "en": "Source in the plan"},
    "kind_count": {"vi": "số đếm", "en": "count"},
    "kind_amount": {"vi": "giá trị", "en": "amount"},
    "kind_percent": {"vi": "tỷ lệ %", "en": "percentage"},
    "freq_quarterly": {"vi": "hằng quý", "en": "quarterly"},
    "freq_annual": {"vi": "hằng năm", "en": "yearly"},
    "direction_increase": {"vi": "càng cao càng tốt", "en": "higher is better"},
    "direction_decrease": {"vi": "càng thấp càng tốt (tinh gọn)", "en": "lower is better (streamlining)"},
    "direction_none": {"vi": "chỉ theo dõi, không đánh giá", "en": "context only, not assessed"},
    "table_title": {"vi": "Bảng số liệu", "en": "Data table"},
    "files_title": {"vi": "Tệp và lần nạp tạo nên từng giá trị", "en": "Files and loads behind each value"},
    "file": {"vi": "Tệp", "en": "File"},
    "load": {"vi": "Lần nạp", "en": "Load"},
    "loaded_at": {"vi": "Thời điểm nạp", "en": "Loaded at"},
    "row": {"vi": "Dòng", "en": "Row"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "download_csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "download_xlsx": {"vi": "Tải Excel", "en": "Download Excel"},
    "download_png": {"vi": "Tải ảnh PNG", "en": "Download PNG"},
    "no_indicator_data": {"vi": "Chỉ tiêu này chưa có số liệu.", "en": "This indicator has no data yet."},
    "unknown_indicator": {"vi": "Không có chỉ tiêu mã {code}.", "en": "There is no indicator with code {code}."},
    "missions_title": {"vi": "Cơ quan đại diện Việt Nam ở nước ngoài", "en": "Vietnam's representative agencies abroad"},
    "missions_total": {"vi": "Tổng số cơ quan đại diện, {period}", "en": "Agencies abroad, {period}"},
    "to_go": {"vi": "còn thiếu", "en": "to go"},
    "agencies": {"vi": "Số cơ quan", "en": "Agencies"},
    "country": {"vi": "Quốc gia", "en": "Country"},
    "map_title": {"vi": "Cơ quan đại diện theo quốc gia, {period}", "en": "Agencies by country, {period}"},
    "map_subtitle": {
        "vi": "{total} cơ quan tại {countries} quốc gia, vùng lãnh thổ · Nguồn: Bộ Ngoại giao (dữ liệu mẫu theo số liệu công khai)",
        "en": "{total} agencies in {countries} countries and territories · Source: MOFA (sample data after public figures)",
    },
    "types_title": {"vi": "Số cơ quan đại diện theo loại, so với mục tiêu", "en": "Agencies by type against the targets"},
    "types_subtitle": {
        "vi": "Mục tiêu Nghị quyết 292/NQ-CP: khoảng 115 cơ quan đến 2030, khoảng 150 đến 2045",
        "en": "Resolution 292/NQ-CP targets: about 115 agencies by 2030, about 150 by 2045",
    },
    "by_country": {"vi": "Theo quốc gia", "en": "By country"},
    "status_title": {"vi": "Tình trạng tiếp nhận dữ liệu", "en": "Data status"},
    "status": {"vi": "Trạng thái", "en": "Status"},
    "loads_loaded": {"vi": "Tệp đã nạp", "en": "Files loaded"},
    "loads_duplicate": {"vi": "Tệp trùng lặp", "en": "Duplicate files"},
    "loads_rejected": {"vi": "Tệp bị từ chối", "en": "Files rejected"},
    "load_loaded": {"vi": "Đã nạp", "en": "Loaded"},
    "load_duplicate": {"vi": "Trùng lặp", "en": "Duplicate"},
    "load_rejected": {"vi": "Bị từ chối", "en": "Rejected"},
    "missing_title": {"vi": "Báo cáo còn thiếu cho {period}", "en": "Reports missing for {period}"},
    "missing_none": {"vi": "Mọi đơn vị đã báo cáo kỳ mới nhất.", "en": "Every reporter has sent the latest quarter."},
    "missing_some": {
        "vi": "{n} cặp đơn vị – chỉ tiêu chưa gửi số liệu kỳ mới nhất (so với những gì họ thường báo cáo).",
        "en": "{n} reporter–indicator pairs have not sent the latest quarter (of what they usually report).",
    },
    "last_period": {"vi": "Kỳ gần nhất đã gửi", "en": "Last period sent"},
    "arrivals_title": {"vi": "Số liệu đã nhận theo đơn vị và kỳ", "en": "What arrived, by reporter and period"},
    "arrivals_caption": {"vi": "Số giá trị hiện hành của mỗi đơn vị trong từng kỳ (10 kỳ gần nhất).", "en": "Current values per reporter and period (last 10 periods)."},
    "loads_title": {"vi": "Nhật ký nạp tệp", "en": "Load log"},
    "rows": {"vi": "Số dòng", "en": "Rows"},
    "revised": {"vi": "Sửa đổi", "en": "Revised"},
    "problems": {"vi": "Lỗi", "en": "Problems"},
    "rejected_title": {"vi": "Báo cáo lỗi của tệp bị từ chối", "en": "Report of a rejected file"},
    "rejected_pick": {"vi": "Chọn tệp", "en": "Choose a file"},
    "rejected_summary": {
        "vi": "{file}: {n} lỗi, không dòng nào được nạp. Sửa các lỗi dưới đây rồi gửi lại cả tệp.",
        "en": "{file}: {n} problem(s), nothing loaded. Fix these and send the whole file again.",
    },
    "rejected_where": {"vi": "Tệp gốc được lưu tại {path}", "en": "The original file is kept at {path}"},
    "more_problems": {"vi": "... và {n} lỗi khác", "en": "... and {n} more"},
    "column": {"vi": "Cột", "en": "Column"},
    "reason": {"vi": "Lý do", "en": "Reason"},
    "upload_title": {"vi": "Nạp tệp số liệu", "en": "Upload data files"},
    "upload_help": {
        "vi": "Chọn một hoặc nhiều tệp CSV/XLSX theo mẫu báo cáo. Mỗi tệp được kiểm tra trước; khi nạp, tệp hợp lệ được nạp trọn vẹn, tệp lỗi bị từ chối trọn vẹn kèm báo cáo.",
        "en": "Choose one or more CSV/XLSX files in the reporting template. Each file is checked first; on load, a valid file is loaded whole and a faulty one is rejected whole with a report.",
    },
    "upload_label": {"vi": "Tệp CSV hoặc Excel", "en": "CSV or Excel files"},
    "upload_valid": {"vi": "{file}: hợp lệ, {rows} dòng sẵn sàng nạp.", "en": "{file}: valid, {rows} rows ready to load."},
    "upload_invalid": {"vi": "{file}: {n} lỗi — tệp sẽ bị từ chối.", "en": "{file}: {n} problem(s) — the file will be rejected."},
    "upload_rejected_note": {
        "vi": "Tệp lỗi vẫn được lưu trong thư mục rejected/ kèm báo cáo để đối chiếu.",
        "en": "Faulty files are still kept in rejected/ with their report.",
    },
    "upload_button": {"vi": "Nạp {n} tệp", "en": "Load {n} file(s)"},
    "upload_busy": {
        "vi": "Một lần nạp khác đang chạy. Vui lòng thử lại sau ít phút.",
        "en": "Another load is running. Please try again in a few minutes.",
    },
    "page_review": {"vi": "Rà soát quý", "en": "Quarterly review"},
    "review_title": {"vi": "Rà soát thực hiện Kế hoạch theo quý", "en": "Quarterly review of the plan"},
    "review_pick": {"vi": "Quý rà soát", "en": "Quarter"},
    "review_print_hint": {
        "vi": "Mỗi khung là một trang trình chiếu 16:9; in bằng trình duyệt (Ctrl+P) được mỗi khung một trang. Tải bộ ảnh và PDF bằng lệnh `kpi report`.",
        "en": "Each panel is a 16:9 slide; the browser's print (Ctrl+P) gives one panel per page. `kpi report` renders the PNG and PDF files.",
    },
    "review_rendering": {"vi": "Đang dựng các khung rà soát…", "en": "Rendering the review panels…"},
    "review_as_of": {"vi": "Số liệu tính đến {date} ({quarter})", "en": "As of {date} ({quarter})"},
    "review_to_date": {"vi": "Số liệu đến nay, ngày {date} ({quarter} chưa kết thúc)", "en": "Data to date, {date} ({quarter} not over)"},
    "review_col_previous": {"vi": "{previous}", "en": "{previous}"},
    "review_col_change": {"vi": "Thay đổi", "en": "Change"},
    "previous_line": {"vi": "{previous}: {value} · thay đổi {change}", "en": "{previous}: {value} · change {change}"},
    "changes_row": {"vi": "{n} dòng số liệu", "en": "{n} row"},
    "changes_rows": {"vi": "{n} dòng số liệu", "en": "{n} rows"},
    "projection_clipped": {"vi": "dự báo vượt khung biểu đồ", "en": "projection runs off the chart"},
    "cover_plan": {"vi": "Kế hoạch", "en": "Plan"},
    "cover_quarter": {"vi": "Quý rà soát", "en": "Quarter"},
    "cover_in_progress": {"vi": "chưa kết thúc", "en": "not over"},
    "cover_as_of": {"vi": "Số liệu", "en": "Figures"},
    "cover_cutoff": {"vi": "Chốt số liệu (lần nạp cuối)", "en": "Data cut-off (last load)"},
    "cover_generated": {"vi": "Thời điểm lập", "en": "Generated at"},
    "cover_language": {"vi": "Ngôn ngữ", "en": "Language"},
    "cover_approved": {"vi": "Phê duyệt số liệu", "en": "Figures approved by"},
    "cover_not_approved": {"vi": "chưa có phê duyệt (số liệu chưa được ký duyệt)", "en": "not yet approved (no sign-off recorded)"},
    "commentary_title": {"vi": "Nhận định của quý", "en": "Commentary for the quarter"},
    "commentary_head": {"vi": "Nhận định {quarter} · Đơn vị chủ trì: {owner}", "en": "Commentary, {quarter} · Owner: {owner}"},
    "commentary_missing": {
        "vi": "Chưa có nhận định cho {quarter}: đơn vị chủ trì cần nêu nguyên nhân và bước tiếp theo.",
        "en": "No commentary for {quarter} yet: the owner should explain the status and the next steps.",
    },
    "commentary_in_vi": {"vi": "bằng tiếng Việt", "en": "in Vietnamese only"},
    "commentary_in_en": {"vi": "chỉ có bằng tiếng Anh", "en": "in English"},
    "commentary_happened": {"vi": "Diễn biến", "en": "What happened"},
    "commentary_challenges": {"vi": "Khó khăn", "en": "Challenges"},
    "commentary_next_steps": {"vi": "Bước tiếp theo", "en": "Next steps"},
    "commentary_owner": {"vi": "Đơn vị chủ trì", "en": "Owner"},
    "commentary_versions": {"vi": "{n} phiên bản; bản mới nhất do {author} viết lúc {at}", "en": "{n} versions; latest by {author} at {at}"},
    "commentary_form_help": {"vi": "Viết nhận định cho {quarter} (lưu thành phiên bản mới, bản cũ được giữ lại)", "en": "Write the commentary for {quarter} (saved as a new version; earlier ones are kept)"},
    "commentary_save": {"vi": "Lưu nhận định", "en": "Save commentary"},
    "commentary_saved": {"vi": "Đã lưu nhận định.", "en": "Commentary saved."},
    "commentary_not_saved": {"vi": "Chưa lưu: {reason}", "en": "Not saved: {reason}"},
    "commentary_write": {"vi": "Viết nhận định", "en": "Write commentary"},
    "target_revised": {"vi": "điều chỉnh ngày {date}, trước đó {before}", "en": "revised {date}, was {before}"},
    "target_from": {"vi": "từ ngày {date}", "en": "from {date}"},
    "changes_targets": {"vi": "Mục tiêu được điều chỉnh trong {quarter}", "en": "Targets revised in {quarter}"},
    "target_history": {"vi": "Mục tiêu {horizon} đã điều chỉnh ngày {date} (trước đó {before}): {reason}",
                       "en": "The {horizon} target was revised on {date} (was {before}): {reason}"},
    "review_summary_title": {"vi": "Tổng quan trạng thái các chỉ tiêu", "en": "Status of every indicator"},
    "review_col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "review_col_latest": {"vi": "Mới nhất", "en": "Latest"},
    "changes_title": {"vi": "Thay đổi so với quý trước", "en": "What changed since the previous quarter"},
    "changes_status": {"vi": "Trạng thái thay đổi so với {previous}", "en": "Status moves since {previous}"},
    "changes_none": {"vi": "Không có", "en": "None"},
    "changes_new_values": {"vi": "Giá trị mới cho {quarter}", "en": "New values for {quarter}"},
    "changes_revisions": {"vi": "Giá trị được sửa đổi (hai quý gần nhất)", "en": "Revised values (last two quarters)"},
    "changes_new_reporters": {"vi": "Đơn vị báo cáo mới", "en": "New reporters"},
    "changes_missing": {"vi": "Chưa báo cáo {quarter} (đã báo cáo quý trước)", "en": "Not yet reported for {quarter} (reported the quarter before)"},
    "report_written": {"vi": "Đã ghi {n} khung vào {out}", "en": "Wrote {n} panels to {out}"},
    "login_title": {"vi": "Đăng nhập", "en": "Sign in"},
    "login_help": {
        "vi": "Bảng theo dõi chỉ tiêu Nghị quyết 292/NQ-CP. Đăng nhập bằng tài khoản do quản trị viên cấp.",
        "en": "KPI dashboard for Resolution 292/NQ-CP. Sign in with the account your administrator gave you.",
    },
    "login_oidc_help": {
        "vi": "Bảng theo dõi chỉ tiêu Nghị quyết 292/NQ-CP. Đăng nhập bằng tài khoản của cơ quan.",
        "en": "KPI dashboard for Resolution 292/NQ-CP. Sign in with your organisation's account.",
    },
    "login_oidc_button": {"vi": "Đăng nhập bằng tài khoản cơ quan", "en": "Sign in with your organisation"},
    "login_name": {"vi": "Tên đăng nhập", "en": "User name"},
    "login_password": {"vi": "Mật khẩu", "en": "Password"},
    "login_button": {"vi": "Đăng nhập", "en": "Sign in"},
    "login_failed": {"vi": "Tên đăng nhập hoặc mật khẩu không đúng.", "en": "Wrong user name or password."},
    "login_wait": {
        "vi": "Đã nhập sai nhiều lần. Vui lòng đợi {seconds} giây rồi thử lại.",
        "en": "Too many failed attempts. Please wait {seconds} seconds and try again.",
    },
    "signed_in_as": {"vi": "Đăng nhập: {name} ({role})", "en": "Signed in: {name} ({role})"},
    "role_viewer": {"vi": "xem", "en": "viewer"},
    "role_analyst": {"vi": "chuyên viên", "en": "analyst"},
    "role_approver": {"vi": "người phê duyệt", "en": "approver"},
    "logout": {"vi": "Đăng xuất", "en": "Sign out"},
    "demo_mode": {
        "vi": "Chế độ demo cục bộ: chưa cấu hình đăng nhập, chỉ truy cập được từ máy này.",
        "en": "Local demo mode: no sign-in configured; reachable from this machine only.",
    },
    "demo_mode_forced": {
        "vi": "Chế độ demo (KPI_DEMO_MODE=1): không đăng nhập, mọi người truy cập đều là chuyên viên.",
        "en": "Demo mode (KPI_DEMO_MODE=1): no sign-in, everyone who opens the app is an analyst.",
    },
    "demo_refused": {
        "vi": "Chưa cấu hình đăng nhập nên ứng dụng chỉ mở ở chế độ demo cho trình duyệt trên chính máy chủ "
              "(127.0.0.1, không qua proxy). Hãy tạo tài khoản (`kpi user add`) hoặc cấu hình OpenID Connect.",
        "en": "No sign-in is configured, so the app opens in demo mode only for a browser on the server itself "
              "(127.0.0.1, not through a proxy). Create accounts (`kpi user add`) or configure OpenID Connect.",
    },
    "config_closed_title": {"vi": "Ứng dụng tạm đóng", "en": "The app is closed"},
    "config_closed_body": {
        "vi": "Cấu hình đăng nhập bị lỗi nên ứng dụng không mở trang nào cho đến khi quản trị viên sửa. "
              "Quản trị viên: sửa lỗi dưới đây (xem docs/deployment.md) rồi tải lại trang; không cần khởi động lại.",
        "en": "The sign-in configuration is broken, so the app shows no page until the administrator fixes it. "
              "Administrator: fix the problem below (see docs/deployment.md), then reload; no restart is needed.",
    },
    "analysts_only": {"vi": "Trang này dành cho chuyên viên.", "en": "This page is for analysts."},
    "reports_analysts_only": {
        "vi": "Báo cáo lỗi chi tiết của tệp bị từ chối chỉ hiển thị cho chuyên viên.",
        "en": "Detailed reports of rejected files are shown to analysts only.",
    },
    "error_generic": {
        "vi": "Đã xảy ra lỗi khi hiển thị trang. Lỗi đã được ghi lại; vui lòng thử lại hoặc báo quản trị viên.",
        "en": "Something went wrong showing this page. The error was logged; please try again or tell the administrator.",
    },
    "upload_done": {"vi": "Đã nạp xong; các trang đã cập nhật.", "en": "Load finished; the pages now show the new data."},
    # Words inside formatted numbers and periods (dashboard.formatting) and chart subtitles.
    "plan_name": {"vi": "Nghị quyết 292/NQ-CP", "en": "Resolution 292/NQ-CP"},
    "fmt_per_year": {"vi": "/năm", "en": "/yr"},
    "fmt_points": {"vi": "điểm %", "en": "pp"},
    "fmt_year": {"vi": "Năm {year}", "en": "{year}"},
    "fmt_quarter": {"vi": "Quý {quarter}/{year}", "en": "Q{quarter} {year}"},
}


def lang() -> str:
    """The session's language: the `lang` URL parameter, else the configured default."""
    return st.session_state.get("lang", "vi")


def text(key: str, language: str, **params: object) -> str:
    """A string in a given language, outside any session (reports rendered by `kpi report`)."""
    value = STRINGS[key][language]
    return value.format(**params) if params else value


def t_or(key: str, default: str) -> str:
    """A label that may be missing (a domain an analyst added to the catalog): fall back to the raw name."""
    return STRINGS[key][lang()] if key in STRINGS else default


def t(key: str, **params: object) -> str:
    return text(key, lang(), **params)


def local_name(item: Any, language: str) -> str:
    """A catalog entry's name (pillar, reporter, dimension value: `name_vi` / `name_en`) in `language`."""
    return item.name_vi if language == "vi" else item.name_en


# Plausibility warnings, previews and provisional totals (issue 16).
STRINGS.update({
    "provisional_point": {"vi": "Tạm tính: {coverage}; thiếu {missing}", "en": "Provisional: {coverage}; missing {missing}"},
    "complete_point": {"vi": "Đủ {n} đơn vị báo cáo", "en": "All {n} reporters"},
    "coverage": {"vi": "Mức đầy đủ", "en": "Coverage"},
    "status_uses_complete": {
        "vi": "{period} là số tạm tính ({coverage}); trạng thái dựa trên kỳ đầy đủ gần nhất ({latest}).",
        "en": "{period} is provisional ({coverage}); the status uses the latest complete period ({latest}).",
    },
    "trend_only": {
        "vi": "Mục tiêu là mục tiêu quốc gia: chuỗi của một đơn vị hoặc một phân tổ chỉ thể hiện xu hướng, không đánh giá trạng thái.",
        "en": "Targets are national: one reporter's or one breakdown's series shows its trend, not a status.",
    },
    "warning_marker": {"vi": "Cảnh báo", "en": "Warning"},
    "warnings_on_values": {
        "vi": "{n} giá trị đã được nạp kèm cảnh báo (đã được xác nhận):",
        "en": "{n} value(s) were loaded with warnings (acknowledged):",
    },
    "acknowledged_by": {"vi": "Người xác nhận", "en": "Acknowledged by"},
    "provisional_title": {"vi": "Số tổng hợp tạm tính (thiếu đơn vị báo cáo)", "en": "Provisional totals (reporters missing)"},
    "provisional_none": {"vi": "Mọi kỳ đều đủ đơn vị báo cáo.", "en": "Every period's total has all expected reporters."},
    "missing_reporters": {"vi": "Đơn vị chưa báo cáo", "en": "Missing reporters"},
    "follow_up_title": {"vi": "Giá trị cần theo dõi", "en": "Values to follow up"},
    "follow_up_none": {"vi": "Không có giá trị nào được nạp kèm cảnh báo.", "en": "No value was loaded with a warning."},
    "warning": {"vi": "Cảnh báo", "en": "Warning"},
    "preview_counts": {
        "vi": "{file}: {rows} dòng — {new} giá trị mới, {revised} sửa đổi, {unchanged} không đổi.",
        "en": "{file}: {rows} rows — {new} new, {revised} revised, {unchanged} unchanged.",
    },
    "preview_duplicate": {
        "vi": "{file}: giống hệt tệp đã nạp lần #{load}; sẽ không nạp lại.",
        "en": "{file}: the same bytes as load #{load}; it will not be loaded again.",
    },
    "preview_revisions": {"vi": "Giá trị sửa đổi (cũ → mới)", "en": "Revised values (old → new)"},
    "preview_status_moves": {"vi": "Thay đổi trạng thái", "en": "Status changes"},
    "preview_warnings": {
        "vi": "{file}: {n} cảnh báo về tính hợp lý — cần chuyên viên xác nhận trước khi nạp.",
        "en": "{file}: {n} plausibility warning(s) — an analyst must acknowledge them before loading.",
    },
    "preview_acknowledge": {
        "vi": "Tôi ({name}) đã kiểm tra các cảnh báo và xác nhận nạp các giá trị này",
        "en": "I ({name}) have checked the warnings and confirm these values should be loaded",
    },
    "preview_needs_ack": {
        "vi": "Hãy xác nhận các cảnh báo ở trên để nạp, hoặc bỏ tệp có cảnh báo khỏi danh sách, sửa và tải lên lại.",
        "en": "Acknowledge the warnings above to load, or remove the file with warnings from the list, fix it and upload it again.",
    },
    "held_note": {
        "vi": "{file}: tạm giữ vì cảnh báo chưa được xác nhận; chưa nạp gì.",
        "en": "{file}: held back, its warnings were not acknowledged; nothing loaded.",
    },
    "old_value": {"vi": "Giá trị cũ", "en": "Old value"},
    "new_value": {"vi": "Giá trị mới", "en": "New value"},
    "before": {"vi": "Trước", "en": "Before"},
    "after": {"vi": "Sau", "en": "After"},
    "horizon": {"vi": "Mốc", "en": "Horizon"},
})


# Sign-off on the dashboard (issue 17).
STRINGS.update({
    "view_switch": {"vi": "Gồm cả số liệu chờ duyệt", "en": "Including pending"},
    "view_switch_help": {
        "vi": "Bật để xem cả các giá trị đã nạp nhưng chưa được phê duyệt; lãnh đạo (vai trò xem) chỉ thấy số liệu đã duyệt.",
        "en": "Show values that were loaded but not yet approved too; leaders (viewers) see approved figures only.",
    },
    "view_approved": {"vi": "Đang xem: chỉ số liệu đã phê duyệt", "en": "Showing: approved figures only"},
    "view_pending": {
        "vi": "Đang xem: gồm cả số liệu chờ phê duyệt (⏳ = chờ duyệt)",
        "en": "Showing: including figures pending approval (⏳ = pending)",
    },
    "pending_marker": {"vi": "⏳ chờ duyệt", "en": "⏳ pending approval"},
    "pending_waiting": {
        "vi": "{n} giá trị đang chờ phê duyệt ({pairs} cặp đơn vị–kỳ).",
        "en": "{n} value(s) wait for approval ({pairs} reporter-period pair(s)).",
    },
    "pending_none": {"vi": "Không có giá trị nào chờ phê duyệt.", "en": "No value waits for approval."},
    "pending_point": {"vi": "Chờ phê duyệt", "en": "Pending approval"},
    "approval": {"vi": "Phê duyệt", "en": "Approval"},
    "approvers_only": {"vi": "Trang này dành cho người phê duyệt.", "en": "This page is for approvers."},
    "page_approvals": {"vi": "Phê duyệt", "en": "Approvals"},
    "approvals_title": {"vi": "Phê duyệt số liệu", "en": "Sign-off"},
    "approvals_help": {
        "vi": "Số liệu các đơn vị gửi chỉ đến lãnh đạo sau khi được phê duyệt. Mỗi thao tác được ghi vào nhật ký với tên của bạn.",
        "en": "Figures reach the leaders only once approved. Every action is written to the audit log under your name.",
    },
    "approvals_waiting": {"vi": "Đang chờ phê duyệt", "en": "Waiting for approval"},
    "approvals_none": {"vi": "Không có gì chờ phê duyệt.", "en": "Nothing waits for approval."},
    "approvals_pair": {"vi": "{reporter} · {period} — {n} giá trị", "en": "{reporter} · {period} — {n} value(s)"},
    "approvals_sent_back": {"vi": "Đã trả lại: {reason}", "en": "Sent back: {reason}"},
    "approved_value": {"vi": "Giá trị đã duyệt (bị thay)", "en": "Approved value (replaced)"},
    "change": {"vi": "Thay đổi", "en": "Change"},
    "change_new": {"vi": "mới", "en": "new"},
    "change_revised": {"vi": "sửa đổi", "en": "revised"},
    "approve_button": {"vi": "Phê duyệt {reporter} {period}", "en": "Approve {reporter} {period}"},
    "send_back_button": {"vi": "Trả lại kèm lý do", "en": "Send back with the reason"},
    "send_back_title": {"vi": "Trả lại số liệu đã duyệt", "en": "Send approved figures back"},
    "send_back_help": {
        "vi": "Đưa một cặp đơn vị–kỳ đã duyệt về trạng thái chờ duyệt; lý do được ghi vào nhật ký.",
        "en": "Return an approved reporter and period to received; the reason is kept in the audit log.",
    },
    "quarters_title": {"vi": "Khóa quý", "en": "Closed quarters"},
    "quarters_help": {
        "vi": "Khóa một quý sẽ cố định mọi giá trị của các kỳ đến hết quý đó; mở lại cần nêu lý do.",
        "en": "Closing a quarter freezes every value of the periods up to it; reopening needs a reason.",
    },
    "quarters_closed": {"vi": "Đang khóa: {quarters}", "en": "Closed now: {quarters}"},
    "quarters_none": {"vi": "Chưa quý nào bị khóa.", "en": "No quarter is closed."},
    "quarter": {"vi": "Quý (YYYY-Qn)", "en": "Quarter (YYYY-Qn)"},
    "close_button": {"vi": "Khóa quý", "en": "Close the quarter"},
    "reopen_button": {"vi": "Mở lại quý", "en": "Reopen the quarter"},
    "reason_needed": {"vi": "Hãy nêu lý do (được ghi vào nhật ký).", "en": "Give a reason (it is kept in the audit log)."},
    "audit_title": {"vi": "Nhật ký thao tác", "en": "Audit log"},
    "audit_help": {"vi": "Chỉ đọc; {n} dòng gần nhất.", "en": "Read-only; the latest {n} rows."},
    "audit_at": {"vi": "Thời điểm (UTC)", "en": "When (UTC)"},
    "audit_actor": {"vi": "Người thực hiện", "en": "Who"},
    "audit_action": {"vi": "Thao tác", "en": "Action"},
    "audit_object": {"vi": "Đối tượng", "en": "What"},
    "audit_details": {"vi": "Chi tiết", "en": "Details"},
    "done_approve": {"vi": "Đã phê duyệt {obj} ({n} giá trị).", "en": "Approved {obj} ({n} value(s))."},
    "done_unapprove": {"vi": "Đã trả lại {obj}.", "en": "Sent {obj} back."},
    "done_close": {"vi": "Đã khóa {obj} ({n} giá trị được cố định).", "en": "Closed {obj} ({n} value(s) frozen)."},
    "done_reopen": {"vi": "Đã mở lại {obj}.", "en": "Reopened {obj}."},
    "signoff_busy": {
        "vi": "Kho dữ liệu đang được ghi bởi thao tác khác; vui lòng thử lại sau giây lát.",
        "en": "The warehouse is busy with another write; please try again in a moment.",
    },
})
