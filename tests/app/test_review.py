"""Quarterly review page: a quarter picker kept in the URL and the slide panels, in both languages."""

from __future__ import annotations

import pytest

from tests.app.helpers import charts


@pytest.mark.parametrize("lang, title, pick, latest, decimal", [
    ("vi", "Rà soát thực hiện Kế hoạch theo quý", "Quý rà soát", "Quý 3/2026", ","),
    ("en", "Quarterly review of the plan", "Quarter", "Q3 2026", "."),
])
def test_latest_quarter_panels(sample_dir, open_app, lang, title, pick, latest, decimal):
    at = open_app(sample_dir, "review", lang=lang)
    assert [t.value for t in at.title] == [title]
    (select,) = at.selectbox
    assert select.label == pick and select.value == "2026-Q3" and select.options[0] == latest
    assert at.query_params["quarter"] == "2026-Q3"
    panels = charts(at)
    assert len(panels) >= 2 + 14  # summary, what changed, one per indicator
    for spec, _ in panels:
        assert spec["config"]["locale"]["number"]["decimal"] == decimal
        assert latest in " ".join(spec["title"]["subtitle"])


def test_quarter_from_the_url(sample_dir, open_app):
    at = open_app(sample_dir, "review", quarter="2025-Q4")
    assert at.selectbox[0].value == "2025-Q4"
    spec, _ = charts(at)[0]
    assert "Quý 4/2025" in " ".join(spec["title"]["subtitle"])


@pytest.mark.parametrize("lang, empty", [("vi", "Chưa có số liệu"), ("en", "No data yet")])
def test_empty_database(empty_dir, open_app, lang, empty):
    at = open_app(empty_dir, "review", lang=lang)
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not charts(at)
