"""Plausibility rules: each mistake reporters make gives one warning with the numbers, in both languages;
plausible values give none."""

from __future__ import annotations

from pipelines.plausibility import Checks, IndicatorInfo, Obs, check_file, fmt

INFO = {
    "BUDGET_OPERATING": IndicatorInfo("BUDGET_OPERATING", "amount", "billion VND"),
    "STAFF_HEADCOUNT": IndicatorInfo("STAFF_HEADCOUNT", "count", "persons"),
    "OFFICIALS_TRAINED": IndicatorInfo("OFFICIALS_TRAINED", "count", "persons"),
    "DIGITAL_FULL_ONLINE_PCT": IndicatorInfo("DIGITAL_FULL_ONLINE_PCT", "percent", "%"),
    "LAWS_ENACTED": IndicatorInfo("LAWS_ENACTED", "count", "laws", Checks(min_value=0, max_value=4)),
}
TOTAL = "{}"


def obs(ind, rep, period, value, bd=TOTAL, row=None, note=None):
    return Obs(ind, rep, period, bd, float(value), row, note)


def test_budget_in_million_instead_of_billion_names_the_likely_cause_and_the_note():
    history = [obs("BUDGET_OPERATING", "HANOI", "2024", 36.4)]
    rows = [obs("BUDGET_OPERATING", "HANOI", "2025", 39385, row=2, note="đơn vị: triệu đồng")]
    [w] = check_file(rows, history, INFO)
    assert w.code == "jump" and w.row == 2 and w.params["power"] == 3
    assert w.message("en") == (
        "39,385 is 1,082 times the previous value 36.4 (2024); the check allows ×0.2 … ×5; "
        "×1,000: million instead of billion? (the note says 'đơn vị: triệu đồng')"
    )
    assert w.message("vi") == (
        "39.385 gấp 1.082 lần giá trị trước 36,4 (2024); ngưỡng kiểm tra ×0,2 đến ×5; "
        "×1.000: ghi theo triệu thay vì tỷ? (ghi chú: 'đơn vị: triệu đồng')"
    )


def test_change_within_five_times_is_not_a_warning():
    history = [obs("STAFF_HEADCOUNT", "HANOI", "2025-Q1", 64)]
    assert check_file([obs("STAFF_HEADCOUNT", "HANOI", "2025-Q2", 300, row=2)], history, INFO) == []
    assert check_file([obs("STAFF_HEADCOUNT", "HANOI", "2025-Q2", 13, row=2)], history, INFO) == []


def test_drop_below_a_fifth_is_a_warning_without_a_power_of_ten_cause():
    history = [obs("STAFF_HEADCOUNT", "HANOI", "2025-Q1", 64)]
    [w] = check_file([obs("STAFF_HEADCOUNT", "HANOI", "2025-Q2", 4, row=3)], history, INFO)
    assert w.code == "jump" and "power" not in w.params and w.message("en").endswith("allows ×0.2 … ×5")


def test_robust_rule_flags_a_break_in_a_steady_series_that_the_fixed_bound_allows():
    history = [obs("STAFF_HEADCOUNT", "MOFA", f"2024-Q{q}", 2000 + q) for q in range(1, 5)]
    history += [obs("STAFF_HEADCOUNT", "MOFA", f"2025-Q{q}", 2005 + q) for q in range(1, 4)]
    [w] = check_file([obs("STAFF_HEADCOUNT", "MOFA", "2025-Q4", 6100, row=2)], history, INFO)
    assert w.params["robust"] is True and w.params["bound"] < 5
    # a normal step in the same series stays quiet
    assert check_file([obs("STAFF_HEADCOUNT", "MOFA", "2025-Q4", 2009, row=2)], history, INFO) == []


