"""Period spellings of the data contract, normalised to YYYY or YYYY-Qn."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.periods import parse_period, period_end, period_start


@pytest.mark.parametrize("spelling", ["2025-Q3", "2025Q3", "2025q3", "Q3/2025", "Q3-2025", "Quý 3/2025",
                                      "quý 3 năm 2025", "Quy\u0301 3/2025", " 2025 - Q3 ", "2025\u00a0-\u00a0Q3"])
def test_every_contract_spelling_of_a_quarter_reads_as_canonical(spelling):
    assert parse_period(spelling) == "2025-Q3"


@pytest.mark.parametrize("text", ["", "25", "2025-Q5", "2025-Q0", "Q3 2025 2026", "３/2025", "２０２５", "٢٠٢٥",
                                  "2025-07", "2025/3", "1899", "abcd"])
def test_unreadable_or_ambiguous_periods_are_refused(text):
    assert parse_period(text) is None


@given(st.integers(1900, 2100), st.sampled_from([None, 1, 2, 3, 4]))
def test_canonical_periods_read_back_unchanged(year, quarter):
    canonical = f"{year}-Q{quarter}" if quarter else str(year)
    assert parse_period(canonical) == canonical
    assert parse_period(f"Quý {quarter}/{year}" if quarter else str(year)) == canonical


def test_period_bounds():
    assert period_start("2026-Q4") == date(2026, 10, 1)
    assert period_end("2026-Q3") == date(2026, 9, 30)
    assert period_end("2025") == date(2025, 12, 31)
    assert period_end("2024-Q1") == date(2024, 3, 31)
