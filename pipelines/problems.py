"""What can be wrong with a reporter's file, and how to say it in Vietnamese and English.

A problem is stored as a code plus parameters (in the load log, as JSON) and rendered in the
reader's language only when shown, so the CLI, the report beside a rejected file and the
dashboard all say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_REPORTED = 200  # problems listed per file; the rest are counted

MESSAGES: dict[str, dict[str, str]] = {
    "file_too_large": {
        "en": "the file is {size_mb} MB, over the {limit_mb} MB limit; split it or ask an administrator to raise KPI_MAX_FILE_MB",
        "vi": "tệp có dung lượng {size_mb} MB, vượt giới hạn {limit_mb} MB; hãy tách tệp hoặc đề nghị quản trị viên tăng KPI_MAX_FILE_MB",
    },
    "too_many_columns": {
        "en": "the header has {found} columns, over the limit of {limit}; remove the columns the template does not need, or ask an administrator to raise KPI_MAX_COLUMNS",
        "vi": "dòng tiêu đề có {found} cột, vượt giới hạn {limit} cột; hãy bỏ các cột không có trong mẫu báo cáo hoặc đề nghị quản trị viên tăng KPI_MAX_COLUMNS",
    },
    "too_many_cells": {
        "en": "the row has {found} cells, over the limit of {limit} (empty ones count too); delete the empty columns right of the table, or ask an administrator to raise KPI_MAX_ROW_CELLS",
        "vi": "dòng có {found} ô, vượt giới hạn {limit} ô (kể cả ô trống); hãy xóa các cột trống bên phải bảng hoặc đề nghị quản trị viên tăng KPI_MAX_ROW_CELLS",
    },
    "sheet_too_wide": {
        "en": "cell {cell} of sheet '{sheet}' holds a value in column {found}, beyond the limit of {limit} cells per row; delete the columns right of the table, or ask an administrator to raise KPI_MAX_ROW_CELLS",
        "vi": "ô {cell} của trang tính '{sheet}' có giá trị ở cột thứ {found}, vượt giới hạn {limit} ô mỗi dòng; hãy xóa các cột bên phải bảng hoặc đề nghị quản trị viên tăng KPI_MAX_ROW_CELLS",
    },
    "cell_too_large": {
        "en": "the cell holds {size_kb} KB of text, over the limit of {limit_kb} KB per cell; shorten it, or ask an administrator to raise KPI_MAX_CELL_BYTES",
        "vi": "ô chứa {size_kb} KB văn bản, vượt giới hạn {limit_kb} KB mỗi ô; hãy rút gọn hoặc đề nghị quản trị viên tăng KPI_MAX_CELL_BYTES",
    },
    "too_many_rows": {
        "en": "the file has more than {limit} data rows (this is the first row over the limit); split it, or ask an administrator to raise KPI_MAX_ROWS",
        "vi": "tệp có hơn {limit} dòng số liệu (đây là dòng đầu tiên vượt giới hạn); hãy tách tệp hoặc đề nghị quản trị viên tăng KPI_MAX_ROWS",
    },
    "workbook_too_large": {
        "en": "the workbook unpacks to {size_mb} MB, over the {limit_mb} MB limit; split it or save it as CSV, or ask an administrator to raise KPI_MAX_WORKBOOK_MB",
        "vi": "sổ Excel khi giải nén có dung lượng {size_mb} MB, vượt giới hạn {limit_mb} MB; hãy tách tệp hoặc lưu dưới dạng CSV, hoặc đề nghị quản trị viên tăng KPI_MAX_WORKBOOK_MB",
    },
    "time_limit": {
        "en": "checking the file took longer than the limit of {limit} s and was stopped; nothing was loaded; split the file, or ask an administrator to raise KPI_FILE_TIMEOUT_S",
        "vi": "việc kiểm tra tệp vượt quá thời gian cho phép {limit} giây nên đã dừng; không dòng nào được nạp; hãy tách tệp hoặc đề nghị quản trị viên tăng KPI_FILE_TIMEOUT_S",
    },
    "empty_file": {
        "en": "the file is empty",
        "vi": "tệp rỗng, không có dữ liệu",
    },
    "not_text": {
        "en": "this is not a CSV or Excel file (it looks like {kind}); save the sheet as CSV UTF-8 or .xlsx",
        "vi": "đây không phải tệp CSV hay Excel (có vẻ là {kind}); hãy lưu bảng dưới dạng CSV UTF-8 hoặc .xlsx",
    },
    "unreadable_workbook": {
        "en": "the Excel workbook cannot be read ({reason}); open it in Excel and save it again as .xlsx",
        "vi": "không đọc được sổ Excel ({reason}); hãy mở bằng Excel và lưu lại dưới dạng .xlsx",
    },
    "header_only": {
        "en": "the file has a header but no data rows",
        "vi": "tệp chỉ có dòng tiêu đề, không có dòng số liệu nào",
    },
    "missing_columns": {
        "en": "no header row with the required columns; missing: {columns} (required: indicator, reporter, period, value)",
        "vi": "không tìm thấy dòng tiêu đề có đủ các cột bắt buộc; thiếu: {columns} (bắt buộc: indicator, reporter, period, value)",
    },
    "duplicate_column": {
        "en": "the column '{column}' appears more than once in the header",
        "vi": "cột '{column}' xuất hiện nhiều lần trong dòng tiêu đề",
    },
    "unnamed_column": {
        "en": "column {position} has values but no name in the header",
        "vi": "cột thứ {position} có giá trị nhưng không có tên trong dòng tiêu đề",
    },
    "nul_byte": {
        "en": "the row contains a NUL byte (binary data); re-export the file from Excel",
        "vi": "dòng có ký tự NUL (dữ liệu nhị phân); hãy xuất lại tệp từ Excel",
    },
    "bad_encoding": {
        "en": "bytes that are not valid {encoding} text; save the file as CSV UTF-8",
        "vi": "có byte không hợp lệ theo bảng mã {encoding}; hãy lưu tệp dưới dạng CSV UTF-8",
    },
    "unterminated_quote": {
        "en": "a quote (\") opened here is never closed",
        "vi": "dấu ngoặc kép (\") mở ở đây nhưng không được đóng",
    },
    "stray_line_break": {
        "en": "a line break inside a cell that is not in quotes; put the cell in double quotes or remove the line break",
        "vi": "có ký tự xuống dòng trong một ô không nằm trong dấu ngoặc kép; hãy đặt ô trong dấu ngoặc kép hoặc bỏ ký tự xuống dòng",
    },
    "cell_count": {
        "en": "the row has {found} cells but the header has {expected}",
        "vi": "dòng có {found} ô nhưng dòng tiêu đề có {expected} cột",
    },
    "commentary_columns": {
        "en": "a commentary file needs the columns indicator, quarter, owner, happened (and may have lang, challenges, next_steps); missing: {columns}",
        "vi": "tệp nhận định cần các cột indicator, quarter, owner, happened (có thể thêm lang, challenges, next_steps); thiếu: {columns}",
    },
    "commentary_too_long": {
        "en": "{found} characters of text, over the limit of {limit}; shorten it to a paragraph",
        "vi": "{found} ký tự, vượt giới hạn {limit}; hãy rút gọn trong một đoạn",
    },
    "unknown_owner": {
        "en": "unknown unit '{value}': the owner is a reporter code of the catalog (e.g. MOFA)",
        "vi": "đơn vị '{value}' không có trong danh mục: đơn vị chủ trì là mã đơn vị báo cáo (ví dụ MOFA)",
    },
    "bad_quarter": {
        "en": "cannot read the quarter '{value}'; write YYYY-Qn (e.g. 2026-Q4)",
        "vi": "không đọc được quý '{value}'; hãy ghi YYYY-Qn (ví dụ 2026-Q4)",
    },
    "bad_lang": {
        "en": "language '{value}': write vi or en",
        "vi": "ngôn ngữ '{value}': hãy ghi vi hoặc en",
    },
    "blank_happened": {
        "en": "say what happened in the quarter: the cell cannot be empty",
        "vi": "cần nêu diễn biến trong quý: ô này không được để trống",
    },
    "commentary_closed": {
        "en": "{quarter} is closed (by {actor} on {closed_on}), so its commentary cannot change and nothing was loaded; an approver must first reopen it: kpi reopen --quarter {quarter} --reason \"...\"",
        "vi": "quý {quarter} đã khóa sổ (do {actor} khóa ngày {closed_on}) nên không thể thay đổi nhận định và không nạp gì; người phê duyệt phải mở lại quý trước: kpi reopen --quarter {quarter} --reason \"...\"",
    },
    "duplicate_commentary": {
        "en": "the same indicator, quarter and language as row {other_row}",
        "vi": "trùng chỉ tiêu, quý và ngôn ngữ với dòng {other_row}",
    },
    "unknown_indicator": {
        "en": "unknown indicator code '{value}'{hint}",
        "vi": "mã chỉ tiêu '{value}' không có trong danh mục{hint}",
    },
    "unknown_reporter": {
        "en": "unknown reporter code '{value}'{hint}",
        "vi": "mã đơn vị báo cáo '{value}' không có trong danh mục{hint}",
    },
    "bad_period": {
        "en": "cannot read the period '{value}'; write YYYY or YYYY-Qn (e.g. 2025 or 2025-Q3)",
        "vi": "không đọc được kỳ '{value}'; hãy ghi YYYY hoặc YYYY-Qn (ví dụ 2025 hoặc 2025-Q3)",
    },
    "quarter_for_annual": {
        "en": "{indicator} is reported yearly; the period '{value}' is a quarter",
        "vi": "chỉ tiêu {indicator} báo cáo theo năm; kỳ '{value}' là một quý",
    },
    "future_period": {
        "en": "the period {value} has not begun yet (today is {today}); a report cannot describe the future",
        "vi": "kỳ {value} chưa bắt đầu (hôm nay là {today}); báo cáo không thể có số liệu tương lai",
    },
    "blank_value": {
        "en": "the value is blank",
        "vi": "ô giá trị để trống",
    },
    "not_a_number": {
        "en": "'{value}' is not a number",
        "vi": "'{value}' không phải là số",
    },
    "negative_count": {
        "en": "{value} is negative; {indicator} is a count",
        "vi": "{value} là số âm; {indicator} là chỉ tiêu đếm",
    },
    "not_whole": {
        "en": "{value} is not a whole number; {indicator} is a count",
        "vi": "{value} không phải số nguyên; {indicator} là chỉ tiêu đếm",
    },
    "percent_range": {
        "en": "{value} is outside 0..100; {indicator} is a percentage",
        "vi": "{value} nằm ngoài khoảng 0..100; {indicator} là tỷ lệ phần trăm",
    },
    "unit_mismatch": {
        "en": "the unit '{value}' differs from the catalog's unit '{expected}' for {indicator}",
        "vi": "đơn vị '{value}' khác đơn vị trong danh mục '{expected}' của {indicator}",
    },
    "duplicate_key": {
        "en": "the same indicator, reporter, period and breakdown as row {other_row}",
        "vi": "trùng chỉ tiêu, đơn vị báo cáo, kỳ và phân tổ với dòng {other_row}",
    },
    "restricted_value": {
        "en": "'{value}' is not an allowed {dimension}; allowed: {allowed}",
        "vi": "'{value}' không thuộc danh sách {dimension} cho phép: {allowed}",
    },
    "ambiguous_numbers": {
        "en": "the number format is ambiguous: values such as {examples} could use a dot or a comma for thousands; write decimals explicitly (e.g. 1234,5 or 1234.5) or remove thousand separators",
        "vi": "không xác định được cách viết số: các giá trị như {examples} có thể dùng dấu chấm hoặc dấu phẩy phân cách hàng nghìn; hãy ghi rõ phần thập phân (ví dụ 1234,5) hoặc bỏ dấu phân cách hàng nghìn",
    },
    "mixed_numbers": {
        "en": "the file mixes number formats: {dot_example} uses a dot for decimals but {comma_example} uses a comma; use one convention for the whole file",
        "vi": "tệp dùng lẫn hai cách viết số: {dot_example} dùng dấu chấm thập phân nhưng {comma_example} dùng dấu phẩy; hãy dùng một cách cho cả tệp",
    },
    "text_number": {
        "en": "'{comma_example}' is stored as text while the other values are numbers (e.g. {dot_example} in {dot_cell}); type it again as a number (or select the cell and use Convert to Number) so that Excel stores a number",
        "vi": "'{comma_example}' được lưu dưới dạng văn bản trong khi các giá trị khác là số (ví dụ {dot_example} ở ô {dot_cell}); hãy nhập lại ô này dưới dạng số (hoặc chọn ô và dùng Convert to Number) để Excel lưu thành số",
    },
    "closed_period": {
        "en": "{key}: {value} would change a value in a closed quarter (now {old}; {quarter} was closed by {actor} on {closed_on}), so nothing was loaded; an approver must first reopen it: kpi reopen --quarter {quarter} --reason \"...\"",
        "vi": "{key}: {value} sẽ làm thay đổi số liệu của quý đã khóa sổ (hiện là {old}; quý {quarter} do {actor} khóa ngày {closed_on}) nên không nạp gì; người phê duyệt phải mở lại quý trước: kpi reopen --quarter {quarter} --reason \"...\"",
    },
}

INFO_MESSAGES: dict[str, dict[str, str]] = {
    "skipped_title": {
        "en": "skipped {count} row(s) above the header (rows {rows})",
        "vi": "bỏ qua {count} dòng phía trên dòng tiêu đề (dòng {rows})",
    },
    "skipped_footer": {
        "en": "skipped {count} source/footnote row(s) after the data (rows {rows})",
        "vi": "bỏ qua {count} dòng nguồn/chú thích sau số liệu (dòng {rows})",
    },
    "number_convention": {
        "en": "numbers read with '{decimal}' as the decimal mark",
        "vi": "số được đọc với '{decimal}' là dấu thập phân",
    },
    "encoding": {
        "en": "decoded as {encoding}",
        "vi": "giải mã theo bảng mã {encoding}",
    },
}


# Characters a terminal or a text viewer would act on rather than show: C0 and C1 controls (ESC
# starts ANSI sequences that recolour, retitle or rewrite the screen; 0x9b is a one-byte CSI),
# DEL, and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text from a file (a cell, a header, a file name) made safe to print on a terminal or in
    report.txt: each control character shown as its escape (ESC as \\x1b), nothing executed."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class Problem:
    """One reason a file is rejected, located as the analyst sees it in Excel (header = row 1)."""

    code: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        template = MESSAGES[self.code][lang]
        params = {"value": self.value if self.value is not None else "", "column": self.column or "", **self.params}
        params.update(shown_numbers(self.params, lang))
        if "hint" in template and "hint" not in params:
            params["hint"] = _hint(params.get("suggestions") or [], lang)
        return printable(template.format(**params))

    def shown_value(self, lang: str = "en") -> str:
        """The offending value as the reporter's Excel shows it (a workbook's typed number), else as written."""
        return printable(shown_numbers(self.params, lang).get("value", self.value or ""))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Problem":
        return cls(**data)


def shown_numbers(params: dict[str, Any], lang: str) -> dict[str, str]:
    """`params['excel']` ({name: [number, number format or None]}) written as Excel shows each
    number in `lang` (`71,6` in Vietnamese): numbers from a workbook's cells, or stored values
    quoted beside them (no format: Excel's General)."""
    from pipelines.intake.excel_cells import excel_text

    return {name: excel_text(float(number), number_format, lang)
            for name, (number, number_format) in (params.get("excel") or {}).items()}


def _hint(suggestions: list[str], lang: str) -> str:
    if not suggestions:
        return ""
    listed = ", ".join(suggestions)
    return f"; did you mean {listed}?" if lang == "en" else f"; có phải là {listed}?"


def info_message(code: str, params: dict[str, Any], lang: str = "en") -> str:
    return INFO_MESSAGES[code][lang].format(**params)


def format_problem(problem: Problem, file_name: str, lang: str = "en") -> str:
    """One line: file, row, column, the offending value and the reason."""
    row_word, col_word = ("row", "column") if lang == "en" else ("dòng", "cột")
    where = [file_name]
    if problem.params.get("cell"):  # a workbook's cell as Excel shows it, e.g. Sheet1!D14
        where.append(str(problem.params["cell"]))
    elif problem.params.get("sheet"):  # a workbook's problem of no one cell: the sheet it was found in
        where.append(f"{'sheet' if lang == 'en' else 'trang tính'} '{problem.params['sheet']}'")
    if problem.row is not None:
        where.append(f"{row_word} {problem.row}")
    if problem.column:
        where.append(f"{col_word} {problem.column}")
    return printable(f"{', '.join(where)}: {problem.message(lang)}")


def render_report(file_name: str, problems: list[Problem], total: int, lang: str = "en") -> str:
    """The plain-text report written beside a rejected file and printed by the CLI."""
    if lang == "vi":
        head = f"Tệp {file_name} bị từ chối: {total} lỗi. Không dòng nào được nạp; sửa các lỗi dưới đây rồi gửi lại cả tệp."
        more = "... và {n} lỗi khác"
    else:
        head = f"File {file_name} was rejected: {total} problem(s). Nothing was loaded; fix these and send the whole file again."
        more = "... and {n} more"
    lines = [printable(head), ""] + [format_problem(p, file_name, lang) for p in problems]
    if total > len(problems):
        lines.append(more.format(n=total - len(problems)))
    return "\n".join(lines) + "\n"