def test_percent_sent_as_fraction_is_a_warning_on_each_row():
    history = [obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", f"2025-Q{q}", 80 + q) for q in range(1, 4)]
    rows = [obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q4", 0.86, row=2)]
    [w] = check_file(rows, history, INFO)
    assert w.code == "fraction_for_percent"
    assert w.message("en") == ("0.86 looks like a fraction: every value in the file is at most 1 while earlier values "
                               "are around 82 %; write 86 for 86 %")
    assert w.message("vi").startswith("0,86 có vẻ là phân số")


def test_small_percent_with_small_history_is_not_a_fraction_warning():
    history = [obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q1", 0.5)]
    assert check_file([obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q2", 0.8, row=2)], history, INFO) == []


def test_breakdown_rows_not_adding_up_to_the_total():
    rows = [
        obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 162, row=2),
        obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 100, bd='{"program":"A"}', row=3),
        obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 56, bd='{"program":"B"}', row=4),
    ]
    [w] = check_file(rows, [], INFO)
    assert w.code == "breakdown_sum" and w.row == 2 and w.params["rows"] == [3, 4]
    assert w.message("en") == "the rows by program add up to 156 but the total row says 162 (difference -6; tolerance 0.005)"
    assert w.message("vi") == "các dòng theo program cộng lại được 156 nhưng dòng tổng là 162 (chênh lệch -6; dung sai 0,005)"
    fixed = rows[:2] + [obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 62, bd='{"program":"B"}', row=4)]
    assert check_file(fixed, [], INFO) == []


def test_breakdown_rows_are_checked_against_a_total_already_stored():
    history = [obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 162)]
    rows = [obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 150, bd='{"program":"A"}', row=2)]
    [w] = check_file(rows, history, INFO)
    assert w.code == "breakdown_sum" and w.row == 2


def test_percent_breakdowns_are_not_summed():
    rows = [obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q1", 80, row=2),
            obs("DIGITAL_FULL_ONLINE_PCT", "MOFA", "2025-Q1", 70, bd='{"service":"visa"}', row=3)]
    assert check_file(rows, [], INFO) == []


def test_value_outside_the_declared_range():
    [w] = check_file([obs("LAWS_ENACTED", "MOFA", "2026", 7, row=5)], [], INFO)
    assert w.code == "out_of_range"
    assert w.message("en") == "7 is outside the range the catalog declares for LAWS_ENACTED (0 to 4)"
    assert w.message("vi") == "7 nằm ngoài khoảng danh mục quy định cho LAWS_ENACTED (0 đến 4)"


def test_numbers_are_written_in_the_readers_language():
    assert fmt(40446.5, "vi") == "40.446,5" and fmt(40446.5, "en") == "40,446.5" and fmt(0.86, "vi") == "0,86"


def test_a_partial_breakdown_may_fall_short_of_the_total_but_not_exceed_it():
    info = {"OFFICIALS_TRAINED": IndicatorInfo("OFFICIALS_TRAINED", "count", "persons", Checks(partial_breakdowns=("program",)))}
    short = [obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 162, row=2),
             obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 48, bd='{"program":"A"}', row=3)]
    assert check_file(short, [], info) == []
    over = short[:1] + [obs("OFFICIALS_TRAINED", "HANOI", "2026-Q3", 170, bd='{"program":"A"}', row=3)]
    assert [w.code for w in check_file(over, [], info)] == ["breakdown_sum"]


def test_a_restricted_dimension_with_values_missing_is_partial():
    info = {"MISSIONS_ABROAD": IndicatorInfo("MISSIONS_ABROAD", "count", "agencies")}
    restricted = {"mission_type": ["embassy", "consulate_general"]}
    some = [obs("MISSIONS_ABROAD", "MOFA", "2026-Q3", 97, row=2),
            obs("MISSIONS_ABROAD", "MOFA", "2026-Q3", 70, bd='{"mission_type":"embassy"}', row=3)]
    assert check_file(some, [], info, restricted) == []
    every = some + [obs("MISSIONS_ABROAD", "MOFA", "2026-Q3", 20, bd='{"mission_type":"consulate_general"}', row=4)]
    assert [w.params["parts"] for w in check_file(every, [], info, restricted)] == [90]
