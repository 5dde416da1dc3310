"""What each notification says, in Vietnamese and English: subject and plain-text body.

Plain text only: values from files (names, codes) are never interpreted as markup.
"""

from __future__ import annotations

PREFIX = "[KPI 292]"

STATUS_WORDS = {
    "achieved": {"vi": "đã đạt", "en": "achieved"},
    "on_track": {"vi": "đúng tiến độ", "en": "on track"},
    "acceleration_needed": {"vi": "cần đẩy nhanh", "en": "acceleration needed"},
    "limited_progress": {"vi": "tiến triển hạn chế", "en": "limited progress"},
    "deterioration": {"vi": "đi xuống", "en": "deterioration"},
}

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "rejected": {
        "vi": ("Tệp {file} bị từ chối: {count} lỗi",
               "Tệp {file} nhận lúc {received} đã bị từ chối, không dòng nào được nạp.\n\n"
               "Các lỗi:\n{problems}\n\nBáo cáo đầy đủ được đính kèm. Xin sửa các lỗi rồi gửi lại cả tệp."),
        "en": ("Your file {file} was rejected: {count} problem(s)",
               "The file {file} received at {received} was rejected; no row was loaded.\n\n"
               "Problems:\n{problems}\n\nThe full report is attached. Please fix these and send the whole file again."),
    },
    "rejected_unknown": {
        "vi": ("Tệp {file} bị từ chối, không xác định được đơn vị báo cáo",
               "Tệp {file} nhận lúc {received} bị từ chối ({count} lỗi) và không xác định được đơn vị gửi, "
               "nên chưa ai được báo. Báo cáo đầy đủ được đính kèm.\n\n{problems}"),
        "en": ("File {file} rejected; its reporter could not be identified",
               "The file {file} received at {received} was rejected ({count} problem(s)) and no reporter could be "
               "identified, so nobody has been told. The full report is attached.\n\n{problems}"),
    },
    "warnings": {
        "vi": ("Tệp {file} đã được nạp, có {count} cảnh báo",
               "Tệp {file} đã được nạp nhưng có các cảnh báo sau; xin kiểm tra lại số liệu:\n\n{warnings}"),
        "en": ("Your file {file} was loaded with {count} warning(s)",
               "The file {file} was loaded, with these warnings; please check the figures:\n\n{warnings}"),
    },
    "waiting": {
        "vi": ("Tệp {file} đang chờ trong thư mục nhận",
               "Tệp {file} đã nằm trong thư mục nhận {minutes} phút mà chưa được nạp "
               "(có thể cần chuyên viên chấp nhận cảnh báo, hoặc tiến trình kpi watch không chạy)."),
        "en": ("File {file} is waiting in the inbox",
               "The file {file} has been in the inbox for {minutes} minutes without being loaded "
               "(it may need an analyst to accept its warnings, or kpi watch is not running)."),
    },
    "missing": {
        "vi": ("{reporter} chưa nộp báo cáo kỳ {period} (hạn {due})",
               "Đơn vị {reporter} ({name}) chưa nộp đủ báo cáo kỳ {period}: đã nhận {received}/{expected} chỉ tiêu. "
               "Hạn nộp là {due}."),
        "en": ("{reporter} has not reported {period} (due {due})",
               "{reporter} ({name}) has not sent its report for {period}: {received} of {expected} indicators received. "
               "It was due on {due}."),
    },
    "digest": {
        "vi": ("Tổng hợp nạp tệp ngày {day}: {loaded} đã nạp, {rejected} bị từ chối",
               "Từ {since} đến {until}:\n\n{lines}"),
        "en": ("Loads on {day}: {loaded} loaded, {rejected} rejected",
               "From {since} to {until}:\n\n{lines}"),
    },
    "worse": {
        "vi": ("{indicator}: trạng thái mục tiêu {horizon} chuyển từ \u201c{old}\u201d sang \u201c{new}\u201d",
               "{name}\n\nTrạng thái so với mục tiêu {horizon} ({target}) chuyển từ \u201c{old}\u201d sang \u201c{new}\u201d.\n"
               "Giá trị mới nhất: {latest} (kỳ {period}); tỷ số R = {ratio}."),
        "en": ("{indicator}: status for {horizon} worsened from \u201c{old}\u201d to \u201c{new}\u201d",
               "{name}\n\nThe status against the {horizon} target ({target}) went from \u201c{old}\u201d to \u201c{new}\u201d.\n"
               "Latest value: {latest} ({period}); ratio R = {ratio}."),
    },
    "review": {
        "vi": ("Bộ tài liệu rà soát quý {quarter} đã sẵn sàng",
               "Bộ tài liệu rà soát thực hiện Kế hoạch quý {quarter} được đính kèm (PDF)."),
        "en": ("The review pack for {quarter} is ready",
               "The quarterly review of the plan for {quarter} is attached (PDF)."),
    },
}


def render(kind: str, lang: str, **params: object) -> tuple[str, str]:
    subject, body = TEMPLATES[kind][lang]
    return f"{PREFIX} {subject.format(**params)}", body.format(**params)


def status_word(status: str | None, lang: str) -> str:
    return STATUS_WORDS.get(status or "", {}).get(lang, status or "-")
