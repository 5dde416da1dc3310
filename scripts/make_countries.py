"""Regenerate data/catalog/countries.csv (ISO 3166-1 codes with English and Vietnamese names).

Run once when the list changes: `pip install pycountry && python scripts/make_countries.py`.
pycountry is a build-time tool only; the app reads the committed CSV.
"""

import csv
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "data" / "catalog" / "countries.csv"
# Names as Vietnamese official usage writes them. pycountry's Vietnamese catalogue is dated
# ("Nam Dương", "Cộng hoà Nam Hàn"), so only curated names are used; others fall back to English.
VI_NAMES = {
    "AGO": "Angola", "ARE": "Các Tiểu vương quốc Ả-rập Thống nhất", "ARG": "Argentina", "AUS": "Australia",
    "AUT": "Áo", "AZE": "Azerbaijan", "BEL": "Bỉ", "BGD": "Bangladesh", "BGR": "Bulgaria", "BLR": "Belarus",
    "BRA": "Brazil", "BRN": "Brunei", "CAN": "Canada", "CHE": "Thụy Sĩ", "CHL": "Chile", "CHN": "Trung Quốc",
    "CUB": "Cuba", "CZE": "Séc", "DEU": "Đức", "DNK": "Đan Mạch", "DZA": "Algeria", "EGY": "Ai Cập",
    "ESP": "Tây Ban Nha", "ETH": "Ethiopia", "FIN": "Phần Lan", "FRA": "Pháp", "GBR": "Vương quốc Anh",
    "GRC": "Hy Lạp", "HUN": "Hungary", "IDN": "Indonesia", "IND": "Ấn Độ", "IRL": "Ireland", "IRN": "Iran",
    "IRQ": "Iraq", "ISR": "Israel", "ITA": "Italy", "JPN": "Nhật Bản", "KAZ": "Kazakhstan", "KEN": "Kenya",
    "KHM": "Campuchia", "KOR": "Hàn Quốc", "KWT": "Kuwait", "LAO": "Lào", "LBY": "Libya", "LKA": "Sri Lanka",
    "MAR": "Maroc", "MEX": "Mexico", "MMR": "Myanmar", "MNG": "Mông Cổ", "MOZ": "Mozambique", "MYS": "Malaysia",
    "NGA": "Nigeria", "NLD": "Hà Lan", "NOR": "Na Uy", "NZL": "New Zealand", "PAK": "Pakistan", "PAN": "Panama",
    "PER": "Peru", "PHL": "Philippines", "POL": "Ba Lan", "PRK": "Triều Tiên", "PRT": "Bồ Đào Nha", "QAT": "Qatar",
    "ROU": "Romania", "RUS": "Nga", "SAU": "Ả-rập Xê-út", "SGP": "Singapore", "SVK": "Slovakia", "SWE": "Thụy Điển",
    "THA": "Thái Lan", "TLS": "Timor-Leste", "TUR": "Thổ Nhĩ Kỳ", "TWN": "Đài Loan (Trung Quốc)", "TZA": "Tanzania",
    "UKR": "Ukraine", "USA": "Hoa Kỳ", "VEN": "Venezuela", "VNM": "Việt Nam", "ZAF": "Nam Phi", "OMN": "Oman",
    "BHR": "Bahrain", "JOR": "Jordan", "LBN": "Liban", "SYR": "Syria", "YEM": "Yemen",
    "SEN": "Senegal", "CIV": "Côte d'Ivoire", "URY": "Uruguay", "COL": "Colombia",
    "NPL": "Nepal", "UZB": "Uzbekistan", "SRB": "Serbia", "HRV": "Croatia", "SVN": "Slovenia", "EST": "Estonia",
    "LVA": "Latvia", "LTU": "Litva", "LUX": "Luxembourg", "ISL": "Iceland", "MLT": "Malta", "CYP": "Síp",
}

with open(OUT, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(["iso3", "iso_numeric", "name_en", "name_vi"])
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        name = getattr(country, "common_name", None) or country.name
        writer.writerow([country.alpha_3, country.numeric, name, VI_NAMES.get(country.alpha_3, name)])
