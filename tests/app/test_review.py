"""Quarterly review page: a quarter picker kept in the URL and the very panels `kpi report` renders."""

from __future__ import annotations

import pytest

from dashboard.review import load_review, panels
from dashboard.strings import text
from pipelines.settings import Settings

PANEL_COUNT = 2 + 14  # summary, what changed, one per indicator


def _captions(at) -> list[str]:
    return [img.proto.imgs[0].caption for img in at.get("image")]


@pytest.mark.parametrize("lang, title, pick, latest", [
    ("vi", "Rà soát thực hiện Kế hoạch theo quý", "Quý rà soát", "Quý 3/2026"),
    ("en", "Quarterly review of the plan", "Quarter", "Q3 2026"),
])
def test_latest_quarter_panels(sample_dir, open_app, lang, title, pick, latest):
    at = open_app(sample_dir, "review", lang=lang)
    assert [t.value for t in at.title] == [title]
    (select,) = at.selectbox
    assert select.label == pick and select.value == "2026-Q3" and select.options[0] == latest
    assert at.query_params["quarter"] == "2026-Q3"
    captions = _captions(at)
    assert len(captions) == PANEL_COUNT
    assert captions[:2] == [text("review_summary_title", lang), text("changes_title", lang)]
    assert any(c.startswith(("Số cơ quan đại diện", "Representative agencies")) for c in captions)


def test_quarter_from_the_url(sample_dir, open_app):
    at = open_app(sample_dir, "review", quarter="2025-Q4")
    assert at.selectbox[0].value == "2025-Q4"
    assert len(_captions(at)) == PANEL_COUNT


@pytest.mark.parametrize("lang, decimal, latest", [("vi", ",", "Quý 3/2026"), ("en", ".", "Q3 2026")])
def test_panels_are_dated_and_localised(sample_dir, lang, decimal, latest):
    review = load_review(Settings(data_dir=sample_dir).warehouse_path, "2026-Q3")
    for _, _, chart in panels(review, lang):
        spec = chart.to_dict()
        assert spec["config"]["locale"]["number"]["decimal"] == decimal
        assert latest in " ".join(spec["title"]["subtitle"])


@pytest.mark.parametrize("lang, empty", [("vi", "Chưa có số liệu"), ("en", "No data yet")])
def test_empty_database(empty_dir, open_app, lang, empty):
    at = open_app(empty_dir, "review", lang=lang)
    (info,) = [i.value for i in at.main.info]
    assert info.startswith(f"**{empty}**") and "`kpi demo`" in info
    assert not at.get("image")
