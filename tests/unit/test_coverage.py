"""Completeness of summed totals: a period missing an expected reporter is provisional."""

from __future__ import annotations

from pipelines.coverage import period_coverage, provisional

NINE = ["MOFA", "MOF", "MOHA", "MOPS", "MOIT", "HANOI", "HCMC", "DANANG", "HAIPHONG"]


def rows(period, reporters):
    return [(r, period, 10.0) for r in reporters]


def test_four_of_nine_reporters_is_provisional_and_names_who_is_missing():
    cov = period_coverage(rows("2024", NINE) + rows("2025", NINE) + rows("2026", NINE[:4]))
    assert provisional(cov) == {"2026"}
    c = cov["2026"]
    assert c.label("en") == "4 of 9 reporters" and c.label("vi") == "4 trên 9 đơn vị báo cáo"
    assert set(c.missing) == set(NINE[4:])


def test_a_new_reporter_adds_to_the_total_without_making_anything_provisional():
    cov = period_coverage(rows("2025-Q1", NINE[:3]) + rows("2025-Q2", NINE[:4]))
    assert provisional(cov) == set() and cov["2025-Q2"].label() == "4 of 4 reporters"


def test_a_reporter_silent_for_more_than_the_lookback_is_no_longer_expected():
    data = rows("2024-Q1", NINE[:2]) + sum((rows(f"{y}-Q{q}", NINE[:1]) for y, q in
                                           [(2024, 2), (2024, 3), (2024, 4), (2025, 1), (2025, 2)]), [])
    cov = period_coverage(data)
    assert provisional(cov) == {"2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1"}


def test_the_catalogs_expected_reporters_win():
    cov = period_coverage(rows("2025", NINE[:2]), expected=NINE[:3])
    assert provisional(cov) == {"2025"} and cov["2025"].missing == ("MOHA",)
