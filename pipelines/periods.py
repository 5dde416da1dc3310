"""Reporting periods: the spellings reporters use, normalised to `YYYY` or `YYYY-Qn`.

Pure functions; the validator, the progress engine and the dashboard share them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# ASCII digits only: '２０２５' or Arabic-Indic digits are not a period a reporter meant to type.
_SPELLINGS = [
    re.compile(r"^(?P<y>[0-9]{4})$"),
    re.compile(r"^(?P<y>[0-9]{4})\s*-?\s*q(?P<q>[1-4])$"),  # 2025-Q3, 2025Q3, 2025 - q3
    re.compile(r"^q(?P<q>[1-4])\s*[/-]\s*(?P<y>[0-9]{4})$"),  # Q3/2025, Q3-2025
    re.compile(r"^quý\s*(?P<q>[1-4])\s*/\s*(?P<y>[0-9]{4})$"),  # Quý 3/2025
    re.compile(r"^quý\s*(?P<q>[1-4])\s+năm\s+(?P<y>[0-9]{4})$"),  # Quý 3 năm 2025
]
CANONICAL_RE = re.compile(r"^([0-9]{4})(?:-Q([1-4]))?\Z")


def parse_period(text: str) -> str | None:
    """Return the canonical period for one of the contract's spellings, or None if unreadable."""
    cleaned = " ".join(unicodedata.normalize("NFC", text).replace("\u00a0", " ").split()).lower()
    for pattern in _SPELLINGS:
        m = pattern.match(cleaned)
        if m:
            year = int(m["y"])
            if not 1900 <= year <= 2100:
                return None
            q = m.groupdict().get("q")
            return f"{year}-Q{q}" if q else str(year)
    return None


def split_period(period: str) -> tuple[int, int | None]:
    """(year, quarter or None) of a canonical period."""
    m = CANONICAL_RE.match(period)
    if not m:
        raise ValueError(f"not a canonical period: {period!r}")
    return int(m[1]), int(m[2]) if m[2] else None


def is_quarter(period: str) -> bool:
    """Whether a canonical period is a quarter (`YYYY-Qn`) rather than a year."""
    return split_period(period)[1] is not None


def period_start(period: str) -> date:
    """First day of the period: a report cannot describe a period that has not begun."""
    year, quarter = split_period(period)
    return date(year, 1 if quarter is None else 3 * quarter - 2, 1)


def period_end(period: str) -> date:
    """Last day of the period, used for 'as of dd/mm/yyyy' labels."""
    year, quarter = split_period(period)
    if quarter is None or quarter == 4:
        return date(year, 12, 31)
    month = 3 * quarter + 1
    return date.fromordinal(date(year, month, 1).toordinal() - 1)

