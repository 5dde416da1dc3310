"""Numbers and dates as each language writes them: 1.234,5 and dd/mm/yyyy in Vietnamese."""

from __future__ import annotations

from datetime import date

from dashboard.strings import text
from pipelines.periods import split_period


def fmt_number(value: float | None, lang: str, decimals: int | None = None) -> str:
    """Grouped thousands; Vietnamese swaps the marks (1.234,5). Whole numbers show no decimals."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_rate(rate: float | None, method: str | None, unit: str, lang: str) -> str:
    """A yearly rate: compound as a signed percentage (+3,4 %/năm), linear in the indicator's unit."""
    if rate is None:
        return "—"
    per_year = text("fmt_per_year", lang)
    sign = "+" if rate >= 0 else ""
    if method == "compound":
        return f"{sign}{fmt_number(rate * 100, lang, 1)} %{per_year}"
    unit_text = text("fmt_points", lang) if unit == "%" else unit
    return f"{sign}{fmt_number(rate, lang, 2)} {unit_text}{per_year}"


def fmt_date(day: date) -> str:
    """dd/mm/yyyy in both languages: the form Vietnamese readers expect, unambiguous in English."""
    return day.strftime("%d/%m/%Y")


def fmt_period(period: str | None, lang: str) -> str:
    """'2026-Q3' → 'Quý 3/2026' or 'Q3 2026'; '2025' stays '2025'."""
    if not period:
        return "—"
    year, quarter = split_period(period)
    if quarter is None:
        return text("fmt_year", lang, year=year)
    return text("fmt_quarter", lang, quarter=quarter, year=year)
